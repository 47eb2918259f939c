"""The timeline in the browser, at 360 px: a member opens it from the follow-through page, sees the
quiet stretch and what followed, filters to meetings; every page passes axe and nothing scrolls sideways."""

import re

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from followthrough.demo_timeline import seed_story
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_member_reads_the_timeline_and_filters_to_meetings(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        seed_story(institution, [organizer, member])
    login(page, member.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/")
    page.get_by_role("link", name="Our timeline").click()
    expect(page.get_by_role("heading", level=1, name="Our timeline")).to_be_visible()
    expect(page.get_by_role("link", name="Everything")).to_have_attribute("aria-current", "page")
    expect(
        page.get_by_role("link", name="Milestone reached: More of us than protesters three Saturdays running")
    ).to_be_visible()
    assert fits_the_screen(page)
    axe_check(page)
    expect(page.get_by_text("months without recorded activity").first).to_be_visible()
    expect(page.get_by_text("Then:").first).to_be_visible()
    expect(page.get_by_role("link", name=f"{institution.name} was founded")).to_be_visible()
    assert fits_the_screen(page)
    axe_check(page)
    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("link", name="Meetings", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Decision: Escort in pairs, never alone")).to_have_count(0)
    expect(page.get_by_role("link", name="Everything")).not_to_have_attribute("aria-current", "page")
    first_meeting = page.get_by_role("link", name="Meeting held:").first
    expect(first_meeting).to_be_visible()
    first_meeting.click()
    expect(page).to_have_url(re.compile(rf"/i/{institution.slug}/meetings/\d+/$"))
    axe_check(page)
