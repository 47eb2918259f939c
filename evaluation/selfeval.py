"""Self-evaluations: rounds of the seven questions, answered by members and, through the round's
public link, by the community; results side by side, the gaps between the two, and the trend.

Averages are computed from sums and counts in the database and kept as Decimals (one decimal place).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.services import audit_record

from .models import SelfEvaluation, SelfEvaluationAnswer, SelfEvaluationResponse
from .models.selfeval import QUESTION_KEYS, QUESTIONS

MEMBER = SelfEvaluationResponse.Respondent.MEMBER
COMMUNITY = SelfEvaluationResponse.Respondent.COMMUNITY
# A difference this large between members and community is pointed out in words.
GAP = Decimal("1.0")
COMMENT_MAX = 2000
TREND_ROUNDS = 6

AUDIT_ACTIONS = {
    "selfeval.opened": gettext_lazy("%(actor)s opened the self-evaluation “%(title)s”"),
    "selfeval.closed": gettext_lazy("%(actor)s closed the self-evaluation “%(title)s”"),
}


# Writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(*, institution, actor, title, open_to_community=True) -> SelfEvaluation:
    """Open a round of the seven questions for members (and the community, if chosen)."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Give the self-evaluation a title."))
    evaluation = SelfEvaluation(
        institution=institution, title=title, open_to_community=open_to_community, created_by=actor
    )
    evaluation.full_clean()
    evaluation.save()
    audit_record(institution=institution, actor=actor, action="selfeval.opened", title=title)
    return evaluation


@transaction.atomic
def round_close(*, evaluation, actor) -> SelfEvaluation:
    """Close a round: no more answers, the public link shows a polite page."""
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status == SelfEvaluation.Status.CLOSED:
        raise ValidationError(_("This self-evaluation is already closed."))
    evaluation.status = SelfEvaluation.Status.CLOSED
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["status", "closed_at"])
    audit_record(institution=evaluation.institution, actor=actor, action="selfeval.closed", title=evaluation.title)
    return evaluation


def _clean_answers(answers):
    """answers: {question key: (rating, comment)} for all seven questions."""
    if set(answers) != set(QUESTION_KEYS):
        raise ValidationError(_("Answer all seven questions."))
    cleaned = {}
    for key, (rating, comment) in answers.items():
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValidationError(_("Rate each question from 1 to 5."))
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise ValidationError(_("Comments can be up to %(limit)s characters.") % {"limit": COMMENT_MAX})
        cleaned[key] = (rating, comment)
    return cleaned


@transaction.atomic
def answers_submit(*, evaluation, answers, member=None, language="") -> SelfEvaluationResponse:
    """Record one person's answers. A member has one response per round and may change it while the
    round is open; without `member` the answers are the community's (anonymous)."""
    answers = _clean_answers(answers)
    evaluation = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != SelfEvaluation.Status.OPEN:
        raise ValidationError(_("This self-evaluation is closed, so it no longer takes answers."))
    if member is None and not evaluation.open_to_community:
        raise ValidationError(_("This self-evaluation is for members only."))
    institution = evaluation.institution
    response = None
    if member is not None:
        response = SelfEvaluationResponse.objects.filter(evaluation=evaluation, member=member).first()
    if response is None:
        response = SelfEvaluationResponse.objects.create(
            institution=institution,
            evaluation=evaluation,
            respondent=MEMBER if member is not None else COMMUNITY,
            member=member,
            language=language[:10],
        )
    else:
        response.language, response.created_at = language[:10], timezone.now()
        response.save(update_fields=["language", "created_at"])
        response.answers.all().delete()
    SelfEvaluationAnswer.objects.bulk_create(
        SelfEvaluationAnswer(institution=institution, response=response, question=key, rating=rating, comment=comment)
        for key, (rating, comment) in answers.items()
    )
    return response


# Reads -------------------------------------------------------------------------------------------------


def get_selfeval_or_404(institution, pk):
    return get_object_or_404(SelfEvaluation.objects.select_related("institution"), institution=institution, pk=pk)


def get_public_selfeval_or_404(institution, token):
    """The round behind a public link; rounds not open to the community have no public page."""
    return get_object_or_404(
        SelfEvaluation.objects.select_related("institution"),
        institution=institution,
        public_token=token,
        open_to_community=True,
    )


def rounds_of(institution):
    """The rounds, newest first, with how many members and community members answered."""
    return (
        SelfEvaluation.objects.filter(institution=institution)
        .select_related("institution")
        .annotate(
            member_total=Count("responses", filter=Q(responses__respondent=MEMBER)),
            community_total=Count("responses", filter=Q(responses__respondent=COMMUNITY)),
        )
    )


