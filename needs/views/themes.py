"""Reading the written answers of a survey and tagging them with themes, which can become needs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dualpower.forms import posted_data
from dualpower.views import htmx_fragment
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import selectors, services
from ..forms import ThemeForm
from ..models import Answer, Theme

PER_PAGE = 50


def written_answers(survey):
    """Free-text answers (text questions, and "other, please say" texts) of a survey."""
    return Answer.objects.filter(response__survey=survey).exclude(text="")


def themes_with_counts(survey):
    return Theme.objects.filter(survey=survey).select_related("need").annotate(answer_count=Count("answers"))


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@tenant_access(MEMBER)
def answers(request, pk):
    """The written answers, filterable by question and theme, with a theme form for organizers."""
    survey = selectors.get_survey_or_404(request.institution, pk)
    themes = list(themes_with_counts(survey))
    form = ThemeForm(posted_data(request))
    if request.method == "POST":
        if not request.membership.is_organizer:
            raise PermissionDenied
        if form.is_valid():
            try:
                theme = services.theme_add(survey=survey, actor=request.user, name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, _("The theme “%(name)s” is ready to tag answers with.") % {"name": theme})
                return redirect(request.get_full_path())
    questions = [q for q in selectors.questions_of(survey) if q.is_text or q.allow_other]
    chosen_question = int_or_none(request.GET.get("question"))
    chosen_theme = request.GET.get("theme", "")
    rows = written_answers(survey).select_related("question", "response").prefetch_related("themes")
    if chosen_question in {q.pk for q in questions}:
        rows = rows.filter(question_id=chosen_question)
    else:
        chosen_question = None
    if chosen_theme == "none":
        rows = rows.filter(themes=None)
    elif int_or_none(chosen_theme) in {theme.pk for theme in themes}:
        rows = rows.filter(themes=int(chosen_theme))
    else:
        chosen_theme = ""
    page = Paginator(rows.order_by("-response__submitted_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    for answer in page:
        answer.tagged = list(answer.themes.all())
    return render(
        request,
        "needs/answers.html",
        {
            "survey": survey,
            "themes": themes,
            "questions": questions,
            "chosen_question": chosen_question,
            "chosen_theme": chosen_theme,
            "page": page,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def answer_tag(request, pk, answer_pk):
    """Set the themes of one written answer (a row swap with htmx, a redirect without)."""
    survey = selectors.get_survey_or_404(request.institution, pk)
    answer = get_object_or_404(written_answers(survey).select_related("question", "response"), pk=answer_pk)
    themes = list(themes_with_counts(survey))
    wanted = {int_or_none(value) for value in request.POST.getlist("themes")}
    services.answer_tag(answer=answer, themes=[theme for theme in themes if theme.pk in wanted])
    messages.success(request, _("Themes saved."))
    if request.htmx:
        answer.tagged = [theme for theme in themes if theme.pk in wanted]
        return htmx_fragment(
            request, "needs/answers.html#answer", {"survey": survey, "themes": themes, "answer": answer}
        )
    back = reverse("needs:survey_answers", kwargs={"institution_slug": survey.institution.slug, "pk": survey.pk})
    # Back to the same filtered page of answers; only a query string of this page is accepted.
    query = request.POST.get("query", "")
    if query and url_has_allowed_host_and_scheme(f"{back}?{query}", allowed_hosts=None) and "#" not in query:
        back = f"{back}?{query}"
    return redirect(f"{back}#answer-{answer.pk}")


@tenant_access(ORGANIZER)
@require_POST
def theme_need(request, pk, theme_pk):
    """Put a theme on the needs list, with the number of people whose answers carry it."""
    survey = selectors.get_survey_or_404(request.institution, pk)
    theme = get_object_or_404(Theme.objects.select_related("need", "survey", "institution"), survey=survey, pk=theme_pk)
    need = services.need_from_theme(theme=theme, actor=request.user)
    messages.success(request, _("“%(need)s” is on the needs list, with this survey as its evidence.") % {"need": need})
    return redirect(need.get_absolute_url())
