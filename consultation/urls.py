from django.urls import path

from . import views

app_name = "consultation"
urlpatterns = [
    path("", views.index, name="index"),
    path("outreach/", views.outreach, name="outreach"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/answer/", views.round_answer, name="round_answer"),
    path("rounds/<int:pk>/focus/<int:need_pk>/", views.round_focus, name="round_focus"),
    # The public link: anyone can answer, no account needed.
    path("r/<token:token>/", views.round_public, name="round_public"),
    path("r/<token:token>/thanks/", views.round_thanks, name="round_thanks"),
]