def my_answers(evaluation, member):
    """{question key: (rating, comment)} the member gave in this round, or {}."""
    rows = SelfEvaluationAnswer.objects.filter(response__evaluation=evaluation, response__member=member)
    return {row.question: (row.rating, row.comment) for row in rows}


def _average(total, count):
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def gap_text(members, community):
    """Words for a difference of GAP or more between members and community, else ''."""
    if members is None or community is None:
        return ""
    if members - community >= GAP:
        return _("Members see this more rosily than the community does.")
    if community - members >= GAP:
        return _("The community sees this more favourably than members do.")
    return ""


def results(evaluation):
    """One row per question: the average and count of members and of the community, and the gap in
    words when they disagree. One query."""
    sums = (
        SelfEvaluationAnswer.objects.filter(response__evaluation=evaluation)
        .values("question", "response__respondent")
        .annotate(total=Sum("rating"), answers=Count("pk"))
        .order_by()
    )
    found = {(row["question"], row["response__respondent"]): row for row in sums}
    rows = []
    for key, text in QUESTIONS:
        groups = {}
        for group in (MEMBER, COMMUNITY):
            row = found.get((key, group), {"total": 0, "answers": 0})
            groups[group] = {"average": _average(row["total"], row["answers"]), "total": row["answers"]}
        rows.append(
            {
                "key": key,
                "text": text,
                "members": groups[MEMBER],
                "community": groups[COMMUNITY],
                "gap": gap_text(groups[MEMBER]["average"], groups[COMMUNITY]["average"]),
            }
        )
    return rows


def comments(evaluation):
    """{question key: {"members": [...], "community": [...]}}: the written comments, never with names.
    One query."""
    found = {key: {"members": [], "community": []} for key in QUESTION_KEYS}
    rows = (
        SelfEvaluationAnswer.objects.filter(response__evaluation=evaluation)
        .exclude(comment="")
        .order_by("response__created_at", "pk")
        .values_list("question", "response__respondent", "comment")
    )
    for question, respondent, comment in rows:
        found[question]["members" if respondent == MEMBER else "community"].append(comment)
    return found


def trend(institution, *, until=None, rounds=TREND_ROUNDS):
    """The last rounds (oldest first, up to `until`'s) and, per question, each round's member and
    community averages: (rounds, [{"text", "cells": [{"members", "community"}, ...]}]). Two queries."""
    chosen = SelfEvaluation.objects.filter(institution=institution)
    if until is not None:
        chosen = chosen.filter(Q(opened_at__lt=until.opened_at) | Q(opened_at=until.opened_at, pk__lte=until.pk))
    chosen = list(chosen.order_by("-opened_at", "-pk")[:rounds])[::-1]
    sums = (
        SelfEvaluationAnswer.objects.filter(response__evaluation__in=[evaluation.pk for evaluation in chosen])
        .values("response__evaluation", "question", "response__respondent")
        .annotate(total=Sum("rating"), answers=Count("pk"))
        .order_by()
    )
    found = defaultdict(lambda: None)
    for row in sums:
        found[(row["response__evaluation"], row["question"], row["response__respondent"])] = _average(
            row["total"], row["answers"]
        )
    table = [
        {
            "text": text,
            "cells": [
                {"members": found[(evaluation.pk, key, MEMBER)], "community": found[(evaluation.pk, key, COMMUNITY)]}
                for evaluation in chosen
            ],
        }
        for key, text in QUESTIONS
    ]
    return chosen, table


# For the health indicators ----------------------------------------------------------------------------


def last_self_evaluation(institution):
    """The latest round, open or closed, or None."""
    return SelfEvaluation.objects.filter(institution=institution).order_by("-opened_at", "-pk").first()


def community_last_asked(institution):
    """When the community last answered anything: a self-evaluation through its public link, a
    survey, or a consultation round. None if never. One query for each."""
    from consultation.models import ConsultationResponse
    from needs.models import Response

    latest = [
        SelfEvaluationResponse.objects.filter(institution=institution, respondent=COMMUNITY).aggregate(
            at=Max("created_at")
        )["at"],
        Response.objects.filter(institution=institution).aggregate(at=Max("submitted_at"))["at"],
        ConsultationResponse.objects.filter(
            round__institution=institution, group=ConsultationResponse.Group.COMMUNITY
        ).aggregate(at=Max("submitted_at"))["at"],
    ]
    latest = [moment for moment in latest if moment is not None]
    return max(latest) if latest else None
