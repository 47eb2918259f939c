"""The institution's timeline: one chronological list built from what happened in every app.

Nothing is stored for it. Each kind of event has one function that makes ONE query, ordered newest
first and limited to what the requested page needs. A page of PAGE_SIZE events starting at `offset`
can only hold rows from the first `offset + PAGE_SIZE` of each source, so each source is read with
that limit (plus one row, to know whether an older page exists), the sorted sources are merged with
`heapq.merge` and the page is sliced out. The number of queries per page is constant (one per kind,
at most) and the rows read are bounded by kinds × (offset + PAGE_SIZE + 1); pages past MAX_PAGE are
not served, so a hostile `?page=` cannot make us read everything.

The merged prefix also holds every event newer than the page's oldest one, so the "then" counts
after a quiet stretch come from rows already read, with no extra query.
"""

import heapq
from collections import Counter
from datetime import timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from decisions.models import Proposal
from evaluation.models import Change, SelfEvaluation
from institutions.models import Membership
from meetings.models import Meeting
from needs.models import Need, Survey

from . import goals

PAGE_SIZE = 50
MAX_PAGE = 400
# Two events further apart than this have a "quiet stretch" shown between them.
QUIET_DAYS = 60
# After a quiet stretch, how many months of what followed are summed up.
FOLLOWING_MONTHS = 3


class Event(NamedTuple):
    """One line of the timeline. `total` counts what the line stands for (people who joined in a month)."""

    on: object  # a date, in the institution's time zone
    kind: str
    title: str
    url: str
    note: str = ""
    total: int = 1


# kind -> (label in the filter, plural phrase for the "then" counts)
KINDS = {
    "founded": (pgettext_lazy("timeline kind", "Founding"), None),
    "needs": (
        pgettext_lazy("timeline kind", "Needs"),
        lambda total: ngettext("%(total)s need identified", "%(total)s needs identified", total),
    ),
    "focus": (
        pgettext_lazy("timeline kind", "Focus"),
        lambda total: ngettext("%(total)s focus chosen", "%(total)s focuses chosen", total),
    ),
    "meetings": (
        pgettext_lazy("timeline kind", "Meetings"),
        lambda total: ngettext("%(total)s meeting", "%(total)s meetings", total),
    ),
    "decisions": (
        pgettext_lazy("timeline kind", "Decisions"),
        lambda total: ngettext("%(total)s decision", "%(total)s decisions", total),
    ),
    "changes": (
        pgettext_lazy("timeline kind", "Changes"),
        lambda total: ngettext("%(total)s change made", "%(total)s changes made", total),
    ),
    "milestones": (
        pgettext_lazy("timeline kind", "Milestones"),
        lambda total: ngettext("%(total)s milestone reached", "%(total)s milestones reached", total),
    ),
    "members": (
        pgettext_lazy("timeline kind", "New members"),
        lambda total: ngettext("%(total)s new member", "%(total)s new members", total),
    ),
    "surveys": (
        pgettext_lazy("timeline kind", "Surveys"),
        lambda total: ngettext("%(total)s survey opened", "%(total)s surveys opened", total),
    ),
    "selfevals": (
        pgettext_lazy("timeline kind", "Self-evaluations"),
        lambda total: ngettext("%(total)s self-evaluation", "%(total)s self-evaluations", total),
    ),
}
ALL = "all"
ALL_LABEL = gettext_lazy("Everything")


def _local(institution):
    zone = ZoneInfo(institution.time_zone)
    return lambda moment: timezone.localtime(moment, zone).date()


def _url(institution, name, **kwargs):
    return reverse(name, kwargs={"institution_slug": institution.slug, **kwargs})


# One function per kind: each makes at most one query and yields Events newest first. -----------------


def founded(institution, limit):
    """The institution's creation (already loaded: no query)."""
    if limit < 1:
        return []
    title = _("%(name)s was founded") % {"name": institution.name}
    return [
        Event(_local(institution)(institution.created_at), "founded", title, _url(institution, "institutions:home"))
    ]


