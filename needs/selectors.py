"""Reads for needs."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.shortcuts import get_object_or_404

from dualpower.public_pages import cached_for

from .models import Choice, Need, Question, Survey, Theme


def needs_of(institution, status=None):
    needs = Need.objects.filter(institution=institution)
    return needs.filter(status=status) if status else needs


def get_need_or_404(institution, pk):
    return get_object_or_404(Need.objects.select_related("created_by", "institution"), institution=institution, pk=pk)


def proposals_about(need):
    """Proposals that concern this need (e.g. to choose it as the focus), newest first."""
    from decisions.models import Proposal

    return Proposal.objects.filter(concerns_type=ContentType.objects.get_for_model(Need), concerns_id=need.pk).order_by(
        "-created_at"
    )[:20]


def surveys_of(institution):
    return Survey.objects.filter(institution=institution).annotate(response_count=Count("responses"))


def get_survey_or_404(institution, pk):
    return get_object_or_404(Survey.objects.select_related("institution"), institution=institution, pk=pk)


def get_open_survey_by_token_or_404(institution, token):
    """The survey behind a public link. Drafts do not exist for the public; closed ones say so."""
    return get_object_or_404(
        Survey.objects.select_related("institution").exclude(status=Survey.Status.DRAFT),
        institution=institution,
        token=token,
    )


def public_survey_or_404(institution, token):
    """The survey behind a public link with its questions, as the answering pages need them: read
    once and shared by every visitor while nothing in the institution but survey answers changes (an
    organizer's edit or closing the survey is a change: nobody answers from an old copy). Each web
    process keeps them unpickled: callers read them and never change them."""

    def read():
        survey = get_open_survey_by_token_or_404(institution, token)
        return survey, questions_of(survey)

    return cached_for(institution, f"public-survey:2:{token}", read, ignores_participation=True, in_process=True)


def questions_of(survey):
    """The survey's questions in order, with what answering and building them needs."""
    return list(
        Question.objects.filter(survey=survey)
        .select_related("show_if_choice__question")
        .prefetch_related("choices")
        .order_by("position", "pk")
    )


def get_question_or_404(survey, pk):
    return get_object_or_404(Question.objects.select_related("show_if_choice"), survey=survey, pk=pk)


def survey_evidence(need):
    """What surveys say about a need: how many people picked it in "which needs matter most"
    questions, and how many written answers carry a theme that became this need."""
    picked = (
        Choice.objects.filter(need=need)
        .select_related("question__survey")
        .annotate(people=Count("answers__response", distinct=True))
        .order_by("-people", "pk")
    )
    themes = (
        Theme.objects.filter(need=need)
        .select_related("survey")
        .annotate(answer_count=Count("answers"), people=Count("answers__response", distinct=True))
        .order_by("-answer_count", "pk")
    )
    return {"picked": list(picked[:20]), "themes": list(themes[:20])}
