"""Shift mail and the schedule's horizon.

- A late cancellation alerts the others on the shift, its lead and the organizers, once each.
- People signed up for a date that is skipped are told, once each.
- The day before, everyone signed up gets one reminder (once per person per shift date).
- Daily, weekly shifts get their dates made up to SCHEDULE_WEEKS ahead.
Every send goes through notifications.notify_once under a key naming the date and the person.
"""

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from institutions.models import Institution, Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import Shift, ShiftOccurrence, ShiftSignup, StandInRequest

REMIND_AHEAD = timedelta(hours=24)


def occurrence_path(occurrence):
    return reverse(
        "logistics:occurrence", kwargs={"institution_slug": occurrence.institution.slug, "pk": occurrence.pk}
    )


def _send(*, key, template, person, institution, context):
    delivery = notify_once(
        key=key,
        kind=Delivery.Kind.REMINDER,
        template=template,
        recipient=person,
        institution=institution,
        context={"institution": institution, "name": person.display_name, **context},
    )
    return delivery.status == Delivery.Status.SENT


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_stand_in_alert(institution, *, stand_in_id):
    """Tell the others on the shift, its lead and the organizers that a place was given up late."""
    stand_in = (
        StandInRequest.objects.filter(pk=stand_in_id)
        .select_related("occurrence__shift__role", "occurrence__shift__lead", "cancelled__member")
        .first()
    )
    if stand_in is None or not stand_in.is_open:
        return 0
    occurrence = stand_in.occurrence
    leaver = stand_in.cancelled.member
    people = {
        signup.member.pk: signup.member
        for signup in ShiftSignup.objects.filter(
            occurrence=occurrence, status=ShiftSignup.Status.ACTIVE
        ).select_related("member")
    }
    for membership in Membership.objects.filter(
        institution=institution, status=Membership.Status.ACTIVE, role=Membership.Role.ORGANIZER
    ).select_related("user"):
        people[membership.user.pk] = membership.user
    if occurrence.shift.lead is not None:
        people[occurrence.shift.lead.pk] = occurrence.shift.lead
    people.pop(leaver.pk, None)
    context = {"occurrence": occurrence, "leaver": leaver.display_name, "path": occurrence_path(occurrence)}
    return sum(
        _send(
            key=f"shift-stand-in:{stand_in.pk}:{stand_in.created_at.timestamp():.0f}:{person.pk}",
            template="logistics/email/shift_stand_in",
            person=person,
            institution=institution,
            context=context,
        )
        for person in people.values()
    )


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_date_skipped(institution, *, occurrence_id):
    """Tell the people signed up for a date that it will not happen."""
    occurrence = ShiftOccurrence.objects.filter(pk=occurrence_id).select_related("shift__role").first()
    if occurrence is None or occurrence.cancelled_at is None:
        return 0
    signups = ShiftSignup.objects.filter(occurrence=occurrence, status=ShiftSignup.Status.ACTIVE).select_related(
        "member"
    )
    context = {"occurrence": occurrence, "path": occurrence_path(occurrence)}
    return sum(
        _send(
            key=f"shift-skipped:{occurrence.pk}:{occurrence.sequence}:{signup.member_id}",
            template="logistics/email/shift_skipped",
            person=signup.member,
            institution=institution,
            context=context,
        )
        for signup in signups
    )


@shared_task
def send_shift_reminders():
    """Hourly: remind everyone signed up for a shift starting within a day, once per person and date.
    People who signed up within that day are not reminded (they just chose it)."""
    now = timezone.now()
    with scopes_disabled():  # a scan across institutions; each institution's sends run in its scope
        due = list(
            ShiftSignup.objects.filter(
                status=ShiftSignup.Status.ACTIVE,
                occurrence__cancelled_at__isnull=True,
                occurrence__starts_at__gt=now,
                occurrence__starts_at__lte=now + REMIND_AHEAD,
            )
            .values_list("institution_id", flat=True)
            .distinct()
            .order_by("institution_id")
        )
    for institution_id in due:
        remind_shifts.delay(institution_id)
    return len(due)


def reminder_key(signup):
    return f"shift-reminder:{signup.occurrence_id}:{signup.member_id}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def remind_shifts(institution):
    now = timezone.now()
    signups = list(
        ShiftSignup.objects.filter(
            institution=institution,
            status=ShiftSignup.Status.ACTIVE,
            occurrence__cancelled_at__isnull=True,
            occurrence__starts_at__gt=now,
            occurrence__starts_at__lte=now + REMIND_AHEAD,
        ).select_related("member", "occurrence__shift__role")
    )
    signups = [signup for signup in signups if signup.signed_up_at < signup.occurrence.starts_at - REMIND_AHEAD]
    done = set(
        Delivery.objects.filter(
            key__in=[reminder_key(signup) for signup in signups],
            status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED],
        ).values_list("key", flat=True)
    )
    return sum(
        _send(
            key=reminder_key(signup),
            template="logistics/email/shift_reminder",
            person=signup.member,
            institution=institution,
            context={"occurrence": signup.occurrence, "path": occurrence_path(signup.occurrence)},
        )
        for signup in signups
        if reminder_key(signup) not in done
    )


@shared_task
def extend_shift_schedules():
    """Daily: make the dates of every running weekly shift up to the horizon. Idempotent."""
    from .shifts import occurrences_extend

    made = 0
    with scopes_disabled():
        institution_ids = list(
            Shift.objects.filter(ended_at__isnull=True, repeat=Shift.Repeat.WEEKLY)
            .values_list("institution_id", flat=True)
            .distinct()
        )
    for institution in Institution.objects.filter(pk__in=institution_ids):
        with scope(institution=institution):
            for shift in Shift.objects.filter(
                institution=institution, ended_at__isnull=True, repeat=Shift.Repeat.WEEKLY
            ).select_related("institution"):
                made += occurrences_extend(shift)
    return made
