"""Grievances: filed confidentially to the facilitators the institution names.

Only the filer and the facilitators see a grievance, its status and its trail (GrievanceEvent). No
one else does, organizers included, and nothing about a grievance goes to the institution's audit
log (every organizer reads it). Naming and removing facilitators is not confidential and is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.models import Membership
from institutions.services import audit_record

from .models import Facilitator, Grievance, GrievanceEvent

AUDIT_ACTIONS = {
    "facilitator.named": gettext_lazy("%(actor)s named %(person)s a facilitator for grievances"),
    "facilitator.removed": gettext_lazy("%(actor)s removed %(person)s from the facilitators for grievances"),
}
NOTE_MAX = 5000


# Who may do what --------------------------------------------------------------------------------------


def is_facilitator(institution, user):
    return Facilitator.objects.filter(institution=institution, user_id=user.pk).exists()


def can_see_grievance(user, grievance, *, facilitator):
    """The filer and the facilitators; nobody else, whatever their role."""
    return facilitator or (grievance.filed_by_id is not None and grievance.filed_by_id == user.pk)


def can_change_status(user, grievance, *, facilitator):
    return facilitator


def can_add_note(user, grievance, *, facilitator):
    return can_see_grievance(user, grievance, facilitator=facilitator)


# Facilitators ------------------------------------------------------------------------------------------


def facilitators_of(institution):
    return list(Facilitator.objects.filter(institution=institution).select_related("user").order_by("user__name"))


@transaction.atomic
def facilitator_name(*, institution, actor, user) -> Facilitator:
    """Name an active member a facilitator: they receive grievances and help resolve them."""
    if not Membership.objects.filter(institution=institution, user=user, status=Membership.Status.ACTIVE).exists():
        raise ValidationError(_("Only an active member of this institution can be a facilitator."))
    if Facilitator.objects.filter(institution=institution, user=user).exists():
        raise ValidationError(_("%(person)s is already a facilitator.") % {"person": user.display_name})
    facilitator = Facilitator.objects.create(institution=institution, user=user, named_by=actor)
    audit_record(institution=institution, actor=actor, action="facilitator.named", person=user.display_name)
    return facilitator


@transaction.atomic
def facilitator_remove(*, facilitator, actor):
    """A removed facilitator no longer sees any grievance (unless they filed it)."""
    person = facilitator.user.display_name
    facilitator.delete()
    audit_record(institution=facilitator.institution, actor=actor, action="facilitator.removed", person=person)


# Grievances --------------------------------------------------------------------------------------------


def _clean_text(text, *, limit, empty_message):
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty_message)
    if len(text) > limit:
        raise ValidationError(_("This can be up to %(limit)s characters.") % {"limit": limit})
    return text


@transaction.atomic
def grievance_file(*, institution, filer, subject, description) -> Grievance:
    """File a grievance. The facilitators are e-mailed once each, after the transaction commits."""
    from .tasks_grievances import send_grievance_filed

    if not Membership.objects.filter(institution=institution, user=filer, status=Membership.Status.ACTIVE).exists():
        raise ValidationError(_("Only members can file a grievance."))
    if not Facilitator.objects.filter(institution=institution).exists():
        raise ValidationError(
            _("No facilitators are named yet, so nobody could receive it. Ask an organizer to name facilitators.")
        )
    subject = " ".join(_clean_text(subject, limit=200, empty_message=_("Say in a few words what it is about.")).split())
    description = _clean_text(description, limit=10000, empty_message=_("Write what happened."))
    now = timezone.now()
    grievance = Grievance.objects.create(
        institution=institution,
        filed_by=filer,
        subject=subject,
        description=description,
        created_at=now,
        updated_at=now,
    )
    GrievanceEvent.objects.create(
        institution=institution,
        grievance=grievance,
        actor=filer,
        kind=GrievanceEvent.Kind.FILED,
        status=grievance.status,
        created_at=now,
    )
    send_grievance_filed.enqueue(institution=institution, grievance_id=grievance.pk)
    return grievance


@transaction.atomic
def grievance_set_status(*, grievance, actor, status, note="") -> Grievance:
    """A facilitator moves the grievance on: received, in mediation, resolved or closed."""
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if not is_facilitator(grievance.institution, actor):
        raise ValidationError(_("Only the facilitators change a grievance's status."))
    if status not in Grievance.Status.values:
        raise ValidationError(_("Choose one of the statuses."))
    if status == grievance.status:
        raise ValidationError(_("The grievance already has this status."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(_("This can be up to %(limit)s characters.") % {"limit": NOTE_MAX})
    now = timezone.now()
    grievance.status, grievance.updated_at = status, now
    grievance.closed_at = None if status in Grievance.OPEN else now
    grievance.save(update_fields=["status", "updated_at", "closed_at"])
    GrievanceEvent.objects.create(
        institution=grievance.institution,
        grievance=grievance,
        actor=actor,
        kind=GrievanceEvent.Kind.STATUS,
        status=status,
        note=note,
        created_at=now,
    )
    return grievance


@transaction.atomic
def grievance_note_add(*, grievance, actor, note) -> GrievanceEvent:
    """The filer or a facilitator adds a note to the trail."""
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)
    facilitator = is_facilitator(grievance.institution, actor)
    if not can_add_note(actor, grievance, facilitator=facilitator):
        raise ValidationError(_("Only the person who filed it and the facilitators add notes."))
    note = _clean_text(note, limit=NOTE_MAX, empty_message=_("Write the note."))
    now = timezone.now()
    grievance.updated_at = now
    grievance.save(update_fields=["updated_at"])
    return GrievanceEvent.objects.create(
        institution=grievance.institution,
        grievance=grievance,
        actor=actor,
        kind=GrievanceEvent.Kind.NOTE,
        note=note,
        created_at=now,
    )


# Reads -------------------------------------------------------------------------------------------------


def grievances_for(institution, user, *, facilitator):
    """The grievances this person may see: all of them for a facilitator, else only their own."""
    grievances = Grievance.objects.filter(institution=institution).select_related("filed_by", "institution")
    return grievances if facilitator else grievances.filter(filed_by_id=user.pk)


def get_grievance_for_or_404(institution, pk, user, *, facilitator):
    """The same 404 for "missing" and "not yours": others learn nothing, not even that it exists."""
    grievance = (
        Grievance.objects.filter(institution=institution, pk=pk).select_related("filed_by", "institution").first()
    )
    if grievance is None or not can_see_grievance(user, grievance, facilitator=facilitator):
        raise Http404("No such grievance.")
    return grievance


def trail_of(grievance):
    return list(GrievanceEvent.objects.filter(grievance=grievance).select_related("actor"))


def open_grievances(institution):
    """(grievance id, age in days, status) for every grievance received or in mediation, oldest
    first. Counts and ages only: never a subject. One query."""
    now = timezone.now()
    rows = (
        Grievance.objects.filter(institution=institution, status__in=Grievance.OPEN)
        .order_by("created_at", "pk")
        .values_list("pk", "created_at", "status")
    )
    return [(pk, (now - created_at).days, status) for pk, created_at, status in rows]
