from django.urls import path

from .views import incidents

urlpatterns = [
    path("", incidents.incident_list, name="incidents"),
    path("new/", incidents.incident_new, name="incident_new"),
    path("<int:pk>/", incidents.incident_detail, name="incident"),
    path("<int:pk>/edit/", incidents.incident_edit, name="incident_edit"),
    path("<int:pk>/delete/", incidents.incident_delete, name="incident_delete"),
]
