"""Check-in mail: each member whose check-in is due gets one reminder per period, and one second nudge
when the period began a week ago or more, the first went out a week ago or more, and they still have not
answered. Every send goes through notifications.notify_once (kind REMINDER, so a member who turned
reminders off is skipped) under a key naming the institution, the period and the member, so the hourly
beat, retries and duplicate jobs never send twice.
"""

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from . import checkins
from .models import EvaluationSettings

NUDGE_AFTER = timedelta(days=7)


@shared_task
def send_check_in_reminders():
    """Hourly: one reminder job per institution with check-ins on (no settings saved means monthly)."""
    institution_ids = list(
        Institution.objects.exclude(evaluation_settings__check_in_rhythm=EvaluationSettings.Rhythm.OFF)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for institution_id in institution_ids:
        remind_check_ins.delay(institution_id)
    return len(institution_ids)


def reminder_key(institution, period, member, which):
    return f"check-in:{institution.pk}:{period.isoformat()}:{member.pk}:{which}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def remind_check_ins(institution):
    """E-mail each active member who has not checked in this period: the first reminder once, the nudge
    once a week later. Returns how many were sent."""
    rhythm = checkins.settings_for(institution).check_in_rhythm
    today = checkins.local_today(institution)
    period = checkins.current_period(institution, today, rhythm=rhythm)
    if period is None:
        return 0
    due = checkins.due_members(institution, today, rhythm=rhythm)
    keys = [reminder_key(institution, period, member, which) for member in due for which in ("first", "nudge")]
    # The beat finds the same members every hour: read, in one query, what went out already.
    done = {
        key: (status, sent_at)
        for key, status, sent_at in Delivery.objects.filter(
            key__in=keys, status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED]
        ).values_list("key", "status", "sent_at")
    }
    now = timezone.now()
    nudge_due = today >= period + NUDGE_AFTER
    path = reverse("evaluation:checkins", kwargs={"institution_slug": institution.slug})
    sent = 0
    for member in due:
        first = reminder_key(institution, period, member, "first")
        nudge = reminder_key(institution, period, member, "nudge")
        if first not in done:
            template = "evaluation/email/check_in_reminder"
            key = first
        else:
            status, sent_at = done[first]
            first_went_out = status == Delivery.Status.SENT and sent_at <= now - NUDGE_AFTER
            if not (nudge_due and first_went_out and nudge not in done):
                continue
            template = "evaluation/email/check_in_nudge"
            key = nudge
        delivery = notify_once(
            key=key,
            kind=Delivery.Kind.REMINDER,
            template=template,
            recipient=member,
            institution=institution,
            language=member.language or institution.default_language,
            context={"institution": institution, "name": member.display_name, "path": path},
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
