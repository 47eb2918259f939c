"""Reads for meetings."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from institutions.models import Membership

from .models import RSVP, AgendaItem, Meeting, Suggestion

GOING = Q(rsvps__status=RSVP.Status.GOING)
# A meeting from earlier today still counts as upcoming, so organizers can take attendance.
RECENT = timedelta(hours=12)


def with_rsvp_counts(meetings):
    return meetings.annotate(
        rsvp_count=Count("rsvps", filter=GOING), people_count=Sum("rsvps__party_size", filter=GOING)
    )


def upcoming_meetings(institution, *, public_only=False):
    """Planned meetings that have not ended yet (the list page filters precisely with `is_upcoming`)."""
    meetings = Meeting.objects.filter(
        institution=institution, status=Meeting.Status.PLANNED, starts_at__gte=timezone.now() - RECENT
    )
    if public_only:
        meetings = meetings.filter(is_public=True)
    return with_rsvp_counts(meetings).order_by("starts_at", "pk")


def past_meetings(institution):
    meetings = Meeting.objects.filter(institution=institution).exclude(
        status=Meeting.Status.PLANNED, starts_at__gte=timezone.now() - RECENT
    )
    return with_rsvp_counts(meetings).order_by("-starts_at", "-pk")


def get_meeting_or_404(institution, pk):
    return get_object_or_404(
        Meeting.objects.select_related("institution", "facilitator", "note_taker"), institution=institution, pk=pk
    )


def get_public_meeting_or_404(institution, pk):
    """A public meeting, for anyone; members-only meetings do not exist for this page."""
    meetings = Meeting.objects.select_related("institution")
    return get_object_or_404(meetings, institution=institution, pk=pk, is_public=True)


def agenda_of(meeting):
    items = AgendaItem.objects.filter(meeting=meeting).select_related("owner", "proposal")
    return list(items.order_by("position", "pk"))


def suggestions_of(meeting):
    return list(Suggestion.objects.filter(meeting=meeting, status=Suggestion.Status.NEW).select_related("member"))


def rsvps_of(meeting):
    return RSVP.objects.filter(meeting=meeting, status=RSVP.Status.GOING).select_related("user").order_by("name", "pk")


def my_rsvp(meeting, user):
    return RSVP.objects.filter(meeting=meeting, user=user).first()


def get_rsvp_by_token_or_404(institution, token):
    rsvps = RSVP.objects.select_related("meeting", "institution")
    return get_object_or_404(rsvps, institution=institution, token=token)


def active_members(institution):
    return [
        membership.user
        for membership in Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__name", "user__email")
    ]
