from django.urls import path

from .views import grievances

urlpatterns = [
    path("", grievances.grievance_list, name="grievances"),
    path("new/", grievances.grievance_new, name="grievance_new"),
    path("<int:pk>/", grievances.grievance_detail, name="grievance"),
    path("<int:pk>/status/", grievances.grievance_status, name="grievance_status"),
    path("<int:pk>/note/", grievances.grievance_note, name="grievance_note"),
    path("facilitators/", grievances.facilitators, name="facilitators"),
    path("facilitators/<int:pk>/remove/", grievances.facilitator_remove, name="facilitator_remove"),
]
