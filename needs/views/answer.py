"""Answering a survey from its public link: no account, page by page, works without JavaScript."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dualpower.public_pages import cached_page, only_participation_changes
from institutions.tenancy import PUBLIC, tenant_access
from institutions.throttle import throttle_allows

from .. import selectors, services
from ..answering import SurveyAnswerForm, split_pages
from ..models import Response, Survey

LANGUAGE_COOKIE = "survey_language"


def chosen_language(request, survey):
    """The language to answer in: asked for in the link or form, remembered in a cookie, or the
    visitor's own language when the survey is offered in it; else the survey's base language."""
    offered = [code for code, _name in survey.offered_languages()]
    for candidate in (
        request.POST.get("lang"),
        request.GET.get("lang"),
        request.COOKIES.get(LANGUAGE_COOKIE),
        translation.get_language_from_request(request),
    ):
        if candidate in offered:
            return candidate
    return survey.base_language


def remember_language(response, language):
    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=60 * 60 * 24 * 365, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
    return response


def page_index(request, pages):
    try:
        index = int(request.POST.get("page", 0))
    except (TypeError, ValueError):
        index = 0
    return min(max(index, 0), len(pages) - 1)


def build_form(survey, questions, pages, language, index, *, data=None, enforce=()):
    last = index == len(pages) - 1
    return SurveyAnswerForm(
        data,
        survey=survey,
        questions=questions,
        language=language,
        current=pages[index],
        enforce=enforce,
        show_contact=last,
        show_code=index == 0,
    )


def render_page(request, survey, form, pages, index, language, *, status=200):
    if form.is_bound:
        form.is_valid()  # the answers so far decide which pages are still to come
    visible = form.visible_pages(pages, form.cleaned_data) if form.is_bound else pages
    number = next((n for n, page in enumerate(visible, start=1) if page is pages[index]), index + 1)
    response = render(
        request,
        "needs/answer.html",
        {
            "survey": survey,
            "form": form,
            "language": language,
            "languages": survey.offered_languages(),
            "page_index": index,
            "page_number": number,
            "page_count": max(len(visible), number),
            "is_last": index == len(pages) - 1,
            "title": survey.text_in("title", language),
            "intro": survey.text_in("intro", language),
        },
        status=status,
    )
    return remember_language(response, language)


@tenant_access(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    survey, questions = selectors.public_survey_or_404(request.institution, token)
    language = chosen_language(request, survey)
    with translation.override(language):
        if request.method != "POST":
            # Anonymous visitors get the first page from the cache while nothing but answers change.
            return cached_page(
                request,
                lambda: remember_language(first_page(request, survey, questions, language), language),
                ignores_participation=True,
            )
        only_participation_changes(request)  # the one thing this POST may write is one person's answers
        if survey.status != Survey.Status.OPEN:
            return render(request, "needs/answer_closed.html", {"survey": survey, "language": language})
        return answer_post(request, survey, questions, split_pages(questions), language)


def first_page(request, survey, questions, language):
    if survey.status != Survey.Status.OPEN:
        return render(request, "needs/answer_closed.html", {"survey": survey, "language": language})
    pages = split_pages(questions)
    return render_page(request, survey, build_form(survey, questions, pages, language, 0), pages, 0, language)


def answer_post(request, survey, questions, pages, language):
    index = page_index(request, pages)
    going_back = "back" in request.POST
    if going_back or index < len(pages) - 1:
        enforce = () if going_back else pages[index]
        form = build_form(survey, questions, pages, language, index, data=request.POST, enforce=enforce)
        if not form.is_valid():
            return render_page(request, survey, form, pages, index, language, status=400)
        visible = form.visible_pages(pages, form.cleaned_data)
        later = [pages.index(page) for page in visible if pages.index(page) > index]
        earlier = [pages.index(page) for page in visible if pages.index(page) < index]
        if going_back or later:
            target = (earlier[-1] if earlier else 0) if going_back else later[0]
            form = build_form(survey, questions, pages, language, target, data=request.POST)
            return render_page(request, survey, form, pages, target, language)
    # The last page to show: check every page (a page could have been skipped by editing the form).
    full = build_form(survey, questions, pages, language, index, data=request.POST, enforce=questions)
    if not full.is_valid():
        # This page's own mistakes first, as when it alone was checked; then the earliest page's.
        wrong = index if page_has_errors(full, pages[index]) else None
        if wrong is None:
            wrong = next((n for n, page in enumerate(pages) if page_has_errors(full, page)), index)
        full = build_form(survey, questions, pages, language, wrong, data=request.POST, enforce=pages[wrong])
        return render_page(request, survey, full, pages, wrong, language, status=400)
    if not throttle_allows(
        request, f"survey:{survey.pk}", limit=settings.PUBLIC_FORM_LIMIT, window_seconds=settings.PUBLIC_FORM_WINDOW
    ):
        full.add_error(
            None,
            _(
                "Many answers were just sent from this connection, so this one was not saved yet. "
                "Your answers are still here: please wait a few minutes and send again."
            ),
        )
        return render_page(request, survey, full, pages, index, language, status=429)
    services.response_submit(
        survey=survey,
        language=language,
        answers=full.answers(),
        channel=Response.Channel.WEB,
        contact=full.contact(),
    )
    thanks = reverse("needs:answer_thanks", kwargs={"institution_slug": survey.institution.slug, "token": survey.token})
    return redirect(f"{thanks}?lang={language}")


def page_has_errors(form, page):
    return any(name in form.errors for question in page for name in form.field_names_of(question))


@tenant_access(PUBLIC)
@require_safe
def thanks(request, token):
    survey = selectors.get_open_survey_by_token_or_404(request.institution, token)
    language = chosen_language(request, survey)
    with translation.override(language):
        return render(
            request,
            "needs/answer_thanks.html",
            {"survey": survey, "language": language, "title": survey.text_in("title", language)},
        )
