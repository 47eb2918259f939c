"""Meetings in people's calendars: one meeting's .ics, the public feed, each member's private feed
(the secret link is the authorization, so calendar apps can fetch it without a session) and the
page that explains how to subscribe."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from institutions.models import Membership
from institutions.tenancy import MEMBER, PUBLIC, tenant_access

from .. import services
from ..calendar import CONTENT_TYPE, feed_calendar, meeting_calendar
from ..models import CalendarFeed, Meeting


def calendar_response(content, *, filename, attachment, private):
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    if private:
        patch_cache_control(response, private=True, no_store=True)
    return response


@tenant_access(PUBLIC)
@require_safe
def meeting_ics(request, pk):
    """A public meeting's calendar file for anyone; a members' meeting's for members only (404 otherwise)."""
    meeting = get_object_or_404(Meeting.objects.select_related("institution"), institution=request.institution, pk=pk)
    if not meeting.is_public and request.membership is None:
        raise Http404("Not a member.")
    return calendar_response(
        meeting_calendar(meeting), filename=f"meeting-{meeting.pk}.ics", attachment=True, private=not meeting.is_public
    )


@tenant_access(PUBLIC)
@require_safe
def public_feed(request):
    """The institution's public meetings, to subscribe to."""
    content = feed_calendar(request.institution, public_only=True)
    return calendar_response(content, filename="calendar.ics", attachment=False, private=False)


@tenant_access(PUBLIC)
@require_safe
def private_feed(request, token):
    """Every meeting, members' ones too, for the member whose live link this is."""
    live = CalendarFeed.objects.filter(
        institution=request.institution,
        token=token,
        revoked_at__isnull=True,
        # A member who left loses the members' meetings, whatever links they kept.
        user__memberships__institution=request.institution,
        user__memberships__status=Membership.Status.ACTIVE,
    )
    if not live.exists():
        raise Http404("No such calendar link.")
    content = feed_calendar(request.institution, public_only=False)
    return calendar_response(content, filename="calendar.ics", attachment=False, private=True)


def feed_urls(request, feed):
    """(https URL, webcal URL) of the public feed and of the member's private feed."""
    slug = request.institution.slug
    paths = {
        "public": reverse("meetings:public_feed", kwargs={"institution_slug": slug}),
        "private": reverse("meetings:private_feed", kwargs={"institution_slug": slug, "token": feed.token}),
    }
    urls = {}
    for name, path in paths.items():
        url = request.build_absolute_uri(path)
        urls[name] = url
        urls[f"{name}_webcal"] = "webcal://" + url.split("://", 1)[1]
    return urls


@tenant_access(MEMBER)
@require_safe
def calendar(request):
    """How to get the meetings into your calendar app, with both links."""
    feed = services.calendar_feed_for(user=request.user, institution=request.institution)
    response = render(request, "meetings/calendar.html", {"urls": feed_urls(request, feed)})
    patch_cache_control(response, private=True, no_store=True)
    return response


@tenant_access(MEMBER)
@require_POST
def feed_reset(request):
    """Make a new private link; the old one stops working."""
    services.calendar_feed_reset(user=request.user, institution=request.institution)
    messages.success(request, _("Your new private link is ready. Calendars using the old one will stop updating."))
    return redirect("meetings:calendar", institution_slug=request.institution.slug)
