"""Reads for logistics: task lists, a member's work, the institution's load board and meeting support."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, StringAgg, Subquery, Sum, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from institutions.models import Membership

from .models import SupportLine, Task

# Open effort points at which someone is flagged, whatever the others carry.
OVERLOAD_POINTS = 8
# ... or, with fewer points, when they carry more than this many times the average (and at least
# OVERLOAD_FLOOR points: one small task is no overload, however idle everyone else is).
OVERLOAD_FACTOR = 2
OVERLOAD_FLOOR = 4

FILTERS = ("open", "mine", "unclaimed", "done")


def get_task_or_404(institution, pk):
    return get_object_or_404(
        Task.objects.select_related("institution", "owner", "created_by", "meeting", "need"),
        institution=institution,
        pk=pk,
    )


def task_list(institution, user, show):
    tasks = Task.objects.filter(institution=institution).select_related("owner")
    if show == "mine":
        return tasks.filter(owner=user, status__in=Task.ACTIVE)
    if show == "unclaimed":
        return tasks.filter(owner__isnull=True, status__in=Task.ACTIVE)
    if show == "done":
        return tasks.filter(status=Task.Status.DONE).order_by("-done_at", "-pk")
    return tasks.filter(status__in=Task.ACTIVE)


def my_work(institution, user):
    """A member's unfinished tasks, soonest due first (undated last)."""
    return Task.objects.filter(institution=institution, owner=user, status__in=Task.ACTIVE).select_related(
        "meeting", "need"
    )


@dataclass
class Load:
    user: object  # None for the unclaimed row
    open_tasks: int
    effort: int
    overloaded: bool = False


def board(institution):
    """One row per active member with their open tasks and effort points, heaviest first, and the
    unclaimed tasks apart. Two queries whatever the size: the loads grouped by owner, the members."""
    totals = {
        row["owner"]: (row["open_tasks"], row["effort"] or 0)
        for row in Task.objects.filter(institution=institution, status__in=Task.ACTIVE)
        .values("owner")
        .annotate(open_tasks=Count("pk"), effort=Sum("effort"))
        .order_by()
    }
    members = Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE).select_related("user")
    rows = [Load(membership.user, *totals.get(membership.user_id, (0, 0))) for membership in members]
    average = sum(row.effort for row in rows) / len(rows) if rows else 0
    for row in rows:
        row.overloaded = row.effort >= OVERLOAD_POINTS or (
            row.effort >= OVERLOAD_FLOOR and row.effort > OVERLOAD_FACTOR * average
        )
    rows.sort(key=lambda row: (-row.effort, -row.open_tasks, row.user.display_name.lower(), row.user.pk))
    unclaimed = Load(None, *totals.get(None, (0, 0)))
    return rows, unclaimed, average


def get_support_line_or_404(meeting, pk):
    return get_object_or_404(SupportLine.objects.select_related("institution", "volunteer"), meeting=meeting, pk=pk)


def filled_support_keys():
    """A meeting annotation: the keys of its support lines that have a volunteer, one per line. Lets the
    meeting page count unfilled lines without a query of its own."""
    lines = SupportLine.objects.filter(meeting=OuterRef("pk"), volunteer__isnull=False).order_by()
    return Subquery(lines.values("meeting").annotate(keys=StringAgg("key", delimiter=Value("\n"))).values("keys"))


def unfilled_support_count(meeting, summary=None) -> int:
    """How many of the meeting's support lines still need a volunteer, counted against its current RSVPs
    (so right even before the checklist page has synced). No query when the meeting was fetched with
    `filled_support_keys()` and its support summary is passed in."""
    from .services import support_lines_for

    wanted = support_lines_for(meeting, summary)
    if hasattr(meeting, "filled_support_keys"):
        filled = set((meeting.filled_support_keys or "").split("\n"))
    else:
        filled = SupportLine.objects.filter(meeting=meeting, key__in=wanted, volunteer__isnull=False)
        filled = set(filled.values_list("key", flat=True))
    return len(wanted.keys() - filled)


def upcoming_unfilled_support(institution, limit=50):
    """The unfilled support lines of the institution's upcoming planned meetings, soonest first (one query)."""
    from meetings.models import Meeting

    return (
        SupportLine.objects.filter(
            institution=institution,
            active=True,
            volunteer__isnull=True,
            meeting__status=Meeting.Status.PLANNED,
            meeting__starts_at__gte=timezone.now(),
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id", "position", "pk")[:limit]
    )


def settings_for(institution):
    """The institution's logistics settings, or the defaults (unsaved) if it never changed them."""
    from .models import LogisticsSettings

    found = LogisticsSettings.objects.filter(institution=institution).first()
    return found or LogisticsSettings(institution=institution)
