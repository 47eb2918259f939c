from django.urls import path

from . import views

app_name = "consultation"
urlpatterns = [
    path("", views.index, name="index"),
    path("outreach/", views.outreach, name="outreach"),
]
