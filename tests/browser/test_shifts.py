"""Volunteer shifts in the browser, at 360 px: an organizer adds a role and a weekly shift and a member
signs up; a late cancellation is covered by a stand-in; a role's procedure is read before signing up
(without JavaScript); the organizer marks who came. Every page visited passes axe."""

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from logistics import shifts
from logistics.models import ShiftOccurrence, ShiftSignup, StandInRequest
from logistics.procedures import procedure_create
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory, one_off_shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local_today(institution):
    return timezone.localdate(timezone=ZoneInfo(institution.time_zone))


def day_label(day):
    """A date the way the shift pages show it, e.g. "Saturday 28 November"."""
    return f"{day:%A} {day.day} {day:%B}"


def check_posted_answer(page, new_context, axe_check):
    """Axe-check a page that only exists as the answer to a POST, seen in a context without scripts:
    a scripted twin, signed in as the same person, is served the very same HTML at the same address."""
    html, url = page.content(), page.url
    twin = new_context(storage_state=page.context.storage_state()).new_page()
    twin.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    twin.goto(url)
    axe_check(twin)


def test_organizer_schedules_a_weekly_shift_and_a_member_signs_up(
    live_server, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    today = local_today(institution)
    next_saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)

    olga = new_context().new_page()
    login(olga, organizer.email)
    olga.goto(f"{live_server.url}/i/{institution.slug}/logistics/")
    axe_check(olga)
    olga.get_by_role("link", name="Shifts", exact=True).click()
    expect(olga.get_by_role("heading", name="Shifts", level=1)).to_be_visible()
    axe_check(olga)
    olga.get_by_role("link", name="Volunteer roles").click()
    expect(olga.get_by_role("heading", name="Volunteer roles")).to_be_visible()
    axe_check(olga)
    olga.get_by_role("link", name="Add a role").click()
    axe_check(olga)
    olga.get_by_label("Name").fill("Clinic escort")
    olga.get_by_label("What it involves").fill("Walk patients from the car to the door.")
    with olga.expect_navigation():
        olga.get_by_role("button", name="Add the role").click()
    expect(olga.locator("#messages")).to_contain_text("The role is added")
    expect(olga.get_by_role("link", name="Clinic escort")).to_be_visible()
    axe_check(olga)

    olga.get_by_role("link", name="Shifts", exact=True).click()
    olga.get_by_role("link", name="New shift").click()
    expect(olga.get_by_role("heading", name="New shift")).to_be_visible()
    axe_check(olga)
    olga.get_by_label("Role").select_option(label="Clinic escort")
    olga.get_by_label("Place:", exact=True).fill("Clinic front door")
    olga.get_by_label("Every week").check()
    olga.get_by_label("Saturday").check()
    olga.get_by_label("First date").fill(next_saturday.isoformat())
    olga.get_by_label("Starts at").fill("08:00")
    olga.get_by_label("Ends at").fill("11:00")
    olga.get_by_label("People needed at least").fill("2")
    olga.get_by_label("Places:", exact=True).fill("3")
    with olga.expect_navigation():
        olga.get_by_role("button", name="Put it on the schedule").click()
    expect(olga.locator("#messages")).to_contain_text("The shift is on the schedule")
    expect(olga.get_by_role("heading", level=1)).to_have_text("Clinic escort · Clinic front door")
    expect(olga.get_by_text("Every week on Saturday, 08:00–11:00")).to_be_visible()
    for week in range(3):
        saturday = next_saturday + timedelta(weeks=week)
        expect(olga.get_by_role("link", name=day_label(saturday), exact=True)).to_be_visible()
    expect(olga.get_by_text("Needs people").first).to_be_visible()
    axe_check(olga)

    mo = new_context().new_page()
    login(mo, member.email)
    mo.goto(f"{live_server.url}/i/{institution.slug}/logistics/")
    mo.get_by_role("link", name="Shifts", exact=True).click()
    expect(mo.get_by_role("heading", name=day_label(next_saturday))).to_be_visible()
    axe_check(mo)
    mo.get_by_role("link", name="Clinic escort · 08:00–11:00").first.click()
    expect(mo.get_by_role("heading", name="Clinic escort", level=1)).to_be_visible()
    expect(mo.get_by_text(f"{day_label(next_saturday)} {next_saturday.year}, 08:00–11:00")).to_be_visible()
    axe_check(mo)
    with mo.expect_navigation():
        mo.get_by_role("button", name="Sign me up").click()
    expect(mo.locator("#messages")).to_contain_text("You are signed up. Thank you!")
    expect(mo.get_by_text("You are signed up.", exact=True)).to_be_visible()
    expect(mo.get_by_text("1 of 3 places taken; 2 needed.")).to_be_visible()
    axe_check(mo)
    mo.get_by_role("link", name="Shifts", exact=True).click()
    mo.get_by_role("link", name="My shifts").click()
    expect(mo.get_by_role("heading", name="My shifts")).to_be_visible()
    expect(mo.get_by_role("link", name=f"Clinic escort · {day_label(next_saturday)}, 08:00–11:00")).to_be_visible()
    axe_check(mo)

    with scope(institution=institution):
        signup = ShiftSignup.objects.get(member=member, status=ShiftSignup.Status.ACTIVE)
        assert signup.occurrence.date == next_saturday
        assert signup.occurrence.shift.role.name == "Clinic escort"


