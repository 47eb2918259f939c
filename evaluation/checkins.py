"""Member check-ins: the periods, answering (with a follow-up task when asked), the evaluation
settings, and the reads for the pages and the health indicators.

A period is named by its first day in the institution's local calendar: the 1st of each month
(monthly) or of January, April, July and October (quarterly). With check-ins off there is no period.
Answers are private to the member and the organizers; everyone else sees only the aggregates of
periods that at least AGGREGATE_MINIMUM people answered.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.models import Membership
from institutions.services import audit_record

from .models import CheckIn, EvaluationSettings

Rhythm = EvaluationSettings.Rhythm
MONTHS_PER_PERIOD = {Rhythm.MONTHLY: 1, Rhythm.QUARTERLY: 3}
# Fewer answers than this in a period and its averages are hidden: with two, each could guess the other's.
AGGREGATE_MINIMUM = 3
TREND_PERIODS = 12
FOLLOW_UP_DAYS = 7
ANSWER_FIELDS = ("feel", "energy", "hours", "rather_doing", "suggestion", "wants_follow_up")

AUDIT_ACTIONS = {
    "evaluation.settings_changed": gettext_lazy(
        "%(actor)s changed the evaluation settings (check-ins: %(check_in_rhythm)s)"
    ),
}


def rhythm_label(code):
    return Rhythm(code).label if code in Rhythm.values else code


AUDIT_VALUE_LABELS = {"check_in_rhythm": rhythm_label}


# Settings -------------------------------------------------------------------------------------------------


def settings_for(institution):
    """The institution's evaluation settings, or the defaults (unsaved) if it never changed them."""
    found = EvaluationSettings.objects.filter(institution=institution).first()
    return found or EvaluationSettings(institution=institution)


@transaction.atomic
def settings_update(*, institution, actor, check_in_rhythm, digest_weekday, digest_hour) -> EvaluationSettings:
    """Save the check-in rhythm and the digest's day and local hour (made on first save); audited."""
    saved = EvaluationSettings(
        institution=institution,
        check_in_rhythm=check_in_rhythm,
        digest_weekday=digest_weekday,
        digest_hour=digest_hour,
    )
    saved.full_clean(validate_unique=False)
    EvaluationSettings.objects.update_or_create(
        institution=institution,
        defaults={"check_in_rhythm": check_in_rhythm, "digest_weekday": digest_weekday, "digest_hour": digest_hour},
    )
    audit_record(
        institution=institution,
        actor=actor,
        action="evaluation.settings_changed",
        check_in_rhythm=check_in_rhythm,
        digest_weekday=str(digest_weekday),
        digest_hour=str(digest_hour),
    )
    return saved


# Periods --------------------------------------------------------------------------------------------------


def local_today(institution):
    return timezone.localdate(timezone=ZoneInfo(institution.time_zone))


def period_containing(day, rhythm) -> date:
    months = MONTHS_PER_PERIOD[rhythm]
    return date(day.year, 1 + (day.month - 1) // months * months, 1)


def period_after(start, rhythm) -> date:
    month = start.month - 1 + MONTHS_PER_PERIOD[rhythm]
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_before(start, rhythm) -> date:
    month = start.month - 1 - MONTHS_PER_PERIOD[rhythm]
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start, rhythm) -> date:
    """The period's last day."""
    return period_after(start, rhythm) - timedelta(days=1)


def periods_up_to(start, rhythm, total) -> list:
    """`total` periods ending with the one starting on `start`, oldest first."""
    found = [start]
    while len(found) < total:
        found.append(period_before(found[-1], rhythm))
    return found[::-1]


def current_period(institution, today=None, *, rhythm=None):
    """The first day of the institution's current check-in period (its local date), or None when off."""
    rhythm = rhythm or settings_for(institution).check_in_rhythm
    if rhythm == Rhythm.OFF:
        return None
    return period_containing(today or local_today(institution), rhythm)


def local_midnight(institution, day):
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(institution.time_zone))


# Who is asked ---------------------------------------------------------------------------------------------


def active_memberships(institution):
    return Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE)


def due_members(institution, today=None, *, rhythm=None) -> list:
    """Active members who have not answered the current period's check-in (nobody when check-ins are off)."""
    period = current_period(institution, today, rhythm=rhythm)
    if period is None:
        return []
    answered = CheckIn.objects.filter(institution=institution, period_start=period).values("member")
    return [
        membership.user
        for membership in active_memberships(institution)
        .exclude(user__in=answered)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]


# Answering ------------------------------------------------------------------------------------------------


