"""Writes for logistics: tasks, claimed by members or assigned by organizers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Membership

from .models import Task

EDITABLE_FIELDS = {"title", "description", "owner", "due_on", "effort", "step", "meeting", "need"}


def _refuse_non_member(institution, user):
    if (
        user is not None
        and not Membership.objects.filter(institution=institution, user=user, status=Membership.Status.ACTIVE).exists()
    ):
        raise ValidationError(_("Only an active member of the institution can do a task."))


def _check(task):
    for name in ("meeting", "need"):
        linked = getattr(task, name)
        if linked is not None and linked.institution_id != task.institution_id:
            raise ValidationError(_("The task can only serve this institution's own meetings and needs."))
    task.title = task.title.strip()
    task.description = task.description.strip()
    task.full_clean(exclude=["owner", "meeting", "need", "action_item", "created_by"])


@transaction.atomic
def task_create(*, institution, author, title, description="", owner=None, **fields) -> Task:
    """Write down a task, for someone or for whoever claims it."""
    _refuse_non_member(institution, owner)
    task = Task(institution=institution, created_by=author, title=title, description=description, owner=owner, **fields)
    _check(task)
    task.save()
    return task


@transaction.atomic
def task_update(*, task, actor, **fields) -> Task:
    """Change what a task says. Who does it changes through claim, release and assign."""
    unknown = set(fields) - (EDITABLE_FIELDS - {"owner"})
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(task, name, value)
    _check(task)
    task.save()
    return task


def _refuse_finished(task):
    if not task.is_active:
        raise ValidationError(_("This task is finished (done or dropped): reopen it first."))


@transaction.atomic
def task_claim(*, task, member) -> Task:
    """A member takes an unclaimed task. A conditional update: of two members claiming at once, one gets it."""
    _refuse_finished(task)
    _refuse_non_member(task.institution, member)
    taken = Task.objects.filter(pk=task.pk, owner__isnull=True, status__in=Task.ACTIVE).update(owner=member)
    if not taken:
        raise ValidationError(_("Someone else took this task a moment ago."))
    task.owner = member
    return task


@transaction.atomic
def task_release(*, task, member) -> Task:
    """The owner gives the task back, for someone else to claim."""
    released = Task.objects.filter(pk=task.pk, owner=member, status__in=Task.ACTIVE).update(owner=None)
    if not released:
        raise ValidationError(_("Only the person doing an unfinished task can give it back."))
    task.owner = None
    return task


@transaction.atomic
def task_assign(*, task, actor, owner) -> Task:
    """An organizer gives the task to a member (or, with owner None, makes it unclaimed)."""
    _refuse_finished(task)
    _refuse_non_member(task.institution, owner)
    task.owner = owner
    task.save(update_fields=["owner"])
    return task


@transaction.atomic
def task_set_status(*, task, actor, status) -> Task:
    if status not in Task.Status.values:
        raise ValidationError(_("Choose one of: open, in progress, done, dropped."))
    task.status = status
    task.done_at = timezone.now() if status == Task.Status.DONE else None
    task.save(update_fields=["status", "done_at"])
    return task


def task_from_action_item(*, item, actor):
    """Hook for meetings: each action item noted at a meeting becomes a task (same transaction)."""
    return task_create(
        institution=item.institution,
        author=actor,
        title=item.text[:200],
        owner=item.owner,
        due_on=item.due_on,
        meeting=item.meeting,
        action_item=item,
    )
