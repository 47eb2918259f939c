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


def get_meeting_or_404(institution, pk, **annotations):
    """The institution's meeting; `annotations` let a page fetch what other steps add in the same query."""
    return get_object_or_404(
        Meeting.objects.select_related("institution", "facilitator", "note_taker").annotate(**annotations),
        institution=institution,
        pk=pk,
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


# During and after the meeting -----------------------------------------------------------------------


def attendance_per_meeting(institution, start, end):
    """Held meetings starting in [start, end), oldest first, for evaluation's attendance trend:
    one dict per meeting with meeting_id, title, starts_at, date (in the institution's time zone),
    members (present), guests and children (in childcare). One query."""
    import zoneinfo

    zone = zoneinfo.ZoneInfo(institution.time_zone)
    rows = (
        Meeting.objects.filter(
            institution=institution, status=Meeting.Status.HELD, starts_at__gte=start, starts_at__lt=end
        )
        .annotate(members=Count("attendance"))
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at", "members", "guests_count", "children_count")
    )
    return [
        {
            "meeting_id": pk,
            "title": title,
            "starts_at": starts_at,
            "date": starts_at.astimezone(zone).date(),
            "members": members,
            "guests": guests,
            "children": children,
        }
        for pk, title, starts_at, members, guests, children in rows
    ]


def attendance_members(meeting):
    """Active members for the attendance list, those who said they would come first, each user
    with `rsvped` and `present` (one query)."""
    from django.db.models import Exists, OuterRef

    from .models import Attendance

    going = RSVP.objects.filter(meeting=meeting, user=OuterRef("user"), status=RSVP.Status.GOING)
    present = Attendance.objects.filter(meeting=meeting, user=OuterRef("user"))
    memberships = (
        Membership.objects.filter(institution=meeting.institution, status=Membership.Status.ACTIVE)
        .annotate(rsvped=Exists(going), present=Exists(present))
        .select_related("user")
        .order_by("-rsvped", "user__name", "user__email")
    )
    people = []
    for membership in memberships:
        user = membership.user
        user.rsvped, user.present = membership.rsvped, membership.present
        people.append(user)
    return people


def agenda_with_times(meeting):
    """The agenda, each item with `starts_at` and `ends_at` counted from the meeting's start.

    Times are real instants (time boxes add elapsed minutes), so they read right across midnight
    and daylight-saving changes when shown in the institution's time zone.
    """
    items = agenda_of(meeting)
    clock = meeting.starts_at
    for item in items:
        item.starts_at = clock
        clock = item.ends_at = clock + timedelta(minutes=item.minutes_allotted)
    return items


def decisions_of(meeting):
    from .models import MeetingDecision

    return list(MeetingDecision.objects.filter(meeting=meeting).select_related("proposal").order_by("created_at", "pk"))


def action_items_of(meeting):
    from .models import ActionItem

    return list(ActionItem.objects.filter(meeting=meeting).select_related("owner").order_by("created_at", "pk"))


def attendance_count(meeting):
    from .models import Attendance

    return Attendance.objects.filter(meeting=meeting).count()


def published_minutes(institution, limit=5):
    """The latest public meetings whose minutes are published, for the institution's public page."""
    meetings = Meeting.objects.filter(institution=institution, is_public=True, minutes_published=True)
    return list(meetings.order_by("-starts_at", "-pk")[:limit])


def get_published_minutes_or_404(institution, pk):
    """A public meeting with published minutes; any other meeting does not exist for this page."""
    meetings = Meeting.objects.select_related("institution")
    return get_object_or_404(meetings, institution=institution, pk=pk, is_public=True, minutes_published=True)
