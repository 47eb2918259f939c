"""The first visit, end to end, in a real Chromium at 360 px: sign up, verify the e-mail address,
start an institution, invite someone with a shareable link, and see them join.

Also: non-members get a 404 on member pages, and an organizer can change a member's role both
without JavaScript (a plain form post) and with it (htmx swaps just that member's row).
"""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from institutions.models import Membership
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "correct-horse-battery-staple-42"


def _expect_member_navigation(page, institution_name):
    nav = page.get_by_role("navigation", name="Institution")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Members")).to_be_visible()
    steps = nav.get_by_role("list", name="The seven steps").get_by_role("link")
    expect(steps).to_have_count(7)
    for title in [
        "Find a need",
        "Consult",
        "Research",
        "Meet publicly",
        "Logistics",
        "Analyze and improve",
        "Follow through",
    ]:
        expect(nav.get_by_role("link", name=title)).to_have_count(1)
    expect(page.locator(".institution-bar .institution-name")).to_have_text(institution_name)


def test_sign_up_start_an_institution_and_invite_a_second_person(live_server, outbox, new_context, axe_check, login):
    base = live_server.url
    founder_email = "fatima@example.org"
    name, slug = "Northside Tenants Union", "northside-tenants"

    # --- Sign up ------------------------------------------------------------------------
    founder = new_context().new_page()
    founder.goto(f"{base}/")
    axe_check(founder)  # landing page
    founder.goto(f"{base}/accounts/signup/")
    axe_check(founder)
    founder.locator("input[name=email]").fill(founder_email)
    founder.locator("input[name=password1]").fill(NEW_PASSWORD)
    founder.locator("input[name=password2]").fill(NEW_PASSWORD)
    with founder.expect_navigation():
        founder.locator("form:has(input[name=password1]) [type=submit]").first.click()
    expect(founder).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    axe_check(founder)  # "check your e-mail"

    # --- Verify the address from the mail ----------------------------------------------------
    message = outbox.newest()
    assert message["To"] == founder_email
    confirm_url = outbox.link(r"/accounts/confirm-email/[^/]+/$", base_url=base)
    founder.goto(confirm_url)
    axe_check(founder)  # "confirm this address"
    with founder.expect_navigation():
        founder.get_by_role("button", name=re.compile("confirm", re.I)).click()
    # Confirming logs the person in (same browser as the sign-up) and lands on their home page.
    expect(founder).to_have_url(f"{base}/")
    expect(founder.get_by_role("heading", level=1)).to_contain_text("Welcome")
    axe_check(founder)  # home, signed in, no institutions yet

    # --- Start an institution -------------------------------------------------------------
    with founder.expect_navigation():
        founder.get_by_role("main").get_by_role("link", name="Start an institution").click()
    expect(founder).to_have_url(f"{base}/new/")
    axe_check(founder)
    form = founder.locator("main form")
    form.get_by_label(re.compile(r"^Name\b")).fill(name)
    form.get_by_label(re.compile(r"^Web address\b")).fill(slug)
    form.get_by_role("group", name=re.compile(r"^Kind\b")).get_by_role(
        "radio", name=re.compile(r"^Counter-institution")
    ).check()
    form.get_by_label(re.compile(r"^The need it meets\b")).fill("Landlords ignore repairs; tenants face them alone.")
    form.get_by_label(re.compile(r"^Default language\b")).select_option("en")
    form.get_by_label(re.compile(r"^time zone\b", re.I)).select_option("America/Chicago")
    with founder.expect_navigation():
        founder.get_by_role("button", name="Create the institution").click()
    expect(founder).to_have_url(f"{base}/i/{slug}/")
    expect(founder.get_by_role("heading", level=1)).to_have_text(name)
    expect(founder.get_by_role("status")).to_contain_text("You are its first organizer")
    _expect_member_navigation(founder, name)
    axe_check(founder)  # institution home, as its organizer

    # --- Members → Invite people → a shareable link ---------------------------------------
    with founder.expect_navigation():
        founder.get_by_role("navigation", name="Institution").get_by_role("link", name="Members").click()
    expect(founder).to_have_url(f"{base}/i/{slug}/members/")
    axe_check(founder)
    with founder.expect_navigation():
        founder.get_by_role("link", name="Invite people").click()
    expect(founder).to_have_url(f"{base}/i/{slug}/members/invitations/")
    axe_check(founder)  # no invitations yet
    expect(founder.get_by_label(re.compile(r"^E-mail address\b"))).to_have_value("")
    with founder.expect_navigation():
        founder.get_by_role("button", name="Create the invitation").click()
    expect(founder.get_by_role("status")).to_contain_text("Your invitation link is ready")
    link_field = founder.get_by_label("Link to share")
    expect(link_field).to_have_count(1)
    invite_url = link_field.input_value()
    assert re.fullmatch(rf"{re.escape(base)}/i/{slug}/invite/[^/]+/", invite_url), invite_url
    axe_check(founder)  # the list with the link

    # --- A second person, in their own browser, joins with the link -------------------------
    joiner = UserFactory(email="jun@example.org", name="Jun")
    second = new_context().new_page()
    second.goto(invite_url)
    axe_check(second)  # invitation, signed out: "create an account or log in"
    login(second, joiner.email)  # the login page's own check: test_login_page_is_accessible
    axe_check(second)  # home, as a person without institutions
    second.goto(invite_url)
    expect(second.get_by_role("heading", level=1)).to_have_text(f"Join {name}")
    axe_check(second)  # invitation, signed in
    with second.expect_navigation():
        second.get_by_role("button", name="Join").click()
    expect(second).to_have_url(f"{base}/i/{slug}/")
    expect(second.get_by_role("status")).to_contain_text(f"You are now a member of {name}")
    _expect_member_navigation(second, name)
    axe_check(second)  # institution home, as a new member

    with second.expect_navigation():
        second.get_by_role("navigation", name="Institution").get_by_role("link", name="Members").click()
    members = second.locator("#member-list > li")
    expect(members).to_have_count(2)
    expect(members.filter(has_text="fatima")).to_have_count(1)  # display name falls back to the e-mail's local part
    expect(members.filter(has_text="Jun")).to_have_count(1)
    expect(members.filter(has_text="Jun")).to_contain_text("(you)")
    axe_check(second)  # members page, as a plain member

    with scopes_disabled():
        roles = dict(Membership.objects.filter(institution__slug=slug).values_list("user__email", "role"))
    assert roles == {founder_email: Membership.Role.ORGANIZER, joiner.email: Membership.Role.MEMBER}


