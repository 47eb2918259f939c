from django.urls import path

from .views import export

urlpatterns = [
    path("", export.page, name="export"),
    path("start/", export.start, name="export_start"),
    path("<int:pk>/download/<str:token>/", export.download, name="export_download"),
]
