"""Volunteer roles and shifts: the schedule, signing up and cancelling, stand-ins and attendance.

A shift is a schedule (once, or weekly on chosen days); each date it happens is a ShiftOccurrence,
made ahead for SCHEDULE_WEEKS weeks (a daily beat job keeps the horizon moving). Members sign up for
dates. The occurrence row is locked while a place is taken, so two people can never both get the last
place; a cancellation close to the start posts a stand-in request that the next sign-up fills.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Membership
from institutions.services import audit_record

from .models import Shift, ShiftOccurrence, ShiftSignup, StandInRequest, VolunteerRole
from .selectors import settings_for

SCHEDULE_WEEKS = 8
WEEKDAYS = "0123456"


# Roles -----------------------------------------------------------------------------------------------


def _check_procedure(institution, procedure):
    if procedure is not None and procedure.institution_id != institution.pk:
        raise ValidationError(_("Choose a procedure of this institution."))


@transaction.atomic
def role_save(*, institution, actor, role=None, name, description="", procedure=None) -> VolunteerRole:
    """Create a role, or change one when `role` is given. Names are unique within the institution."""
    _check_procedure(institution, procedure)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the role a name."))
    clash = VolunteerRole.objects.filter(institution=institution, name__iexact=name)
    if role is not None:
        clash = clash.exclude(pk=role.pk)
    if clash.exists():
        raise ValidationError(_("There is already a role called “%(name)s”.") % {"name": name})
    created = role is None
    role = role or VolunteerRole(institution=institution)
    role.name, role.description, role.procedure = name, description.strip(), procedure
    role.full_clean()
    role.save()
    audit_record(institution=institution, actor=actor, action="role.created" if created else "role.changed", role=name)
    return role


@transaction.atomic
def role_archive(*, role, actor, archived=True) -> VolunteerRole:
    """An archived role gets no new shifts; its shifts and their history stay."""
    role.archived_at = timezone.now() if archived else None
    role.save(update_fields=["archived_at"])
    audit_record(
        institution=role.institution,
        actor=actor,
        action="role.archived" if archived else "role.restored",
        role=role.name,
    )
    return role


# The schedule -----------------------------------------------------------------------------------------


def local_zone(institution):
    return ZoneInfo(institution.time_zone)


def shift_times(shift, day):
    """Start and end of the shift on `day`, in the institution's time zone. A shift ending at or
    before its start time ends the next day (a night shift)."""
    zone = local_zone(shift.institution)
    starts_at = datetime.combine(day, shift.start_time, tzinfo=zone)
    ends_on = day if shift.end_time > shift.start_time else day + timedelta(days=1)
    return starts_at, datetime.combine(ends_on, shift.end_time, tzinfo=zone)


def scheduled_dates(shift, *, start, end):
    """The dates in [start, end] on which the shift happens by its schedule."""
    first = max(start, shift.starts_on)
    last = min(end, shift.until) if shift.until else end
    if shift.repeat == Shift.Repeat.ONCE:
        return [shift.starts_on] if first <= shift.starts_on <= last else []
    days = {int(digit) for digit in shift.weekdays}
    return [
        first + timedelta(days=offset)
        for offset in range((last - first).days + 1)
        if (first + timedelta(days=offset)).weekday() in days
    ]


def _today(institution):
    return timezone.localdate(timezone=local_zone(institution))


def _horizon(institution):
    return _today(institution) + timedelta(weeks=SCHEDULE_WEEKS)


def occurrences_extend(shift, *, until=None) -> int:
    """Make the dates of the shift from today up to the horizon that do not exist yet. Idempotent:
    existing dates (skipped ones too) are left as they are."""
    if shift.ended_at is not None:
        return 0
    dates = scheduled_dates(shift, start=_today(shift.institution), end=until or _horizon(shift.institution))
    new = []
    for day in dates:
        starts_at, ends_at = shift_times(shift, day)
        new.append(
            ShiftOccurrence(institution=shift.institution, shift=shift, date=day, starts_at=starts_at, ends_at=ends_at)
        )
    before = ShiftOccurrence.objects.filter(shift=shift).count()
    ShiftOccurrence.objects.bulk_create(new, ignore_conflicts=True)
    return ShiftOccurrence.objects.filter(shift=shift).count() - before


def _clean_schedule(institution, fields):
    role = fields["role"]
    if role.institution_id != institution.pk:
        raise ValidationError(_("Choose a role of this institution."))
    lead = fields.get("lead")
    if (
        lead is not None
        and not Membership.objects.filter(institution=institution, user=lead, status=Membership.Status.ACTIVE).exists()
    ):
        raise ValidationError(_("The shift lead must be a member of this institution."))
    if fields["repeat"] == Shift.Repeat.WEEKLY:
        weekdays = "".join(sorted(set(fields.get("weekdays") or "")))
        if not weekdays or any(digit not in WEEKDAYS for digit in weekdays):
            raise ValidationError(_("Choose the days of the week the shift happens."))
        fields["weekdays"] = weekdays
    else:
        fields["weekdays"] = ""
        fields["until"] = None
    if fields.get("until") and fields["until"] < fields["starts_on"]:
        raise ValidationError(_("The last date cannot be before the first."))
    if fields["start_time"] == fields["end_time"]:
        raise ValidationError(_("The shift must end at a different time than it starts."))
    if fields["max_people"] < fields["min_people"]:
        raise ValidationError(_("There must be at least as many places as people needed."))
    return fields


@transaction.atomic
def shift_create(*, institution, actor, **fields) -> Shift:
    """Create a shift and its dates up to the horizon."""
    fields = _clean_schedule(institution, fields)
    if fields["starts_on"] < _today(institution):
        raise ValidationError(_("The first date cannot be in the past."))
    if fields["role"].archived_at is not None:
        raise ValidationError(_("This role is archived: restore it before adding shifts."))
    shift = Shift(institution=institution, created_by=actor, **fields)
    shift.full_clean()
    shift.save()
    occurrences_extend(shift)
    audit_record(institution=institution, actor=actor, action="shift.created", role=shift.role.name, place=shift.place)
    return shift


@transaction.atomic
def shift_update(*, shift, actor, **fields) -> Shift:
    """Change a shift. Dates already past keep what happened; upcoming dates follow the new schedule:
    new days are added, days no longer in it are skipped (their sign-ups are told), and new times
    apply to the dates that stay."""
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    institution = shift.institution
    fields = _clean_schedule(institution, fields)
    for name, value in fields.items():
        setattr(shift, name, value)
    shift.full_clean()
    shift.save()
    now = timezone.now()
    upcoming = ShiftOccurrence.objects.filter(shift=shift, starts_at__gt=now, cancelled_at__isnull=True)
    wanted = set(scheduled_dates(shift, start=_today(institution), end=_horizon(institution)))
    dropped = []
    for occurrence in upcoming:
        if occurrence.date not in wanted:
            dropped.append(occurrence)
            continue
        starts_at, ends_at = shift_times(shift, occurrence.date)
        if (starts_at, ends_at) != (occurrence.starts_at, occurrence.ends_at):
            occurrence.starts_at, occurrence.ends_at = starts_at, ends_at
            occurrence.sequence += 1
            occurrence.save(update_fields=["starts_at", "ends_at", "sequence"])
    for occurrence in dropped:
        _skip(occurrence, reason=_("The shift's schedule changed."))
    occurrences_extend(shift)
    audit_record(institution=institution, actor=actor, action="shift.changed", role=shift.role.name)
    return shift


@transaction.atomic
def shift_end(*, shift, actor) -> Shift:
    """Stop a shift: its upcoming dates are skipped and the people signed up are told."""
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.ended_at is not None:
        return shift
    shift.ended_at = timezone.now()
    shift.save(update_fields=["ended_at"])
    for occurrence in ShiftOccurrence.objects.filter(
        shift=shift, starts_at__gt=shift.ended_at, cancelled_at__isnull=True
    ):
        _skip(occurrence, reason=_("The shift has ended."))
    audit_record(institution=shift.institution, actor=actor, action="shift.ended", role=shift.role.name)
    return shift


def _skip(occurrence, *, reason):
    from .tasks_shifts import send_date_skipped

    occurrence.cancelled_at = timezone.now()
    occurrence.cancel_reason = reason[:300]
    occurrence.sequence += 1
    occurrence.save(update_fields=["cancelled_at", "cancel_reason", "sequence"])
    StandInRequest.objects.filter(occurrence=occurrence, taken_at__isnull=True, closed_at__isnull=True).update(
        closed_at=occurrence.cancelled_at
    )
    if occurrence.signups.filter(status=ShiftSignup.Status.ACTIVE).exists():
        send_date_skipped.enqueue(institution=occurrence.institution, occurrence_id=occurrence.pk)


@transaction.atomic
def occurrence_skip(*, occurrence, actor, reason="") -> ShiftOccurrence:
    """An exception in the schedule: the shift does not happen on this date."""
    occurrence = _lock(occurrence)
    if occurrence.cancelled_at is not None:
        raise ValidationError(_("This date is already skipped."))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("This date has already started: it can no longer be skipped."))
    _skip(occurrence, reason=reason.strip())
    audit_record(
        institution=occurrence.institution,
        actor=actor,
        action="shift.date_skipped",
        role=occurrence.shift.role.name,
        date=occurrence.date.isoformat(),
    )
    return occurrence


@transaction.atomic
def occurrence_restore(*, occurrence, actor) -> ShiftOccurrence:
    """Undo a skip. The people who were signed up stay signed up (they were told it was off)."""
    occurrence = _lock(occurrence)
    if occurrence.cancelled_at is None:
        raise ValidationError(_("This date is not skipped."))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("This date is past: it can no longer be restored."))
    if occurrence.shift.ended_at is not None:
        raise ValidationError(_("The shift has ended: its dates cannot be restored."))
    occurrence.cancelled_at, occurrence.cancel_reason = None, ""
    occurrence.sequence += 1
    occurrence.save(update_fields=["cancelled_at", "cancel_reason", "sequence"])
    audit_record(
        institution=occurrence.institution,
        actor=actor,
        action="shift.date_restored",
        role=occurrence.shift.role.name,
        date=occurrence.date.isoformat(),
    )
    return occurrence


# Signing up and cancelling ----------------------------------------------------------------------------


def _lock(occurrence):
    """The occurrence, locked: every change to who holds its places goes through this lock."""
    return (
        ShiftOccurrence.objects.select_for_update(of=("self",))
        .select_related("shift__role", "institution")
        .get(pk=occurrence.pk)
    )


def _active_count(occurrence):
    return ShiftSignup.objects.filter(occurrence=occurrence, status=ShiftSignup.Status.ACTIVE).count()


@transaction.atomic
def signup_take(*, occurrence, member) -> ShiftSignup:
    """Give the member a place on this date, if one is free. Fills the oldest open stand-in request."""
    occurrence = _lock(occurrence)
    institution = occurrence.institution
    if not Membership.objects.filter(institution=institution, user=member, status=Membership.Status.ACTIVE).exists():
        raise ValidationError(_("Only members can sign up for shifts."))
    if occurrence.cancelled_at is not None:
        raise ValidationError(_("This date is skipped: the shift does not happen then."))
    if occurrence.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started."))
    signup = ShiftSignup.objects.filter(occurrence=occurrence, member=member).first()
    if signup is not None and signup.status == ShiftSignup.Status.ACTIVE:
        raise ValidationError(_("You are already signed up for this shift."))
    if _active_count(occurrence) >= occurrence.shift.max_people:
        raise ValidationError(_("Sorry, this shift is full: someone took the last place just before you."))
    now = timezone.now()
    if signup is None:
        signup = ShiftSignup.objects.create(institution=institution, occurrence=occurrence, member=member)
    else:
        signup.status, signup.signed_up_at = ShiftSignup.Status.ACTIVE, now
        signup.cancelled_at, signup.late_cancel = None, False
        signup.save(update_fields=["status", "signed_up_at", "cancelled_at", "late_cancel"])
    stand_in = (
        StandInRequest.objects.filter(occurrence=occurrence, taken_at__isnull=True, closed_at__isnull=True)
        .exclude(cancelled__member=member)
        .order_by("created_at", "pk")
        .first()
    )
    if stand_in is not None:
        stand_in.taken_by, stand_in.taken_at = member, now
        stand_in.save(update_fields=["taken_by", "taken_at"])
    # A member who cancelled late and signs up again takes back their own place.
    StandInRequest.objects.filter(
        occurrence=occurrence, cancelled__member=member, taken_at__isnull=True, closed_at__isnull=True
    ).update(closed_at=now)
    return signup


@transaction.atomic
def stand_in_take(*, stand_in, member) -> ShiftSignup:
    """One tap on a stand-in request: the freed place, if it is still free."""
    stand_in = StandInRequest.objects.select_related("occurrence").get(pk=stand_in.pk)
    if not stand_in.is_open:
        raise ValidationError(_("Someone already stood in for this shift. Thank you all the same!"))
    if stand_in.cancelled.member_id == member.pk:
        raise ValidationError(_("This is the place you gave up: sign up again from the shift's page."))
    return signup_take(occurrence=stand_in.occurrence, member=member)


def is_late(occurrence, *, now=None):
    hours = settings_for(occurrence.institution).late_cancel_hours
    return occurrence.starts_at - (now or timezone.now()) < timedelta(hours=hours)


@transaction.atomic
def signup_cancel(*, signup, actor) -> ShiftSignup:
    """Give up a place. Close to the start, the others on the shift and the organizers are alerted
    and a stand-in request is posted."""
    from .tasks_shifts import send_stand_in_alert

    occurrence = _lock(signup.occurrence)
    signup = ShiftSignup.objects.get(pk=signup.pk)
    if signup.status != ShiftSignup.Status.ACTIVE:
        raise ValidationError(_("You are not signed up for this shift."))
    now = timezone.now()
    if occurrence.starts_at <= now:
        raise ValidationError(_("This shift has already started: tell the shift lead instead."))
    signup.status, signup.cancelled_at = ShiftSignup.Status.CANCELLED, now
    signup.late_cancel = occurrence.cancelled_at is None and is_late(occurrence, now=now)
    signup.save(update_fields=["status", "cancelled_at", "late_cancel"])
    if signup.late_cancel:
        stand_in, _created = StandInRequest.objects.update_or_create(
            cancelled=signup,
            defaults={
                "institution": occurrence.institution,
                "occurrence": occurrence,
                "created_at": now,
                "taken_by": None,
                "taken_at": None,
                "closed_at": None,
            },
        )
        send_stand_in_alert.enqueue(institution=occurrence.institution, stand_in_id=stand_in.pk)
        audit_record(
            institution=occurrence.institution,
            actor=actor,
            action="shift.late_cancel",
            role=occurrence.shift.role.name,
            date=occurrence.date.isoformat(),
        )
    return signup


# Attendance -------------------------------------------------------------------------------------------


def can_mark_attendance(membership, occurrence):
    if membership is None or not membership.is_active:
        return False
    return membership.is_organizer or occurrence.shift.lead_id == membership.user_id


@transaction.atomic
def attendance_mark(*, occurrence, actor, marks) -> int:
    """Record who came: `marks` maps sign-up ids to done / missed / excused. Only once the shift has
    started. A mark that replaces an earlier one leaves an audit entry with both. Returns the number
    of marks that changed."""
    occurrence = _lock(occurrence)
    if occurrence.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be marked once the shift has started."))
    allowed = set(ShiftSignup.Attendance.values)
    if any(value not in allowed for value in marks.values()):
        raise ValidationError(_("Mark each person as done, missed or excused."))
    signups = {
        signup.pk: signup
        for signup in ShiftSignup.objects.filter(
            occurrence=occurrence, pk__in=list(marks), status=ShiftSignup.Status.ACTIVE
        ).select_related("member")
    }
    if set(marks) - set(signups):
        raise ValidationError(_("Some of these people are not signed up for this shift."))
    now = timezone.now()
    changed = 0
    for pk, value in marks.items():
        signup = signups[pk]
        if signup.attendance == value:
            continue
        before = signup.attendance
        signup.attendance, signup.attendance_by, signup.attendance_at = value, actor, now
        signup.save(update_fields=["attendance", "attendance_by", "attendance_at"])
        changed += 1
        audit_record(
            institution=occurrence.institution,
            actor=actor,
            action="shift.attendance_corrected" if before else "shift.attendance_marked",
            role=occurrence.shift.role.name,
            date=occurrence.date.isoformat(),
            member=signup.member.display_name,
            before=before,
            after=value,
        )
    return changed


# Reads ------------------------------------------------------------------------------------------------


def get_role_or_404(institution, pk):
    return get_object_or_404(
        VolunteerRole.objects.select_related("institution", "procedure"), institution=institution, pk=pk
    )


def get_shift_or_404(institution, pk):
    return get_object_or_404(
        Shift.objects.select_related("institution", "role__procedure__current", "lead"), institution=institution, pk=pk
    )


def get_occurrence_or_404(institution, pk):
    return get_object_or_404(
        ShiftOccurrence.objects.select_related(
            "institution", "shift__role__procedure__current", "shift__lead", "shift__institution"
        ),
        institution=institution,
        pk=pk,
    )


def get_stand_in_or_404(institution, pk):
    return get_object_or_404(
        StandInRequest.objects.select_related("cancelled", "occurrence"), institution=institution, pk=pk
    )


def roles(institution):
    return (
        VolunteerRole.objects.filter(institution=institution)
        .select_related("procedure")
        .annotate(shift_count=Count("shifts", filter=Q(shifts__ended_at__isnull=True)))
    )


def with_counts(occurrences, user):
    """Occurrences with `taken` (active sign-ups) and `mine` (the user's active sign-up id or None)."""
    return occurrences.select_related("shift__role").annotate(
        taken=Count("signups", filter=Q(signups__status=ShiftSignup.Status.ACTIVE)),
        mine=Count("signups", filter=Q(signups__status=ShiftSignup.Status.ACTIVE, signups__member=user)),
    )


def upcoming(institution, user, *, days=14, limit=100):
    now = timezone.now()
    occurrences = ShiftOccurrence.objects.filter(
        institution=institution, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
    )
    return list(with_counts(occurrences, user).order_by("starts_at", "pk")[:limit])


def shift_dates(shift, user, *, limit=12):
    occurrences = ShiftOccurrence.objects.filter(shift=shift, ends_at__gt=timezone.now())
    return list(with_counts(occurrences, user).order_by("starts_at", "pk")[:limit])


def open_stand_ins(institution, *, limit=20):
    return list(
        StandInRequest.objects.filter(
            institution=institution,
            taken_at__isnull=True,
            closed_at__isnull=True,
            occurrence__starts_at__gt=timezone.now(),
        )
        .select_related("occurrence__shift__role", "cancelled__member")
        .order_by("occurrence__starts_at", "pk")[:limit]
    )


def signups_of(occurrence):
    return list(
        ShiftSignup.objects.filter(occurrence=occurrence, status=ShiftSignup.Status.ACTIVE)
        .select_related("member", "attendance_by")
        .order_by("signed_up_at", "pk")
    )


def my_shifts(institution, user, *, limit=50):
    """The member's places from today on, soonest first."""
    return list(
        ShiftSignup.objects.filter(
            institution=institution,
            member=user,
            status=ShiftSignup.Status.ACTIVE,
            occurrence__ends_at__gt=timezone.now(),
        )
        .select_related("occurrence__shift__role")
        .order_by("occurrence__starts_at", "pk")[:limit]
    )


def my_feed_shifts(institution, user, *, days_back=30, limit=500):
    """What goes in the member's calendar: their places from a month ago on (skipped dates too, so
    calendars drop them)."""
    return list(
        ShiftOccurrence.objects.filter(
            institution=institution,
            signups__member=user,
            signups__status=ShiftSignup.Status.ACTIVE,
            starts_at__gt=timezone.now() - timedelta(days=days_back),
        )
        .select_related("shift__role")
        .order_by("starts_at", "pk")[:limit]
    )


@dataclass
class MonthlyCounts:
    member: object
    months: list  # counts of shifts done, one per month in `month_starts`
    done: int
    missed: int
    excused: int
    late_cancels: int


def month_starts(institution, months):
    today = _today(institution)
    first = today.replace(day=1)
    starts = [first]
    for _index in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return list(reversed(starts))


def monthly_counts(institution, *, months=6):
    """Shifts done per member per month (by the shift's local date), with missed / excused / late
    cancellations over the same months: the numbers evaluation reads. One aggregate query plus the
    members."""
    starts = month_starts(institution, months)
    zone = local_zone(institution)
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=zone)
    rows = (
        ShiftSignup.objects.filter(institution=institution, occurrence__starts_at__gte=since)
        .annotate(month=TruncMonth("occurrence__starts_at", tzinfo=zone))
        .values("member_id", "month")
        .annotate(
            done=Count("pk", filter=Q(attendance=ShiftSignup.Attendance.DONE)),
            missed=Count("pk", filter=Q(attendance=ShiftSignup.Attendance.MISSED)),
            excused=Count("pk", filter=Q(attendance=ShiftSignup.Attendance.EXCUSED)),
            late=Count("pk", filter=Q(late_cancel=True)),
        )
    )
    by_member = {}
    for row in rows:
        month = timezone.localtime(row["month"], zone).date()
        by_member.setdefault(row["member_id"], {})[month] = row
    members = (
        Membership.objects.filter(institution=institution, user_id__in=list(by_member))
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    result = []
    for membership in members:
        months_of = by_member[membership.user_id]
        result.append(
            MonthlyCounts(
                member=membership.user,
                months=[months_of.get(start, {}).get("done", 0) for start in starts],
                done=sum(row["done"] for row in months_of.values()),
                missed=sum(row["missed"] for row in months_of.values()),
                excused=sum(row["excused"] for row in months_of.values()),
                late_cancels=sum(row["late"] for row in months_of.values()),
            )
        )
    result.sort(key=lambda counts: (-counts.done, str(counts.member)))
    return starts, result


def below_minimum(institution, *, days=7, limit=20):
    """Upcoming dates in the next `days` with fewer people than the shift needs."""
    now = timezone.now()
    occurrences = ShiftOccurrence.objects.filter(
        institution=institution,
        cancelled_at__isnull=True,
        starts_at__gt=now,
        starts_at__lt=now + timedelta(days=days),
    ).select_related("shift__role")
    counted = occurrences.annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignup.Status.ACTIVE)))
    return list(counted.filter(taken__lt=F("shift__min_people")).order_by("starts_at", "pk")[:limit])


def prefetch_signups():
    return Prefetch(
        "signups",
        queryset=ShiftSignup.objects.filter(status=ShiftSignup.Status.ACTIVE).select_related("member"),
        to_attr="active_signups",
    )
