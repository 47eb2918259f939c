"""Step 2 pages: asking around (outreach log), consultation rounds with their results, and the
public answer page behind each round's link."""

import copy

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from dualpower.views import content_language, public_page_language
from institutions.rules import is_organizer
from institutions.tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access
from institutions.throttle import throttle_allows
from needs.models import Need
from needs.selectors import needs_of
from needs.services import focus_proposal_start

from . import selectors, services
from .forms import AnswerForm, OutreachForm, PublicAnswerForm, RoundForm
from .models import RoundError

# Results are shown for each group, then for everyone together.
RESULT_GROUPS = (
    ("member", gettext_lazy("Members")),
    ("community", gettext_lazy("Community")),
    ("all", gettext_lazy("Everyone together")),
)


@tenant_access(MEMBER)
@require_safe
def index(request):
    institution = request.institution
    return render(
        request,
        "consultation/index.html",
        {
            "step": STEPS_BY_APP["consultation"],
            "per_week": selectors.outreach_per_week(institution),
            "per_member": selectors.outreach_per_member(institution),
        },
    )


@tenant_access(MEMBER)
def outreach(request):
    institution = request.institution
    form = OutreachForm(posted_data(request), needs=needs_of(institution))
    if request.method == "POST" and form.is_valid():
        services.outreach_record(institution=institution, member=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you. Your conversations are in the log."))
        return redirect("consultation:outreach", institution_slug=institution.slug)
    return render(
        request,
        "consultation/outreach.html",
        {
            "form": form,
            "entries": selectors.outreach_entries(institution),
        },
        status=400 if form.errors else 200,
    )


# Consultation rounds


@tenant_access(MEMBER)
@require_safe
def round_list(request):
    return render(request, "consultation/rounds.html", {"rounds": selectors.rounds_of(request.institution)})


def _candidate_needs(institution, consultation_round=None):
    """Needs a round can ask about: the candidates, plus those a draft already asks about."""
    needs = Need.objects.filter(institution=institution, status=Need.Status.CANDIDATE)
    if consultation_round is not None:
        needs = needs | Need.objects.filter(institution=institution, consultation_rounds=consultation_round)
    return needs.distinct().order_by("title", "pk")


@tenant_access(ORGANIZER)
def round_new(request):
    institution = request.institution
    candidates = _candidate_needs(institution)
    # Every candidate is ticked to start with; organizers untick the ones to leave out.
    ticked = list(candidates)
    form = RoundForm(posted_data(request), needs=candidates, initial={"needs": ticked})
    if request.method == "POST" and form.is_valid():
        try:
            consultation_round = services.round_create(
                institution=institution, author=request.user, **form.cleaned_data
            )
        except RoundError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The round is saved as a draft. Check the questions, then open it to start collecting answers."),
            )
            return redirect(consultation_round.get_absolute_url())
    return render(
        request,
        "consultation/round_form.html",
        {"form": form, "no_candidates": not ticked},
        status=400 if form.errors else 200,
    )


