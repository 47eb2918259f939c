"""Goals in the browser, at 360 px: an organizer sets a goal with a target date and an owner, adds
milestones, links a task as evidence, marks a milestone reached and finds it on the timeline; a member
reads the goals without the organizers' forms. Every page passes axe and nothing scrolls sideways."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from logistics import services as task_services
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def named(action, what):
    """A button's name with the hidden words that say which item it acts on (Chromium may put a space
    before the hidden part)."""
    return re.compile(rf"^{re.escape(action)}\s*: {re.escape(what)}$")


def checked(page, axe_check):
    assert fits_the_screen(page)
    axe_check(page)


def test_organizer_sets_a_goal_with_milestones_and_evidence_and_a_member_reads_it(
    live_server, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        task_services.task_create(institution=institution, author=organizer, title="Print the pantry flyers")
    target = timezone.localdate() + timedelta(days=200)

    page = new_context().new_page()
    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/")
    checked(page, axe_check)
    page.get_by_role("link", name="Goals", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Goals")).to_be_visible()
    checked(page, axe_check)
    page.get_by_role("link", name="Set a goal").click()
    checked(page, axe_check)
    page.get_by_label("What we mean to achieve").fill("The pantry opens every week without the founders")
    page.get_by_label("By when").fill(target.isoformat())
    page.get_by_label("Who keeps an eye on it").select_option(label="Mo")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("heading", level=1, name="The pantry opens every week without the founders")
    ).to_be_visible()
    expect(page.get_by_text("The goal is set.")).to_be_visible()
    expect(page.locator("dd", has_text="Mo")).to_be_visible()
    checked(page, axe_check)

    for title in ("Two new people run a Saturday", "A month of Saturdays without Olga"):
        page.get_by_label(re.compile(r"^Milestone:?$")).fill(title)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("The milestone is added.")).to_be_visible()
    expect(page.locator("ol li strong")).to_have_text(
        ["Two new people run a Saturday", "A month of Saturdays without Olga"]
    )
    checked(page, axe_check)

    page.get_by_role("button", name="Link", exact=True).click()  # nothing chosen: refused
    expect(page.get_by_text("Choose one metric, one decision or one task to link.")).to_be_visible()
    checked(page, axe_check)
    page.get_by_label("A task").select_option(label="Print the pantry flyers")
    page.get_by_label("Why it counts").fill("Flyers bring new volunteers")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_text("The evidence is linked.")).to_be_visible()
    expect(page.get_by_role("link", name="Print the pantry flyers")).to_be_visible()

    # Each milestone's buttons name it, so a screen reader hears which one it marks.
    page.get_by_role("button", name=named("Mark reached", "Two new people run a Saturday")).click()
    expect(page.get_by_text("The milestone is marked reached.")).to_be_visible()
    expect(
        page.get_by_role("button", name=named("Not reached after all", "Two new people run a Saturday"))
    ).to_be_visible()
    expect(page.get_by_role("button", name=named("Mark reached", "A month of Saturdays without Olga"))).to_be_visible()
    expect(page.get_by_role("button", name=named("Remove", "Print the pantry flyers"))).to_be_visible()
    checked(page, axe_check)

    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/timeline/")
    expect(page.get_by_role("link", name="Milestone reached: Two new people run a Saturday")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("A month of Saturdays without Olga"))).to_have_count(0)
    checked(page, axe_check)

    reader = new_context().new_page()
    login(reader, member.email)
    reader.goto(f"{live_server.url}/i/{institution.slug}/follow-through/goals/")
    expect(reader.get_by_role("link", name="Set a goal")).to_have_count(0)
    expect(reader.get_by_text("1 of 2 milestones reached")).to_be_visible()
    expect(reader.get_by_text("1 piece of evidence")).to_be_visible()
    checked(reader, axe_check)
    reader.get_by_role("link", name="The pantry opens every week without the founders").click()
    expect(reader.get_by_role("link", name="Print the pantry flyers")).to_be_visible()
    expect(reader.get_by_role("button", name=re.compile("Mark reached"))).to_have_count(0)
    expect(reader.get_by_role("button", name="Link", exact=True)).to_have_count(0)
    checked(reader, axe_check)
