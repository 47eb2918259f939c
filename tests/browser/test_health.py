"""The health page in the browser, at 360 px, on the clinic-defense demo records: a member follows
the evaluation step to "How we are doing" and sees burnout at "watch" because one organizer carried
most of the work; an organizer previews the week's digest. Every page passes axe."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from evaluation.demo import seed_evaluation
from institutions.management.commands.seed_demo import seed_logistics
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_burnout_shows_watch_on_the_demo_records(live_server, page, login, axe_check, institution):
    rosa = OrganizerFactory(institution=institution, user=UserFactory(name="Rosa")).user
    malik = OrganizerFactory(institution=institution, user=UserFactory(name="Malik")).user
    alex = MembershipFactory(institution=institution, user=UserFactory(name="Alex")).user
    with scope(institution=institution):
        seed_logistics(institution, [rosa, malik, alex])
        seed_evaluation(institution, [rosa, malik, alex])
    login(page, alex.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/evaluation/")
    axe_check(page)
    page.get_by_role("link", name="How we are doing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we are doing")
    burnout = page.locator("#indicator-burnout")
    expect(burnout.get_by_role("heading")).to_have_text("Burnout Watch")
    expect(burnout).to_contain_text("of the work")
    burnout.get_by_text("Why, and what to do").click()
    expect(burnout).to_contain_text("Hand work on")
    axe_check(page)


def test_organizer_previews_the_weekly_digest(live_server, page, login, axe_check, institution):
    rosa = OrganizerFactory(institution=institution, user=UserFactory(name="Rosa")).user
    login(page, rosa.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/evaluation/health/")
    page.get_by_role("link", name="Preview this week's digest").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This week's digest")
    expect(page.locator("main")).to_contain_text("The week in numbers")
    axe_check(page)
