from django.urls import path

from .views import checkins

urlpatterns = [
    path("", checkins.check_in, name="checkins"),
    path("answers/", checkins.answers, name="checkin_answers"),
    path("members/<int:pk>/", checkins.member_history, name="checkin_member"),
    path("settings/", checkins.evaluation_settings, name="settings"),
]
