"""Meeting mail: the private link to change an RSVP, cancellation notices, and (see below) reminders.

Every send goes through notifications.notify_once under a key naming the meeting, the person and
the kind of message, so a retried or duplicated task never sends twice.
"""

from django.urls import reverse

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import RSVP, Meeting


def rsvp_path(rsvp):
    return reverse("meetings:rsvp_manage", kwargs={"institution_slug": rsvp.institution.slug, "token": rsvp.token})


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_rsvp_link(institution, *, rsvp_id):
    """E-mail someone who RSVPed without an account the private link to change or cancel it."""
    rsvp = RSVP.objects.filter(pk=rsvp_id).select_related("meeting", "institution").first()
    if rsvp is None or not rsvp.email:
        return None
    delivery = notify_once(
        key=f"rsvp-link:{rsvp.pk}",
        kind=Delivery.Kind.INVITATION,
        template="meetings/email/rsvp_link",
        email=rsvp.email,
        institution=institution,
        language=rsvp.language,
        context={"institution": institution, "meeting": rsvp.meeting, "rsvp": rsvp, "path": rsvp_path(rsvp)},
    )
    return delivery.pk


def people_to_tell(meeting):
    """Who hears about a meeting: everyone coming who left an e-mail (or has an account), and for a
    members' meeting every active member. One entry per address: (email, user or None, language, rsvp)."""
    people = {}
    rsvps = RSVP.objects.filter(meeting=meeting, status=RSVP.Status.GOING).select_related("user")
    for rsvp in rsvps:
        email = rsvp.user.email if rsvp.user else rsvp.email
        if email:
            language = rsvp.user.language if rsvp.user else rsvp.language
            people.setdefault(email.lower(), (email, rsvp.user, language, rsvp))
    if not meeting.is_public:
        members = Membership.objects.filter(institution=meeting.institution, status=Membership.Status.ACTIVE)
        for membership in members.select_related("user"):
            user = membership.user
            people.setdefault(user.email.lower(), (user.email, user, user.language, None))
    return list(people.values())


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_cancellation(institution, *, meeting_id):
    """Tell everyone who planned to come that the meeting is cancelled, and why. Once per person."""
    meeting = Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.CANCELLED).first()
    if meeting is None:
        return 0
    sent = 0
    for email, user, language, rsvp in people_to_tell(meeting):
        notify_once(
            key=f"meeting-cancelled:{meeting.pk}:{email.lower()}",
            kind=Delivery.Kind.REMINDER if user else Delivery.Kind.INVITATION,
            template="meetings/email/cancelled",
            email=email,
            recipient=user,
            institution=institution,
            language=language or institution.default_language,
            context={"institution": institution, "meeting": meeting, "rsvp": rsvp},
        )
        sent += 1
    return sent
