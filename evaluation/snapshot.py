"""The numbers the health indicators need, read from every app in a fixed number of queries.

`take_snapshot(institution)` is the only place evaluation reads other apps' records for the health
page and the digest; the indicators themselves (evaluation/indicators/) are pure functions of the
Snapshot. Each query aggregates in the database, so the cost does not grow with years of data.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.utils import timezone

from decisions.models import Ballot, Proposal
from institutions.models import Membership
from logistics.models import ShiftOccurrence, ShiftSignup, SupplyItem, SupportLine, Task
from logistics.procedures import unread_share
from meetings.models import RSVP, Meeting
from meetings.selectors import attendance_per_meeting
from needs.models import Need

from . import checkins, grievances, incidents, logs, selfeval
from .indicators.cooptation import RECENT_DAYS
from .models import Incident

WINDOW = timedelta(weeks=8)  # "lately", compared with the 8 weeks before
WORK_WINDOW = timedelta(weeks=12)
HOURS_WINDOW = timedelta(days=30)
HALF_YEAR = timedelta(days=182)
# Hours a task of each effort stands for, when comparing the work given with the hours offered.
EFFORT_HOURS = {1: 2, 2: 5, 3: 10}
AFFILIATION_SPLIT = re.compile(r"[,;\n]+")


@dataclass
class Snapshot:
    today: date
    age_days: int
    active_members: int
    active_member_ids: list = field(default_factory=list)
    # Momentum
    attendance_recent: list = field(default_factory=list)
    attendance_before: list = field(default_factory=list)
    joined_recent: int = 0
    joined_before: int = 0
    rsvps_recent: int = 0
    rsvps_before: int = 0
    feel_recent: float | None = None
    feel_before: float | None = None
    # Burnout
    work: dict = field(default_factory=dict)
    hours_given: dict = field(default_factory=dict)
    stated_hours: dict = field(default_factory=dict)
    low_energy: int = 0
    # Logistics
    unclaimed_tasks: int = 0
    overdue_tasks: int = 0
    unfilled_support: int = 0
    short_shifts: int = 0
    procedures_unread: int = 0
    low_supplies: int = 0
    # Change
    days_since_self_evaluation: int | None = None
    days_since_change: int | None = None
    metrics_unviewed: int = 0
    not_consulted: int | None = None
    # Cooptation
    recent_votes: list = field(default_factory=list)
    affiliations: dict = field(default_factory=dict)
    outside_org_proposals: int = 0
    # Conflicts, hostility
    open_grievances: list = field(default_factory=list)
    incidents_recent: dict = field(default_factory=dict)
    incident_kinds_recent: list = field(default_factory=list)
    incidents_before: int = 0
    # Self-serving
    proposals_recent: int = 0
    proposals_for_needs: int = 0
    tasks_recent: int = 0
    tasks_for_needs: int = 0
    days_since_community_asked: int | None = None


def _local_day(moment, zone):
    return timezone.localtime(moment, zone).date() if isinstance(moment, datetime) else moment


def _days_since(moment, today, zone):
    return None if moment is None else (today - _local_day(moment, zone)).days


def take_snapshot(institution, now=None):
    now = now or timezone.now()
    zone = ZoneInfo(institution.time_zone)
    today = timezone.localtime(now, zone).date()
    recent, before = now - WINDOW, now - 2 * WINDOW
    members = list(
        Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE).values_list(
            "user_id", "joined_at", "affiliations"
        )
    )
    snapshot = Snapshot(
        today=today,
        age_days=(today - _local_day(institution.created_at, zone)).days,
        active_members=len(members),
        active_member_ids=[user_id for user_id, _joined, _affiliations in members],
    )
    _momentum(snapshot, institution, now, recent, before)
    _burnout(snapshot, institution, now)
    _check_ins(snapshot, institution, today)
    _logistics(snapshot, institution, now)
    _change(snapshot, institution, now, zone)
    _cooptation(snapshot, institution, now, members)
    _conflicts_and_hostility(snapshot, institution, now, recent, before, zone)
    _self_serving(snapshot, institution, now, zone)
    return snapshot


def _momentum(snapshot, institution, now, recent, before):
    for row in attendance_per_meeting(institution, before, now):
        people = row["members"] + row["guests"]
        (snapshot.attendance_recent if row["starts_at"] >= recent else snapshot.attendance_before).append(people)
    joined = Membership.objects.filter(institution=institution).aggregate(
        recent=Count("pk", filter=Q(joined_at__gte=recent, joined_at__lt=now)),
        before=Count("pk", filter=Q(joined_at__gte=before, joined_at__lt=recent)),
    )
    snapshot.joined_recent, snapshot.joined_before = joined["recent"], joined["before"]
    rsvps = RSVP.objects.filter(institution=institution).aggregate(
        recent=Count("pk", filter=Q(created_at__gte=recent, created_at__lt=now)),
        before=Count("pk", filter=Q(created_at__gte=before, created_at__lt=recent)),
    )
    snapshot.rsvps_recent, snapshot.rsvps_before = rsvps["recent"], rsvps["before"]


def _burnout(snapshot, institution, now):
    since = now - WORK_WINDOW
    work = Counter()
    for owner_id, total in (
        Task.objects.filter(institution=institution, status=Task.Status.DONE, done_at__gte=since, owner__isnull=False)
        .values_list("owner_id")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        work[owner_id] += total
    done = ShiftSignup.objects.filter(
        institution=institution, attendance=ShiftSignup.Attendance.DONE, occurrence__starts_at__gte=since
    )
    for member_id, total in done.values_list("member_id").annotate(total=Count("pk")).order_by():
        work[member_id] += total
    for author_id, total in logs.log_entries_by_author(institution, since).items():
        work[author_id] += total
    snapshot.work = dict(work)
    hours = Counter()
    month = now - HOURS_WINDOW
    for member_id, starts_at, ends_at in done.filter(occurrence__starts_at__gte=month).values_list(
        "member_id", "occurrence__starts_at", "occurrence__ends_at"
    ):
        hours[member_id] += (ends_at - starts_at).total_seconds() / 3600
    for owner_id, effort, total in (
        Task.objects.filter(institution=institution, status=Task.Status.DONE, done_at__gte=month, owner__isnull=False)
        .values_list("owner_id", "effort")
        .annotate(total=Count("pk"))
        .order_by()
    ):
        hours[owner_id] += EFFORT_HOURS.get(effort, 2) * total
    snapshot.hours_given = dict(hours)


def _check_ins(snapshot, institution, today):
    rhythm = checkins.settings_for(institution).check_in_rhythm
    period = checkins.current_period(institution, today, rhythm=rhythm)
    if period is None:
        return  # check-ins are off: nothing to read, nobody counted as not consulted
    averages = checkins.check_in_averages(institution, periods=2, today=today, rhythm=rhythm)
    feels = [float(feel) if feel is not None else None for _period, _answered, feel, _energy in averages]
    snapshot.feel_recent = feels[-1] if feels else None
    snapshot.feel_before = feels[-2] if len(feels) > 1 else None
    snapshot.low_energy = checkins.low_energy_count(institution, period)
    snapshot.stated_hours = checkins.stated_hours(institution)
    snapshot.not_consulted = len(checkins.not_consulted(institution, today))


def _logistics(snapshot, institution, now):
    today = snapshot.today
    tasks = Task.objects.filter(institution=institution, status__in=Task.ACTIVE).aggregate(
        unclaimed=Count("pk", filter=Q(owner__isnull=True)),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    snapshot.unclaimed_tasks, snapshot.overdue_tasks = tasks["unclaimed"], tasks["overdue"]
    snapshot.unfilled_support = SupportLine.objects.filter(
        institution=institution,
        active=True,
        volunteer__isnull=True,
        meeting__status=Meeting.Status.PLANNED,
        meeting__starts_at__gte=now,
        meeting__starts_at__lt=now + timedelta(days=14),
    ).count()
    snapshot.short_shifts = (
        ShiftOccurrence.objects.filter(
            institution=institution,
            cancelled_at__isnull=True,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=7),
        )
        .annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignup.Status.ACTIVE)))
        .filter(taken__lt=F("shift__min_people"))
        .count()
    )
    snapshot.procedures_unread = sum(
        1 for share in unread_share(institution) if share.total and share.read * 2 < share.total
    )
    snapshot.low_supplies = SupplyItem.objects.filter(
        SupplyItem.low_condition(), institution=institution, archived_at__isnull=True
    ).count()


def _change(snapshot, institution, now, zone):
    last_evaluation = selfeval.last_self_evaluation(institution)
    snapshot.days_since_self_evaluation = _days_since(
        last_evaluation.opened_at if last_evaluation else None, snapshot.today, zone
    )
    change = logs.last_change(institution)
    snapshot.days_since_change = _days_since(change.made_on if change else None, snapshot.today, zone)
    snapshot.metrics_unviewed = len(logs.metrics_never_viewed(institution, now - WINDOW))


def affiliation_counts(declared):
    """How many members named each organization (case and spacing ignored), from the free-text field."""
    counts = Counter()
    for text in declared:
        names = {" ".join(part.split()).casefold() for part in AFFILIATION_SPLIT.split(text or "")}
        counts.update(name for name in names if name)
    return dict(counts)


def _cooptation(snapshot, institution, now, members):
    newcomers = [
        user_id for user_id, joined_at, _affiliations in members if joined_at >= now - timedelta(days=RECENT_DAYS)
    ]
    if len(newcomers) >= 2:
        # Open ballots (the Ballot table) only: secret ballots are kept elsewhere and never read here.
        votes = Ballot.objects.filter(
            proposal__institution=institution,
            proposal__created_at__gte=now - timedelta(days=365),
            voter_id__in=newcomers,
        ).values_list("voter_id", "proposal_id", "choice")
        snapshot.recent_votes = [
            (voter_id, proposal_id, json.dumps(choice, sort_keys=True)) for voter_id, proposal_id, choice in votes
        ]
    snapshot.affiliations = affiliation_counts(affiliations for _user, _joined, affiliations in members)
    snapshot.outside_org_proposals = Proposal.objects.filter(
        institution=institution, about_outside_organization=True, created_at__gte=now - HALF_YEAR
    ).count()


def _conflicts_and_hostility(snapshot, institution, now, recent, before, zone):
    snapshot.open_grievances = [(age, status) for _pk, age, status in grievances.open_grievances(institution)]
    recent_kinds = incidents.incidents_since(institution, _local_day(recent, zone))
    both = incidents.incidents_since(institution, _local_day(before, zone))
    labels = dict(Incident.Kind.choices)
    snapshot.incidents_recent = recent_kinds
    snapshot.incident_kinds_recent = [
        (str(labels.get(kind, kind)), total) for kind, total in sorted(recent_kinds.items())
    ]
    snapshot.incidents_before = sum(both.values()) - sum(recent_kinds.values())


def _self_serving(snapshot, institution, now, zone):
    since = now - HALF_YEAR
    need_type = ContentType.objects.get_for_model(Need)
    proposals = Proposal.objects.filter(institution=institution, created_at__gte=since).aggregate(
        total=Count("pk"), for_needs=Count("pk", filter=Q(concerns_type=need_type))
    )
    snapshot.proposals_recent, snapshot.proposals_for_needs = proposals["total"], proposals["for_needs"]
    tasks = Task.objects.filter(institution=institution, created_at__gte=since).aggregate(
        total=Count("pk"), for_needs=Count("pk", filter=Q(need__isnull=False))
    )
    snapshot.tasks_recent, snapshot.tasks_for_needs = tasks["total"], tasks["for_needs"]
    snapshot.days_since_community_asked = _days_since(selfeval.community_last_asked(institution), snapshot.today, zone)