def needs_identified(institution, limit):
    local = _local(institution)
    rows = Need.objects.filter(institution=institution).order_by("-created_at", "-pk")
    return [
        Event(
            local(created_at),
            "needs",
            _("Need identified: %(title)s") % {"title": title},
            _url(institution, "needs:detail", pk=pk),
        )
        for pk, title, created_at in rows.values_list("pk", "title", "created_at")[:limit]
    ]


def focus_chosen(institution, limit):
    """A need became the focus when a proposal to choose it passed (`Need.focus_chosen_at`)."""
    local = _local(institution)
    rows = Need.objects.filter(institution=institution, focus_chosen_at__isnull=False).order_by(
        "-focus_chosen_at", "-pk"
    )
    return [
        Event(
            local(chosen_at),
            "focus",
            _("Focus chosen: %(title)s") % {"title": title},
            _url(institution, "needs:detail", pk=pk),
        )
        for pk, title, chosen_at in rows.values_list("pk", "title", "focus_chosen_at")[:limit]
    ]


def meetings_held(institution, limit):
    local = _local(institution)
    rows = Meeting.objects.filter(institution=institution, status=Meeting.Status.HELD).order_by("-starts_at", "-pk")
    return [
        Event(
            local(starts_at),
            "meetings",
            _("Meeting held: %(title)s") % {"title": title},
            _url(institution, "meetings:detail", pk=pk),
        )
        for pk, title, starts_at in rows.values_list("pk", "title", "starts_at")[:limit]
    ]


def decisions_taken(institution, limit):
    """Closed proposals with their outcome; withdrawn ones were never decided."""
    local = _local(institution)
    outcomes = dict(Proposal.Outcome.choices)
    rows = (
        Proposal.objects.filter(institution=institution, status=Proposal.Status.CLOSED, closed_at__isnull=False)
        .exclude(outcome=Proposal.Outcome.WITHDRAWN)
        .order_by("-closed_at", "-pk")
    )
    return [
        Event(
            local(closed_at),
            "decisions",
            _("Decision: %(title)s") % {"title": title},
            _url(institution, "decisions:detail", pk=pk),
            note=str(outcomes.get(outcome, "")),
        )
        for pk, title, outcome, closed_at in rows.values_list("pk", "title", "outcome", "closed_at")[:limit]
    ]


def changes_made(institution, limit):
    """Changes have no page of their own: each links to the list of changes."""
    url = _url(institution, "evaluation:changes")
    rows = Change.objects.filter(institution=institution).order_by("-made_on", "-pk")
    return [
        Event(made_on, "changes", _("Change made: %(title)s") % {"title": title}, url)
        for title, made_on in rows.values_list("title", "made_on")[:limit]
    ]


def milestones_reached(institution, limit):
    """Reached milestones (the goals part's selector), each linking to its goal's page."""
    rows = goals.milestones_reached(institution).values_list("title", "reached_on", "goal_id", "goal__title")
    return [
        Event(
            reached_on,
            "milestones",
            _("Milestone reached: %(title)s") % {"title": title},
            _url(institution, "followthrough:goal", pk=goal_pk),
            note=_("on the way to “%(goal)s”") % {"goal": goal_title},
        )
        for title, reached_on, goal_pk, goal_title in rows[:limit]
    ]


def members_joined(institution, limit):
    """People who joined, counted per month (in the institution's time zone): one line per month."""
    local = _local(institution)
    url = _url(institution, "institutions:members")
    rows = (
        Membership.objects.filter(institution=institution)
        .annotate(month=TruncMonth("joined_at", tzinfo=ZoneInfo(institution.time_zone)))
        .values("month")
        .annotate(total=Count("pk"), last=Max("joined_at"))
        .order_by("-month")
    )
    events = []
    for row in rows[:limit]:
        month = local(row["last"])
        title = ngettext(
            "%(total)s person joined in %(month)s", "%(total)s people joined in %(month)s", row["total"]
        ) % {"total": row["total"], "month": _month_name(month)}
        events.append(Event(month, "members", title, url, total=row["total"]))
    return events