def follow_up_task_create(*, check_in, member):
    """An unclaimed task for an organizer to take, due in a week. It says nothing of the answers."""
    from logistics.services import task_create

    return task_create(
        institution=check_in.institution,
        author=member,
        title=_("Follow up with %(name)s after their check-in") % {"name": member.display_name[:150]},
        description=_(
            "%(name)s asked for someone to follow up with them after their check-in. An organizer can read "
            "their answers on the check-in answers page."
        )
        % {"name": member.display_name},
        owner=None,
        step="evaluation",
        due_on=local_today(check_in.institution) + timedelta(days=FOLLOW_UP_DAYS),
    )


@transaction.atomic
def check_in_save(*, institution, member, today=None, **answers) -> CheckIn:
    """Save the member's check-in for the current period (a second save edits the same one). Ticking
    "follow up" makes one task for an organizer; unticking later keeps it, saving again makes no other."""
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not a check-in answer: {sorted(unknown)}")
    period = current_period(institution, today)
    if period is None:
        raise ValidationError(_("Check-ins are switched off in this institution."))
    if not active_memberships(institution).filter(user=member).exists():
        raise ValidationError(_("Only an active member of the institution can check in."))
    check_in = _locked_check_in(institution, member, period)
    for name, value in answers.items():
        setattr(check_in, name, value.strip() if isinstance(value, str) else value)
    check_in.updated_at = timezone.now()
    check_in.full_clean(exclude=["institution", "member", "follow_up_task"], validate_constraints=False)
    if check_in.wants_follow_up and check_in.follow_up_task_id is None:
        check_in.follow_up_task = follow_up_task_create(check_in=check_in, member=member)
    check_in.save()
    return check_in


def _locked_check_in(institution, member, period):
    """This period's check-in, locked for the rest of the transaction (made, empty, if there is none).
    Two saves at once: one makes the row, the other waits for it and edits it."""
    found = CheckIn.objects.select_for_update().filter(institution=institution, member=member, period_start=period)
    check_in = found.first()
    if check_in is not None:
        return check_in
    try:
        with transaction.atomic():
            return CheckIn.objects.create(institution=institution, member=member, period_start=period, feel=3, energy=3)
    except IntegrityError:
        return found.get()


# Reads for the pages --------------------------------------------------------------------------------------


def my_check_in(institution, member, period):
    if period is None:
        return None
    return CheckIn.objects.filter(institution=institution, member=member, period_start=period).first()


def my_past_check_ins(institution, member, before, limit=TREND_PERIODS):
    found = CheckIn.objects.filter(institution=institution, member=member)
    if before is not None:
        found = found.exclude(period_start=before)
    return list(found.order_by("-period_start")[:limit])


def get_member_or_404(institution, user_pk):
    """A person who is or was a member of this institution (organizers read their check-in history)."""
    # user__pk, not user_id: Django answers "no match" for an id beyond the column's range only through
    # the pk's own lookup; the raw foreign-key column overflowed (a 500 for /members/<40 digits>/).
    return get_object_or_404(Membership.objects.select_related("user"), institution=institution, user__pk=user_pk)


def member_history(institution, user):
    return list(
        CheckIn.objects.filter(institution=institution, member=user)
        .select_related("follow_up_task__owner")
        .order_by("-period_start")
    )


def period_answers(institution, period):
    """Every answer in a period with the member's name (for organizers only), and who has not answered."""
    answers = list(
        CheckIn.objects.filter(institution=institution, period_start=period)
        .select_related("member", "follow_up_task__owner")
        .order_by("member__name", "member__email")
    )
    answered = {answer.member_id for answer in answers}
    missing = [
        membership.user
        for membership in active_memberships(institution).select_related("user").order_by("user__name", "user__email")
        if membership.user_id not in answered
    ]
    return answers, missing


@dataclass
class PeriodResult:
    """One period's aggregate, without names. Averages are None when hidden or when nobody answered."""

    start: date
    end: date
    answered: int
    members: int
    feel: Decimal | None
    energy: Decimal | None

    @property
    def hidden(self):
        return 0 < self.answered < AGGREGATE_MINIMUM

    @property
    def shown(self):
        return self.answered >= AGGREGATE_MINIMUM


