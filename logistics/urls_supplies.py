"""Supplies and spaces (included by logistics.urls: the names are in the `logistics:` namespace)."""

from django.urls import path

from .views import supplies

urlpatterns = [
    path("supplies/", supplies.supply_list, name="supplies"),
    path("supplies/new/", supplies.supply_new, name="supply_new"),
    path("supplies/<int:pk>/", supplies.supply_edit, name="supply"),
    path("supplies/<int:pk>/count/", supplies.supply_count, name="supply_count"),
    path("supplies/<int:pk>/get/", supplies.supply_get, name="supply_get"),
    path("supplies/<int:pk>/give-back/", supplies.supply_release, name="supply_release"),
    path("supplies/<int:pk>/getter/", supplies.supply_assign, name="supply_assign"),
    path("supplies/<int:pk>/archive/", supplies.supply_archive, name="supply_archive"),
    path("supplies/<int:pk>/restore/", supplies.supply_restore, name="supply_restore"),
    path("spaces/", supplies.space_list, name="spaces"),
    path("spaces/new/", supplies.space_new, name="space_new"),
    path("spaces/<int:pk>/", supplies.space_detail, name="space"),
    path("spaces/<int:pk>/edit/", supplies.space_edit, name="space_edit"),
    path("spaces/<int:pk>/archive/", supplies.space_archive, name="space_archive"),
    path("spaces/<int:pk>/book/", supplies.space_book, name="space_book"),
    path("spaces/<int:pk>/bookings/<int:booking_pk>/cancel/", supplies.booking_cancel, name="booking_cancel"),
]
