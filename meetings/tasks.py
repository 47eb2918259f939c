"""Meeting mail: the private link to change an RSVP, cancellation notices, and (see below) reminders.

Every send goes through notifications.notify_once under a key naming the meeting, the person and
the kind of message, so a retried or duplicated task never sends twice.
"""

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .calendar import MIMETYPE, meeting_calendar
from .models import RSVP, AgendaItem, Meeting


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
        # Every member hears about a members' meeting, except those who said they are not coming.
        declined = RSVP.objects.filter(meeting=meeting, status=RSVP.Status.CANCELLED, user__isnull=False)
        members = Membership.objects.filter(institution=meeting.institution, status=Membership.Status.ACTIVE)
        for membership in members.exclude(user__in=declined.values("user")).select_related("user"):
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


# Reminders ------------------------------------------------------------------------------------------

# How long before the start each reminder goes out. A meeting already inside a shorter window gets
# only that reminder (no "tomorrow" mail two hours before).
REMINDER_WINDOWS = {"24h": timedelta(hours=24), "2h": timedelta(hours=2)}


def reminder_range(window, now):
    """(after, until): a meeting starting after `after` and by `until` is due for this reminder."""
    ahead = REMINDER_WINDOWS[window]
    shorter = [other for other in REMINDER_WINDOWS.values() if other < ahead]
    return now + max(shorter, default=timedelta(0)), now + ahead


def reminder_is_due(meeting, window, now):
    after, until = reminder_range(window, now)
    return meeting.status == Meeting.Status.PLANNED and after < meeting.starts_at <= until


@shared_task
def send_meeting_reminders():
    """Every five minutes: one reminder task per meeting and window that is due (each sends once)."""
    now = timezone.now()
    due = []
    with scopes_disabled():  # a scan across institutions, primary keys only; each task enters its scope
        for window in REMINDER_WINDOWS:
            after, until = reminder_range(window, now)
            rows = Meeting.objects.filter(
                status=Meeting.Status.PLANNED, starts_at__gt=after, starts_at__lte=until
            ).values_list("institution_id", "pk")
            due += [(institution_id, meeting_id, window) for institution_id, meeting_id in rows]
    for institution_id, meeting_id, window in due:
        remind_meeting.delay(institution_id, meeting_id=meeting_id, window=window)
    return len(due)


def reminder_key(meeting, window, email):
    # The sequence changes when the time or place does, so a moved meeting is reminded of again.
    return f"meeting-reminder:{meeting.pk}:{meeting.sequence}:{window}:{email.lower()}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def remind_meeting(institution, *, meeting_id, window):
    """Remind everyone coming (every member, for a members' meeting) in their language: when, where,
    the agenda and a calendar file. Once per person and window; nothing once the meeting has started."""
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("institution").first()
    if meeting is None or window not in REMINDER_WINDOWS or not reminder_is_due(meeting, window, timezone.now()):
        return 0
    people = people_to_tell(meeting)
    # The beat finds the same meeting every few minutes: skip, in one query, whoever has it already.
    done = set(
        Delivery.objects.filter(
            key__in=[reminder_key(meeting, window, email) for email, *_rest in people],
            status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED],
        ).values_list("key", flat=True)
    )
    agenda = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk").values_list("title", flat=True))
    slug = institution.slug
    calendars = {}  # one calendar file per language
    sent = 0
    for email, user, language, rsvp in people:
        key = reminder_key(meeting, window, email)
        if key in done:
            continue
        if not reminder_is_due(meeting, window, timezone.now()):
            break  # a long list ran past the start (or into the 2-hour window): the rest would be late
        language = language or institution.default_language
        if language not in calendars:
            with translation.override(language):
                calendars[language] = meeting_calendar(meeting).decode()
        page = "meetings:detail" if user else "meetings:public"
        delivery = notify_once(
            key=key,
            kind=Delivery.Kind.REMINDER if user else Delivery.Kind.INVITATION,
            template="meetings/email/reminder",
            email=email,
            recipient=user,
            institution=institution,
            language=language,
            context={
                "institution": institution,
                "meeting": meeting,
                "rsvp": rsvp,
                "name": user.display_name if user else rsvp.name,
                "agenda": agenda,
                "window": window,
                "meeting_path": reverse(page, kwargs={"institution_slug": slug, "pk": meeting.pk}),
                "path": rsvp_path(rsvp) if rsvp is not None and rsvp.user_id is None else "",
            },
            attachments=[(f"meeting-{meeting.pk}.ics", calendars[language], MIMETYPE)],
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