def _average(total, answered):
    if not answered:
        return None
    return (Decimal(total) / Decimal(answered)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def check_in_averages(institution, periods=6, *, today=None, rhythm=None) -> list:
    """(period_start, answered, feel_avg, energy_avg) for the last `periods` periods up to the current one,
    oldest first; the answers are read in one query (plus the settings, unless `rhythm` is given).
    Averages are Decimals to one place, None for a period nobody answered. With check-ins off: the last
    periods anyone answered."""
    rhythm = rhythm or settings_for(institution).check_in_rhythm
    grouped = (
        CheckIn.objects.filter(institution=institution)
        .values("period_start")
        .annotate(answered=Count("pk"), feel=Sum("feel"), energy=Sum("energy"))
    )
    if rhythm == Rhythm.OFF:
        rows = list(grouped.order_by("-period_start")[:periods])
        sums = {row["period_start"]: (row["answered"], row["feel"], row["energy"]) for row in reversed(rows)}
    else:
        starts = periods_up_to(current_period(institution, today, rhythm=rhythm), rhythm, periods)
        sums = dict.fromkeys(starts, (0, 0, 0))
        # An answer from a period of another rhythm (the rhythm changed since) counts in the period holding it.
        for row in grouped.filter(period_start__gte=starts[0]).order_by():
            start = period_containing(row["period_start"], rhythm)
            if start in sums:
                answered, feel, energy = sums[start]
                sums[start] = (answered + row["answered"], feel + row["feel"], energy + row["energy"])
    return [
        (start, answered, _average(feel, answered), _average(energy, answered))
        for start, (answered, feel, energy) in sums.items()
    ]


def group_results(institution, rhythm, total=TREND_PERIODS, today=None) -> list:
    """The group's trend for the members' page: PeriodResult per period, oldest first, from the first period
    anyone answered, with the number of members each period had. Two queries whatever the size (one when
    nobody answered yet); none when check-ins are off."""
    averages = check_in_averages(institution, total, today=today, rhythm=rhythm) if rhythm != Rhythm.OFF else []
    while averages and not averages[0][1]:  # start at the first period anyone answered
        averages.pop(0)
    if not averages:
        return []
    bounds = []
    for start, *_rest in averages:
        end = period_end(start, rhythm)
        bounds.append((start, end, local_midnight(institution, start), local_midnight(institution, end + timedelta(1))))
    # Members in each period: joined before it ended and not gone before it began (one aggregate query).
    memberships = Membership.objects.filter(institution=institution)
    counts = memberships.aggregate(
        **{
            f"p{index}": Count(
                "pk",
                filter=Q(joined_at__lt=until)
                & (Q(status=Membership.Status.ACTIVE) | Q(left_at__isnull=False, left_at__gte=since)),
            )
            for index, (_start, _end, since, until) in enumerate(bounds)
        }
    )
    results = []
    for index, (start, answered, feel, energy) in enumerate(averages):
        shown = answered >= AGGREGATE_MINIMUM
        results.append(
            PeriodResult(
                start=start,
                end=bounds[index][1],
                answered=answered,
                members=max(counts[f"p{index}"], answered),
                feel=feel if shown else None,
                energy=energy if shown else None,
            )
        )
    return results


# Reads for the health indicators ----------------------------------------------------------------------------


def low_energy_count(institution, period=None) -> int:
    """How many active members gave their energy as 1 or 2 in the period (default: the current one; with
    check-ins off, the latest period anyone answered)."""
    if period is None:
        period = current_period(institution)
    if period is None:
        period = (
            CheckIn.objects.filter(institution=institution)
            .order_by("-period_start")
            .values_list("period_start", flat=True)
            .first()
        )
    if period is None:
        return 0
    return CheckIn.objects.filter(
        institution=institution,
        period_start=period,
        energy__lte=2,
        member__in=active_memberships(institution).values("user"),
    ).count()


def stated_hours(institution) -> dict:
    """{user_id: hours} for each active member, from their latest check-in that states hours. One query."""
    latest = (
        CheckIn.objects.filter(institution=institution, member=OuterRef("user"), hours__isnull=False)
        .order_by("-period_start")
        .values("hours")[:1]
    )
    rows = (
        active_memberships(institution)
        .annotate(hours=Subquery(latest, output_field=IntegerField()))
        .filter(hours__isnull=False)
        .values_list("user_id", "hours")
    )
    return dict(rows)


def not_consulted(institution, today=None) -> list:
    """Active members with no check-in in the current period or the one before, who were members when
    that earlier period began (newcomers have not had two chances yet). Empty when check-ins are off."""
    settings = settings_for(institution)
    period = current_period(institution, today, rhythm=settings.check_in_rhythm)
    if period is None:
        return []
    previous = period_before(period, settings.check_in_rhythm)
    consulted = CheckIn.objects.filter(institution=institution, period_start__gte=previous).values("member")
    return [
        membership.user
        for membership in active_memberships(institution)
        .filter(joined_at__lt=local_midnight(institution, previous))
        .exclude(user__in=consulted)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]
