"""Shift pages: bad input answered with a message and no change, procedure gating at sign-up, the
attendance form, the calendar feed, settings; and the last place under real concurrency."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from logistics import shifts
from logistics.models import LogisticsSettings, Shift, ShiftOccurrence, ShiftSignup, VolunteerRole
from tests.factories import MembershipFactory

from .test_shifts import once_in, weekly


@pytest.fixture
def role(institution, organizer):
    with scope(institution=institution):
        return shifts.role_save(institution=institution, actor=organizer, name="Clinic escort")


def url(institution, name, **kwargs):
    return reverse(f"logistics:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def shift_post(role, changes=None):
    data = {
        "role": role.pk,
        "place": "Front door",
        "repeat": "weekly",
        "weekdays": ["5"],
        "starts_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "until": "",
        "start_time": "08:00",
        "end_time": "11:00",
        "min_people": "2",
        "max_people": "3",
        "lead": "",
        "notes": "",
    }
    data.update(changes or {})
    return data


def test_organizer_puts_a_weekly_shift_on_the_schedule(organizer_client, institution, role):
    response = organizer_client.post(url(institution, "shift_new"), shift_post(role))
    assert response.status_code == 302
    with scope(institution=institution):
        shift = Shift.objects.get()
        assert shift.weekdays == "5" and shift.occurrences.count() == 8


@pytest.mark.parametrize(
    "changes",
    [
        {"role": ""},
        {"role": "999999"},
        {"place": ""},
        {"place": "x" * 201},
        {"weekdays": []},
        {"weekdays": ["9"]},
        {"starts_on": "2020-01-01"},
        {"starts_on": "not a date"},
        {"start_time": "25:00"},
        {"min_people": "5", "max_people": "3"},
        {"max_people": "0"},
        {"max_people": "100000"},
        {"notes": "\x00"},
        {"lead": "abc"},
    ],
)
def test_bad_shift_input_is_refused_with_a_message_and_nothing_made(organizer_client, institution, role, changes):
    response = organizer_client.post(url(institution, "shift_new"), shift_post(role, changes))
    assert response.status_code == 400
    assert b"errorlist" in response.content or b"message-error" in response.content
    with scope(institution=institution):
        assert not Shift.objects.exists()


def test_a_role_of_another_institution_cannot_be_chosen(organizer_client, institution, other_institution, other_member):
    with scope(institution=other_institution):
        foreign = shifts.role_save(institution=other_institution, actor=other_member, name="Driver")
    response = organizer_client.post(url(institution, "shift_new"), shift_post(foreign))
    assert response.status_code == 400
    with scope(institution=institution):
        assert not Shift.objects.exists()


def test_members_cannot_write_roles_or_shifts(member_client, institution, role):
    assert member_client.post(url(institution, "shift_new"), shift_post(role)).status_code == 403
    assert member_client.post(url(institution, "role_new"), {"name": "Driver"}).status_code == 403
    assert member_client.post(url(institution, "role", pk=role.pk), {"name": "Renamed"}).status_code == 403
    with scope(institution=institution):
        assert list(VolunteerRole.objects.values_list("name", flat=True)) == ["Clinic escort"]


def test_duplicate_role_name_is_refused(organizer_client, institution, role):
    response = organizer_client.post(url(institution, "role_new"), {"name": "clinic escort"})
    assert response.status_code == 400 and "already a role" in response.content.decode()


def test_member_signs_up_and_cancels_from_the_date_page(member_client, member, institution, organizer, role):
    with scope(institution=institution):
        occurrence = once_in(institution, organizer, role, hours=72).occurrences.get()
    page = url(institution, "occurrence", pk=occurrence.pk)
    assert "Sign me up" in member_client.get(page).content.decode()
    assert member_client.post(url(institution, "occurrence_signup", pk=occurrence.pk)).status_code == 302
    assert "You are signed up." in member_client.get(page).content.decode()
    again = member_client.post(url(institution, "occurrence_signup", pk=occurrence.pk))
    assert again.status_code == 400 and "already signed up" in again.content.decode()
    assert member_client.post(url(institution, "occurrence_cancel", pk=occurrence.pk)).status_code == 302
    with scope(institution=institution):
        assert ShiftSignup.objects.get().status == "cancelled"


def test_a_full_shift_says_so(member_client, institution, organizer, role):
    with scope(institution=institution):
        occurrence = once_in(institution, organizer, role, hours=72, max_people=1).occurrences.get()
        shifts.signup_take(occurrence=occurrence, member=organizer)
    assert "This shift is full." in member_client.get(url(institution, "occurrence", pk=occurrence.pk)).content.decode()
    response = member_client.post(url(institution, "occurrence_signup", pk=occurrence.pk))
    assert response.status_code == 400 and "full" in response.content.decode()


def required_procedure(institution, organizer, role):
    from logistics import procedures

    procedure = procedures.procedure_create(
        institution=institution, author=organizer, title="Escort protocol", body="Never argue with protesters."
    )
    role.procedure = procedure
    role.save()
    return procedure


def test_signing_up_for_a_role_with_an_unread_procedure_shows_it_and_asks_to_confirm(
    member_client, member, institution, organizer, role
):
    from logistics.procedures import has_read_current

    with scope(institution=institution):
        procedure = required_procedure(institution, organizer, role)
        occurrence = once_in(institution, organizer, role, hours=72).occurrences.get()
    page = member_client.get(url(institution, "occurrence", pk=occurrence.pk)).content.decode()
    assert "Never argue with protesters." in page
    refused = member_client.post(url(institution, "occurrence_signup", pk=occurrence.pk))
    assert refused.status_code == 400 and "read “Escort protocol” first" in refused.content.decode()
    with scope(institution=institution):
        assert not ShiftSignup.objects.exists()
    accepted = member_client.post(
        url(institution, "occurrence_signup", pk=occurrence.pk), {"read_procedure": "on", "procedure_version": "1"}
    )
    assert accepted.status_code == 302
    with scope(institution=institution):
        assert ShiftSignup.objects.filter(member=member).exists()
        assert has_read_current(procedure, member)


def test_a_procedure_changed_while_reading_is_not_acknowledged_unread(
    member_client, member, institution, organizer, role
):
    from logistics import procedures

    with scope(institution=institution):
        procedure = required_procedure(institution, organizer, role)
        occurrence = once_in(institution, organizer, role, hours=72).occurrences.get()
        procedures.procedure_revise(
            procedure=procedure, author=organizer, title=procedure.title, body="New rules.", change_note="More"
        )
    response = member_client.post(
        url(institution, "occurrence_signup", pk=occurrence.pk), {"read_procedure": "on", "procedure_version": "1"}
    )
    assert response.status_code == 400 and "New rules." in response.content.decode()
    with scope(institution=institution):
        assert not ShiftSignup.objects.exists()


def test_attendance_form_marks_and_refuses_nonsense(organizer_client, institution, organizer, member, role):
    with scope(institution=institution):
        occurrence = once_in(institution, organizer, role, hours=72).occurrences.get()
        signup = shifts.signup_take(occurrence=occurrence, member=member)
        ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    action = url(institution, "occurrence_attendance", pk=occurrence.pk)
    assert organizer_client.post(action, {f"signup_{signup.pk}": "asleep"}).status_code == 400
    assert organizer_client.post(action, {}).status_code == 400
    with scope(institution=institution):
        assert ShiftSignup.objects.get().attendance == ""
    assert organizer_client.post(action, {f"signup_{signup.pk}": "done"}).status_code == 302
    with scope(institution=institution):
        assert ShiftSignup.objects.get().attendance == "done"


def test_the_shift_lead_marks_attendance_of_their_shift(member_client, institution, organizer, member, role):
    with scope(institution=institution):
        shift = once_in(institution, organizer, role, hours=72)
        Shift.objects.filter(pk=shift.pk).update(lead=member)
        occurrence = shift.occurrences.get()
        signup = shifts.signup_take(occurrence=occurrence, member=organizer)
        ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    response = member_client.post(
        url(institution, "occurrence_attendance", pk=occurrence.pk), {f"signup_{signup.pk}": "excused"}
    )
    assert response.status_code == 302


def test_my_shifts_feed_lists_my_dates_in_local_time(member_client, member, institution, organizer, role, client):
    with scope(institution=institution):
        shift = weekly(institution, organizer, role, starts_on=timezone.localdate() + timedelta(days=1))
        occurrence = shift.occurrences.first()
        shifts.signup_take(occurrence=occurrence, member=member)
    page = member_client.get(url(institution, "my_shifts"))
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    feed_url = page.context["feed_url"]
    response = client.get(feed_url.split("testserver", 1)[1])
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 1 and f"shift-{occurrence.pk}@" in body
    assert "SUMMARY:Clinic escort" in body and "T080000" in body


def test_a_member_who_left_loses_the_shift_feed(member_client, member, institution, client):
    page = member_client.get(url(institution, "my_shifts"))
    path = page.context["feed_url"].split("testserver", 1)[1]
    with scope(institution=institution):
        member.memberships.update(status="ended")
    assert client.get(path).status_code == 404


def test_settings_refuse_bad_values_and_save_good_ones(organizer_client, institution):
    page = url(institution, "settings")
    bad = {"late_cancel_hours": "0", "currency": "dollars", "approval_threshold": "-1"}
    response = organizer_client.post(page, bad)
    assert response.status_code == 400
    with scope(institution=institution):
        assert not LogisticsSettings.objects.exists()
    good = {"late_cancel_hours": "12", "currency": "mxn", "approval_threshold": "250.50", "ledger_public": "on"}
    assert organizer_client.post(page, good).status_code == 302
    with scope(institution=institution):
        saved = LogisticsSettings.objects.get()
    assert (saved.late_cancel_hours, saved.currency, str(saved.approval_threshold), saved.ledger_public) == (
        12,
        "MXN",
        "250.50",
        True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_members_taking_the_last_place_at_once_only_one_gets_it(institution, organizer, member):
    """Threads on separate connections (PostgreSQL: the occurrence row lock; SQLite: one writer at a
    time) race for the one place left: exactly one wins, the other is told the shift is full."""
    with scope(institution=institution):
        role = shifts.role_save(institution=institution, actor=organizer, name="Driver")
        occurrence = once_in(institution, organizer, role, hours=72, max_people=2).occurrences.get()
        shifts.signup_take(occurrence=occurrence, member=organizer)
        racers = [member, MembershipFactory(institution=institution).user]
    barrier = threading.Barrier(len(racers))
    outcomes = []

    def race(person):
        try:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 30000")
            barrier.wait(timeout=30)
            with scope(institution=institution):
                shifts.signup_take(occurrence=occurrence, member=person)
            outcomes.append("ok")
        except Exception as error:  # the loser's refusal, checked below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(person,)) for person in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome != "ok"]
    assert "full" in str(refusal)
    with scope(institution=institution):
        assert ShiftSignup.objects.filter(occurrence=occurrence, status="active").count() == 2


def test_time_inputs_are_read_in_local_time(organizer_client, institution, role):
    organizer_client.post(url(institution, "shift_new"), shift_post(role, {"start_time": "07:30", "end_time": "09:00"}))
    with scope(institution=institution):
        shift = Shift.objects.get()
    assert (shift.start_time, shift.end_time) == (time(7, 30), time(9, 0))


def test_logistics_home_shows_stand_in_requests_and_shifts_short_of_people(
    member_client, institution, organizer, member, role
):
    with scope(institution=institution):
        soon = once_in(institution, organizer, role, hours=5).occurrences.get()
        shifts.signup_cancel(signup=shifts.signup_take(occurrence=soon, member=organizer), actor=organizer)
    page = member_client.get(url(institution, "index")).content.decode()
    assert "Stand-in needed" in page and "Olga cannot make it." in page
    assert "Shifts that need people this week" in page and "0 signed up, 1 needed" in page


def test_a_started_shift_offers_its_roles_log_form(member_client, institution, organizer, member, role):
    from evaluation import logs

    with scope(institution=institution):
        metric = logs.metric_save(institution=institution, actor=organizer, name="Patients escorted", kind="count")
        log_form = logs.log_form_save(
            institution=institution, actor=organizer, name="Saturday log", role=role, fields=[(metric, True)]
        )
        occurrence = once_in(institution, organizer, role, hours=48).occurrences.get()
    page = url(institution, "occurrence", pk=occurrence.pk)
    assert "Log this shift" not in member_client.get(page).content.decode()  # not started yet
    with scope(institution=institution):
        ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    fill = reverse("evaluation:log_fill", kwargs={"institution_slug": institution.slug, "pk": log_form.pk})
    assert f'href="{fill}?occurrence={occurrence.pk}"' in member_client.get(page).content.decode()
