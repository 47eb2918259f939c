"""The incident log: members record what happened and what changed for safety; organizers correct
and delete records."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import incidents
from ..forms_incidents import IncidentForm
from ..models import Incident

LIST_LIMIT = 200


@tenant_access(MEMBER)
@require_safe
def incident_list(request):
    kind = request.GET.get("kind", "")
    if kind not in Incident.Kind.values:
        kind = ""
    return render(
        request,
        "evaluation/incidents/list.html",
        {
            "incidents": incidents.incident_list(request.institution, kind=kind)[:LIST_LIMIT],
            "kind": kind,
            "kinds": Incident.Kind.choices,
        },
    )


@tenant_access(MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def incident_new(request):
    form = IncidentForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            incident = incidents.incident_record(
                institution=request.institution, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The incident is in the log."))
            return redirect("evaluation:incident", institution_slug=request.institution.slug, pk=incident.pk)
    return render(
        request, "evaluation/incidents/form.html", {"form": form, "incident": None}, status=400 if form.errors else 200
    )


@tenant_access(MEMBER)
@require_safe
def incident_detail(request, pk):
    return render(
        request,
        "evaluation/incidents/detail.html",
        {"incident": incidents.get_incident_or_404(request.institution, pk)},
    )


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def incident_edit(request, pk):
    incident = incidents.get_incident_or_404(request.institution, pk)
    form = IncidentForm(posted_data(request), instance=copy.copy(incident))
    if request.method == "POST" and form.is_valid():
        try:
            incidents.incident_update(incident=incident, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The incident record is changed."))
            return redirect("evaluation:incident", institution_slug=request.institution.slug, pk=incident.pk)
    return render(
        request,
        "evaluation/incidents/form.html",
        {"form": form, "incident": incident},
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def incident_delete(request, pk):
    incident = incidents.get_incident_or_404(request.institution, pk)
    incidents.incident_delete(incident=incident, actor=request.user)
    messages.success(request, _("The incident record is deleted."))
    return redirect("evaluation:incidents", institution_slug=request.institution.slug)
