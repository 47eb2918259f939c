"""Goals pages: the list for members, a goal with its milestones and evidence; organizers set goals,
add, order and mark milestones, link evidence and mark a goal reached, paused or dropped."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.views import message_refusal
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import goals
from ..forms_goals import GoalForm, GoalLinkForm, GoalStatusForm, MilestoneForm, MilestoneReachedForm


@tenant_access(MEMBER)
@require_safe
def goal_list(request):
    return render(request, "followthrough/goals/list.html", {"goals": goals.goal_list(request.institution)})


def _fields(form):
    return {**{name: form.cleaned_data[name] for name in GoalForm.Meta.fields}, "owner": form.cleaned_data["owner"]}


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def goal_new(request):
    form = GoalForm(posted_data(request), institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            goal = goals.goal_create(institution=request.institution, actor=request.user, **_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal is set. Add the milestones on the way to it."))
            return redirect(goal.get_absolute_url())
    return render(request, "followthrough/goals/form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def goal_edit(request, pk):
    goal = goals.get_goal_or_404(request.institution, pk)
    form = GoalForm(posted_data(request), instance=copy.copy(goal), institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            goals.goal_update(goal=goal, actor=request.user, **_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The goal is updated."))
            return redirect(goal.get_absolute_url())
    return render(
        request, "followthrough/goals/form.html", {"form": form, "goal": goal}, status=400 if form.errors else 200
    )


def goal_page(request, goal, *, status=200, milestone_form=None, link_form=None):
    context = {
        "goal": goal,
        "milestones": list(goal.milestones.order_by("position", "pk")),
        "links": goals.goal_links(goal),
        "today": timezone.localdate(),
    }
    if request.membership.is_organizer:
        context.update(
            milestone_form=milestone_form or MilestoneForm(),
            link_form=link_form or GoalLinkForm(institution=request.institution),
            status_form=GoalStatusForm(initial={"status": goal.status}),
            reached_form=MilestoneReachedForm(),
        )
    return render(request, "followthrough/goals/detail.html", context, status=status)


@tenant_access(MEMBER)
@require_safe
def goal_detail(request, pk):
    return goal_page(request, goals.get_goal_or_404(request.institution, pk))


def _refused(request, goal, error):
    message_refusal(request, error)
    return goal_page(request, goal, status=400)


@tenant_access(ORGANIZER)
@require_POST
def goal_status(request, pk):
    goal = goals.get_goal_or_404(request.institution, pk)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, goal, ValidationError(form.errors["status"]))
    try:
        goal = goals.goal_status_set(goal=goal, actor=request.user, status=form.cleaned_data["status"])
    except ValidationError as error:
        return _refused(request, goal, error)
    messages.success(request, _("The goal is marked “%(status)s”.") % {"status": goal.get_status_display()})
    return redirect(goal.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def milestone_add(request, pk):
    goal = goals.get_goal_or_404(request.institution, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            goals.milestone_add(goal=goal, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The milestone is added."))
            return redirect(goal.get_absolute_url())
    messages.error(request, _("The milestone was not added: see below."))
    return goal_page(request, goal, status=400, milestone_form=form)


@tenant_access(ORGANIZER)
@require_POST
def milestone_reached(request, pk):
    milestone = goals.get_milestone_or_404(request.institution, pk)
    form = MilestoneReachedForm(request.POST)
    if not form.is_valid():
        return _refused(request, milestone.goal, ValidationError(_("Give the date as a calendar date.")))
    reached_on = False if form.cleaned_data["undo"] else form.cleaned_data["reached_on"]
    try:
        goals.milestone_reach(milestone=milestone, actor=request.user, reached_on=reached_on)
    except ValidationError as error:
        return _refused(request, milestone.goal, error)
    if reached_on is False:
        messages.success(request, _("The milestone is marked not reached."))
    else:
        messages.success(request, _("The milestone is marked reached."))
    return redirect(milestone.goal.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def milestone_move(request, pk):
    milestone = goals.get_milestone_or_404(request.institution, pk)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return _refused(request, milestone.goal, ValidationError(_("Choose to move it up or down.")))
    try:
        goals.milestone_move(milestone=milestone, up=direction == "up")
    except ValidationError as error:
        return _refused(request, milestone.goal, error)
    return redirect(milestone.goal.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def link_add(request, pk):
    goal = goals.get_goal_or_404(request.institution, pk)
    form = GoalLinkForm(request.POST, institution=request.institution)
    if form.is_valid():
        data = form.cleaned_data
        try:
            goals.goal_link_add(
                goal=goal, metric=data["metric"], proposal=data["proposal"], task=data["task"], note=data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The evidence is linked."))
            return redirect(goal.get_absolute_url())
    messages.error(request, _("Nothing was linked: see below."))
    return goal_page(request, goal, status=400, link_form=form)


@tenant_access(ORGANIZER)
@require_POST
def link_remove(request, pk):
    link = goals.get_link_or_404(request.institution, pk)
    goals.goal_link_remove(link=link)
    messages.success(request, _("The link is removed."))
    return redirect(link.goal.get_absolute_url())
