"""The timeline page: the institution's life in one list, newest first, filterable by kind."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from dualpower.steps import STEPS_BY_APP
from institutions.tenancy import MEMBER, tenant_access

from .. import timeline


@tenant_access(MEMBER)
@require_safe
def index(request):
    page = timeline.timeline_page(request.institution, kind=request.GET.get("kind"), page=request.GET.get("page"))
    return render(
        request,
        "followthrough/timeline/index.html",
        {
            "step": STEPS_BY_APP["followthrough"],
            "timeline": page,
            "filters": timeline.filters(),
            "quiet_days": timeline.QUIET_DAYS,
            "following_months": timeline.FOLLOWING_MONTHS,
        },
    )
