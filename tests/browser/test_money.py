"""Money in the browser, at 360 px: an organizer records an expense above the approval threshold; it
waits, and the other organizer hears of it by mail, signs in and approves it; every page passes axe."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from logistics import money
from logistics.demo_money import seed_ledger
from logistics.models import LedgerEntry, LogisticsSettings
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expense_above_the_threshold_is_approved_by_a_second_organizer(
    live_server, new_context, login, axe_check, outbox, institution
):
    olga = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    sam = OrganizerFactory(institution=institution, user=UserFactory(name="Sam")).user
    with scope(institution=institution):
        money.category_create(institution=institution, actor=olga, name="Signs and banners")
        money.entry_record(
            institution=institution,
            recorder=olga,
            kind="income",
            occurred_on=timezone.localdate(),
            amount=Decimal("500.00"),
            description="Monthly dues",
            source="member_dues",
        )

    page = new_context().new_page()
    login(page, olga.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/logistics/")
    page.get_by_role("link", name="Money", exact=True).click()
    expect(page.get_by_role("heading", name="Money", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Record money in or out").click()
    axe_check(page)
    page.get_by_label("Expense").check()
    page.get_by_label("Amount").fill("180.00")
    page.get_by_label("Category").select_option(label="Signs and banners")
    page.get_by_label("What it was").fill("Large banner for the clinic fence")
    with page.expect_navigation():
        page.get_by_role("button", name="Record it").click()
    expect(page.locator("#messages")).to_contain_text("waits for another organizer's approval")
    expect(page.get_by_text("Waiting for approval: does not count yet")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # not by the one who recorded it
    axe_check(page)
    page.get_by_role("link", name="Money", exact=True).click()
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("500.00")

    # Sam hears of it by mail, follows the link, signs in and approves it.
    assert outbox.newest()["To"] == sam.email
    link = outbox.link(r"/logistics/money/\d+/", base_url=live_server.url)
    second = new_context().new_page()
    login(second, sam.email, next_path=urlsplit(link).path)
    expect(second.get_by_role("heading", name="Large banner for the clinic fence")).to_be_visible()
    axe_check(second)
    second.get_by_label("Note (optional)").fill("Agreed at Tuesday's meeting")
    with second.expect_navigation():
        second.get_by_role("button", name="Approve", exact=True).click()
    expect(second.locator("#messages")).to_contain_text("approved")
    expect(second.get_by_text("Counted", exact=True)).to_be_visible()
    axe_check(second)
    second.get_by_role("link", name="Money", exact=True).click()
    expect(second.locator("dl.facts")).to_contain_text(re.compile(r"Balance\s*320\.00"))
    axe_check(second)
    with scope(institution=institution):
        entry = LedgerEntry.objects.get(description="Large banner for the clinic fence")
    assert (entry.approval, entry.recorded_by, entry.approved_by) == ("approved", olga, sam)
    assert entry.amount == Decimal("180.00")


def test_the_other_money_pages_pass_axe_at_360_px(live_server, page, new_context, login, axe_check, institution):
    olga = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    sam = OrganizerFactory(institution=institution, user=UserFactory(name="Sam")).user
    mo = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        LogisticsSettings.objects.create(institution=institution, ledger_public=True)
        seed_ledger(institution, [olga, sam, mo])
        owed = LedgerEntry.objects.get(reimbursement="owed")
        money.entry_update(
            entry=owed,
            editor=olga,
            base_version=owed.version,
            **{**{name: getattr(owed, name) for name in money.EDITABLE_FIELDS}, "amount": Decimal("17.20")},
        )
    base = f"{live_server.url}/i/{institution.slug}/logistics/money"
    login(page, olga.email)
    for path in ("/totals/", "/to-pay-back/", "/categories/", f"/{owed.pk}/", f"/{owed.pk}/edit/", "/?kind=expense"):
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        axe_check(page)
    page.goto(base + "/to-pay-back/")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Mark as paid back")).click()
    expect(page.locator("#messages")).to_contain_text("Marked as paid back to Mo")
    axe_check(page)
    public = new_context().new_page()  # not signed in
    public.goto(base + "/public/")
    expect(public.get_by_role("heading", name=re.compile("The money of"))).to_be_visible()
    expect(public.get_by_text("Olga")).to_have_count(0)
    axe_check(public)
