"""Procedure mail: when a procedure gets a new version, the members who had read an earlier one are
asked, once, to read it again.

Every send goes through notifications.notify_once under a key naming the version and the member,
so a retried or duplicated task never sends twice. (Imported by logistics/tasks.py, so the worker
knows the task.)
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import ProcedureAcknowledgement, ProcedureVersion


def changed_key(version, member):
    return f"procedure-changed:{version.pk}:{member.pk}"


def readers_of_an_older_version(version):
    """Active members who acknowledged an earlier version of the procedure but not this one."""
    earlier = ProcedureAcknowledgement.objects.filter(
        member=OuterRef("user"), version__procedure=version.procedure_id, version__number__lt=version.number
    )
    this_one = ProcedureAcknowledgement.objects.filter(member=OuterRef("user"), version=version)
    members = Membership.objects.filter(institution=version.institution_id, status=Membership.Status.ACTIVE)
    return [
        membership.user
        for membership in members.filter(Exists(earlier)).exclude(Exists(this_one)).select_related("user")
    ]


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def tell_procedure_changed(institution, *, version_id):
    """E-mail each member who had read an earlier version of the procedure: it changed, please read it
    again. Nothing when this version is no longer the current one (a later version's mail will go) or
    the procedure was archived."""
    version = ProcedureVersion.objects.filter(pk=version_id).select_related("procedure").first()
    if version is None:
        return 0
    procedure = version.procedure
    if procedure.current_id != version.pk or procedure.archived_at is not None:
        return 0
    path = reverse("logistics:procedure", kwargs={"institution_slug": institution.slug, "pk": procedure.pk})
    members = readers_of_an_older_version(version)
    # A retry finds the same members: skip, in one query, whoever has the mail already.
    done = set(
        Delivery.objects.filter(
            key__in=[changed_key(version, member) for member in members],
            status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED],
        ).values_list("key", flat=True)
    )
    sent = 0
    for member in members:
        if changed_key(version, member) in done:
            continue
        delivery = notify_once(
            key=changed_key(version, member),
            kind=Delivery.Kind.REMINDER,
            template="logistics/email/procedure_changed",
            recipient=member,
            institution=institution,
            context={
                "institution": institution,
                "procedure": procedure,
                "version": version,
                "name": member.display_name,
                "path": path,
            },
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
