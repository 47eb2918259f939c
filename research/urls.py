from django.urls import path

from . import views

app_name = "research"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.note_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/history/<int:number>/", views.version, name="version"),
    path("<int:pk>/key-reading/", views.key_reading, name="key_reading"),
    path("<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/files/<int:attachment_pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("needs/<int:pk>/", views.need_summary, name="need_summary"),
]
