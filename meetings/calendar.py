"""Calendar files (RFC 5545) for meetings: one meeting's .ics, and an institution's feeds.

icalendar does the escaping, line folding and VTIMEZONE components; this module decides what a
meeting looks like in someone's calendar. Times are written in the institution's own time zone
(with its VTIMEZONE), so a meeting stays at 18:30 local time across a daylight-saving change.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from .models import AgendaItem, Meeting

PRODID = "-//Dual Power//Meetings//EN"
# Feeds show what is coming and what happened lately (cancelled ones too, so calendars update).
FEED_PAST = timedelta(days=90)
FEED_LIMIT = 1000
# Calendar apps should not poll a feed more often than this.
FEED_REFRESH = timedelta(hours=1)
# Control characters have no place in calendar text (RFC 5545 TEXT); newlines and tabs stay.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIMETYPE = "text/calendar"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def clean(text):
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def meeting_uid(meeting):
    """Stable for the meeting's whole life, so calendars update the event instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "dualpower"
    return f"meeting-{meeting.pk}@{host}"


def meeting_url(meeting):
    """The public page of a public meeting, the members' page otherwise."""
    name = "meetings:public" if meeting.is_public else "meetings:detail"
    return settings.SITE_URL + reverse(name, kwargs={"institution_slug": meeting.institution.slug, "pk": meeting.pk})


def with_agenda(meetings):
    """Meetings with their agenda titles in order, in one more query."""
    items = AgendaItem.objects.only("meeting_id", "title", "position").order_by("position", "pk")
    return meetings.select_related("institution").prefetch_related(
        Prefetch("agenda_items", queryset=items, to_attr="calendar_agenda")
    )


def feed_meetings(institution, *, public_only):
    """What a feed lists: meetings from the last 90 days on and every upcoming one."""
    meetings = Meeting.objects.filter(institution=institution, starts_at__gte=timezone.now() - FEED_PAST)
    if public_only:
        meetings = meetings.filter(is_public=True)
    return with_agenda(meetings).order_by("starts_at", "pk")[:FEED_LIMIT]


def description(meeting):
    parts = []
    if meeting.is_cancelled:
        parts.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason})
    if meeting.purpose:
        parts.append(meeting.purpose)
    titles = [item.title for item in meeting.calendar_agenda]
    if titles:
        lines = [_("Agenda:")] + [f"{number}. {title}" for number, title in enumerate(titles, start=1)]
        parts.append("\n".join(lines))
    if meeting.online_url:
        parts.append(_("Online: %(link)s") % {"link": meeting.online_url})
    return clean("\n\n".join(parts))


def meeting_event(meeting, *, stamp):
    zone = ZoneInfo(meeting.institution.time_zone)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", stamp)
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", clean(meeting.title))
    text = description(meeting)
    if text:
        event.add("description", text)
    location = ", ".join(clean(part) for part in (meeting.place_name, meeting.address) if clean(part))
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("class", "PUBLIC" if meeting.is_public else "PRIVATE")
    return event


def calendar_of(meetings, *, name=None, method="PUBLISH"):
    """A VCALENDAR with one VEVENT per meeting (give them through `with_agenda`) and the
    VTIMEZONE components their times need."""
    meetings = list(meetings)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.calendar_name = clean(name)
        # RFC 7986 wants VALUE=DURATION spelled out; X-PUBLISHED-TTL is the older name some apps read.
        calendar.add("refresh-interval", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, stamp=stamp))
    if meetings:
        calendar.add_missing_timezones(
            first_date=(min(meeting.starts_at for meeting in meetings) - timedelta(days=366)).date(),
            last_date=(max(meeting.ends_at for meeting in meetings) + timedelta(days=366)).date(),
        )
    return calendar.to_ical()


def meeting_calendar(meeting, *, method="PUBLISH"):
    """The .ics file of one meeting (bytes)."""
    if not hasattr(meeting, "calendar_agenda"):
        items = AgendaItem.objects.only("meeting_id", "title", "position").order_by("position", "pk")
        prefetch_related_objects([meeting], Prefetch("agenda_items", queryset=items, to_attr="calendar_agenda"))
    return calendar_of([meeting], method=method)


def feed_calendar(institution, *, public_only):
    """An institution's subscribable feed (bytes): public meetings, or all of them for members."""
    members = _("%(institution)s (members)") % {"institution": institution.name}
    name = institution.name if public_only else members
    return calendar_of(feed_meetings(institution, public_only=public_only), name=name)
