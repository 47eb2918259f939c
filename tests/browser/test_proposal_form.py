"""The new-proposal form shows only the fields the chosen method uses (and all of them without JS)."""

import pytest
from playwright.sync_api import expect

from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member_email(institution):
    return MembershipFactory(institution=institution).user.email


def test_fields_follow_the_chosen_method(live_server, page, login, axe_check, institution, member_email):
    login(page, member_email)
    page.goto(f"{live_server.url}/i/{institution.slug}/decisions/new/")
    options, threshold, dots = (page.locator(f"#id_{name}") for name in ("options_text", "threshold", "dots_per_voter"))
    expect(options).to_be_hidden()
    expect(threshold).to_be_hidden()
    page.get_by_label("Dot voting", exact=False).check()
    expect(options).to_be_visible()
    expect(dots).to_be_visible()
    expect(threshold).to_be_hidden()
    page.get_by_label("Supermajority", exact=False).check()
    expect(threshold).to_be_visible()
    expect(options).to_be_hidden()
    axe_check(page)


def test_without_javascript_every_field_is_shown(live_server, new_context, login, institution, member_email):
    page = new_context(java_script_enabled=False).new_page()
    login(page, member_email)
    page.goto(f"{live_server.url}/i/{institution.slug}/decisions/new/")
    for name in ("options_text", "threshold", "dots_per_voter"):
        expect(page.locator(f"#id_{name}")).to_be_visible()
