"""The weekly health digest: the indicators (and which changed status since last week), the week's
numbers, meetings still missing support, check-ins due, and one suggested action.

`digest_for(institution)` computes it (also for the organizers' preview); `record_week` keeps each
indicator's status for the week so next week's digest can say what changed.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone, translation

from decisions.models import Ballot, SecretBallot
from institutions.models import Membership
from logistics.models import ShiftOccurrence, ShiftSignup, SupportLine, Task
from meetings.models import Meeting
from needs.models import Response
from notifications.models import MailPreference

from . import checkins
from .indicators import evaluate
from .indicators.base import STATUS_ORDER
from .models import HealthStatus
from .snapshot import take_snapshot

WEEK = timedelta(days=7)


def week_of(institution, now=None):
    """The Monday (local date) of the week `now` falls in: a digest's week."""
    today = timezone.localtime(now or timezone.now(), ZoneInfo(institution.time_zone)).date()
    return today - timedelta(days=today.weekday())


@dataclass
class Numbers:
    attendance: int = 0
    meetings: int = 0
    tasks_done: int = 0
    shifts: int = 0
    shifts_covered: int = 0
    votes: int = 0
    survey_responses: int = 0


@dataclass
class Digest:
    week: object
    snapshot: object
    previous: dict  # last week's status per indicator
    results: list
    changed: list = field(default_factory=list)  # (result, previous status) for indicators that moved
    numbers: Numbers = field(default_factory=Numbers)
    meetings_missing_support: list = field(default_factory=list)  # (meeting, unfilled lines)
    check_ins_due: int | None = None
    suggestion: str = ""

    @property
    def attention(self):
        return [result for result in self.results if result.needs_attention]


def week_numbers(institution, now):
    since = now - WEEK
    numbers = Numbers()
    held = Meeting.objects.filter(
        institution=institution, status=Meeting.Status.HELD, starts_at__gte=since, starts_at__lt=now
    ).annotate(present=Count("attendance"))
    for present, guests in held.values_list("present", "guests_count"):
        numbers.meetings += 1
        numbers.attendance += present + guests
    numbers.tasks_done = Task.objects.filter(
        institution=institution, status=Task.Status.DONE, done_at__gte=since
    ).count()
    shifts = (
        ShiftOccurrence.objects.filter(
            institution=institution, cancelled_at__isnull=True, starts_at__gte=since, starts_at__lt=now
        )
        .annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignup.Status.ACTIVE)))
        .values_list("taken", "shift__min_people")
    )
    for taken, needed in shifts:
        numbers.shifts += 1
        numbers.shifts_covered += taken >= needed
    # Secret ballots carry no time (so they cannot be matched to voters): they count in the week their
    # vote closed.
    numbers.votes = (
        Ballot.objects.filter(proposal__institution=institution, cast_at__gte=since).count()
        + SecretBallot.objects.filter(proposal__institution=institution, proposal__closed_at__gte=since).count()
    )
    numbers.survey_responses = Response.objects.filter(institution=institution, submitted_at__gte=since).count()
    return numbers


def meetings_missing_support(institution, now, limit=5):
    rows = (
        SupportLine.objects.filter(
            institution=institution,
            active=True,
            volunteer__isnull=True,
            meeting__status=Meeting.Status.PLANNED,
            meeting__starts_at__gte=now,
            meeting__starts_at__lt=now + timedelta(days=14),
        )
        .values("meeting_id", "meeting__title", "meeting__starts_at")
        .annotate(unfilled=Count("pk"))
        .order_by("meeting__starts_at", "meeting_id")[:limit]
    )
    return list(rows)


def check_ins_due(institution, today):
    """How many members still owe this period's check-in (None when check-ins are off)."""
    if checkins.current_period(institution, today) is None:
        return None
    return len(checkins.due_members(institution, today))


def digest_for(institution, now=None):
    now = now or timezone.now()
    week = week_of(institution, now)
    snapshot = take_snapshot(institution, now)
    results = evaluate(snapshot)
    previous = dict(
        HealthStatus.objects.filter(institution=institution, week=week - WEEK).values_list("indicator", "status")
    )
    digest = Digest(
        week=week,
        snapshot=snapshot,
        previous=previous,
        results=results,
        numbers=week_numbers(institution, now),
        meetings_missing_support=meetings_missing_support(institution, now),
        check_ins_due=check_ins_due(institution, snapshot.today),
    )
    _explain(digest)
    return digest


def _explain(digest):
    digest.changed = [
        (result, digest.previous[result.key])
        for result in digest.results
        if result.key in digest.previous and digest.previous[result.key] != result.status
    ]
    worst = max(digest.results, key=lambda result: STATUS_ORDER[result.status])
    digest.suggestion = worst.responses[0] if worst.needs_attention and worst.responses else ""


def in_language(digest, language):
    """The same digest with its words in `language` (the numbers are read once for everyone)."""
    with translation.override(language):
        localized = replace(digest, results=evaluate(digest.snapshot))
        _explain(localized)
    return localized


def record_week(institution, digest):
    """Keep this week's statuses (once: a rerun of the week changes nothing)."""
    HealthStatus.objects.bulk_create(
        [
            HealthStatus(
                institution=institution,
                week=digest.week,
                indicator=result.key,
                status=result.status,
                value=str(result.value)[:100],
            )
            for result in digest.results
        ],
        ignore_conflicts=True,
    )


def recipients(institution):
    """Organizers (unless they turned the digest off) and members who asked for it."""
    members = Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE).select_related("user")
    asked = set(
        MailPreference.objects.filter(
            institution=institution, kind=MailPreference.Kind.DIGEST, enabled=True
        ).values_list("user_id", flat=True)
    )
    declined = set(
        MailPreference.objects.filter(
            institution=institution, kind=MailPreference.Kind.DIGEST, enabled=False
        ).values_list("user_id", flat=True)
    )
    return [
        membership.user
        for membership in members.order_by("user_id")
        if (membership.is_organizer and membership.user_id not in declined) or membership.user_id in asked
    ]


def status_history(institution, weeks=8):
    """{indicator: [(week, status label), ...] oldest first} of the statuses the digest recorded over
    the last `weeks` weeks: each sign's trend. One query."""
    from .indicators.base import STATUS_LABELS

    since = week_of(institution) - timedelta(weeks=weeks)
    history = {}
    for indicator, week, status in (
        HealthStatus.objects.filter(institution=institution, week__gte=since)
        .order_by("week")
        .values_list("indicator", "week", "status")
    ):
        history.setdefault(indicator, []).append((week, STATUS_LABELS.get(status, status)))
    return history