def surveys_opened(institution, limit):
    local = _local(institution)
    rows = Survey.objects.filter(institution=institution, opened_at__isnull=False).order_by("-opened_at", "-pk")
    return [
        Event(
            local(opened_at),
            "surveys",
            _("Survey opened: %(title)s") % {"title": title},
            _url(institution, "needs:survey", pk=pk),
        )
        for pk, title, opened_at in rows.values_list("pk", "title", "opened_at")[:limit]
    ]


def selfevals_held(institution, limit):
    local = _local(institution)
    rows = SelfEvaluation.objects.filter(institution=institution).order_by("-opened_at", "-pk")
    return [
        Event(
            local(opened_at),
            "selfevals",
            _("Self-evaluation: %(title)s") % {"title": title},
            _url(institution, "evaluation:selfeval", pk=pk),
        )
        for pk, title, opened_at in rows.values_list("pk", "title", "opened_at")[:limit]
    ]


SOURCES = {
    "founded": founded,
    "needs": needs_identified,
    "focus": focus_chosen,
    "meetings": meetings_held,
    "decisions": decisions_taken,
    "changes": changes_made,
    "milestones": milestones_reached,
    "members": members_joined,
    "surveys": surveys_opened,
    "selfevals": selfevals_held,
}


def _month_name(day):
    return date_format(day, "YEAR_MONTH_FORMAT")


# The page --------------------------------------------------------------------------------------------


def clean_kind(value):
    return value if value in SOURCES and value != "founded" else ALL


def clean_page(value):
    """A page number from the query string: anything that is not a whole number from 1 is page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def merged_events(institution, kind, limit):
    """The newest `limit` events of one kind (or of all kinds), newest first."""
    sources = SOURCES.values() if kind == ALL else [SOURCES[kind]]
    ordered = heapq.merge(*(source(institution, limit) for source in sources), key=lambda event: event.on, reverse=True)
    return list(ordered)[:limit]


class QuietStretch(NamedTuple):
    months: int
    following: str  # "5 meetings, 2 decisions" in the months after it, or ""


class TimelinePage(NamedTuple):
    kind: str
    number: int
    blocks: list  # [("month", first day, [Event, ...]) | ("quiet", QuietStretch)]
    has_older: bool
    beyond_end: bool


def _following(events, start):
    """What happened from `start` through the FOLLOWING_MONTHS after it, as a phrase."""
    end = start + timedelta(days=round(FOLLOWING_MONTHS * 30.44))
    totals = Counter()
    for event in events:
        if start <= event.on < end:
            totals[event.kind] += event.total
    phrases = [
        KINDS[kind][1](totals[kind]) % {"total": totals[kind]} for kind in KINDS if totals[kind] and KINDS[kind][1]
    ]
    return ", ".join(phrases)


def timeline_page(institution, *, kind=ALL, page=1):
    """One page of the timeline: events grouped by month (newest first), with quiet stretches between."""
    kind, page = clean_kind(kind), clean_page(page)
    if page > MAX_PAGE:
        return TimelinePage(kind, page, [], False, True)
    offset = (page - 1) * PAGE_SIZE
    events = merged_events(institution, kind, offset + PAGE_SIZE + 1)
    shown = events[offset : offset + PAGE_SIZE]
    blocks = []
    for index, event in enumerate(shown, start=offset):
        newer = events[index - 1] if index > 0 else None
        if newer is not None and (newer.on - event.on).days > QUIET_DAYS:
            months = max(2, round((newer.on - event.on).days / 30.44))
            blocks.append(("quiet", QuietStretch(months, _following(events[:index], newer.on))))
        month = event.on.replace(day=1)
        if not blocks or blocks[-1][0] != "month" or blocks[-1][1] != month:
            blocks.append(("month", month, []))
        blocks[-1][2].append(event)
    return TimelinePage(kind, page, blocks, len(events) > offset + PAGE_SIZE, not shown and page > 1)


def filters():
    """The filter links: everything, then each kind one can pick."""
    return [(ALL, ALL_LABEL)] + [(kind, label) for kind, (label, _phrase) in KINDS.items() if kind != "founded"]