def _detail(request, consultation_round, status=200):
    """The round's page: its questions, how to answer, and (once open) the results."""
    results = None if consultation_round.is_draft else selectors.round_results(consultation_round)
    organizer = is_organizer(request.membership)
    public_url = None
    if organizer and consultation_round.is_open:
        public_url = request.build_absolute_uri(consultation_round.get_public_url())
    return render(
        request,
        "consultation/round_detail.html",
        {
            "round": consultation_round,
            "needs": selectors.round_needs(consultation_round) if results is None else None,
            "results": results,
            "groups": [
                (group, label, results.table(group), results.respondents[group]) for group, label in RESULT_GROUPS
            ]
            if results is not None
            else [],
            "my_answer": selectors.answer_of(consultation_round, request.user) if consultation_round.is_open else None,
            "public_url": public_url,
        },
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def round_detail(request, pk):
    return _detail(request, selectors.get_round_or_404(request.institution, pk))


@tenant_access(ORGANIZER)
def round_edit(request, pk):
    consultation_round = selectors.get_round_or_404(request.institution, pk)
    if not consultation_round.is_draft:
        messages.error(request, _("This round has been opened, so its questions can no longer change."))
        return redirect(consultation_round.get_absolute_url())
    # The form validates a copy, so the saved round is unchanged until the service runs.
    form = RoundForm(
        posted_data(request),
        instance=copy.copy(consultation_round),
        needs=_candidate_needs(request.institution, consultation_round),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(consultation_round=consultation_round, actor=request.user, **form.cleaned_data)
        except RoundError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The round is updated."))
            return redirect(consultation_round.get_absolute_url())
    return render(
        request,
        "consultation/round_form.html",
        {"form": form, "round": consultation_round},
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def round_open(request, pk):
    consultation_round = selectors.get_round_or_404(request.institution, pk)
    try:
        services.round_open(consultation_round=consultation_round, actor=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return _detail(request, consultation_round, status=400)
    messages.success(request, _("The round is open. Share the public link so the community can answer too."))
    return redirect(consultation_round.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def round_close(request, pk):
    consultation_round = selectors.get_round_or_404(request.institution, pk)
    try:
        services.round_close(consultation_round=consultation_round, actor=request.user)
    except RoundError as error:
        messages.error(request, str(error))
        return _detail(request, consultation_round, status=400)
    messages.success(request, _("The round is closed. Its results stay here for everyone to see."))
    return redirect(consultation_round.get_absolute_url())


@tenant_access(MEMBER)
def round_answer(request, pk):
    """A member's answer (one per member; answering again replaces it)."""
    consultation_round = selectors.get_round_or_404(request.institution, pk)
    needs = selectors.round_needs(consultation_round)
    earlier = selectors.answer_of(consultation_round, request.user)
    form = AnswerForm(
        posted_data(request),
        consultation_round=consultation_round,
        needs=needs,
        initial=AnswerForm.initial_from(earlier),
    )
    if request.method == "POST":
        if not consultation_round.is_open:
            messages.error(request, _("This round is not open for answers."))
        elif form.is_valid():
            try:
                services.round_answer(
                    consultation_round=consultation_round,
                    member=request.user,
                    ratings=form.cleaned_data["ratings"],
                    language=translation.get_language(),
                )
            except RoundError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Thank you. Your answer is counted; you can change it until the round closes.")
                )
                return redirect(consultation_round.get_absolute_url())
    refused = request.method == "POST"
    return render(
        request,
        "consultation/answer.html",
        {"round": consultation_round, "form": form, "earlier": earlier},
        status=400 if refused else 200,
    )


@tenant_access(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def round_public(request, token):
    """Anyone answers here, no account needed, in the language they pick."""
    consultation_round = selectors.round_by_token_or_404(request.institution, token)
    language = public_page_language(request)
    with translation.override(language):
        context = {"round": consultation_round, "language": language, "languages": settings.LANGUAGES}
        if consultation_round.is_closed:
            # Polite, not an error: the link still works, the round is just over.
            return content_language(render(request, "consultation/public_closed.html", context), language)
        form = PublicAnswerForm(
            posted_data(request), consultation_round=consultation_round, needs=selectors.round_needs(consultation_round)
        )
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                # Only complete answers count toward the limit: a person fixing a mistake is not a flood.
                if not throttle_allows(
                    request,
                    f"consultation-round:{consultation_round.pk}",
                    limit=settings.PUBLIC_FORM_LIMIT,
                    window_seconds=settings.PUBLIC_FORM_WINDOW,
                ):
                    status = 429
                    context["throttled"] = True
                else:
                    try:
                        services.round_answer(
                            consultation_round=consultation_round,
                            ratings=form.cleaned_data["ratings"],
                            language=language,
                        )
                    except RoundError as error:
                        form.add_error(None, str(error))
                    else:
                        thanks = reverse(
                            "consultation:round_thanks",
                            kwargs={"institution_slug": request.institution.slug, "token": token},
                        )
                        return redirect(f"{thanks}?lang={language}")
        context["form"] = form
        return content_language(render(request, "consultation/public_answer.html", context, status=status), language)


@tenant_access(PUBLIC)
@require_safe
def round_thanks(request, token):
    consultation_round = selectors.round_by_token_or_404(request.institution, token)
    language = public_page_language(request)
    with translation.override(language):
        return content_language(
            render(request, "consultation/public_thanks.html", {"round": consultation_round, "language": language}),
            language,
        )


@tenant_access(ORGANIZER)
@require_POST
def round_focus(request, pk, need_pk):
    """From the results: draft a proposal to make this need the institution's focus."""
    consultation_round = selectors.get_round_or_404(request.institution, pk)
    need = get_object_or_404(consultation_round.needs.select_related("institution"), pk=need_pk)
    if consultation_round.is_draft:
        messages.error(request, _("Open the round and collect answers before choosing a focus from it."))
        return _detail(request, consultation_round, status=400)
    proposal = focus_proposal_start(need=need, author=request.user)
    messages.success(
        request,
        _(
            "A draft proposal to make this need the focus is ready. Open it for discussion "
            "when you are ready; if it passes, the need becomes the focus."
        ),
    )
    return redirect(proposal.get_absolute_url())
