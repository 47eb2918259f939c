"""Step 1 pages: the institution's list of identified needs."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consultation.selectors import outreach_evidence
from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from research.selectors import notes_about

from .. import selectors, services
from ..forms import NeedEditForm, NeedForm
from ..models import Need

STATUS_FILTERS = {value: label for value, label in Need.Status.choices}


@tenant_access(MEMBER)
@require_safe
def index(request):
    status = request.GET.get("status")
    if status not in STATUS_FILTERS:
        status = None
    return render(
        request,
        "needs/index.html",
        {
            "step": STEPS_BY_APP["needs"],
            "needs": selectors.needs_of(request.institution, status)[:200],
            "filters": STATUS_FILTERS,
            "current_filter": status,
            "form": NeedForm(),
        },
    )


@tenant_access(MEMBER)
def need_new(request):
    form = NeedForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        need = services.need_create(institution=request.institution, author=request.user, **form.cleaned_data)
        messages.success(request, _("The need is on the list. Add evidence as you learn more."))
        return redirect(need.get_absolute_url())
    return render(request, "needs/new.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(MEMBER)
@require_safe
def detail(request, pk):
    need = selectors.get_need_or_404(request.institution, pk)
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "proposals": selectors.proposals_about(need),
            "outreach": outreach_evidence(need),
            "surveys": selectors.survey_evidence(need),
            "research_notes": notes_about(need),
        },
    )


@tenant_access(ORGANIZER)
def edit(request, pk):
    need = selectors.get_need_or_404(request.institution, pk)
    # The form validates a copy, so the saved need is unchanged until the service runs.
    form = NeedEditForm(posted_data(request), instance=copy.copy(need))
    if request.method == "POST" and form.is_valid():
        services.need_update(need=need, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The need is updated."))
        return redirect(need.get_absolute_url())
    return render(request, "needs/edit.html", {"need": need, "form": form}, status=400 if form.errors else 200)


@tenant_access(ORGANIZER)
@require_POST
def propose_focus(request, pk):
    need = selectors.get_need_or_404(request.institution, pk)
    proposal = services.focus_proposal_start(need=need, author=request.user)
    messages.success(
        request,
        _(
            "A draft proposal to make this need the focus is ready. Open it for discussion "
            "when you are ready; if it passes, the need becomes the focus."
        ),
    )
    return redirect(proposal.get_absolute_url())
