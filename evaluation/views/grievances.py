"""Grievance pages. A grievance is seen only by the person who filed it and the facilitators: anyone
else, organizers included, gets the same 404 as for a grievance that does not exist."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import grievances
from ..forms_grievances import FacilitatorForm, GrievanceForm, NoteForm, StatusForm
from ..models import Facilitator

LIST_LIMIT = 200


def _facilitating(request):
    return grievances.is_facilitator(request.institution, request.user)


@tenant_access(MEMBER)
@require_safe
def grievance_list(request):
    """A member sees their own grievances; a facilitator sees every grievance."""
    facilitating = _facilitating(request)
    return render(
        request,
        "evaluation/grievances/list.html",
        {
            "grievances": grievances.grievances_for(request.institution, request.user, facilitator=facilitating)[
                :LIST_LIMIT
            ],
            "facilitating": facilitating,
            "facilitators": grievances.facilitators_of(request.institution),
        },
    )


@tenant_access(MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def grievance_new(request):
    form = GrievanceForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            grievance = grievances.grievance_file(
                institution=request.institution, filer=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your grievance is filed. The facilitators have been told."))
            return redirect(grievance.get_absolute_url())
    return render(
        request,
        "evaluation/grievances/new.html",
        {"form": form, "facilitators": grievances.facilitators_of(request.institution)},
        status=400 if form.errors else 200,
    )


def grievance_page(request, grievance, *, facilitating, status_form=None, note_form=None, status=200):
    return render(
        request,
        "evaluation/grievances/detail.html",
        {
            "grievance": grievance,
            "trail": grievances.trail_of(grievance),
            "facilitating": facilitating,
            "status_form": (status_form or StatusForm(initial={"status": grievance.status})) if facilitating else None,
            "note_form": note_form or NoteForm(),
            "facilitators": grievances.facilitators_of(request.institution),
        },
        status=status,
    )


def _grievance(request, pk):
    facilitating = _facilitating(request)
    grievance = grievances.get_grievance_for_or_404(request.institution, pk, request.user, facilitator=facilitating)
    return grievance, facilitating


@tenant_access(MEMBER)
@require_safe
def grievance_detail(request, pk):
    grievance, facilitating = _grievance(request, pk)
    return grievance_page(request, grievance, facilitating=facilitating)


@tenant_access(MEMBER)
@require_POST
def grievance_status(request, pk):
    grievance, facilitating = _grievance(request, pk)
    if not grievances.can_change_status(request.user, grievance, facilitator=facilitating):
        raise PermissionDenied("Only the facilitators change a grievance's status.")
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            grievances.grievance_set_status(grievance=grievance, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The status is changed."))
            return redirect(grievance.get_absolute_url())
    return grievance_page(request, grievance, facilitating=facilitating, status_form=form, status=400)


@tenant_access(MEMBER)
@require_POST
def grievance_note(request, pk):
    grievance, facilitating = _grievance(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            grievances.grievance_note_add(grievance=grievance, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your note is added."))
            return redirect(grievance.get_absolute_url())
    return grievance_page(request, grievance, facilitating=facilitating, note_form=form, status=400)


def facilitators_page(request, *, form=None, status=200):
    return render(
        request,
        "evaluation/grievances/facilitators.html",
        {
            "facilitators": grievances.facilitators_of(request.institution),
            "form": form or FacilitatorForm(institution=request.institution),
        },
        status=status,
    )


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def facilitators(request):
    """Organizers name the members who receive grievances."""
    if request.method != "POST":
        return facilitators_page(request)
    form = FacilitatorForm(request.POST, institution=request.institution)
    if form.is_valid():
        try:
            grievances.facilitator_name(
                institution=request.institution, actor=request.user, user=form.cleaned_data["user"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(person)s is now a facilitator.") % {"person": form.cleaned_data["user"].display_name},
            )
            return redirect("evaluation:facilitators", institution_slug=request.institution.slug)
    return facilitators_page(request, form=form, status=400)


@tenant_access(ORGANIZER)
@require_POST
def facilitator_remove(request, pk):
    facilitator = get_object_or_404(
        Facilitator.objects.select_related("user", "institution"), institution=request.institution, pk=pk
    )
    grievances.facilitator_remove(facilitator=facilitator, actor=request.user)
    messages.success(request, _("%(person)s is no longer a facilitator.") % {"person": facilitator.user.display_name})
    return redirect("evaluation:facilitators", institution_slug=request.institution.slug)
