"""Building and running needs surveys: members see them, organizers change them."""

import copy
import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from dualpower.views import message_refusal
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import selectors, services
from ..forms import QuestionForm, SurveyDeleteForm, SurveyForm
from ..models import Choice, Need, Question, Survey, SurveyContact


@tenant_access(MEMBER)
@require_safe
def survey_list(request):
    return render(
        request,
        "needs/surveys.html",
        {"step": STEPS_BY_APP["needs"], "surveys": selectors.surveys_of(request.institution)[:100]},
    )


@tenant_access(ORGANIZER)
def survey_new(request):
    institution = request.institution
    form = SurveyForm(posted_data(request), instance=Survey(base_language=institution.default_language))
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        survey = services.survey_create(institution=institution, author=request.user, **fields)
        services.survey_update(survey=survey, actor=request.user, translations=form.translations())
        messages.success(request, _("The survey is ready for questions. Add them below, then open it."))
        return redirect(survey.get_absolute_url())
    return render(request, "needs/survey_form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(MEMBER)
@require_safe
def survey_detail(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    questions = selectors.questions_of(survey)
    return render(
        request,
        "needs/survey.html",
        {
            "survey": survey,
            "questions": questions,
            "kinds": Question.Kind.choices,
            "response_count": survey.responses.count(),
            "public_url": request.build_absolute_uri(survey.public_path()),
        },
    )


@tenant_access(ORGANIZER)
def survey_edit(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    form = SurveyForm(posted_data(request), instance=copy.copy(survey))
    if request.method == "POST" and form.is_valid():
        services.survey_update(
            survey=survey, actor=request.user, translations=form.translations(), **form.service_fields()
        )
        messages.success(request, _("The survey is updated."))
        return redirect(survey.get_absolute_url())
    return render(
        request, "needs/survey_form.html", {"form": form, "survey": survey}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
@require_POST
def survey_status(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    action = request.POST.get("action")
    change = {"open": services.survey_open, "close": services.survey_close}.get(action)
    if change is None:
        messages.error(request, _("Choose whether to open or close the survey."))
        return redirect(survey.get_absolute_url())
    try:
        change(survey=survey, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        if action == "open":
            messages.success(request, _("The survey is open. Share the link or print the QR code."))
        else:
            messages.success(request, _("The survey is closed. Its link now says so politely."))
    return redirect(survey.get_absolute_url())


@tenant_access(ORGANIZER)
def survey_delete(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    count = survey.responses.count()
    form = SurveyDeleteForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_delete(survey=survey, actor=request.user, typed_name=form.cleaned_data["typed_name"])
        except ValidationError as error:
            form.add_error("typed_name", error)
        else:
            messages.success(request, _("The survey and its responses are deleted."))
            return redirect("needs:surveys", institution_slug=request.institution.slug)
    return render(
        request,
        "needs/survey_delete.html",
        {"survey": survey, "form": form, "response_count": count},
        status=400 if form.errors else 200,
    )


@tenant_access(MEMBER)
@require_safe
def survey_qr(request, pk):
    """The survey's public link as a QR code (SVG), to print on flyers and paper copies."""
    survey = selectors.get_survey_or_404(request.institution, pk)
    qr = segno.make(request.build_absolute_uri(survey.public_path()), error="m")
    # A standalone file (with its xmlns), so browsers show it through <img>.
    out = io.BytesIO()
    title = _("QR code: %(title)s") % {"title": survey.title}
    qr.save(out, kind="svg", xmldecl=False, nl=False, scale=4, title=title, dark="#000", light="#fff")
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def question_form(request, survey, question=None):
    """The question form with the choices this question may depend on (earlier choice questions)."""
    choices = Choice.objects.filter(question__survey=survey, question__kind__in=Question.CHOICE_KINDS)
    if question is not None:
        choices = choices.filter(question__position__lt=question.position)
    needs = Need.objects.filter(institution=survey.institution).exclude(status=Need.Status.SET_ASIDE)
    return QuestionForm(
        posted_data(request),
        survey=survey,
        question=question,
        earlier_choices=choices.select_related("question").order_by("question__position", "position"),
        needs=needs,
        answered=question is not None and question.answers.exists(),
        initial={"kind": request.GET.get("kind")} if question is None else question_initial(question),
    )


def question_initial(question):
    return {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "allow_other": question.allow_other,
        "min_value": question.min_value,
        "max_value": question.max_value,
        "starts_page": question.starts_page,
        "show_if": question.show_if_choice_id,
    }


def condition_choice(survey, form):
    pk = form.cleaned_data.get("show_if")
    return Choice.objects.filter(question__survey=survey, pk=pk).select_related("question").first() if pk else None


@tenant_access(ORGANIZER)
def question_new(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    form = question_form(request, survey)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        needs = Need.objects.filter(institution=survey.institution, pk__in=form.cleaned_data.get("needs") or [])
        try:
            services.question_add(
                survey=survey,
                actor=request.user,
                show_if_choice=condition_choice(survey, form),
                needs=list(needs),
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The question is added."))
            return redirect(f"{survey.get_absolute_url()}#questions")
    return render(
        request, "needs/question_form.html", {"survey": survey, "form": form}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
def question_edit(request, pk, question_pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    question = selectors.get_question_or_404(survey, question_pk)
    form = question_form(request, survey, question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                question=question,
                actor=request.user,
                show_if_choice=condition_choice(survey, form),
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The question is updated."))
            return redirect(f"{survey.get_absolute_url()}#question-{question.pk}")
    return render(
        request,
        "needs/question_form.html",
        {"survey": survey, "form": form, "question": question},
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def question_move(request, pk, question_pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    question = selectors.get_question_or_404(survey, question_pk)
    try:
        services.question_move(question=question, up=request.POST.get("direction") != "down")
    except ValidationError as error:
        message_refusal(request, error)
    return redirect(f"{survey.get_absolute_url()}#question-{question.pk}")


@tenant_access(ORGANIZER)
@require_POST
def question_remove(request, pk, question_pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    question = selectors.get_question_or_404(survey, question_pk)
    try:
        services.question_remove(question=question, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("The question is removed."))
    return redirect(f"{survey.get_absolute_url()}#questions")


@tenant_access(ORGANIZER)
@require_safe
def contacts(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    return render(
        request,
        "needs/survey_contacts.html",
        {"survey": survey, "contacts": SurveyContact.objects.filter(survey=survey)[:500]},
    )


@tenant_access(ORGANIZER)
@require_POST
def contact_delete(request, pk, contact_pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    contacts = SurveyContact.objects.select_related("survey", "institution")
    contact = get_object_or_404(contacts, survey=survey, pk=contact_pk)
    services.contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("Those contact details are deleted."))
    return redirect("needs:survey_contacts", institution_slug=request.institution.slug, pk=survey.pk)
