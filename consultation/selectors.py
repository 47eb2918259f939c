"""Reads for consultation, aggregated in the database."""

from datetime import timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import OutreachEntry

WEEKS_SHOWN = 12


def outreach_entries(institution, limit=100):
    return (
        OutreachEntry.objects.filter(institution=institution).select_related("member").prefetch_related("needs")[:limit]
    )


def outreach_per_week(institution, weeks=WEEKS_SHOWN):
    """[(week start, conversations, people)] for the last `weeks` weeks that had any outreach."""
    since = timezone.localdate() - timedelta(weeks=weeks)
    rows = (
        OutreachEntry.objects.filter(institution=institution, happened_on__gte=since)
        .annotate(week=TruncWeek("happened_on"))
        .values("week")
        .annotate(entries=Count("pk"), people=Sum("people_count"))
        .order_by("-week")
    )
    return [(row["week"], row["entries"], row["people"]) for row in rows]


def outreach_per_member(institution):
    rows = (
        OutreachEntry.objects.filter(institution=institution)
        .values("member__name", "member__email")
        .annotate(entries=Count("pk"), people=Sum("people_count"))
        .order_by("-people", "member__email")
    )
    return [
        ((row["member__name"] or (row["member__email"] or "").split("@")[0]), row["entries"], row["people"])
        for row in rows
    ]


def outreach_evidence(need):
    """How often a need came up while asking around: conversations and people."""
    totals = OutreachEntry.objects.filter(needs=need).aggregate(entries=Count("pk"), people=Sum("people_count"))
    return {"entries": totals["entries"], "people": totals["people"] or 0}
