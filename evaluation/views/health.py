"""The health page (every indicator, for members and organizers) and the organizers' preview of this
week's digest."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from dualpower.public_pages import cached_for
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from ..digest import digest_for, recipients, status_history
from ..indicators import evaluate
from ..snapshot import take_snapshot


@tenant_access(MEMBER)
@require_safe
def health(request):
    """How the institution is doing against the common problems, from its own records."""
    institution = request.institution
    # The same for every member: computed and rendered once per change in the institution
    # (dualpower/public_pages.py), one copy per language since it holds translated sentences.
    shared = cached_for(institution, "health-page:1", lambda: _shared_health(institution), per_language=True)
    return render(request, "evaluation/health.html", shared)


def _shared_health(institution):
    """How many indicators need attention and their list already rendered (the page reads only
    these: the results themselves are not kept). The snapshot they are judged from is
    language-neutral: one copy for every language."""
    results = evaluate(cached_for(institution, "health-snapshot", lambda: take_snapshot(institution)))
    history = status_history(institution)
    for result in results:
        result.history = history.get(result.key, [])
    return {
        "attention_count": sum(1 for result in results if result.needs_attention),
        "indicators_html": render_to_string("evaluation/includes/indicators.html", {"results": results}),
    }


@tenant_access(ORGANIZER)
@require_safe
def digest_preview(request):
    """This week's digest as it would go out now, in the reader's language, and who gets it."""
    digest = digest_for(request.institution, timezone.now())
    return render(
        request,
        "evaluation/digest_preview.html",
        {"digest": digest, "recipients": recipients(request.institution)},
    )
