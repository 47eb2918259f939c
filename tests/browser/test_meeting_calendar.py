"""Meetings in a member's calendar, in a real Chromium at 360 px: download one meeting's .ics from its
page, then subscribe from the calendar page (private link works without a session; a new link
retires the old one)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope
from icalendar import Calendar
from playwright.sync_api import expect

from meetings import services
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
TITLE = "Repairs, rent; what next?"


@pytest.fixture
def members_meeting(db):
    organizer = OrganizerFactory(
        institution__name="Northside Tenants Union",
        institution__slug="northside-tenants",
        institution__time_zone="America/Chicago",
        user=UserFactory(email="olga@example.org", name="Olga"),
    )
    institution = organizer.institution
    member = MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org", name="Mo")).user
    with scope(institution=institution):
        meeting = services.meeting_create(
            institution=institution,
            author=organizer.user,
            title=TITLE,
            # The day daylight saving time starts in Chicago.
            starts_at=datetime(2030, 3, 10, 18, 30, tzinfo=CHICAGO),
            place_name="Community room",
            address="12 Main St",
            is_public=False,
        )
        services.agenda_item_add(meeting=meeting, actor=organizer.user, title="Boiler repairs")
    return institution, member, meeting


def test_member_downloads_the_ics_and_subscribes_to_the_meetings(
    live_server, page, new_context, login, axe_check, members_meeting
):
    institution, member, meeting = members_meeting
    base = f"{live_server.url}/i/{institution.slug}/meetings"
    login(page, member.email)
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"meeting-{meeting.pk}.ics"
    with open(download.path(), "rb") as file:
        event = Calendar.from_ical(file.read()).events[0]
    assert str(event["SUMMARY"]) == TITLE
    assert str(event["LOCATION"]) == "Community room, 12 Main St"
    assert "1. Boiler repairs" in str(event["DESCRIPTION"])
    assert (event.start.hour, event.start.minute, str(event["DTSTART"].params["TZID"])) == (18, 30, "America/Chicago")
    assert event.start.utcoffset().total_seconds() == -5 * 3600

    page.goto(f"{base}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Meetings in your calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings in your calendar")
    axe_check(page)
    private_link = page.get_by_label("Your private calendar link").input_value()
    public_link = page.get_by_label("Public calendar link").input_value()
    assert public_link == f"{base}/calendar.ics"

    # A calendar app has no session: the private link is enough, and it includes members' meetings.
    calendar_app = new_context().request
    feed = calendar_app.get(private_link)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert [str(event["SUMMARY"]) for event in Calendar.from_ical(feed.body()).events] == [TITLE]
    assert Calendar.from_ical(calendar_app.get(public_link).body()).events == []

    with page.expect_navigation():
        page.get_by_role("button", name="Make a new private link").click()
    expect(page.locator("#messages")).to_contain_text("Your new private link is ready")
    new_link = page.get_by_label("Your private calendar link").input_value()
    assert new_link != private_link
    axe_check(page)
    assert calendar_app.get(private_link).status == 404
    assert calendar_app.get(new_link).status == 200