def test_a_late_cancellation_is_covered_by_another_member_standing_in(
    live_server, new_context, login, axe_check, outbox, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    other = MembershipFactory(institution=institution, user=UserFactory(name="Ana")).user
    with scope(institution=institution):
        role = shifts.role_save(institution=institution, actor=organizer, name="Clinic escort")
        shift = one_off_shift(institution, organizer, role, hours=5, max_people=3, place="Pantry back door")
        occurrence = ShiftOccurrence.objects.get(shift=shift)
        shifts.signup_take(occurrence=occurrence, member=member)
    occurrence_url = f"{live_server.url}/i/{institution.slug}/logistics/shifts/dates/{occurrence.pk}/"

    mo = new_context().new_page()
    login(mo, member.email)
    mo.goto(f"{live_server.url}/i/{institution.slug}/logistics/shifts/")
    mo.get_by_role("link", name=re.compile(r"^Clinic escort · ")).click()
    expect(mo).to_have_url(occurrence_url)
    expect(mo.get_by_text("if you cancel now, the others and the organizers are asked")).to_be_visible()
    axe_check(mo)
    with mo.expect_navigation():
        mo.get_by_role("button", name="Cancel my place").click()
    expect(mo.locator("#messages")).to_contain_text(
        "Your place is free. The shift starts soon, so the others and the organizers are asked to stand in."
    )
    expect(mo.get_by_role("button", name="Sign me up")).to_be_visible()
    axe_check(mo)
    assert organizer.email in str(outbox.newest()["To"])

    ana = new_context().new_page()
    login(ana, other.email)
    ana.goto(f"{live_server.url}/i/{institution.slug}/logistics/shifts/")
    stand_ins = ana.get_by_role("region", name="Stand-in needed")
    expect(stand_ins).to_contain_text("Mo cannot make it.")
    axe_check(ana)
    with ana.expect_navigation():
        stand_ins.get_by_role("button", name=re.compile(r"^I can stand in\W+Clinic escort")).click()
    expect(ana).to_have_url(occurrence_url)
    expect(ana.locator("#messages")).to_contain_text("You are standing in. Thank you!")
    coming = ana.locator("h2:text-is('Who is coming') + ul")
    expect(coming.get_by_role("listitem")).to_have_text(["Ana"])
    axe_check(ana)
    ana.get_by_role("link", name="Shifts", exact=True).click()
    expect(ana.get_by_role("region", name="Stand-in needed")).to_have_count(0)

    with scope(institution=institution):
        stand_in = StandInRequest.objects.get(occurrence=occurrence)
        assert (stand_in.cancelled.member, stand_in.taken_by) == (member, other)
        assert ShiftSignup.objects.get(occurrence=occurrence, member=member).late_cancel


def test_a_role_procedure_must_be_ticked_as_read_before_the_first_sign_up(
    live_server, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    tomorrow = local_today(institution) + timedelta(days=1)
    with scope(institution=institution):
        procedure = procedure_create(
            institution=institution,
            author=organizer,
            title="Clinic escort protocol",
            body="Stay calm.\n\n- Never engage protesters\n- Walk on the street side",
        )
        role = shifts.role_save(institution=institution, actor=organizer, name="Clinic escort", procedure=procedure)
        shift = shifts.shift_create(
            institution=institution,
            actor=organizer,
            role=role,
            place="Clinic front door",
            repeat="weekly",
            weekdays="0123456",
            starts_on=tomorrow,
            until=tomorrow + timedelta(days=1),
            start_time=time(8, 0),
            end_time=time(11, 0),
            min_people=1,
            max_people=3,
            lead=None,
            notes="",
        )
        first, second = ShiftOccurrence.objects.filter(shift=shift).order_by("starts_at")
    dates_url = f"{live_server.url}/i/{institution.slug}/logistics/shifts/dates"

    # Without scripts: the checkbox and its error are plain HTML.
    mo = new_context(java_script_enabled=False).new_page()
    login(mo, member.email)
    mo.goto(f"{dates_url}/{first.pk}/")
    sign_up = mo.get_by_role("region", name="Sign up")
    expect(sign_up.get_by_role("heading", name="Clinic escort protocol")).to_be_visible()
    expect(sign_up).to_contain_text("Walk on the street side")
    checkbox = sign_up.get_by_role("checkbox", name="I have read “Clinic escort protocol” above")
    expect(checkbox).not_to_be_checked()
    axe_check(mo)

    with mo.expect_response(re.compile(r"/sign-up/$")) as answer:
        sign_up.get_by_role("button", name="Sign me up").click()
    assert answer.value.status == 400
    expect(mo.get_by_role("alert")).to_contain_text(
        "This role asks that you read “Clinic escort protocol” first: read it, tick the box, and sign up."
    )
    check_posted_answer(mo, new_context, axe_check)
    with scope(institution=institution):
        assert not ShiftSignup.objects.filter(member=member).exists()

    sign_up = mo.get_by_role("region", name="Sign up")
    sign_up.get_by_role("checkbox", name="I have read “Clinic escort protocol” above").check()
    with mo.expect_navigation():
        sign_up.get_by_role("button", name="Sign me up").click()
    expect(mo).to_have_url(f"{dates_url}/{first.pk}/")
    expect(mo.locator("#messages")).to_contain_text("You are signed up. Thank you!")
    axe_check(mo)

    mo.goto(f"{dates_url}/{second.pk}/")
    sign_up = mo.get_by_role("region", name="Sign up")
    expect(sign_up.get_by_role("button", name="Sign me up")).to_be_visible()
    expect(sign_up.get_by_role("checkbox")).to_have_count(0)
    expect(mo.get_by_text("Walk on the street side")).to_have_count(0)
    axe_check(mo)
    with mo.expect_navigation():
        sign_up.get_by_role("button", name="Sign me up").click()
    expect(mo.locator("#messages")).to_contain_text("You are signed up. Thank you!")

    with scope(institution=institution):
        assert ShiftSignup.objects.filter(member=member, status=ShiftSignup.Status.ACTIVE).count() == 2


def test_organizer_marks_who_came_after_the_shift_started(live_server, new_context, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    came = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    stayed_away = MembershipFactory(institution=institution, user=UserFactory(name="Ana")).user
    with scope(institution=institution):
        role = shifts.role_save(institution=institution, actor=organizer, name="Driver")
        shift = one_off_shift(institution, organizer, role, hours=3, max_people=3, place="Pantry back door")
        occurrence = ShiftOccurrence.objects.get(shift=shift)
        shifts.signup_take(occurrence=occurrence, member=came)
        shifts.signup_take(occurrence=occurrence, member=stayed_away)
        now = timezone.now()
        ShiftOccurrence.objects.filter(pk=occurrence.pk).update(
            starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
        )

    olga = new_context().new_page()
    login(olga, organizer.email)
    olga.goto(f"{live_server.url}/i/{institution.slug}/logistics/shifts/dates/{occurrence.pk}/")
    expect(olga.get_by_role("button", name="Sign me up")).to_have_count(0)
    axe_check(olga)
    olga.get_by_role("group", name="Mo").get_by_label("Done").check()
    olga.get_by_role("group", name="Ana").get_by_label("Missed").check()
    with olga.expect_navigation():
        olga.get_by_role("button", name="Save attendance").click()
    expect(olga.locator("#messages")).to_contain_text("Attendance saved (2 changed).")
    expect(olga.get_by_role("group", name="Mo")).to_contain_text("Marked Done by Olga")
    expect(olga.get_by_role("group", name="Ana").get_by_label("Missed")).to_be_checked()
    axe_check(olga)

    with scope(institution=institution):
        marks = dict(ShiftSignup.objects.filter(occurrence=occurrence).values_list("member__name", "attendance"))
    assert marks == {"Mo": ShiftSignup.Attendance.DONE, "Ana": ShiftSignup.Attendance.MISSED}
