"""Step 5 pages: the task list, a task, "my work", the "who does what" board and meeting support checklists."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from meetings.selectors import get_meeting_or_404

from .. import rules, selectors, services, shifts
from ..forms import AssignForm, StatusForm, TaskForm

LIST_LIMIT = 200


@tenant_access(MEMBER)
@require_safe
def index(request):
    show = request.GET.get("show", "open")
    if show not in selectors.FILTERS:
        show = "open"
    tasks = selectors.task_list(request.institution, request.user, show)[:LIST_LIMIT]
    return render(
        request,
        "logistics/index.html",
        {
            "step": STEPS_BY_APP["logistics"],
            "tasks": tasks,
            "show": show,
            "filters": [
                ("open", _("Open")),
                ("mine", _("Mine")),
                ("unclaimed", _("Unclaimed")),
                ("done", _("Done")),
            ],
            "today": timezone.localdate(),
            "unfilled_support": selectors.upcoming_unfilled_support(request.institution),
            "stand_ins": shifts.open_stand_ins(request.institution, limit=5),
            "short_shifts": shifts.below_minimum(request.institution, limit=5),
        },
    )


def _task_fields(form):
    return {name: form.cleaned_data[name] for name in TaskForm.Meta.fields}


@tenant_access(MEMBER)
def task_new(request):
    owner_choice = "organizer" if request.membership.is_organizer else "member"
    form = TaskForm(posted_data(request), institution=request.institution, owner_choice=owner_choice)
    if request.method == "POST" and form.is_valid():
        if owner_choice == "organizer":
            owner = form.cleaned_data["owner"]
        else:
            owner = request.user if form.cleaned_data["mine"] else None
        try:
            task = services.task_create(
                institution=request.institution, author=request.user, owner=owner, **_task_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The task is written down."))
            return redirect(task.get_absolute_url())
    return render(request, "logistics/task_form.html", {"form": form}, status=400 if form.errors else 200)


def task_page(request, task, *, form=None, status=200):
    membership = request.membership
    can_edit = rules.can_edit_task(membership, task)
    context = {
        "task": task,
        "can_edit": can_edit,
        "can_claim": rules.can_claim_task(membership, task),
        "can_release": rules.can_release_task(membership, task),
        "form": (form or TaskForm(instance=task, institution=request.institution)) if can_edit else None,
        "status_form": StatusForm(initial={"status": task.status}),
        "today": timezone.localdate(),
    }
    if membership.is_organizer and task.is_active:
        context["assign_form"] = AssignForm(institution=request.institution, initial={"owner": task.owner_id})
    return render(request, "logistics/task.html", context, status=status)


def refused(request, task, message):
    """Bad input or a refused change: the task page again, with why, as a 400. Nothing changed."""
    messages.error(request, message)
    return task_page(request, task, status=400)


@tenant_access(MEMBER)
def task_detail(request, pk):
    """The task; its creator, its owner and organizers edit it here."""
    task = selectors.get_task_or_404(request.institution, pk)
    if request.method != "POST":
        return task_page(request, task)
    if not rules.can_edit_task(request.membership, task):
        raise PermissionDenied("Only the task's author, the person doing it and organizers edit it.")
    form = TaskForm(request.POST, instance=copy.copy(task), institution=request.institution)
    if form.is_valid():
        try:
            services.task_update(task=task, actor=request.user, **_task_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The task is updated."))
            return redirect(task.get_absolute_url())
    return task_page(request, task, form=form, status=400)


def next_page(request):
    """The page a button was pressed on (posted as `next`), if it is ours, else None. Read before
    acting, so a malformed body is refused before anything changes."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def back(target, task):
    """Where a button sends people after acting: the page they pressed it on, or the task."""
    return HttpResponseRedirect(target) if target else redirect(task.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
def task_claim(request, pk):
    target = next_page(request)
    task = selectors.get_task_or_404(request.institution, pk)
    try:
        services.task_claim(task=task, member=request.user)
    except ValidationError as error:
        return refused(request, task, " ".join(error.messages))
    messages.success(request, _("The task is yours: “%(title)s”.") % {"title": task.title})
    return back(target, task)


@tenant_access(MEMBER)
@require_POST
def task_release(request, pk):
    target = next_page(request)
    task = selectors.get_task_or_404(request.institution, pk)
    try:
        services.task_release(task=task, member=request.user)
    except ValidationError as error:
        return refused(request, task, " ".join(error.messages))
    messages.success(request, _("You gave the task back; anyone can claim it now."))
    return back(target, task)


@tenant_access(ORGANIZER)
@require_POST
def task_assign(request, pk):
    target = next_page(request)
    task = selectors.get_task_or_404(request.institution, pk)
    form = AssignForm(request.POST, institution=request.institution)
    if "owner" not in request.POST or not form.is_valid():
        return refused(request, task, _("Choose a member to do the task, or nobody."))
    try:
        services.task_assign(task=task, actor=request.user, owner=form.cleaned_data["owner"])
    except ValidationError as error:
        return refused(request, task, " ".join(error.messages))
    messages.success(request, _("The task is assigned."))
    return back(target, task)


@tenant_access(MEMBER)
@require_POST
def task_status(request, pk):
    target = next_page(request)
    task = selectors.get_task_or_404(request.institution, pk)
    if not rules.can_edit_task(request.membership, task):
        raise PermissionDenied("Only the task's author, the person doing it and organizers change its status.")
    form = StatusForm(request.POST)
    if not form.is_valid():
        return refused(request, task, " ".join(form.errors["status"]))
    services.task_set_status(task=task, actor=request.user, status=form.cleaned_data["status"])
    messages.success(request, _("The task is now: %(status)s.") % {"status": task.get_status_display()})
    return back(target, task)


@tenant_access(MEMBER)
@require_safe
def mine(request):
    """My work: my unfinished tasks, soonest due first, overdue ones marked."""
    return render(
        request,
        "logistics/mine.html",
        {"tasks": selectors.my_work(request.institution, request.user)[:LIST_LIMIT], "today": timezone.localdate()},
    )


@tenant_access(MEMBER)
@require_safe
def board(request):
    """Who does what: each member's open tasks and effort, heaviest first, so overload shows."""
    rows, unclaimed, average = selectors.board(request.institution)
    return render(
        request,
        "logistics/board.html",
        {
            "rows": rows,
            "unclaimed": unclaimed,
            "average": round(average, 1),
            "overload_points": selectors.OVERLOAD_POINTS,
        },
    )


def support_page(request, meeting, *, status=200):
    """The checklist, synced with the RSVPs first so it always shows what people asked for now."""
    lines = services.support_lines_sync(meeting=meeting)
    return render(
        request,
        "logistics/meeting_support.html",
        {"meeting": meeting, "lines": lines, "unfilled": sum(1 for line in lines if line.volunteer_id is None)},
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def meeting_support(request, meeting_pk):
    """A meeting's support checklist: childcare, food, rides, interpretation, setup and cleanup."""
    return support_page(request, get_meeting_or_404(request.institution, meeting_pk))


def _support_action(request, meeting_pk, line_pk, action, done_message):
    meeting = get_meeting_or_404(request.institution, meeting_pk)
    line = selectors.get_support_line_or_404(meeting, line_pk)
    try:
        action(line=line, member=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return support_page(request, meeting, status=400)
    messages.success(request, done_message % {"line": line.description})
    return redirect("logistics:meeting_support", institution_slug=request.institution.slug, meeting_pk=meeting.pk)


@tenant_access(MEMBER)
@require_POST
def support_take(request, meeting_pk, line_pk):
    return _support_action(
        request, meeting_pk, line_pk, services.support_line_volunteer, _("You volunteered for: %(line)s.")
    )


@tenant_access(MEMBER)
@require_POST
def support_release(request, meeting_pk, line_pk):
    return _support_action(request, meeting_pk, line_pk, services.support_line_release, _("You gave back: %(line)s."))
