from django.urls import path

from .views import shifts

urlpatterns = [
    path("shifts/", shifts.shifts_home, name="shifts"),
    path("shifts/new/", shifts.shift_new, name="shift_new"),
    path("shifts/<int:pk>/", shifts.shift_detail, name="shift"),
    path("shifts/<int:pk>/edit/", shifts.shift_edit, name="shift_edit"),
    path("shifts/<int:pk>/end/", shifts.shift_end, name="shift_end"),
    path("shifts/dates/<int:pk>/", shifts.occurrence_detail, name="occurrence"),
    path("shifts/dates/<int:pk>/sign-up/", shifts.occurrence_signup, name="occurrence_signup"),
    path("shifts/dates/<int:pk>/cancel/", shifts.occurrence_cancel, name="occurrence_cancel"),
    path("shifts/dates/<int:pk>/skip/", shifts.occurrence_skip, name="occurrence_skip"),
    path("shifts/dates/<int:pk>/restore/", shifts.occurrence_restore, name="occurrence_restore"),
    path("shifts/dates/<int:pk>/attendance/", shifts.occurrence_attendance, name="occurrence_attendance"),
    path("shifts/stand-ins/<int:pk>/take/", shifts.stand_in_take, name="stand_in_take"),
    path("shifts/mine/", shifts.my_shifts, name="my_shifts"),
    # The member's private calendar link (shared with the meetings feed) is the authorization.
    path("shifts/feed/<token:token>.ics", shifts.shift_feed, name="shift_feed"),
    path("shifts/counts/", shifts.shift_counts, name="shift_counts"),
    path("roles/", shifts.roles, name="roles"),
    path("roles/new/", shifts.role_new, name="role_new"),
    path("roles/<int:pk>/", shifts.role_detail, name="role"),
    path("roles/<int:pk>/archive/", shifts.role_archive, name="role_archive"),
    path("settings/", shifts.logistics_settings, name="settings"),
]
