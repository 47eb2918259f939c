"""Writes for logistics: tasks, claimed by members or assigned by organizers; meeting support lines."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from institutions.models import Membership
from institutions.services import audit_record
from meetings.models import Meeting
from meetings.services import meeting_support_summary

from .models import SupportLine, Task

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
    _audit(task, author, "task.created", owner=task.owner.display_name if task.owner else "")
    return task


def _audit(task, actor, action, **data):
    """Every change of who does a task, its status or its wording is kept in the audit log."""
    audit_record(institution=task.institution, actor=actor, action=action, task=task.title, task_id=task.pk, **data)


@transaction.atomic
def task_update(*, task, actor, **fields) -> Task:
    """Change what a task says. Who does it changes through claim, release and assign."""
    unknown = set(fields) - (EDITABLE_FIELDS - {"owner"})
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(task, name) != value)
    for name, value in fields.items():
        setattr(task, name, value)
    _check(task)
    task.save()
    if changed:
        _audit(task, actor, "task.changed", fields=changed)
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
    _audit(task, member, "task.claimed")
    return task


@transaction.atomic
def task_release(*, task, member) -> Task:
    """The owner gives the task back, for someone else to claim."""
    released = Task.objects.filter(pk=task.pk, owner=member, status__in=Task.ACTIVE).update(owner=None)
    if not released:
        raise ValidationError(_("Only the person doing an unfinished task can give it back."))
    task.owner = None
    _audit(task, member, "task.released")
    return task


@transaction.atomic
def task_assign(*, task, actor, owner) -> Task:
    """An organizer gives the task to a member (or, with owner None, makes it unclaimed)."""
    _refuse_finished(task)
    _refuse_non_member(task.institution, owner)
    task.owner = owner
    task.save(update_fields=["owner"])
    _audit(task, actor, "task.assigned", owner=owner.display_name if owner else "")
    return task


@transaction.atomic
def task_set_status(*, task, actor, status) -> Task:
    if status not in Task.Status.values:
        raise ValidationError(_("Choose one of: open, in progress, done, dropped."))
    before = task.status
    task.status = status
    task.done_at = timezone.now() if status == Task.Status.DONE else None
    task.save(update_fields=["status", "done_at"])
    if before != status:
        _audit(task, actor, "task.status_changed", before=before, after=status)
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


# Meeting support checklist ------------------------------------------------------------------------


def _ride_key(name, place, seen):
    digest = hashlib.sha256(f"{name}\n{place}".lower().encode()).hexdigest()[:16]
    seen[digest] = seen.get(digest, 0) + 1
    return f"ride:{digest}" if seen[digest] == 1 else f"ride:{digest}:{seen[digest]}"


def support_lines_wanted(summary) -> dict:
    """The checklist a support summary asks for: {key: (kind, description)}, in display order."""
    Kind = SupportLine.Kind
    wanted = {}
    if summary.children:
        text = ngettext("Childcare for %(count)d child", "Childcare for %(count)d children", summary.children) % {
            "count": summary.children
        }
        if summary.children_ages:
            text += " " + _("(ages %(ages)s)") % {"ages": ", ".join(summary.children_ages)}
        wanted["childcare"] = (Kind.CHILDCARE, text)
    if summary.eldercare:
        wanted["eldercare"] = (
            Kind.ELDERCARE,
            ngettext("Eldercare for %(count)d household", "Eldercare for %(count)d households", summary.eldercare)
            % {"count": summary.eldercare},
        )
    if summary.eating:
        text = ngettext("Food for %(count)d person", "Food for %(count)d people", summary.eating) % {
            "count": summary.eating
        }
        if summary.dietary:
            text += " (" + "; ".join(summary.dietary) + ")"
        wanted["food"] = (Kind.FOOD, text)
    seen = {}
    for name, place in summary.rides:
        wanted[_ride_key(name, place, seen)] = (
            Kind.TRANSPORT,
            _("A ride for %(name)s from %(place)s") % {"name": name, "place": place},
        )
    for language, count in sorted(summary.interpretation.items()):
        wanted[f"interpretation:{'-'.join(language.lower().split())}"[:120]] = (
            Kind.INTERPRETATION,
            ngettext(
                "Interpretation into %(language)s for %(count)d RSVP",
                "Interpretation into %(language)s for %(count)d RSVPs",
                count,
            )
            % {"language": language, "count": count},
        )
    wanted["setup"] = (Kind.SETUP, _("Set up the room"))
    wanted["cleanup"] = (Kind.CLEANUP, _("Clean up afterwards"))
    return {key: (kind, description[:500]) for key, (kind, description) in wanted.items()}


def support_lines_for(meeting, summary=None):
    # Stored text in the site language, so members reading in other languages do not rewrite it back and forth.
    with translation.override(settings.LANGUAGE_CODE):
        return support_lines_wanted(summary or meeting_support_summary(meeting))


def _support_lines_plan(meeting):
    """(lines by key, new lines, changed lines) that bring the checklist in line with the RSVPs now."""
    wanted = support_lines_for(meeting)
    lines = {line.key: line for line in SupportLine.objects.filter(meeting=meeting).select_related("volunteer")}
    new, changed = [], []
    for position, (key, (kind, description)) in enumerate(wanted.items()):
        line = lines.get(key)
        if line is None:
            line = SupportLine(
                institution_id=meeting.institution_id,
                meeting=meeting,
                kind=kind,
                key=key,
                description=description,
                position=position,
            )
            new.append(line)
            lines[key] = line
        elif (line.kind, line.description, line.active, line.position) != (kind, description, True, position):
            line.kind, line.description, line.active, line.position = kind, description, True, position
            changed.append(line)
    for key, line in lines.items():
        if key not in wanted and line.active:
            line.active = False
            changed.append(line)
    return lines, new, changed


def support_lines_sync(*, meeting) -> list:
    """Bring the meeting's checklist in line with its RSVPs: add new lines, update descriptions, set aside
    lines whose need went away (keeping the volunteer) and bring back returning ones. Idempotent; writes
    only what changed. Returns the active lines in order."""
    lines, new, changed = _support_lines_plan(meeting)
    if changed or new:  # the usual case is neither: no transaction, no writes
        with transaction.atomic():
            # Syncs of one meeting take turns and read the RSVPs again once it is theirs: a sync that read
            # before the latest RSVP never writes its older counts over a newer sync's.
            list(Meeting.objects.select_for_update().filter(pk=meeting.pk).values_list("pk", flat=True))
            lines, new, changed = _support_lines_plan(meeting)
            SupportLine.objects.bulk_update(changed, ["kind", "description", "active", "position"])
            # A page synced at the same moment may have made the same lines: theirs stand. (With conflicts
            # ignored the new rows come back without primary keys, so read the checklist again.)
            SupportLine.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            return list(SupportLine.objects.filter(meeting=meeting, active=True).select_related("volunteer"))
    return sorted((line for line in lines.values() if line.active), key=lambda line: (line.position, line.pk))


@transaction.atomic
def support_line_volunteer(*, line, member) -> SupportLine:
    """A member takes an unfilled line. A conditional update: of two members at once, one gets it."""
    _refuse_non_member(line.institution, member)
    taken = SupportLine.objects.filter(pk=line.pk, volunteer__isnull=True, active=True).update(volunteer=member)
    if not taken:
        raise ValidationError(_("Someone else already took this, or it is no longer needed."))
    line.volunteer = member
    return line


@transaction.atomic
def support_line_release(*, line, member) -> SupportLine:
    """The volunteer gives the line back, for someone else to take."""
    released = SupportLine.objects.filter(pk=line.pk, volunteer=member).update(volunteer=None)
    if not released:
        raise ValidationError(_("Only the person who took this can give it back."))
    line.volunteer = None
    return line


@transaction.atomic
def settings_update(*, institution, actor, **values):
    """Save the institution's logistics settings (made on first save) and audit the new values."""
    from .models import LogisticsSettings

    saved, _created = LogisticsSettings.objects.update_or_create(institution=institution, defaults=values)
    audit_record(
        institution=institution,
        actor=actor,
        action="logistics.settings_changed",
        **{name: str(value) for name, value in values.items()},
    )
    return saved
