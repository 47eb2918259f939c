from django.urls import path

from .views import calendar as calendar_views
from .views import meetings, public, record

app_name = "meetings"
urlpatterns = [
    path("", meetings.index, name="index"),
    path("new/", meetings.meeting_new, name="new"),
    path("<int:pk>/", meetings.detail, name="detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", meetings.meeting_cancel, name="cancel"),
    path("<int:pk>/rsvp/", meetings.rsvp_member, name="rsvp_member"),
    path("<int:pk>/agenda/new/", meetings.agenda_new, name="agenda_new"),
    path("<int:pk>/agenda/<int:item_pk>/", meetings.agenda_edit, name="agenda_edit"),
    path("<int:pk>/agenda/<int:item_pk>/move/", meetings.agenda_move, name="agenda_move"),
    path("<int:pk>/agenda/<int:item_pk>/remove/", meetings.agenda_remove, name="agenda_remove"),
    path("<int:pk>/suggest/", meetings.suggest, name="suggest"),
    path("<int:pk>/suggestions/<int:suggestion_pk>/", meetings.suggestion_decide, name="suggestion_decide"),
    # Calendars: a meeting's .ics (public meetings for anyone), the public feed, each member's private
    # feed (its token is the authorization) and the page explaining how to subscribe.
    path("<int:pk>/meeting.ics", calendar_views.meeting_ics, name="ics"),
    path("calendar.ics", calendar_views.public_feed, name="public_feed"),
    path("feed/<token:token>.ics", calendar_views.private_feed, name="private_feed"),
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/new-link/", calendar_views.feed_reset, name="feed_reset"),
    # During and after the meeting: attendance, minutes, decisions, action items, and the printables.
    path("<int:pk>/attendance/", record.attendance, name="attendance"),
    path("<int:pk>/minutes/", record.minutes, name="minutes"),
    path("<int:pk>/decisions/new/", record.decision_new, name="decision_new"),
    path("<int:pk>/decisions/<int:decision_pk>/delete/", record.decision_delete, name="decision_delete"),
    path("<int:pk>/actions/new/", record.action_new, name="action_new"),
    path("<int:pk>/actions/<int:action_pk>/delete/", record.action_delete, name="action_delete"),
    path("<int:pk>/print/agenda/", record.agenda_print, name="agenda_print"),
    path("<int:pk>/print/sign-in/", record.signin_sheet, name="signin_sheet"),
    path("<int:pk>/print/minutes/", record.minutes_print, name="minutes_print"),
    # Published minutes of a public meeting, for anyone.
    path("<int:pk>/minutes/public/", record.minutes_public, name="minutes_public"),
    # For anyone: the public meeting page (RSVP, suggestions) and the private RSVP link.
    path("<int:pk>/public/", public.public, name="public"),
    path("<int:pk>/public/suggest/", public.public_suggest, name="public_suggest"),
    path("rsvp/<token:token>/", public.rsvp_manage, name="rsvp_manage"),
]
