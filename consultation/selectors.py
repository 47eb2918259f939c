"""Reads for consultation, aggregated in the database."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, ExpressionWrapper, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import ConsultationResponse, ConsultationRound, NeedRating, OutreachEntry

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


def rounds_of(institution, limit=100):
    """The institution's consultation rounds, newest first, with how many needs and answers each has."""
    return (
        ConsultationRound.objects.filter(institution=institution)
        .annotate(need_count=Count("needs", distinct=True), answer_count=Count("responses", distinct=True))
        .order_by("-created_at", "-pk")[:limit]
    )


def get_round_or_404(institution, pk):
    return get_object_or_404(
        ConsultationRound.objects.select_related("institution", "created_by"), institution=institution, pk=pk
    )


def round_by_token_or_404(institution, token):
    """The round behind a public link. A draft is not there yet for the public: same 404 as a wrong link."""
    return get_object_or_404(
        ConsultationRound.objects.select_related("institution").exclude(status=ConsultationRound.Status.DRAFT),
        institution=institution,
        public_token=token,
    )


def round_needs(consultation_round):
    """The needs a round asks about, in a fixed order (the order people see them in)."""
    return list(consultation_round.needs.order_by("title", "pk"))


def answer_of(consultation_round, member):
    """A member's answer to a round as {need id: {"urgency", "rank", "dots"}}, or None if they have not answered."""
    rows = NeedRating.objects.filter(response__round=consultation_round, response__member=member).values(
        "need_id", "urgency", "rank", "dots", "response__submitted_at"
    )
    answer = {row["need_id"]: row for row in rows}
    return answer or None


@dataclass(frozen=True)
class GroupScore:
    """One group's verdict on one need."""

    answers: int
    urgency: float | None  # average, 1 to 5
    score: int  # Borda points (rank method: first place gets as many points as there are needs) or dots
    mean_rank: float | None  # average place, rank method only
    share: int = 0  # percent of the group's top score, for the bars


@dataclass(frozen=True)
class NeedResult:
    need: object
    scores: dict  # group ("member", "community", "all") -> GroupScore

    @property
    def together(self):
        return self.scores["all"]


@dataclass(frozen=True)
class RoundResults:
    rows: list  # NeedResult, best combined score first
    respondents: dict  # group -> number of answers

    def table(self, group):
        """[(need, GroupScore)] for one group, best first by that group's own score, for its table and bars."""
        scored = [(row.need, row.scores[group]) for row in self.rows]
        return sorted(scored, key=lambda pair: (-pair[1].score, -(pair[1].urgency or 0), pair[0].title))


GROUPS = ("member", "community", "all")


def _average(value):
    return None if value is None else round(float(value), 2)


def round_results(consultation_round):
    """Per need: answers, average urgency and score for members, the community and everyone together.

    All sums and averages are computed by the database in one grouped query; the rows come back
    ordered by the combined score, then by combined urgency.
    """
    need_count = consultation_round.needs.count()
    ratings = "consultation_ratings"
    in_round = Q(**{f"{ratings}__response__round": consultation_round})
    conditions = {
        "member": in_round & Q(**{f"{ratings}__response__group": ConsultationResponse.Group.MEMBER}),
        "community": in_round & Q(**{f"{ratings}__response__group": ConsultationResponse.Group.COMMUNITY}),
        "all": in_round,
    }
    if consultation_round.uses_ranks:
        # Borda points: first place earns `need_count` points, last place 1.
        points = ExpressionWrapper(Value(need_count + 1) - F(f"{ratings}__rank"), output_field=IntegerField())
    else:
        points = F(f"{ratings}__dots")
    annotations = {}
    for group, condition in conditions.items():
        annotations[f"{group}_answers"] = Count(f"{ratings}__pk", filter=condition)
        annotations[f"{group}_urgency"] = Avg(f"{ratings}__urgency", filter=condition)
        annotations[f"{group}_score"] = Coalesce(Sum(points, filter=condition), 0)
        annotations[f"{group}_mean_rank"] = Avg(f"{ratings}__rank", filter=condition)
    needs = consultation_round.needs.annotate(**annotations).order_by(
        F("all_score").desc(), F("all_urgency").desc(nulls_last=True), "title", "pk"
    )
    respondents = ConsultationResponse.objects.filter(round=consultation_round).aggregate(
        member=Count("pk", filter=Q(group=ConsultationResponse.Group.MEMBER)),
        community=Count("pk", filter=Q(group=ConsultationResponse.Group.COMMUNITY)),
        all=Count("pk"),
    )
    needs = list(needs)
    top = {group: max((getattr(need, f"{group}_score") for need in needs), default=0) for group in GROUPS}
    rows = [
        NeedResult(
            need=need,
            scores={
                group: GroupScore(
                    answers=getattr(need, f"{group}_answers"),
                    urgency=_average(getattr(need, f"{group}_urgency")),
                    score=getattr(need, f"{group}_score"),
                    mean_rank=_average(getattr(need, f"{group}_mean_rank")),
                    share=round(100 * getattr(need, f"{group}_score") / top[group]) if top[group] else 0,
                )
                for group in GROUPS
            },
        )
        for need in needs
    ]
    return RoundResults(rows=rows, respondents=respondents)
