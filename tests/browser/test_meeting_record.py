"""During and after a meeting, in a real Chromium at 360 px: an organizer sees what people asked for,
takes attendance on the phone, writes the minutes with a show-of-hands decision, and opens the
printable minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from followthrough.models import PublicPage
from meetings import services
from meetings.models import Attendance, Meeting, MeetingDecision
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assembly(db):
    """A public assembly that started half an hour ago, with RSVPs asking for childcare."""
    institution = InstitutionFactory(name="Northside Tenants Union", slug="northside-tenants")
    organizer = OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org", name="Olga")).user
    mo, bea, cy = (
        MembershipFactory(institution=institution, user=UserFactory(name=name)).user for name in ("Mo", "Bea", "Cy")
    )
    with scope(institution=institution):
        meeting = services.meeting_create(
            institution=institution,
            author=organizer,
            title="Tenants' assembly",
            starts_at=timezone.now() + timedelta(days=1),
            place_name="Community room",
            is_public=True,
        )
        services.agenda_item_add(meeting=meeting, actor=organizer, title="Welcome", minutes_allotted=5)
        services.agenda_item_add(meeting=meeting, actor=organizer, title="Repairs", minutes_allotted=30)
        services.rsvp_create(meeting=meeting, name="Ana", party_size=3, children=2, children_ages="4 and 7")
        services.rsvp_create(meeting=meeting, name="Luis", children=1, food=True)
        services.member_rsvp(meeting=meeting, user=mo)
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=30))
    return institution, organizer, meeting, (mo, bea, cy)


def test_organizer_takes_attendance_writes_minutes_and_prints_them(live_server, page, login, axe_check, assembly):
    institution, organizer, meeting, (mo, bea, _cy) = assembly
    login(page, organizer.email)

    # The meeting's page: what people asked for, and the way to the attendance list.
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(page.locator("#support")).to_contain_text("Childcare for 3 children")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Take attendance").click()

    # Attendance on the phone: Mo said they would come, so Mo is first and marked.
    expect(page.get_by_role("heading", level=1)).to_have_text("Who came")
    expect(page.locator(".attendance-list li").first).to_contain_text("Mo")
    expect(page.locator(".attendance-list li").first).to_contain_text("said they would come")
    axe_check(page)
    page.get_by_role("checkbox", name="Mo").check()
    page.get_by_role("checkbox", name="Bea").check()
    page.get_by_label("Guests (people who are not members)").fill("3")
    page.get_by_label("Children in childcare").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#messages")).to_contain_text("Attendance saved: 2 members, 3 guests, 2 children in childcare.")
    expect(page.get_by_role("checkbox", name="Bea")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Cy")).not_to_be_checked()

    # Minutes against the agenda, then a show-of-hands decision.
    with page.expect_navigation():
        page.get_by_role("link", name="Minutes and decisions").click()
    axe_check(page)
    page.get_by_label("2. Repairs").fill("The boiler is broken again.\n- Write to the landlord\n- Call the city")
    page.get_by_label("General minutes").fill("Thirty people came. See https://example.org/rights")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the minutes").click()
    expect(page.locator("#messages")).to_contain_text("The minutes are saved.")
    expect(page.get_by_label("2. Repairs")).to_have_value(
        "The boiler is broken again.\n- Write to the landlord\n- Call the city"
    )

    page.get_by_label("What was decided").fill("Start a rent strike on March 1?")
    page.get_by_label("For:", exact=True).fill("12")
    page.get_by_label("Against").fill("3")
    page.get_by_label("Abstaining").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("Start a rent strike on March 1?")
    expect(decisions).to_contain_text("12 for, 3 against, 1 abstaining")
    axe_check(page)

    # The printable minutes: everything on one sheet, without the menus.
    with page.expect_navigation():
        page.get_by_role("link", name="Print the minutes").click()
    sheet = page.locator("article.paper-sheet")
    expect(sheet.get_by_role("heading", level=1)).to_have_text("Minutes: Tenants' assembly")
    expect(sheet).to_contain_text("2 members present, 3 guests, 2 children in childcare.")
    expect(sheet.locator(".minutes-text li")).to_have_text(["Write to the landlord", "Call the city"])
    expect(sheet.get_by_role("link", name="https://example.org/rights")).to_have_attribute("rel", "nofollow")
    expect(sheet).to_contain_text("12 for, 3 against, 1 abstaining")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()  # shown by print.js
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(sheet).to_be_visible()

    with scope(institution=institution):
        meeting.refresh_from_db()
        assert meeting.status == "held"
        assert set(Attendance.objects.filter(meeting=meeting).values_list("user_id", flat=True)) == {mo.pk, bea.pk}
        assert MeetingDecision.objects.get().votes_abstain == 1


def test_printed_agenda_sign_in_sheet_and_published_minutes_read_well(
    live_server, page, new_context, login, axe_check, assembly
):
    institution, organizer, meeting, _members = assembly
    with scope(institution=institution):
        services.minutes_save(meeting=meeting, actor=organizer, minutes="We agreed to write.", records={}, publish=True)
        # The public page shows minutes (and upcoming meetings) only once organizers choose to.
        PublicPage.objects.create(institution=institution, show_meetings=True, show_minutes=True)
    login(page, organizer.email)
    base = f"{live_server.url}{meeting.get_absolute_url()}"

    page.goto(f"{base}print/agenda/")
    expect(page.locator(".agenda-times li")).to_have_count(3)  # two items and the end
    axe_check(page)

    page.goto(f"{base}print/sign-in/")
    expect(page.locator(".signin-table tbody tr")).to_have_count(2 + 1 + 20)  # Ana, Luis, Mo, then blanks
    expect(page.get_by_role("columnheader", name="OK to contact me")).to_be_visible()
    axe_check(page)

    # Anyone finds the published minutes on the institution's public page.
    neighbor = new_context().new_page()
    neighbor.goto(f"{live_server.url}/i/{institution.slug}/")
    with neighbor.expect_navigation():
        # (The meeting is also listed among the upcoming ones: take the minutes link.)
        neighbor.locator("#published-minutes + ul").get_by_role("link", name="Tenants' assembly").click()
    expect(neighbor.get_by_role("heading", level=1)).to_have_text("Minutes: Tenants' assembly")
    expect(neighbor.locator("main")).to_contain_text("We agreed to write.")
    expect(neighbor.locator("main")).not_to_contain_text("Olga")
    axe_check(neighbor)
