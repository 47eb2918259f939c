"""Self-evaluation pages: the rounds, opening and closing one, members' answers, the public page the
community answers on (no account), and the results with the trend."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.views import content_language, message_refusal, public_page_language
from institutions.tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access
from institutions.throttle import throttle_allows

from .. import selfeval
from ..forms_selfeval import AnswerForm, PublicAnswerForm, RoundForm
from ..models import SelfEvaluation


@tenant_access(MEMBER)
@require_safe
def rounds(request):
    return render(request, "evaluation/selfeval/rounds.html", {"rounds": selfeval.rounds_of(request.institution)})


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def round_new(request):
    form = RoundForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = selfeval.round_open(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The self-evaluation is open. Members can answer now."))
            return redirect(evaluation.get_absolute_url())
    return render(request, "evaluation/selfeval/round_form.html", {"form": form}, status=400 if form.errors else 200)


def detail_page(request, evaluation, *, status=200):
    earlier, table = selfeval.trend(request.institution, until=evaluation)
    public_url = ""
    if evaluation.open_to_community:
        public_url = request.build_absolute_uri(
            reverse(
                "evaluation:selfeval_public",
                kwargs={"institution_slug": request.institution.slug, "token": evaluation.public_token},
            )
        )
    written = selfeval.comments(evaluation)
    rows = [{**row, "comments": written[row["key"]]} for row in selfeval.results(evaluation)]
    return render(
        request,
        "evaluation/selfeval/detail.html",
        {
            "evaluation": evaluation,
            "is_open": evaluation.status == SelfEvaluation.Status.OPEN,
            "answered": bool(selfeval.my_answers(evaluation, request.user)),
            "public_url": public_url,
            "results": rows,
            "trend_rounds": earlier,
            "trend": table,
        },
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def detail(request, pk):
    """The round's results: members and community side by side, comments without names, the trend."""
    return detail_page(request, selfeval.get_selfeval_or_404(request.institution, pk))


@tenant_access(ORGANIZER)
@require_POST
def round_close(request, pk):
    evaluation = selfeval.get_selfeval_or_404(request.institution, pk)
    try:
        selfeval.round_close(evaluation=evaluation, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
        return detail_page(request, evaluation, status=400)
    messages.success(request, _("The self-evaluation is closed."))
    return redirect(evaluation.get_absolute_url())


@tenant_access(MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, pk):
    """A member answers the seven questions, and may change the answer while the round is open."""
    evaluation = selfeval.get_selfeval_or_404(request.institution, pk)
    earlier = selfeval.my_answers(evaluation, request.user)
    is_open = evaluation.status == SelfEvaluation.Status.OPEN
    form = AnswerForm(posted_data(request), initial=AnswerForm.initial_from(earlier))
    if request.method == "POST":
        if not is_open:
            form.add_error(None, _("This self-evaluation is closed, so it no longer takes answers."))
        elif form.is_valid():
            try:
                selfeval.answers_submit(
                    evaluation=evaluation,
                    answers=form.answers(),
                    member=request.user,
                    language=translation.get_language() or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you. Your answers are saved; you can change them until it closes."))
                return redirect(evaluation.get_absolute_url())
    return render(
        request,
        "evaluation/selfeval/answer.html",
        {"evaluation": evaluation, "form": form, "earlier": bool(earlier), "is_open": is_open},
        status=400 if request.method == "POST" else 200,
    )


@tenant_access(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def public(request, token):
    """Anyone in the community answers here, anonymously and without an account."""
    evaluation = selfeval.get_public_selfeval_or_404(request.institution, token)
    language = public_page_language(request)
    with translation.override(language):
        context = {"evaluation": evaluation, "language": language, "languages": settings.LANGUAGES}
        if evaluation.status != SelfEvaluation.Status.OPEN:
            return content_language(render(request, "evaluation/selfeval/public_closed.html", context), language)
        membership = request.membership
        context["is_member"] = membership is not None and membership.is_active
        form = PublicAnswerForm(posted_data(request))
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                # Only complete answers count toward the limit: a person fixing a mistake is not a flood.
                if not throttle_allows(
                    request,
                    f"self-evaluation:{evaluation.pk}",
                    limit=settings.PUBLIC_FORM_LIMIT,
                    window_seconds=settings.PUBLIC_FORM_WINDOW,
                ):
                    status = 429
                    context["throttled"] = True
                else:
                    try:
                        selfeval.answers_submit(evaluation=evaluation, answers=form.answers(), language=language)
                    except ValidationError as error:
                        form.add_error(None, error)
                    else:
                        thanks = reverse(
                            "evaluation:selfeval_thanks",
                            kwargs={"institution_slug": request.institution.slug, "token": token},
                        )
                        return redirect(f"{thanks}?lang={language}")
        context["form"] = form
        return content_language(render(request, "evaluation/selfeval/public.html", context, status=status), language)


@tenant_access(PUBLIC)
@require_safe
def thanks(request, token):
    evaluation = selfeval.get_public_selfeval_or_404(request.institution, token)
    language = public_page_language(request)
    with translation.override(language):
        return content_language(
            render(request, "evaluation/selfeval/public_thanks.html", {"evaluation": evaluation, "language": language}),
            language,
        )
