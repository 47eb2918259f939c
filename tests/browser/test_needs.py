"""Steps 1 and 2 in the browser: add a need, log outreach that backs it, propose it as the focus."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from decisions.models import Proposal
from needs.models import Need
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_need_outreach_and_focus_proposal(live_server, page, new_context, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    base = f"{live_server.url}/i/{institution.slug}"

    # A member adds a need from a conversation.
    login(page, member.email)
    page.goto(f"{base}/needs/")
    axe_check(page)
    page.get_by_role("link", name="Add a need").click()
    page.get_by_label("Need").fill("Food runs out before payday")
    page.get_by_label("Evidence").fill("Said by most families in tower A.")
    page.get_by_label("People who raised it").fill("12")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Food runs out before payday")
    expect(page.locator("#messages")).to_contain_text("The need is on the list")

    # ...and logs a round of door-knocking where it came up.
    page.goto(f"{base}/consultation/outreach/")
    page.get_by_label("When").fill("2026-11-20")
    page.get_by_label("Where").fill("Tower A")
    page.get_by_label("People you talked to").fill("15")
    page.get_by_label("Food runs out before payday").check()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the log").click()
    expect(page.locator("#messages")).to_contain_text("Your conversations are in the log")
    page.goto(f"{base}/consultation/")
    expect(page.get_by_role("table").first).to_contain_text("15")
    axe_check(page)

    # The organizer sees the evidence and proposes the need as the focus.
    organizer_page = new_context().new_page()
    login(organizer_page, organizer.email)
    with scope(institution=institution):
        need = Need.objects.get()
    organizer_page.goto(f"{base}/needs/{need.pk}/")
    expect(organizer_page.get_by_text("It came up in 1 round of asking around, with 15 people in all.")).to_be_visible()
    axe_check(organizer_page)
    with organizer_page.expect_navigation():
        organizer_page.get_by_role("button", name="Propose this as our focus").click()
    expect(organizer_page.get_by_role("heading", level=1)).to_have_text("Make “Food runs out before payday” our focus")
    with scope(institution=institution):
        proposal = Proposal.objects.get()
    assert proposal.concerns == need and proposal.status == "draft"
    axe_check(organizer_page)
