"""Meetings in calendars: the .ics of one meeting, the public feed and each member's private feed.

Every file is parsed back with icalendar, the way a calendar app reads it.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from institutions.models import Membership
from meetings import services
from meetings.models import CalendarFeed, Meeting

CHICAGO = ZoneInfo("America/Chicago")


def url(name, institution, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def plan(institution, organizer, agenda=(), **fields):
    values = {
        "title": "Tenants' assembly",
        "starts_at": timezone.now() + timedelta(days=7),
        "place_name": "Community room",
        "is_public": True,
    }
    values.update(fields)
    with scope(institution=institution):
        meeting = services.meeting_create(institution=institution, author=organizer, **values)
        for title in agenda:
            services.agenda_item_add(meeting=meeting, actor=organizer, title=title)
    return meeting


def uid(meeting):
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}"


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def offset_in_file(calendar, local):
    """The UTC offset at a local time by the file's own VTIMEZONE (not the reader's time-zone database)."""
    zone = calendar.timezones[0].to_tz(lookup_tzid=False)
    return local.replace(tzinfo=zone).utcoffset()


def events_by_title(calendar):
    return {str(event["SUMMARY"]): event for event in calendar.events}


@pytest.fixture
def chicago(institution):
    institution.time_zone = "America/Chicago"
    institution.save()
    return institution


def test_meeting_times_stay_local_across_the_spring_daylight_saving_change(chicago, organizer, member_client):
    saturday = plan(chicago, organizer, title="Saturday", starts_at=datetime(2030, 3, 9, 18, 30, tzinfo=CHICAGO))
    sunday = plan(chicago, organizer, title="Sunday", starts_at=datetime(2030, 3, 10, 18, 30, tzinfo=CHICAGO))
    # Saturday is still standard time (CST, UTC-6); Sunday 18:30 is daylight time (CDT, UTC-5).
    expected = [
        (saturday, datetime(2030, 3, 10, 0, 30, tzinfo=UTC), timedelta(hours=-6)),
        (sunday, datetime(2030, 3, 10, 23, 30, tzinfo=UTC), timedelta(hours=-5)),
    ]
    for meeting, utc, offset in expected:
        response = member_client.get(url("ics", chicago, pk=meeting.pk))
        assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
        assert f"DTSTART;TZID=America/Chicago:{meeting.starts_at.astimezone(CHICAGO):%Y%m%d}T183000" in (
            response.content.decode()
        )
        calendar = parse(response)
        assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
        event = calendar.events[0]
        assert (event.start.hour, event.start.minute) == (18, 30)
        assert event.start.astimezone(UTC) == utc
        assert event.end - event.start == timedelta(minutes=90)
        assert offset_in_file(calendar, event.start.replace(tzinfo=None)) == offset


def test_a_weekly_pair_around_the_november_change_keeps_its_local_time(chicago, organizer, member_client):
    before = plan(chicago, organizer, title="Before", starts_at=datetime(2030, 10, 29, 18, 30, tzinfo=CHICAGO))
    after = plan(chicago, organizer, title="After", starts_at=datetime(2030, 11, 5, 18, 30, tzinfo=CHICAGO))
    # One feed holds both: one VTIMEZONE that knows both offsets.
    member_client.get(url("calendar", chicago))
    with scope(institution=chicago):
        token = CalendarFeed.objects.get().token
    calendar = parse(Client().get(url("private_feed", chicago, token=token)))
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    events = events_by_title(calendar)
    assert events["Before"].start.astimezone(UTC) == datetime(2030, 10, 29, 23, 30, tzinfo=UTC)  # CDT, UTC-5
    assert events["After"].start.astimezone(UTC) == datetime(2030, 11, 6, 0, 30, tzinfo=UTC)  # CST, UTC-6
    assert events["After"].start - events["Before"].start == timedelta(days=7)
    assert offset_in_file(calendar, datetime(2030, 10, 29, 18, 30)) == timedelta(hours=-5)
    assert offset_in_file(calendar, datetime(2030, 11, 5, 18, 30)) == timedelta(hours=-6)
    assert before.starts_at.astimezone(CHICAGO).hour == after.starts_at.astimezone(CHICAGO).hour == 18


def test_the_event_says_what_where_and_which_version(institution, organizer, member_client):
    meeting = plan(
        institution,
        organizer,
        agenda=["Repairs", "Rent strike?"],
        purpose="Decide what to do about repairs.",
        address="12 Main St",
        online_url="https://meet.example.org/assembly",
    )
    event = parse(member_client.get(url("ics", institution, pk=meeting.pk))).events[0]
    assert str(event["UID"]) == uid(meeting)
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert str(event["LOCATION"]) == "Community room, 12 Main St"
    assert str(event["URL"]).endswith(url("public", institution, pk=meeting.pk))
    assert str(event["DESCRIPTION"]) == (
        "Decide what to do about repairs.\n\nAgenda:\n1. Repairs\n2. Rent strike?\n\n"
        "Online: https://meet.example.org/assembly"
    )
    assert event.DTSTAMP.tzinfo is not None

    with scope(institution=institution):
        services.meeting_update(meeting=meeting, actor=organizer, place_name="Library")
        services.meeting_cancel(meeting=meeting, actor=organizer, reason="The room flooded")
    event = parse(member_client.get(url("ics", institution, pk=meeting.pk))).events[0]
    # Same UID, higher SEQUENCE: calendar apps update the event they have instead of adding one.
    assert str(event["UID"]) == uid(meeting)
    assert event["SEQUENCE"] == 2 and event["STATUS"] == "CANCELLED"
    assert str(event["DESCRIPTION"]).startswith("Cancelled: The room flooded")


# (No NUL: forms refuse it and PostgreSQL cannot store it; other control characters get through.)
HOSTILE_TITLE = "Rent; strike, now!\nBEGIN:VEVENT\r\nUID:evil\\ <script>alert(1)</script> \x0b\x1b\x7f"
LONG_PURPOSE = "Ñandú café — " * 40 + "\nEND:VCALENDAR\n;,\\"


def test_hostile_text_comes_back_exactly_and_cannot_add_lines(institution, organizer, member_client):
    meeting = plan(
        institution,
        organizer,
        agenda=["Item; one, two\nUID:x"],
        title=HOSTILE_TITLE,
        purpose=LONG_PURPOSE,
        place_name="Hall; B, 2nd floor",
        address="Calle Ñ\n7",
    )
    response = member_client.get(url("ics", institution, pk=meeting.pk))
    raw = response.content
    lines = raw.split(b"\r\n")
    # Folded at 75 octets, every line a real content line: nothing the text said became a property.
    assert all(len(line) <= 75 for line in lines)
    assert [line for line in lines if line.startswith(b"UID")] == [f"UID:{uid(meeting)}".encode()]
    assert lines.count(b"BEGIN:VEVENT") == 1 and lines.count(b"END:VCALENDAR") == 1
    assert not any(control in raw for control in (b"\x0b", b"\x1b", b"\x7f"))
    calendar = parse(response)
    assert len(calendar.events) == 1
    event = calendar.events[0]
    # Control characters dropped, line breaks kept as line breaks, the rest exactly as typed.
    assert str(event["SUMMARY"]) == "Rent; strike, now!\nBEGIN:VEVENT\nUID:evil\\ <script>alert(1)</script>"
    assert str(event["DESCRIPTION"]) == LONG_PURPOSE.strip() + "\n\nAgenda:\n1. Item; one, two\nUID:x"
    assert str(event["LOCATION"]) == "Hall; B, 2nd floor, Calle Ñ\n7"


def test_public_meeting_file_is_for_anyone_members_meeting_file_for_members_only(
    institution, organizer, client_for, member, outsider, other_member
):
    public = plan(institution, organizer, title="Open assembly")
    private = plan(institution, organizer, title="Members' meeting", is_public=False)
    response = Client().get(url("ics", institution, pk=public.pk))
    assert str(parse(response).events[0]["SUMMARY"]) == "Open assembly"
    for person in (None, outsider, other_member):
        assert client_for(person).get(url("ics", institution, pk=private.pk)).status_code == 404
    response = client_for(member).get(url("ics", institution, pk=private.pk))
    assert str(parse(response).events[0]["CLASS"]) == "PRIVATE"
    assert "no-store" in response["Cache-Control"]
    # A meeting of another institution is not found under this one.
    assert client_for(member).get(url("ics", institution, pk=public.pk + 1000)).status_code == 404


def test_public_feed_lists_public_meetings_recent_and_upcoming(institution, organizer):
    plan(institution, organizer, title="Open assembly")
    plan(institution, organizer, title="Members' meeting", is_public=False)
    cancelled = plan(institution, organizer, title="Cancelled one")
    recent = plan(institution, organizer, title="Last month")
    old = plan(institution, organizer, title="Last year")
    with scope(institution=institution):
        services.meeting_cancel(meeting=cancelled, actor=organizer, reason="Storm")
        Meeting.objects.filter(pk=recent.pk).update(starts_at=timezone.now() - timedelta(days=30), status="held")
        Meeting.objects.filter(pk=old.pk).update(starts_at=timezone.now() - timedelta(days=365), status="held")
    response = Client().get(url("public_feed", institution))
    assert response["Content-Disposition"] == 'inline; filename="calendar.ics"'
    calendar = parse(response)
    events = events_by_title(calendar)
    assert set(events) == {"Open assembly", "Cancelled one", "Last month"}
    assert events["Cancelled one"]["STATUS"] == "CANCELLED"
    assert str(calendar["X-WR-CALNAME"]) == institution.name
    assert calendar.refresh_interval == timedelta(hours=1)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content


def test_private_feed_works_without_a_session_until_the_link_is_replaced(institution, organizer, member, member_client):
    plan(institution, organizer, title="Open assembly")
    plan(institution, organizer, title="Members' meeting", is_public=False)
    page = member_client.get(url("calendar", institution))
    assert page.status_code == 200
    with scope(institution=institution):
        feed = CalendarFeed.objects.get(user=member)
    feed_url = url("private_feed", institution, token=feed.token)
    html = page.content.decode()
    assert f"http://testserver{feed_url}" in html and f"webcal://testserver{feed_url}" in html
    assert f"http://testserver{url('public_feed', institution)}" in html
    # Visiting again shows the same link.
    member_client.get(url("calendar", institution))
    with scope(institution=institution):
        assert CalendarFeed.objects.filter(user=member).count() == 1

    response = Client().get(feed_url)  # a calendar app: no session, the token is the key
    assert set(events_by_title(parse(response))) == {"Open assembly", "Members' meeting"}
    assert "no-store" in response["Cache-Control"]

    reset = member_client.post(url("feed_reset", institution))
    assert reset["Location"] == url("calendar", institution)
    assert Client().get(feed_url).status_code == 404
    with scope(institution=institution):
        new = CalendarFeed.objects.get(user=member, revoked_at__isnull=True)
    assert new.token != feed.token
    assert Client().get(url("private_feed", institution, token=new.token)).status_code == 200
    assert new.token in member_client.get(url("calendar", institution)).content.decode()


def test_private_feed_stops_when_the_member_leaves_and_stays_in_its_institution(
    institution, other_institution, organizer, member, member_client
):
    member_client.get(url("calendar", institution))
    with scope(institution=institution):
        token = CalendarFeed.objects.get(user=member).token
    # The token belongs to this institution: under another one it is unknown.
    assert Client().get(url("private_feed", other_institution, token=token)).status_code == 404
    assert Client().get(url("private_feed", institution, token="x" * 24)).status_code == 404
    with scope(institution=institution):
        Membership.objects.filter(user=member).update(status=Membership.Status.LEFT)
    assert Client().get(url("private_feed", institution, token=token)).status_code == 404


def test_meetings_page_links_to_the_calendar_page_and_the_meeting_to_its_file(institution, organizer, member_client):
    meeting = plan(institution, organizer)
    assert url("calendar", institution) in member_client.get(url("index", institution)).content.decode()
    assert url("ics", institution, pk=meeting.pk) in member_client.get(meeting.get_absolute_url()).content.decode()


def test_an_empty_feed_is_still_a_valid_calendar(institution):
    calendar = parse(Client().get(url("public_feed", institution)))
    assert calendar.events == [] and str(calendar["PRODID"]) == "-//Dual Power//Meetings//EN"
