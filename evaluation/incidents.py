"""The incident log: hostile media, counter-protests, police presence, lost support, and what the
institution changed to stay safe. Members record; organizers correct and delete (audited)."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.services import audit_record

from .models import Incident

FIELDS = ("happened_on", "kind", "description", "safety_changes")
AUDIT_ACTIONS = {
    "incident.recorded": gettext_lazy("%(actor)s recorded an incident (%(kind)s) on %(date)s"),
    "incident.changed": gettext_lazy("%(actor)s changed the record of an incident (%(kind)s) on %(date)s"),
    "incident.deleted": gettext_lazy("%(actor)s deleted the record of an incident (%(kind)s) on %(date)s"),
}
AUDIT_LABELS = {"kind": lambda code: Incident.Kind(code).label}


def _clean(institution, fields):
    today = timezone.localdate(timezone=ZoneInfo(institution.time_zone))
    if fields["happened_on"] > today:
        raise ValidationError(_("The date cannot be in the future."))
    if fields["kind"] not in Incident.Kind.values:
        raise ValidationError(_("Choose what kind of incident it was."))
    fields["description"] = (fields.get("description") or "").strip()
    fields["safety_changes"] = (fields.get("safety_changes") or "").strip()
    if not fields["description"]:
        raise ValidationError(_("Write what happened."))
    return fields


def _audit(incident, actor, action):
    audit_record(
        institution=incident.institution,
        actor=actor,
        action=action,
        kind=incident.kind,
        date=incident.happened_on.isoformat(),
    )


@transaction.atomic
def incident_record(*, institution, actor, happened_on, kind, description, safety_changes="") -> Incident:
    """Record an incident. Dates are the institution's; the future is refused."""
    fields = {"happened_on": happened_on, "kind": kind, "description": description, "safety_changes": safety_changes}
    fields = _clean(institution, fields)
    incident = Incident(institution=institution, recorded_by=actor, **fields)
    incident.full_clean()
    incident.save()
    _audit(incident, actor, "incident.recorded")
    return incident


@transaction.atomic
def incident_update(*, incident, actor, **fields) -> Incident:
    fields = _clean(incident.institution, {name: fields[name] for name in FIELDS})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    for name, value in fields.items():
        setattr(incident, name, value)
    incident.full_clean()
    incident.save()
    _audit(incident, actor, "incident.changed")
    return incident


@transaction.atomic
def incident_delete(*, incident, actor):
    _audit(incident, actor, "incident.deleted")
    incident.delete()


def get_incident_or_404(institution, pk):
    return get_object_or_404(
        Incident.objects.select_related("institution", "recorded_by"), institution=institution, pk=pk
    )


def incident_list(institution, *, kind=None):
    incidents = Incident.objects.filter(institution=institution).select_related("recorded_by")
    return incidents.filter(kind=kind) if kind else incidents


def incidents_since(institution, since):
    """{kind: how many incidents happened on or after `since` (a date)}. One query."""
    rows = (
        Incident.objects.filter(institution=institution, happened_on__gte=since)
        .values("kind")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return {row["kind"]: row["total"] for row in rows}
