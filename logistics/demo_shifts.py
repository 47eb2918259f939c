"""Demo roles and shifts for a clinic-defense group: escorts every Saturday morning (with four
months of marked attendance behind them), sign holders, a driver, and a late cancellation waiting
for a stand-in."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from . import shifts
from .models import Shift, ShiftOccurrence, ShiftSignup, VolunteerRole

PAST_WEEKS = 16


def _past_saturdays(institution, weeks):
    today = timezone.localdate(timezone=shifts.local_zone(institution))
    last = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    return [last - timedelta(weeks=week) for week in range(weeks)][::-1]


def seed_shifts(institution, people, procedures=None):
    """Does nothing if the institution already has volunteer roles."""
    if VolunteerRole.objects.filter(institution=institution).exists():
        return
    procedures = procedures or {}
    organizer = people[0]
    escort = shifts.role_save(
        institution=institution,
        actor=organizer,
        name="Clinic escort",
        description="Walk patients from the bus stop or their car to the clinic door, calmly.",
        procedure=procedures.get("escort"),
    )
    signs = shifts.role_save(
        institution=institution,
        actor=organizer,
        name="Sign holder",
        description="Hold our friendly signs across the street, so patients see a welcome first.",
        procedure=procedures.get("harassment"),
    )
    driver = shifts.role_save(
        institution=institution,
        actor=organizer,
        name="Driver",
        description="Bring volunteers and the folding table from the storage room and back.",
    )
    today = timezone.localdate(timezone=shifts.local_zone(institution))
    saturdays = _past_saturdays(institution, PAST_WEEKS)
    common = {"until": None, "notes": "", "weekdays": "5", "repeat": Shift.Repeat.WEEKLY}
    # The escort shift has run for months: made with its first Saturday in the past, so its history
    # is written directly rather than through sign-ups (which refuse dates already started).
    saturday = Shift.objects.create(
        institution=institution,
        role=escort,
        place="Bus stop on 5th and the clinic door",
        starts_on=saturdays[0],
        start_time=time(8, 0),
        end_time=time(11, 0),
        min_people=3,
        max_people=5,
        lead=people[1] if len(people) > 1 else organizer,
        created_by=organizer,
        **common,
    )
    marks = ["done", "done", "done", "missed", "done", "excused"]
    for week, day in enumerate(saturdays):
        starts_at, ends_at = shifts.shift_times(saturday, day)
        occurrence = ShiftOccurrence.objects.create(
            institution=institution, shift=saturday, date=day, starts_at=starts_at, ends_at=ends_at
        )
        for index, person in enumerate(people):
            if (week + index) % 4 == 3:
                continue  # nobody comes every single week
            ShiftSignup.objects.create(
                institution=institution,
                occurrence=occurrence,
                member=person,
                signed_up_at=starts_at - timedelta(days=3),
                attendance=marks[(week + index) % len(marks)],
                attendance_by=saturday.lead,
                attendance_at=ends_at,
            )
    shifts.occurrences_extend(saturday)
    upcoming = list(ShiftOccurrence.objects.filter(shift=saturday, starts_at__gt=timezone.now())[:3])
    for occurrence in upcoming:
        for person in people[:2]:
            shifts.signup_take(occurrence=occurrence, member=person)
    shifts.shift_create(
        institution=institution,
        actor=organizer,
        role=signs,
        place="Sidewalk across from the clinic",
        starts_on=today + timedelta(days=1),
        start_time=time(8, 30),
        end_time=time(10, 30),
        min_people=2,
        max_people=6,
        lead=None,
        **common,
    )
    drive = shifts.shift_create(
        institution=institution,
        actor=organizer,
        role=driver,
        place="Storage room, 14 Elm St",
        repeat=Shift.Repeat.ONCE,
        weekdays="",
        starts_on=today + timedelta(days=1),
        until=None,
        start_time=time(7, 30),
        end_time=time(8, 0),
        min_people=1,
        max_people=1,
        lead=None,
        notes="Bring the table back at 11:15.",
    )
    # Someone who cannot make tomorrow's drive after all: the others see a stand-in request.
    if len(people) > 2:
        start = drive.occurrences.get()
        if start.starts_at > timezone.now():
            taken = shifts.signup_take(occurrence=start, member=people[2])
            ShiftSignup.objects.filter(pk=taken.pk).update(
                signed_up_at=datetime.combine(today - timedelta(days=4), time(12, 0), tzinfo=UTC)
            )
            shifts.signup_cancel(signup=taken, actor=people[2])
