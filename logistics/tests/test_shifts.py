"""Roles and shifts: the weekly schedule and its exceptions, signing up within the places, late
cancellations and stand-ins, reminders, attendance with its audit trail, and monthly counts."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from institutions.models import AuditEntry
from logistics import shifts
from logistics.models import LogisticsSettings, ShiftOccurrence, ShiftSignup, StandInRequest
from logistics.tasks_shifts import extend_shift_schedules, remind_shifts
from tests.factories import MembershipFactory
from tests.factories import one_off_shift as once_in


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


@pytest.fixture
def role(scoped, organizer):
    return shifts.role_save(institution=scoped, actor=organizer, name="Clinic escort", description="Walk patients in.")


def local_today(institution):
    return timezone.localdate(timezone=ZoneInfo(institution.time_zone))


def weekly(institution, organizer, role, **fields):
    values = {
        "role": role,
        "place": "Clinic front door",
        "repeat": "weekly",
        "weekdays": "5",
        "starts_on": local_today(institution),
        "until": None,
        "start_time": time(8, 0),
        "end_time": time(11, 0),
        "min_people": 2,
        "max_people": 3,
        "lead": None,
        "notes": "",
    }
    values.update(fields)
    return shifts.shift_create(institution=institution, actor=organizer, **values)


def member_of(institution, **fields):
    return MembershipFactory(institution=institution, **fields).user


def test_weekly_shift_is_scheduled_on_its_days_for_eight_weeks(scoped, organizer, role):
    shift = weekly(scoped, organizer, role, weekdays="15")  # Tuesdays and Saturdays
    dates = list(ShiftOccurrence.objects.filter(shift=shift).values_list("date", flat=True))
    assert dates and {day.weekday() for day in dates} == {1, 5}
    assert len(dates) in (16, 17)  # eight weeks of two days (plus today's, when today is one of them)
    first = ShiftOccurrence.objects.filter(shift=shift).first()
    local = timezone.localtime(first.starts_at, ZoneInfo(scoped.time_zone))
    assert (local.time(), (first.ends_at - first.starts_at)) == (time(8, 0), timedelta(hours=3))


def test_extending_the_schedule_twice_makes_each_date_once(scoped, organizer, role):
    shift = weekly(scoped, organizer, role)
    before = ShiftOccurrence.objects.filter(shift=shift).count()
    assert shifts.occurrences_extend(shift) == 0
    assert extend_shift_schedules() == 0
    assert ShiftOccurrence.objects.filter(shift=shift).count() == before


def test_weekly_shift_stops_at_its_last_date(scoped, organizer, role):
    today = local_today(scoped)
    shift = weekly(scoped, organizer, role, weekdays="0123456", until=today + timedelta(days=2))
    assert ShiftOccurrence.objects.filter(shift=shift).count() == 3


def test_night_shift_ends_the_next_morning(scoped, organizer, role):
    shift = weekly(scoped, organizer, role, start_time=time(22, 0), end_time=time(6, 0))
    occurrence = ShiftOccurrence.objects.filter(shift=shift).first()
    assert occurrence.ends_at - occurrence.starts_at == timedelta(hours=8)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"weekdays": ""}, "days of the week"),
        ({"weekdays": "8"}, "days of the week"),
        ({"min_people": 4, "max_people": 3}, "at least as many places"),
        ({"start_time": time(8, 0), "end_time": time(8, 0)}, "different time"),
        ({"starts_on": date(2020, 1, 1)}, "in the past"),
    ],
)
def test_impossible_schedules_are_refused(scoped, organizer, role, fields, message):
    with pytest.raises(ValidationError, match=message):
        weekly(scoped, organizer, role, **fields)


def test_a_role_of_another_institution_is_refused(scoped, organizer, other_institution, other_member):
    with scope(institution=other_institution):
        foreign = shifts.role_save(institution=other_institution, actor=other_member, name="Driver")
    with pytest.raises(ValidationError, match="role of this institution"):
        weekly(scoped, organizer, foreign)


def test_role_names_are_unique_ignoring_case(scoped, organizer, role):
    with pytest.raises(ValidationError, match="already a role"):
        shifts.role_save(institution=scoped, actor=organizer, name="  clinic   ESCORT ")


def test_members_sign_up_until_the_shift_is_full(scoped, organizer, role, member):
    shift = once_in(scoped, organizer, role, hours=72, max_people=2)
    occurrence = shift.occurrences.get()
    shifts.signup_take(occurrence=occurrence, member=member)
    shifts.signup_take(occurrence=occurrence, member=organizer)
    with pytest.raises(ValidationError, match="full"):
        shifts.signup_take(occurrence=occurrence, member=member_of(scoped))
    with pytest.raises(ValidationError, match="already signed up"):
        shifts.signup_take(occurrence=occurrence, member=member)
    assert ShiftSignup.objects.filter(occurrence=occurrence, status="active").count() == 2


def test_someone_outside_the_institution_cannot_sign_up(scoped, organizer, role, outsider):
    occurrence = once_in(scoped, organizer, role, hours=72).occurrences.get()
    with pytest.raises(ValidationError, match="Only members"):
        shifts.signup_take(occurrence=occurrence, member=outsider)


def test_cancelling_early_frees_the_place_quietly(scoped, organizer, role, member, mailoutbox):
    occurrence = once_in(scoped, organizer, role, hours=72).occurrences.get()
    signup = shifts.signup_take(occurrence=occurrence, member=member)
    signup = shifts.signup_cancel(signup=signup, actor=member)
    assert (signup.status, signup.late_cancel) == ("cancelled", False)
    assert not StandInRequest.objects.exists()
    # ... and the member can take it again: the same row comes back.
    again = shifts.signup_take(occurrence=occurrence, member=member)
    assert (again.pk, again.status) == (signup.pk, "active")


def test_late_cancellation_alerts_the_others_and_posts_a_stand_in_request(
    scoped, organizer, role, member, mailoutbox, django_capture_on_commit_callbacks
):
    other = member_of(scoped)
    occurrence = once_in(scoped, organizer, role, hours=5).occurrences.get()
    leaving = shifts.signup_take(occurrence=occurrence, member=member)
    shifts.signup_take(occurrence=occurrence, member=other)
    with django_capture_on_commit_callbacks(execute=True):
        signup = shifts.signup_cancel(signup=leaving, actor=member)
    assert signup.late_cancel
    request = StandInRequest.objects.get()
    assert request.is_open and request.cancelled == signup
    # The other volunteer and the organizer hear, not the one who left.
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([other.email, organizer.email])
    assert "Stand-in needed" in mailoutbox[0].subject
    assert AuditEntry.objects.filter(action="shift.late_cancel").exists()


def test_the_late_window_is_the_institutions_setting(scoped, organizer, role, member):
    LogisticsSettings.objects.create(institution=scoped, late_cancel_hours=2)
    occurrence = once_in(scoped, organizer, role, hours=5).occurrences.get()
    signup = shifts.signup_take(occurrence=occurrence, member=member)
    assert shifts.signup_cancel(signup=signup, actor=member).late_cancel is False


def test_a_stand_in_takes_the_freed_place_and_only_one_can(scoped, organizer, role, member):
    occurrence = once_in(scoped, organizer, role, hours=5, max_people=1).occurrences.get()
    leaving = shifts.signup_take(occurrence=occurrence, member=member)
    shifts.signup_cancel(signup=leaving, actor=member)
    request = StandInRequest.objects.get()
    first, second = member_of(scoped), member_of(scoped)
    with pytest.raises(ValidationError, match="place you gave up"):
        shifts.stand_in_take(stand_in=request, member=member)
    shifts.stand_in_take(stand_in=request, member=first)
    request.refresh_from_db()
    assert (request.taken_by, request.is_open) == (first, False)
    with pytest.raises(ValidationError, match="already stood in"):
        shifts.stand_in_take(stand_in=request, member=second)


def test_a_plain_sign_up_fills_an_open_stand_in_request(scoped, organizer, role, member):
    occurrence = once_in(scoped, organizer, role, hours=5).occurrences.get()
    shifts.signup_cancel(signup=shifts.signup_take(occurrence=occurrence, member=member), actor=member)
    helper = member_of(scoped)
    shifts.signup_take(occurrence=occurrence, member=helper)
    assert StandInRequest.objects.get().taken_by == helper


def test_coming_back_after_a_late_cancel_closes_ones_own_request(scoped, organizer, role, member):
    occurrence = once_in(scoped, organizer, role, hours=5).occurrences.get()
    shifts.signup_cancel(signup=shifts.signup_take(occurrence=occurrence, member=member), actor=member)
    shifts.signup_take(occurrence=occurrence, member=member)
    request = StandInRequest.objects.get()
    assert (request.taken_by, request.closed_at is not None) == (None, True)


def test_started_shifts_cannot_be_joined_or_left(scoped, organizer, role, member):
    occurrence = once_in(scoped, organizer, role, hours=5).occurrences.get()
    signup = shifts.signup_take(occurrence=occurrence, member=member)
    ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="already started"):
        shifts.signup_cancel(signup=signup, actor=member)
    with pytest.raises(ValidationError, match="already started"):
        shifts.signup_take(occurrence=occurrence, member=organizer)


def test_skipping_a_date_tells_the_people_signed_up(
    scoped, organizer, role, member, mailoutbox, django_capture_on_commit_callbacks
):
    shift = weekly(scoped, organizer, role, starts_on=local_today(scoped) + timedelta(days=1))
    occurrence = shift.occurrences.first()
    shifts.signup_take(occurrence=occurrence, member=member)
    with django_capture_on_commit_callbacks(execute=True):
        shifts.occurrence_skip(occurrence=occurrence, actor=organizer, reason="Clinic closed for the holiday")
    assert [mail.to for mail in mailoutbox] == [[member.email]]
    assert "Clinic closed for the holiday" in mailoutbox[0].body
    with pytest.raises(ValidationError, match="skipped"):
        shifts.signup_take(occurrence=occurrence, member=organizer)
    shifts.occurrence_restore(occurrence=occurrence, actor=organizer)
    occurrence.refresh_from_db()
    assert occurrence.cancelled_at is None and occurrence.sequence == 2


def test_changing_the_days_skips_dropped_dates_and_adds_new_ones(scoped, organizer, role, member):
    shift = weekly(scoped, organizer, role, weekdays="5", starts_on=local_today(scoped) + timedelta(days=1))
    saturday = shift.occurrences.first()
    shifts.signup_take(occurrence=saturday, member=member)
    fields = {name: getattr(shift, name) for name in ("role", "place", "repeat", "starts_on", "until", "lead", "notes")}
    fields.update(weekdays="6", start_time=time(9, 0), end_time=time(12, 0), min_people=1, max_people=3)
    shifts.shift_update(shift=shift, actor=organizer, **fields)
    saturday.refresh_from_db()
    assert saturday.cancelled_at is not None
    sundays = ShiftOccurrence.objects.filter(shift=shift, cancelled_at__isnull=True)
    assert sundays.exists() and {o.date.weekday() for o in sundays} == {6}
    # The member's place on the dropped date is kept (history), the date is simply off.
    assert ShiftSignup.objects.get(occurrence=saturday).status == "active"


def test_changing_the_time_moves_upcoming_dates_and_bumps_their_sequence(scoped, organizer, role):
    shift = weekly(scoped, organizer, role, starts_on=local_today(scoped) + timedelta(days=1))
    fields = {
        name: getattr(shift, name)
        for name in ("role", "place", "repeat", "weekdays", "starts_on", "until", "lead", "notes")
    }
    shifts.shift_update(
        shift=shift, actor=organizer, start_time=time(9, 0), end_time=time(12, 0), min_people=1, max_people=3, **fields
    )
    occurrence = shift.occurrences.first()
    local = timezone.localtime(occurrence.starts_at, ZoneInfo(scoped.time_zone))
    assert (local.time(), occurrence.sequence) == (time(9, 0), 1)


def test_ending_a_shift_skips_its_upcoming_dates(scoped, organizer, role):
    shift = weekly(scoped, organizer, role, starts_on=local_today(scoped) + timedelta(days=1))
    shifts.shift_end(shift=shift, actor=organizer)
    assert not ShiftOccurrence.objects.filter(shift=shift, cancelled_at__isnull=True).exists()
    assert shifts.occurrences_extend(shift) == 0


def started(institution, organizer, role, members):
    occurrence = once_in(institution, organizer, role, hours=48, max_people=5).occurrences.get()
    signups = [shifts.signup_take(occurrence=occurrence, member=person) for person in members]
    ShiftOccurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    occurrence.refresh_from_db()
    return occurrence, signups


def test_attendance_is_marked_after_the_shift_and_corrections_are_audited(scoped, organizer, role, member):
    occurrence, (signup,) = started(scoped, organizer, role, [member])
    assert shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={signup.pk: "missed"}) == 1
    assert shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={signup.pk: "missed"}) == 0
    shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={signup.pk: "excused"})
    signup.refresh_from_db()
    assert (signup.attendance, signup.attendance_by) == ("excused", organizer)
    correction = AuditEntry.objects.get(action="shift.attendance_corrected")
    assert (correction.data["before"], correction.data["after"]) == ("missed", "excused")
    assert "corrected Mo from Missed to Excused for Clinic escort" in correction.describe()


def test_attendance_is_refused_before_the_start_and_for_strangers(scoped, organizer, role, member):
    occurrence = once_in(scoped, organizer, role, hours=48).occurrences.get()
    signup = shifts.signup_take(occurrence=occurrence, member=member)
    with pytest.raises(ValidationError, match="once the shift has started"):
        shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={signup.pk: "done"})
    occurrence, _signups = started(scoped, organizer, role, [organizer])
    with pytest.raises(ValidationError, match="not signed up"):
        shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={signup.pk: "done"})
    with pytest.raises(ValidationError, match="done, missed or excused"):
        shifts.attendance_mark(occurrence=occurrence, actor=organizer, marks={_signups[0].pk: "asleep"})


def test_the_lead_and_organizers_mark_attendance_but_not_other_members(scoped, organizer, role, member):
    from institutions.models import Membership

    shift = once_in(scoped, organizer, role, hours=48)
    occurrence = shift.occurrences.get()
    member_membership = Membership.objects.get(user=member)
    organizer_membership = Membership.objects.get(user=organizer)
    assert not shifts.can_mark_attendance(member_membership, occurrence)
    assert shifts.can_mark_attendance(organizer_membership, occurrence)
    shift.lead = member
    shift.save()
    occurrence.shift = shift
    assert shifts.can_mark_attendance(member_membership, occurrence)


def test_monthly_counts_per_member(scoped, organizer, role, member):
    occurrence, signups = started(scoped, organizer, role, [member, organizer])
    shifts.attendance_mark(
        occurrence=occurrence, actor=organizer, marks={signups[0].pk: "done", signups[1].pk: "missed"}
    )
    months, rows = shifts.monthly_counts(scoped)
    assert len(months) == 6
    by_member = {row.member: row for row in rows}
    this_month = timezone.localtime(occurrence.starts_at, ZoneInfo(scoped.time_zone)).date().replace(day=1)
    assert by_member[member].months[months.index(this_month)] == 1
    assert (by_member[member].done, by_member[organizer].done, by_member[organizer].missed) == (1, 0, 1)


def test_day_before_reminder_goes_once_to_each_person(scoped, organizer, role, member, mailoutbox):
    occurrence = once_in(scoped, organizer, role, hours=48).occurrences.get()
    shifts.signup_take(occurrence=occurrence, member=member)
    fresh = shifts.signup_take(occurrence=occurrence, member=organizer)
    # The shift is now 20 hours away; the organizer signed up within the last day (no reminder).
    ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() + timedelta(hours=20))
    ShiftSignup.objects.exclude(pk=fresh.pk).update(signed_up_at=timezone.now() - timedelta(days=2))
    assert remind_shifts.run(scoped.pk) == 1
    assert remind_shifts.run(scoped.pk) == 0
    assert [mail.to for mail in mailoutbox] == [[member.email]]
    assert "Tomorrow" in mailoutbox[0].subject


def test_below_minimum_lists_dates_that_need_people(scoped, organizer, role, member):
    shift = once_in(scoped, organizer, role, hours=24)  # needs one person
    assert [o.shift_id for o in shifts.below_minimum(scoped)] == [shift.pk]
    shifts.signup_take(occurrence=shift.occurrences.get(), member=member)
    assert shifts.below_minimum(scoped) == []


def test_my_feed_lists_my_dates_only(scoped, organizer, role, member):
    mine = once_in(scoped, organizer, role, hours=30).occurrences.get()
    once_in(scoped, organizer, role, hours=50)
    shifts.signup_take(occurrence=mine, member=member)
    assert [o.pk for o in shifts.my_feed_shifts(scoped, member)] == [mine.pk]


def test_local_times_hold_across_daylight_saving(scoped, organizer, role):
    scoped.time_zone = "America/New_York"
    scoped.save()
    # Saturdays at 08:00 in New York either side of the November change.
    shift = weekly(scoped, organizer, role, starts_on=local_today(scoped))
    zone = ZoneInfo("America/New_York")
    assert {timezone.localtime(o.starts_at, zone).time() for o in shift.occurrences.all()} == {time(8, 0)}
    assert shifts.shift_times(shift, date(2027, 3, 13))[0] == datetime(2027, 3, 13, 8, 0, tzinfo=zone)
