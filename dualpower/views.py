from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from .steps import STEPS_BY_APP


def message_refusal(request, error):
    """Show why a service refused a change (a ValidationError), as one error message."""
    from django.contrib import messages

    messages.error(request, " ".join(error.messages))


class StepHome(TemplateView):
    """The home page of one step for an institution's members. Each step app gives it a template."""

    step_app = None

    def get_template_names(self):
        return [f"{self.step_app}/index.html"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(step=STEPS_BY_APP[self.step_app], **kwargs)


@require_safe
def healthz(request):
    """For load balancers and compose health checks: the process answers and the database responds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def bench_bare(request):
    """The benchmarks' reference: the shortest answer through the whole middleware stack.
    It reads nothing and says nothing, so it is safe to leave public."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def bench_bare_session(request):
    """The reference for signed-in pages: also loads the session and the user, as every member page
    does, and still says nothing about either."""
    request.user.is_authenticated  # noqa: B018  (evaluates the lazy user: session read, user query)
    return HttpResponse("ok", content_type="text/plain")


def htmx_fragment(request, template_name, context, status=200):
    """The piece of a page an htmx request swaps, plus the flash messages as an out-of-band
    swap into the page's status region (so screen readers announce them)."""
    html = render_to_string(template_name, context, request)
    html += render_to_string("includes/messages.html", {"oob": True}, request)
    return HttpResponse(html, status=status)


def public_page_language(request):
    """The language a public page speaks: the one picked on it (`?lang=`), else the visitor's."""
    picked = request.GET.get("lang", "")
    if picked in dict(settings.LANGUAGES):
        return picked
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def content_language(response, language):
    """Say which language the page is in (public pages pick theirs: see public_page_language)."""
    response["Content-Language"] = language
    return response