def test_login_page_is_accessible(live_server, page, axe_check):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("input[name=login]")).to_be_visible()
    axe_check(page)


def test_outsider_gets_404_on_members_page(live_server, page, axe_check, login):
    organizer = OrganizerFactory(institution__name="Eastside Pantry", institution__slug="eastside-pantry")
    institution = organizer.institution
    outsider = UserFactory(email="otto@example.org", name="Otto")
    login(page, outsider.email)

    response = page.goto(f"{live_server.url}/i/{institution.slug}/members/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect(page.get_by_role("main")).to_contain_text("only be open to members of an institution")
    expect(page.locator("#member-list")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Institution")).to_have_count(0)
    axe_check(page)

    response = page.goto(f"{live_server.url}/i/{institution.slug}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastside Pantry")
    expect(page.get_by_role("link", name="Ask to join")).to_be_visible()
    expect(page.get_by_role("navigation", name="Institution")).to_have_count(0)
    axe_check(page)


@pytest.fixture
def pantry_with_member(db):
    """An organizer (Olga) and a member (Mo) of the Eastside Pantry."""
    organizer = OrganizerFactory(
        institution__name="Eastside Pantry",
        institution__slug="eastside-pantry",
        user=UserFactory(email="olga@example.org", name="Olga"),
    )
    member = MembershipFactory(institution=organizer.institution, user=UserFactory(email="mo@example.org", name="Mo"))
    return organizer, member


def _role_of(membership):
    with scopes_disabled():
        return Membership.objects.get(pk=membership.pk).role


def test_organizer_changes_a_role_without_javascript(live_server, new_context, axe_check, login, pantry_with_member):
    organizer, member = pantry_with_member
    page = new_context(java_script_enabled=False).new_page()
    login(page, organizer.user.email)
    members_url = f"{live_server.url}/i/eastside-pantry/members/"
    page.goto(members_url)
    axe_check(page)

    row = page.locator(f"#member-{member.pk}")
    expect(row).to_contain_text("Member ·")
    row.get_by_label("Role of Mo").select_option("organizer")
    with page.expect_navigation():
        row.get_by_role("button", name="Change role").click()

    # A full page load: the post redirected back to the members page with a message.
    expect(page).to_have_url(members_url)
    expect(page.locator(".messages[role=status]")).to_contain_text("Mo is now: Organizer.")
    row = page.locator(f"#member-{member.pk}")
    expect(row).to_contain_text("Organizer ·")
    expect(row.get_by_label("Role of Mo")).to_have_value("organizer")
    assert _role_of(member) == Membership.Role.ORGANIZER
    axe_check(page)


def test_organizer_changes_a_role_with_htmx_swapping_only_the_row(
    live_server, page, axe_check, login, pantry_with_member
):
    organizer, member = pantry_with_member
    login(page, organizer.user.email)
    members_url = f"{live_server.url}/i/eastside-pantry/members/"
    page.goto(members_url)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__stillTheSamePage = true; }")
    organizer_row_html = page.locator(f"#member-{organizer.pk}").inner_html()

    row = page.locator(f"#member-{member.pk}")
    expect(row).to_contain_text("Member ·")
    row.get_by_label("Role of Mo").select_option("organizer")
    with page.expect_response(
        lambda r: r.url.endswith(f"/members/{member.pk}/role/") and r.request.method == "POST"
    ) as info:
        row.get_by_role("button", name="Change role").click()
    response = info.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    # The row was replaced in place, the message landed in the page's status region, and no
    # navigation happened.
    row = page.locator(f"#member-{member.pk}")
    expect(row).to_contain_text("Organizer ·")
    expect(page.locator("#messages[role=status]")).to_contain_text("Mo is now: Organizer.")
    expect(row.get_by_label("Role of Mo")).to_have_value("organizer")
    assert page.evaluate("() => window.__stillTheSamePage") is True
    assert page.url == members_url
    expect(page.locator("#member-list > li")).to_have_count(2)
    assert page.locator(f"#member-{organizer.pk}").inner_html() == organizer_row_html
    assert _role_of(member) == Membership.Role.ORGANIZER
    axe_check(page)


def test_refused_role_change_without_javascript_says_why(live_server, new_context, login, pantry_with_member):
    organizer, _member = pantry_with_member
    page = new_context(java_script_enabled=False).new_page()
    login(page, organizer.user.email)
    page.goto(f"{live_server.url}/i/eastside-pantry/members/")
    row = page.locator(f"#member-{organizer.pk}")
    row.get_by_label("Role of Olga").select_option("member")
    with page.expect_navigation():
        row.get_by_role("button", name="Change role").click()
    expect(page.locator(".messages[role=status]")).to_contain_text("always needs at least one organizer")
    expect(page.locator(f"#member-{organizer.pk}").get_by_label("Role of Olga")).to_have_value("organizer")
    assert _role_of(organizer) == Membership.Role.ORGANIZER


def test_refused_role_change_with_htmx_says_why(live_server, page, login, pantry_with_member):
    organizer, _member = pantry_with_member
    login(page, organizer.user.email)
    page.goto(f"{live_server.url}/i/eastside-pantry/members/")
    page.wait_for_function("() => window.htmx !== undefined")
    row = page.locator(f"#member-{organizer.pk}")
    row.get_by_label("Role of Olga").select_option("member")
    with page.expect_response(lambda r: r.url.endswith(f"/members/{organizer.pk}/role/")):
        row.get_by_role("button", name="Change role").click()
    assert _role_of(organizer) == Membership.Role.ORGANIZER
    expect(page.locator("#messages[role=status]")).to_contain_text("always needs at least one organizer", timeout=2_000)
    expect(row.get_by_label("Role of Olga")).to_have_value("organizer")


def test_htmx_role_change_keeps_keyboard_focus(live_server, page, login, pantry_with_member):
    organizer, member = pantry_with_member
    login(page, organizer.user.email)
    page.goto(f"{live_server.url}/i/eastside-pantry/members/")
    page.wait_for_function("() => window.htmx !== undefined")
    row = page.locator(f"#member-{member.pk}")
    row.get_by_label("Role of Mo").select_option("organizer")
    row.get_by_role("button", name="Change role").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/members/{member.pk}/role/")):
        page.keyboard.press("Enter")
    expect(row).to_contain_text("Organizer ·")
    expect(row.get_by_role("button", name="Change role")).to_be_focused(timeout=2_000)
