"""Money: the ledger, its entries, approvals, what is owed back, totals, categories, the CSV export and
the public page (mounted at money/ in the logistics namespace)."""

from django.urls import path

from .views import money

urlpatterns = [
    path("", money.ledger, name="ledger"),
    path("new/", money.entry_new, name="ledger_entry_new"),
    path("<int:pk>/", money.entry_detail, name="ledger_entry"),
    path("<int:pk>/edit/", money.entry_edit, name="ledger_entry_edit"),
    path("<int:pk>/approve/", money.entry_approve, name="ledger_entry_approve"),
    path("<int:pk>/reject/", money.entry_reject, name="ledger_entry_reject"),
    path("<int:pk>/void/", money.entry_void, name="ledger_entry_void"),
    path("<int:pk>/paid-back/", money.entry_paid_back, name="ledger_entry_paid_back"),
    path("<int:pk>/receipt/", money.receipt_download, name="ledger_receipt"),
    path("to-pay-back/", money.owed, name="ledger_owed"),
    path("totals/", money.totals, name="ledger_totals"),
    path("export.csv", money.export_csv, name="ledger_csv"),
    path("categories/", money.categories, name="ledger_categories"),
    path("categories/<int:pk>/rename/", money.category_rename, name="ledger_category_rename"),
    path("categories/<int:pk>/archive/", money.category_archive, name="ledger_category_archive"),
    path("categories/<int:pk>/delete/", money.category_delete, name="ledger_category_delete"),
    path("public/", money.public, name="ledger_public"),
]
