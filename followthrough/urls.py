from django.urls import path

from . import views

app_name = "followthrough"
urlpatterns = [
    path("", views.index, name="index"),
]
