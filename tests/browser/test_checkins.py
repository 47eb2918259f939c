"""Check-ins in the browser, at 360 px: a member follows the link in the reminder e-mail, logs in, answers
(asking for a follow-up) and sees "Thank you" and the group's results without names; an organizer reads
the answers and the settings; every page passes axe."""

from urllib.parse import urlsplit

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from evaluation import checkins
from evaluation.models import CheckIn
from evaluation.tasks_checkins import remind_check_ins
from logistics.models import Task
from tests.factories import PASSWORD, MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = {"hours": 5, "rather_doing": "", "suggestion": "", "wants_follow_up": False}


def test_member_answers_the_check_in_from_the_reminder_link(live_server, new_context, axe_check, outbox, institution):
    olga = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    sam = MembershipFactory(institution=institution, user=UserFactory(name="Sam")).user
    mo = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=olga, feel=4, energy=4, **ANSWER)
        checkins.check_in_save(
            institution=institution, member=sam, feel=3, energy=2, **{**ANSWER, "suggestion": "Sam's private idea"}
        )
    remind_check_ins(institution.pk)  # what the hourly beat does
    assert outbox.newest()["To"] == mo.email
    link = outbox.link(r"/evaluation/check-ins/", base_url=live_server.url)

    page = new_context().new_page()
    page.goto(link)  # not signed in on this phone yet: the login page, then back to the link
    assert "/accounts/login/" in page.url
    axe_check(page)
    page.locator("input[name=login]").fill(mo.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    assert urlsplit(page.url).path == urlsplit(link).path
    expect(page.get_by_role("heading", name="Check-in", exact=True)).to_be_visible()
    expect(page.get_by_text("Only you and the organizers see your answers")).to_be_visible()
    axe_check(page)
    page.get_by_role("group", name="How do you feel about the group?").get_by_label("2", exact=True).check()
    page.get_by_role("group", name="How is your energy?").get_by_label("1", exact=True).check()
    page.get_by_label("Hours you can give next month").fill("2")
    page.get_by_label("What would you rather be doing?").fill("Childcare at meetings")
    page.get_by_label("I would like someone to follow up with me").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my check-in").click()
    expect(page.locator("#messages")).to_contain_text("Thank you")
    expect(page.get_by_role("button", name="Save my changes")).to_be_visible()
    expect(page.get_by_text("An organizer has been asked to follow up with you.")).to_be_visible()
    expect(page.get_by_role("img", name="How the group feels, and its energy, over time")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="3 of 3")).to_be_visible()
    expect(page.get_by_text("Sam's private idea")).to_have_count(0)
    expect(page.locator("main").get_by_text("Sam", exact=True)).to_have_count(0)
    axe_check(page)
    with scope(institution=institution):
        saved = CheckIn.objects.get(member=mo)
        assert (saved.feel, saved.energy, saved.hours, saved.wants_follow_up) == (2, 1, 2, True)
        assert saved.follow_up_task == Task.objects.get(title="Follow up with Mo after their check-in")

    organizer = new_context().new_page()
    organizer.goto(f"{live_server.url}/accounts/login/?next=/i/{institution.slug}/evaluation/")
    organizer.locator("input[name=login]").fill(olga.email)
    organizer.locator("input[name=password]").fill(PASSWORD)
    with organizer.expect_navigation():
        organizer.locator("form:has(input[name=password]) [type=submit]").first.click()
    organizer.get_by_role("link", name="Check-in answers").click()
    expect(organizer.get_by_role("link", name="Mo")).to_be_visible()
    expect(organizer.get_by_text("Childcare at meetings")).to_be_visible()
    expect(organizer.get_by_text("Everyone has answered.")).to_be_visible()
    axe_check(organizer)
    organizer.get_by_role("link", name="Mo").click()
    expect(organizer.get_by_role("heading", name="Mo's check-ins")).to_be_visible()
    axe_check(organizer)
    organizer.goto(f"{live_server.url}/i/{institution.slug}/evaluation/check-ins/settings/")
    organizer.get_by_label("Every three months").check()
    with organizer.expect_navigation():
        organizer.get_by_role("button", name="Save").click()
    expect(organizer.locator("#messages")).to_contain_text("The evaluation settings are saved.")
    axe_check(organizer)
