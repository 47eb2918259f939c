"""Sustainability and independence in the browser, at 360 px: an organizer reads who does the work,
records a term ending soon and follows the path to the election proposal; reads income by source with
the outside funder above the limit flagged and the declared affiliations, and fills in the yearly
self-check. Every page passes axe and nothing scrolls sideways."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from institutions.models import Membership
from logistics import money
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def checked(page, axe_check):
    assert fits_the_screen(page)
    axe_check(page)


def test_organizer_records_a_term_and_reaches_the_election_proposal(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    MembershipFactory(institution=institution, user=UserFactory(name="Mo"))
    ends = timezone.localdate() + timedelta(days=20)
    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/")
    page.get_by_role("link", name="Sustainability").click()
    expect(page.get_by_role("heading", level=1, name="Sustainability")).to_be_visible()
    expect(page.get_by_text("1 person has held the organizer role.")).to_be_visible()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(8)  # the last eight quarters
    checked(page, axe_check)

    page.get_by_role("link", name="Record an organizer's term").click()
    checked(page, axe_check)
    page.get_by_label("From").fill((timezone.localdate() - timedelta(days=345)).isoformat())
    page.get_by_label("Until").fill(ends.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The term is recorded.")).to_be_visible()
    expect(page.get_by_text("Olga's term ends soon.")).to_be_visible()
    checked(page, axe_check)
    page.get_by_role("link", name="Start the election proposal").click()
    expect(page).to_have_url(re.compile(rf"/i/{institution.slug}/decisions/new/$"))
    checked(page, axe_check)


def test_organizer_reads_independence_and_fills_in_the_self_check(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        Membership.objects.filter(user=member).update(affiliations="Tenants Union")
        for amount, source, name in (("600.00", "member_dues", ""), ("300.00", "outside_organization", "City Fund")):
            money.entry_record(
                institution=institution,
                recorder=organizer,
                kind="income",
                occurred_on=timezone.localdate() - timedelta(days=3),
                amount=Decimal(amount),
                description="Income",
                source=source,
                source_name=name,
            )
    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/")
    page.get_by_role("link", name="Independence").click()
    expect(page.get_by_role("heading", level=1, name="Independence")).to_be_visible()
    expect(page.get_by_text("City Fund gave 33% of the last year's income, more than 25%.")).to_be_visible()
    expect(page.get_by_text("tenants union: 1 member")).to_be_visible()
    expect(page.get_by_text("It is time for the self-check")).to_be_visible()
    checked(page, axe_check)

    page.get_by_role("link", name="Do the self-check").click()
    checked(page, axe_check)
    questions = page.locator("fieldset").filter(has=page.get_by_label("Not sure"))
    expect(questions).to_have_count(5)
    for question in questions.all():
        question.get_by_label("Not sure").check()
    page.get_by_label("Notes").first.fill("City Fund has never asked for anything, but a third is a lot.")
    page.get_by_label("What we concluded").fill("Find two more small funders this year.")
    page.get_by_role("button", name="Record the self-check").click()
    expect(page.get_by_text("The self-check is recorded.")).to_be_visible()
    expect(page.get_by_text("Find two more small funders this year.")).to_be_visible()
    expect(page.get_by_text("City Fund has never asked for anything", exact=False)).to_be_visible()
    expect(page.get_by_text("It is time for the self-check")).to_have_count(0)
    checked(page, axe_check)
