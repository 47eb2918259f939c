"""Task mail: owners hear the day before a task is due; organizers hear once when one is overdue.

Every send goes through notifications.notify_once under a key naming the task, its due date and
the recipient, so the hourly beat, retries and duplicates never send twice; a task moved to
another date is reminded of again.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import Task


@shared_task
def send_task_reminders():
    """Hourly: one reminder task per institution with unfinished tasks due by tomorrow (or overdue)."""
    # Two days ahead of UTC covers "tomorrow" in every time zone; each institution works out its own.
    horizon = timezone.now().date() + timedelta(days=2)
    with scopes_disabled():  # a scan across institutions, primary keys only; each task enters its scope
        institution_ids = list(
            Task.objects.filter(status__in=Task.ACTIVE, due_on__lte=horizon)
            .values_list("institution_id", flat=True)
            .distinct()
            .order_by("institution_id")
        )
    for institution_id in institution_ids:
        remind_tasks.delay(institution_id)
    return len(institution_ids)


def due_key(task, owner):
    return f"task-due:{task.pk}:{task.due_on.isoformat()}:{owner.pk}"


def overdue_key(task, organizer):
    return f"task-overdue:{task.pk}:{task.due_on.isoformat()}:{organizer.pk}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def remind_tasks(institution):
    """Remind each owner of their tasks due tomorrow; tell each organizer of each overdue task. Once each."""
    today = timezone.localdate(timezone=ZoneInfo(institution.time_zone))
    active = Task.objects.filter(institution=institution, status__in=Task.ACTIVE).select_related("owner")
    members = Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE)
    due = list(active.filter(due_on=today + timedelta(days=1), owner__in=members.values("user")))
    overdue = list(active.filter(due_on__lt=today))
    organizers = [m.user for m in members.filter(role=Membership.Role.ORGANIZER).select_related("user")]
    sends = [(due_key(task, task.owner), task, task.owner, "logistics/email/task_due") for task in due]
    sends += [
        (overdue_key(task, organizer), task, organizer, "logistics/email/task_overdue")
        for task in overdue
        for organizer in organizers
    ]
    # The beat finds the same tasks every hour: skip, in one query, what went out already.
    done = set(
        Delivery.objects.filter(
            key__in=[key for key, *_rest in sends], status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED]
        ).values_list("key", flat=True)
    )
    sent = 0
    for key, task, person, template in sends:
        if key in done:
            continue
        path = reverse("logistics:task", kwargs={"institution_slug": institution.slug, "pk": task.pk})
        delivery = notify_once(
            key=key,
            kind=Delivery.Kind.REMINDER,
            template=template,
            recipient=person,
            institution=institution,
            context={"institution": institution, "task": task, "name": person.display_name, "path": path},
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent


from .tasks_money import ask_for_approval  # noqa: E402, F401  (registered with the worker)
from .tasks_procedures import tell_procedure_changed  # noqa: E402, F401  (registered with the worker)


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def sync_support_lines(institution, *, meeting_id):
    """Bring one meeting's support checklist in line with its RSVPs (idempotent: writes only changes)."""
    from meetings.models import Meeting

    from .services import support_lines_sync

    meeting = Meeting.objects.filter(institution=institution, pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.PLANNED:
        return 0
    return len(support_lines_sync(meeting=meeting))


def support_lines_after_rsvp(*, meeting):
    """Hook for meetings: an RSVP changed (the transaction has committed)."""
    sync_support_lines.delay(meeting.institution_id, meeting_id=meeting.pk)


@shared_task
def sync_upcoming_support_lines():
    """Hourly: the checklists of planned meetings of the next two weeks, so new meetings show their
    setup and cleanup lines on the logistics home before anyone opens them."""
    from meetings.models import Meeting

    now = timezone.now()
    with scopes_disabled():
        meetings = list(
            Meeting.objects.filter(
                status=Meeting.Status.PLANNED, starts_at__gt=now, starts_at__lt=now + timedelta(days=14)
            ).values_list("institution_id", "pk")
        )
    for institution_id, meeting_id in meetings:
        sync_support_lines.delay(institution_id, meeting_id=meeting_id)
    return len(meetings)
