"""A member's "my shifts" calendar feed (RFC 5545), in the institution's time zone."""

from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from meetings.calendar import FEED_REFRESH, clean

PRODID = "-//Dual Power//Shifts//EN"


def occurrence_uid(occurrence):
    host = urlsplit(settings.SITE_URL).hostname or "dualpower"
    return f"shift-{occurrence.pk}@{host}"


def occurrence_event(occurrence, *, stamp):
    institution = occurrence.institution
    zone = ZoneInfo(institution.time_zone)
    shift = occurrence.shift
    event = Event()
    event.add("uid", occurrence_uid(occurrence))
    event.add("sequence", occurrence.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", occurrence.starts_at.astimezone(zone))
    event.add("dtend", occurrence.ends_at.astimezone(zone))
    event.add("summary", clean(f"{shift.role.name} · {institution.name}"))
    if shift.place.strip():
        event.add("location", clean(shift.place))
    notes = [_("Not happening: %(reason)s") % {"reason": occurrence.cancel_reason}] if occurrence.cancelled_at else []
    if shift.notes:
        notes.append(shift.notes)
    if notes:
        event.add("description", clean("\n\n".join(notes)))
    path = reverse("logistics:occurrence", kwargs={"institution_slug": institution.slug, "pk": occurrence.pk})
    event.add("url", settings.SITE_URL + path)
    event.add("status", "CANCELLED" if occurrence.cancelled_at else "CONFIRMED")
    event.add("class", "PRIVATE")
    return event


def my_shifts_calendar(institution, occurrences):
    """The feed (bytes): one event per date the member holds a place on."""
    occurrences = list(occurrences)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.calendar_name = clean(_("My shifts · %(institution)s") % {"institution": institution.name})
    calendar.add("refresh-interval", vDuration(FEED_REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    stamp = timezone.now()
    for occurrence in occurrences:
        occurrence.institution = institution
        calendar.add_component(occurrence_event(occurrence, stamp=stamp))
    if occurrences:
        calendar.add_missing_timezones(
            first_date=(min(o.starts_at for o in occurrences) - timedelta(days=366)).date(),
            last_date=(max(o.ends_at for o in occurrences) + timedelta(days=366)).date(),
        )
    return calendar.to_ical()
