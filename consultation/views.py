"""Step 2 pages: asking around (outreach log) and its totals."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from institutions.tenancy import MEMBER, tenant_access
from needs.selectors import needs_of

from . import selectors, services
from .forms import OutreachForm


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
