"""Supplies and spaces in the browser, at 360 px: a member updates a count and the low warning goes (the
row swapped in place with htmx, and the same without JavaScript), then books a room and is told clearly
why an overlapping time is refused; every page passes axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from logistics import supplies
from logistics.models import SpaceBooking, SupplyItem
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_updates_a_count_and_books_a_space(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    day = timezone.localdate() + timedelta(days=2)
    starts = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()).replace(hour=18))
    with scope(institution=institution):
        umbrellas = supplies.supply_item_create(
            institution=institution, actor=organizer, name="Rainbow umbrellas", on_hand=3, needed=12
        )
        supplies.supply_item_create(
            institution=institution, actor=organizer, name="Water bottles", on_hand=40, needed=24
        )
        room = supplies.space_create(
            institution=institution, actor=organizer, name="Back room", access_details="Lockbox code 4812"
        )
        supplies.space_book(
            space=room, member=organizer, starts_at=starts, ends_at=starts + timedelta(hours=2), purpose="Vest fitting"
        )
    base = f"{live_server.url}/i/{institution.slug}/logistics"
    login(page, member.email)

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Supplies running low")).to_be_visible()
    page.get_by_role("link", name="Supplies", exact=True).click()
    row = page.locator(f"#supply-{umbrellas.pk}")
    expect(row).to_contain_text("Low: 9 short")
    axe_check(page)

    # With htmx the row is swapped in place: no page load, the warning gone, the message announced.
    row.get_by_label(re.compile("^We now have")).fill("12")
    with page.expect_response(re.compile(r"/count/$")) as answer:
        row.get_by_role("button", name=re.compile(r"^Save count\W+Rainbow umbrellas$")).click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(row).to_contain_text("We have 12, we need 12.")
    expect(row).not_to_contain_text("Low")
    expect(page.locator("#messages")).to_contain_text("we have 12, enough")
    axe_check(page)
    with scope(institution=institution):
        assert SupplyItem.objects.get(pk=umbrellas.pk).on_hand == 12

    page.goto(f"{base}/spaces/")
    page.get_by_role("link", name="Back room").click()
    expect(page.get_by_text("Lockbox code 4812")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("From").fill("19:00")
    page.get_by_label("Until").fill("20:30")
    page.get_by_label("What for").fill("Paint signs")
    with page.expect_navigation():
        page.get_by_role("button", name="Book it").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That time overlaps another booking: Vest fitting")
    expect(alert).to_contain_text("booked by Olga")
    expect(page.get_by_label("What for")).to_have_value("Paint signs")
    axe_check(page)

    # Right after the other booking ends is free.
    page.get_by_label("From").fill("20:00")
    page.get_by_label("Until").fill("21:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Book it").click()
    expect(page.locator("#messages")).to_contain_text("is booked for you")
    expect(page.get_by_role("button", name=re.compile(r"^Cancel booking\W+Paint signs"))).to_be_visible()
    axe_check(page)
    with scope(institution=institution):
        assert SpaceBooking.objects.filter(space=room).count() == 2


def test_count_update_works_without_javascript(live_server, new_context, login, axe_check, institution):
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        vests = supplies.supply_item_create(institution=institution, actor=member, name="Vests", on_hand=1, needed=6)
    page = new_context(java_script_enabled=False).new_page()
    login(page, member.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/logistics/supplies/")
    row = page.locator(f"#supply-{vests.pk}")
    expect(row).to_contain_text("Low: 5 short")
    row.get_by_label(re.compile("^We now have")).fill("6")
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile(r"^Save count")).click()
    expect(page.locator(f"#supply-{vests.pk}")).not_to_contain_text("Low")
    expect(page.locator("#messages")).to_contain_text("we have 6, enough")
    expect(page.get_by_text("Nothing is low.")).to_be_visible()
    axe_check(page)
