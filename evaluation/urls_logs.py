from django.urls import path

from .views import logs

urlpatterns = [
    path("", logs.logs_home, name="logs"),
    path("entries/<int:pk>/", logs.log_entry, name="log_entry"),
    path("entries/<int:pk>/edit/", logs.log_entry_edit, name="log_entry_edit"),
    path("entries/<int:pk>/delete/", logs.log_entry_delete, name="log_entry_delete"),
    path("forms/new/", logs.log_form_new, name="log_form_new"),
    path("forms/<int:pk>/fill/", logs.log_fill, name="log_fill"),
    path("forms/<int:pk>/edit/", logs.log_form_edit, name="log_form_edit"),
    path("forms/<int:pk>/archive/", logs.log_form_archive, name="log_form_archive"),
    path("forms/<int:pk>/export.csv", logs.log_form_csv, name="log_form_csv"),
    path("metrics/", logs.metric_list, name="metrics"),
    path("metrics/new/", logs.metric_new, name="metric_new"),
    path("metrics/<int:pk>/", logs.metric_detail, name="metric"),
    path("metrics/<int:pk>/edit/", logs.metric_edit, name="metric_edit"),
    path("metrics/<int:pk>/archive/", logs.metric_archive, name="metric_archive"),
    path("changes/", logs.change_list, name="changes"),
    path("changes/new/", logs.change_new, name="change_new"),
    path("changes/<int:pk>/edit/", logs.change_edit, name="change_edit"),
    path("changes/<int:pk>/delete/", logs.change_delete, name="change_delete"),
]
