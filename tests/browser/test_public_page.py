"""The public page in the browser, at 360 px: an organizer chooses to show decisions and money, then a
community member without an account reads a decision with its counts and the money summary; axe clean."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from decisions import services as decisions
from logistics import money
from logistics.models import LogisticsSettings
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory, proposal_in_voting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_member_reads_a_decision_and_the_money_summary(
    live_server, page, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga Organizer")).user
    voters = [MembershipFactory(institution=institution, user=UserFactory(name=f"Voter {n}")).user for n in "ABC"]
    LogisticsSettings.objects.create(institution=institution, ledger_public=True)
    proposal = proposal_in_voting(institution, organizer, title="Open on Sundays")
    with scope(institution=institution):
        for voter, choice in zip(voters, ["yes", "yes", "no"], strict=True):
            decisions.vote_cast(proposal=proposal, member=voter, choice={"choice": choice})
        decisions.voting_close(proposal=proposal)
        for kind, amount, source in (("income", "300.00", "member_dues"), ("expense", "45.50", "")):
            money.entry_record(
                institution=institution,
                recorder=organizer,
                kind=kind,
                occurred_on=timezone.localdate() - timedelta(days=3),
                amount=Decimal(amount),
                description="Dues" if kind == "income" else "Soap",
                source=source,
                paid_by=voters[0] if kind == "expense" else None,
            )

    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/")
    page.get_by_role("link", name="Choose what the public page shows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the public page shows")
    axe_check(page)
    page.get_by_label("decisions taken, with their results").check()
    page.get_by_label("the money summary (when the ledger is public)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("The public page now shows what you chose.")

    neighbor = new_context().new_page()
    neighbor.goto(f"{live_server.url}/i/{institution.slug}/")
    main = neighbor.locator("main")
    decision = main.get_by_role("article", name="Open on Sundays")
    expect(decision).to_contain_text("Passed")
    expect(decision.get_by_role("row", name="Yes 2")).to_be_visible()
    expect(decision.get_by_role("row", name="No 1")).to_be_visible()
    money_section = main.get_by_role("region", name="Our money")
    expect(money_section).to_contain_text("254.50")  # the balance
    expect(money_section).to_contain_text("300.00")
    expect(money_section).to_contain_text("45.50")
    expect(money_section.get_by_role("row", name="Member dues 300.00 100.0%")).to_be_visible()
    expect(main).not_to_contain_text("Olga")
    expect(main).not_to_contain_text("Voter A")
    expect(main.get_by_role("region", name="Published minutes")).to_have_count(0)
    # Nothing spills sideways on a small phone.
    assert neighbor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(neighbor)
    with neighbor.expect_navigation():
        money_section.get_by_role("link", name="See the money").click()
    expect(neighbor.get_by_role("heading", level=1)).to_contain_text("The money of")
