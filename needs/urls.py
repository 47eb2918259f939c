from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.need_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/focus/", views.propose_focus, name="propose_focus"),
]
