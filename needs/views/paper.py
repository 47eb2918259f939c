"""Surveys on paper: a printable copy to hand out, and a fast screen for typing the answers back in."""

import copy

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import selectors, services
from ..answering import SurveyAnswerForm
from ..models import Question, Response, Survey

# Ruled lines left for a written answer on paper.
TEXT_LINES = {Question.Kind.SHORT_TEXT: 2, Question.Kind.LONG_TEXT: 6}
DEFAULT_DIGITS = 6


def paper_language(request, survey):
    """The language asked for (`lang` in the form or the link) when the survey is offered in it, else
    the survey's base language."""
    offered = [code for code, _name in survey.offered_languages()]
    asked = request.POST.get("lang") or request.GET.get("lang")
    return asked if asked in offered else survey.base_language


def digit_count(question):
    """How many boxes a number answer needs: enough for the largest number allowed."""
    bounds = [value for value in (question.min_value, question.max_value) if value is not None]
    if not bounds:
        return DEFAULT_DIGITS
    return max(len(str(value)) for value in bounds)


def paper_questions(questions, language):
    """Each question with what the printed copy shows: its number, texts, choices, writing space and
    the condition ("only if you answered … to question N")."""
    numbers = {question.pk: number for number, question in enumerate(questions, start=1)}
    blocks = []
    for question in questions:
        condition = None
        if question.show_if_choice_id:
            trigger = question.show_if_choice
            condition = {"answer": trigger.text_in("text", language), "number": numbers[trigger.question_id]}
        blocks.append(
            {
                "question": question,
                "number": numbers[question.pk],
                "text": question.text_in("text", language),
                "help": question.text_in("help_text", language),
                "choices": [choice.text_in("text", language) for choice in question.choices.all()],
                "other": question.allow_other and question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE),
                "lines": range(TEXT_LINES.get(question.kind, 0)),
                "digits": range(digit_count(question)) if question.kind == Question.Kind.NUMBER else (),
                "condition": condition,
            }
        )
    return blocks


@tenant_access(MEMBER)
@require_safe
def survey_print(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    language = paper_language(request, survey)
    questions = selectors.questions_of(survey)
    with translation.override(language):
        return render(
            request,
            "needs/paper.html",
            {
                "survey": survey,
                "language": language,
                "language_name": dict(survey.offered_languages()).get(language, language),
                "languages": survey.offered_languages(),
                "title": survey.text_in("title", language),
                "intro": survey.text_in("intro", language),
                "blocks": paper_questions(questions, language),
                "public_url": request.build_absolute_uri(survey.public_path()),
            },
        )


class FirstOptionFocus:
    """A radio or checkbox list that puts `autofocus` on its first option only (one per page)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if index == 0 and subindex is None:
            option["attrs"] = {**option["attrs"], "autofocus": True}
        return option


class FocusedRadioSelect(FirstOptionFocus, forms.RadioSelect):
    pass


class FocusedCheckboxSelectMultiple(FirstOptionFocus, forms.CheckboxSelectMultiple):
    pass


FOCUSED_WIDGETS = {forms.RadioSelect: FocusedRadioSelect, forms.CheckboxSelectMultiple: FocusedCheckboxSelectMultiple}


def focus_first_input(form):
    """Put the cursor in the first answer, so typing can start as soon as the page loads."""
    names = [name for question in form.questions for name in form.field_names_of(question)]
    if not names:
        return
    # The form's own copy: its fields are shared with other forms of the same questions (answering.py).
    field = form.fields[names[0]] = copy.deepcopy(form.fields[names[0]])
    focused = FOCUSED_WIDGETS.get(type(field.widget))
    if focused is None:
        field.widget.attrs["autofocus"] = True
    else:
        field.widget = focused(attrs=field.widget.attrs, choices=field.widget.choices)


def typed_in_counts(survey, user):
    """How many paper responses `user` typed in for `survey`: today and in all."""
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Response.objects.filter(survey=survey, channel=Response.Channel.PAPER, entered_by=user).aggregate(
        today=Count("pk", filter=Q(submitted_at__gte=start_of_day)), total=Count("pk")
    )


def paper_number(response):
    """The response's place among the survey's paper responses (1, 2, ...), to write on the sheet."""
    return Response.objects.filter(
        survey_id=response.survey_id, channel=Response.Channel.PAPER, pk__lte=response.pk
    ).count()


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def survey_entry(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    if survey.status == Survey.Status.DRAFT:
        messages.error(request, _("This survey is still a draft: open it before typing in paper answers."))
        return redirect(survey.get_absolute_url())
    language = paper_language(request, survey)
    form = SurveyAnswerForm(
        posted_data(request),
        survey=survey,
        questions=selectors.questions_of(survey),
        language=language,
        paper=True,
        enforce=(),
    )
    if request.method == "POST":
        if form.is_valid() and not form.answers():
            form.add_error(None, _("Nothing was typed in. Fill in at least one answer before saving."))
        if form.is_valid():
            response = services.response_submit(
                survey=survey,
                language=language,
                answers=form.answers(),
                channel=Response.Channel.PAPER,
                entered_by=request.user,
            )
            messages.success(
                request,
                _("Response %(number)s saved — type in the next one.") % {"number": paper_number(response)},
            )
            entry_url = reverse("needs:survey_entry", kwargs={"institution_slug": survey.institution.slug, "pk": pk})
            return redirect(f"{entry_url}?lang={language}")
    else:
        focus_first_input(form)
    blocks = form.question_blocks()
    for number, block in enumerate(blocks, start=1):
        # The same numbers as on the printed copy, so the typist can follow the sheet.
        block["label"] = f"{number}. {block['label']}"
    return render(
        request,
        "needs/entry.html",
        {
            "survey": survey,
            "form": form,
            "blocks": blocks,
            "language": language,
            "languages": survey.offered_languages(),
            "title": survey.text_in("title", language),
            "counts": typed_in_counts(survey, request.user),
        },
        status=400 if form.errors else 200,
    )
