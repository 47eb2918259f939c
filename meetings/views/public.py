"""A public meeting's page for anyone (no account): details, agenda, RSVP with support needs,
suggestions; and the private link to change or cancel an RSVP."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from institutions.tenancy import PUBLIC, tenant_access
from institutions.throttle import throttle_allows

from .. import selectors, services
from ..forms import RSVPForm, SuggestionForm
from ..models import RSVP

TOO_MANY = _(
    "Many forms were just sent from this connection, so this one was not saved yet. "
    "What you typed is still here: please wait a few minutes and send again."
)


def allowed(request, meeting, what):
    return throttle_allows(
        request,
        f"meeting:{meeting.pk}:{what}",
        limit=settings.PUBLIC_FORM_LIMIT,
        window_seconds=settings.PUBLIC_FORM_WINDOW,
    )


def public_page(request, meeting, *, rsvp_form=None, suggestion_form=None, status=200):
    return render(
        request,
        "meetings/public.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_of(meeting),
            "rsvp_form": rsvp_form or RSVPForm(),
            "suggestion_form": suggestion_form or SuggestionForm(prefix="suggest"),
        },
        status=status,
    )


@tenant_access(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def public(request, pk):
    """The meeting's public page. POST is an RSVP."""
    meeting = selectors.get_public_meeting_or_404(request.institution, pk)
    if request.method != "POST":
        return public_page(request, meeting)
    form = RSVPForm(request.POST)
    if not form.is_valid():
        return public_page(request, meeting, rsvp_form=form, status=400)
    if not allowed(request, meeting, "rsvp"):
        form.add_error(None, TOO_MANY)
        return public_page(request, meeting, rsvp_form=form, status=429)
    fields = {name: value for name, value in form.cleaned_data.items() if name != form.honeypot_name}
    try:
        rsvp = services.rsvp_create(meeting=meeting, language=get_language(), **fields)
    except ValidationError as error:
        form.add_error(None, error)
        return public_page(request, meeting, rsvp_form=form, status=400)
    return render(request, "meetings/rsvp_thanks.html", {"meeting": meeting, "rsvp": rsvp})


@tenant_access(PUBLIC)
@require_POST
def public_suggest(request, pk):
    meeting = selectors.get_public_meeting_or_404(request.institution, pk)
    form = SuggestionForm(request.POST, prefix="suggest")
    if not form.is_valid():
        return public_page(request, meeting, suggestion_form=form, status=400)
    if not allowed(request, meeting, "suggestion"):
        form.add_error(None, TOO_MANY)
        return public_page(request, meeting, suggestion_form=form, status=429)
    try:
        services.suggestion_send(
            meeting=meeting, name=form.cleaned_data["name"], text=form.cleaned_data["text"], language=get_language()
        )
    except ValidationError as error:
        form.add_error(None, error)
        return public_page(request, meeting, suggestion_form=form, status=400)
    messages.success(request, _("Thank you. The organizers will read your suggestion before the meeting."))
    return redirect("meetings:public", institution_slug=request.institution.slug, pk=meeting.pk)


@tenant_access(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp_manage(request, token):
    """The private link e-mailed after an RSVP: change the details, or cancel."""
    rsvp = selectors.get_rsvp_by_token_or_404(request.institution, token)
    meeting = rsvp.meeting
    form = RSVPForm(
        request.POST if request.method == "POST" else None, instance=rsvp if request.method != "POST" else None
    )
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.rsvp_cancel(rsvp=rsvp)
                messages.success(request, _("Your RSVP is cancelled. Thank you for letting us know."))
                return redirect(request.path)
            if form.is_valid():
                fields = {name: value for name, value in form.cleaned_data.items() if name != form.honeypot_name}
                services.rsvp_update(rsvp=rsvp, **fields)
                messages.success(request, _("Your RSVP is updated."))
                return redirect(request.path)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "meetings/rsvp_manage.html",
        {"meeting": meeting, "rsvp": rsvp, "form": form, "is_going": rsvp.status == RSVP.Status.GOING},
        status=400 if form.errors else 200,
    )
