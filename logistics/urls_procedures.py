from django.urls import path

from .views import procedures

urlpatterns = [
    path("", procedures.procedure_list, name="procedures"),
    path("new/", procedures.procedure_new, name="procedure_new"),
    path("unread/", procedures.procedures_unread, name="procedures_unread"),
    path("<int:pk>/", procedures.procedure_detail, name="procedure"),
    path("<int:pk>/read/", procedures.procedure_acknowledge, name="procedure_acknowledge"),
    path("<int:pk>/revise/", procedures.procedure_revise, name="procedure_revise"),
    path("<int:pk>/archive/", procedures.procedure_archive, name="procedure_archive"),
    path("<int:pk>/unarchive/", procedures.procedure_unarchive, name="procedure_unarchive"),
    path("<int:pk>/versions/<int:number>/", procedures.procedure_version, name="procedure_version"),
]
