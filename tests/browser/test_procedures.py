"""Procedures in the browser, at 360 px: an organizer writes one, a member reads and acknowledges it,
the organizer revises it and the member sees "New version to read"; every page passes axe."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from logistics.models import Procedure, ProcedureAcknowledgement
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_acknowledges_and_sees_the_new_version_after_a_revision(
    live_server, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    base = f"{live_server.url}/i/{institution.slug}/logistics"

    olga = new_context().new_page()
    login(olga, organizer.email)
    olga.goto(f"{base}/")
    olga.get_by_role("link", name="Procedures", exact=True).click()
    axe_check(olga)
    olga.get_by_role("link", name="New procedure").click()
    axe_check(olga)
    olga.get_by_label("Title").fill("Clinic escort protocol")
    olga.get_by_label("The procedure").fill("Stay calm.\n\n- Never engage protesters\n- Walk on the street side")
    with olga.expect_navigation():
        olga.get_by_role("button", name="Write it down").click()
    expect(olga.locator("#messages")).to_contain_text("The procedure is written")
    expect(olga.get_by_role("listitem").filter(has_text="Walk on the street side").first).to_be_visible()
    axe_check(olga)

    mo = new_context().new_page()
    login(mo, member.email)
    mo.goto(f"{base}/")
    expect(mo.get_by_role("heading", name="Procedures to read")).to_be_visible()
    axe_check(mo)
    mo.get_by_role("link", name="Clinic escort protocol").click()
    with mo.expect_navigation():
        mo.get_by_role("button", name="I have read this").click()
    expect(mo.locator("#messages")).to_contain_text("you have read “Clinic escort protocol”")
    expect(mo.get_by_role("button", name="I have read this")).to_have_count(0)
    axe_check(mo)
    mo.get_by_role("link", name="Procedures", exact=True).click()
    expect(mo.get_by_text("You have read this")).to_be_visible()

    olga.get_by_role("link", name="Change the procedure").click()
    axe_check(olga)
    olga.get_by_label("The procedure").fill(
        "Stay calm.\n\n- Never engage protesters\n- Walk on the street side\n- No physical contact"
    )
    olga.get_by_label("What changed").fill("No physical contact")
    with olga.expect_navigation():
        olga.get_by_role("button", name="Save the new version").click()
    expect(olga.locator("#messages")).to_contain_text("Version 2 is the current one")
    olga.get_by_role("link", name="Version 2").click()
    expect(olga.get_by_role("listitem").filter(has_text="Added: - No physical contact")).to_be_visible()
    axe_check(olga)
    olga.goto(f"{base}/procedures/unread/")
    expect(olga.get_by_role("row", name="Mo Older version")).to_be_visible()
    axe_check(olga)

    mo.reload()
    expect(mo.get_by_text("New version to read")).to_be_visible()
    axe_check(mo)
    with scope(institution=institution):
        procedure = Procedure.objects.get()
        assert procedure.current.number == 2
        assert list(ProcedureAcknowledgement.objects.values_list("member", "version__number")) == [(member.pk, 1)]
