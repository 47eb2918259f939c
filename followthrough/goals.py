"""Goals the institution sets itself: their milestones (reached ones keep their date and appear on the
timeline) and the evidence linked to them (a metric, a decision, a task of the same institution)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from decisions.models import Proposal
from evaluation.models import Metric
from institutions.models import Membership
from institutions.services import audit_record
from logistics.models import Task

from .models import Goal, GoalLink, Milestone

AUDIT_ACTIONS = {
    "goal.created": gettext_lazy("%(actor)s set the goal “%(title)s”"),
    "goal.updated": gettext_lazy("%(actor)s changed the goal “%(title)s”"),
    "goal.status_changed": gettext_lazy("%(actor)s marked the goal “%(title)s” as %(status)s"),
    "goal.milestone_reached": gettext_lazy("%(actor)s marked the milestone “%(milestone)s” of “%(title)s” reached"),
}
STATUS_LABELS = dict(Goal.Status.choices)


# Writes ------------------------------------------------------------------------------------------------


def _check_owner(institution, owner):
    if (
        owner is not None
        and not Membership.objects.filter(institution=institution, user=owner, status=Membership.Status.ACTIVE).exists()
    ):
        raise ValidationError(_("The person keeping an eye on a goal must be a member."))


@transaction.atomic
def goal_create(*, institution, actor, title, description="", target_date=None, owner=None) -> Goal:
    """Set a goal (working on it)."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Write the goal in a few words."))
    _check_owner(institution, owner)
    goal = Goal(
        institution=institution,
        title=title,
        description=description.strip(),
        target_date=target_date,
        owner=owner,
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    audit_record(institution=institution, actor=actor, action="goal.created", title=title)
    return goal


@transaction.atomic
def goal_update(*, goal, actor, title, description="", target_date=None, owner=None) -> Goal:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Write the goal in a few words."))
    _check_owner(goal.institution, owner)
    goal.title, goal.description, goal.target_date, goal.owner = title, description.strip(), target_date, owner
    goal.full_clean()
    goal.save(update_fields=["title", "description", "target_date", "owner"])
    audit_record(institution=goal.institution, actor=actor, action="goal.updated", title=title)
    return goal


@transaction.atomic
def goal_status_set(*, goal, actor, status) -> Goal:
    """Mark a goal reached (today), paused, dropped, or back to working on it."""
    if status not in Goal.Status.values:
        raise ValidationError(_("Choose: working on it, reached, paused or dropped."))
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.status == status:
        raise ValidationError(_("The goal is already marked that way."))
    goal.status = status
    goal.reached_on = timezone.localdate() if status == Goal.Status.REACHED else None
    goal.save(update_fields=["status", "reached_on"])
    audit_record(
        institution=goal.institution,
        actor=actor,
        action="goal.status_changed",
        title=goal.title,
        status=str(STATUS_LABELS[status]),
    )
    return goal


@transaction.atomic
def milestone_add(*, goal, title, target_date=None) -> Milestone:
    """Add a milestone at the end of the goal's list."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Write the milestone in a few words."))
    last = goal.milestones.order_by("-position").values_list("position", flat=True).first()
    milestone = Milestone(
        institution=goal.institution,
        goal=goal,
        title=title,
        target_date=target_date,
        position=0 if last is None else last + 1,
    )
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_reach(*, milestone, actor, reached_on=None) -> Milestone:
    """Mark a milestone reached on a day (today unless given), or not reached (reached_on=False)."""
    milestone = Milestone.objects.select_for_update().select_related("goal").get(pk=milestone.pk)
    if reached_on is False:
        milestone.reached_on = None
    else:
        reached_on = reached_on or timezone.localdate()
        if reached_on > timezone.localdate():
            raise ValidationError(_("A milestone cannot be reached in the future."))
        milestone.reached_on = reached_on
        audit_record(
            institution=milestone.institution,
            actor=actor,
            action="goal.milestone_reached",
            title=milestone.goal.title,
            milestone=milestone.title,
        )
    milestone.save(update_fields=["reached_on"])
    return milestone


@transaction.atomic
def milestone_move(*, milestone, up) -> Milestone:
    """Swap a milestone with its neighbour above (up) or below. Positions are renumbered 0..n first."""
    siblings = list(Milestone.objects.select_for_update().filter(goal_id=milestone.goal_id).order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == milestone.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        raise ValidationError(_("This milestone is already at that end of the list."))
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    Milestone.objects.bulk_update(siblings, ["position"])
    return milestone


@transaction.atomic
def goal_link_add(*, goal, metric=None, proposal=None, task=None, note="") -> GoalLink:
    """Link one piece of evidence (a metric, a decision or a task of the goal's institution)."""
    targets = [target for target in (metric, proposal, task) if target is not None]
    if len(targets) != 1:
        raise ValidationError(_("Choose one metric, one decision or one task to link."))
    target = targets[0]
    if target.institution_id != goal.institution_id:
        raise ValidationError(_("Only evidence of this institution can be linked."))
    note = " ".join(note.split())
    if len(note) > 300:
        raise ValidationError(_("The note can be up to 300 characters."))
    link = GoalLink(institution=goal.institution, goal=goal, metric=metric, proposal=proposal, task=task, note=note)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def goal_link_remove(*, link):
    link.delete()


# Reads -------------------------------------------------------------------------------------------------


def goal_list(institution):
    """Goals with their owner, milestones reached and total, and how much evidence is linked. One query."""
    return (
        Goal.objects.filter(institution=institution)
        .select_related("institution", "owner")
        .annotate(
            milestone_total=Count("milestones", distinct=True),
            milestones_done=Count("milestones", filter=Q(milestones__reached_on__isnull=False), distinct=True),
            link_total=Count("links", distinct=True),
        )
    )


def get_goal_or_404(institution, pk):
    return get_object_or_404(Goal.objects.select_related("institution", "owner"), institution=institution, pk=pk)


def get_milestone_or_404(institution, pk):
    return get_object_or_404(Milestone.objects.select_related("goal__institution"), institution=institution, pk=pk)


def get_link_or_404(institution, pk):
    return get_object_or_404(GoalLink.objects.select_related("goal__institution"), institution=institution, pk=pk)


def goal_links(goal):
    return list(GoalLink.objects.filter(goal=goal).select_related("metric", "proposal", "task").order_by("pk"))


def milestones_reached(institution):
    """Reached milestones with their goal, newest first: for the timeline. One query."""
    return (
        Milestone.objects.filter(institution=institution, reached_on__isnull=False)
        .select_related("goal")
        .order_by("-reached_on", "-pk")
    )


def evidence_choices(institution):
    """What can be linked: current metrics, proposals past drafting, tasks not dropped."""
    return {
        "metric": Metric.objects.filter(institution=institution, archived_at__isnull=True).order_by("name"),
        "proposal": Proposal.objects.filter(institution=institution)
        .exclude(status=Proposal.Status.DRAFT)
        .order_by("-pk"),
        "task": Task.objects.filter(institution=institution).exclude(status=Task.Status.DROPPED).order_by("-pk"),
    }
