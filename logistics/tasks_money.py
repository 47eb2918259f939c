"""Ledger mail: when an expense waits for approval, the other organizers hear of it once.

Each send goes through notifications.notify_once under a key naming the entry, the version that
made it wait and the organizer, so retries and duplicates never send twice, while an approved
expense raised again (a new version waiting) is announced again.
"""

from django.urls import reverse

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import LedgerEntry
from .selectors import settings_for


def approval_key(entry, version, organizer):
    return f"ledger-approval:{entry.pk}:v{version}:{organizer.pk}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def ask_for_approval(institution, *, entry_id, version):
    """Tell each active organizer but the one who recorded it that an expense waits for their approval."""
    entry = (
        LedgerEntry.objects.filter(
            pk=entry_id, version=version, approval=LedgerEntry.Approval.PENDING, voided_at__isnull=True
        )
        .select_related("recorded_by", "category")
        .first()
    )
    if entry is None:
        return 0  # decided, changed again or voided since: nothing to ask
    organizers = (
        Membership.objects.filter(
            institution=institution, role=Membership.Role.ORGANIZER, status=Membership.Status.ACTIVE
        )
        .exclude(user_id=entry.recorded_by_id)
        .select_related("user")
    )
    path = reverse("logistics:ledger_entry", kwargs={"institution_slug": institution.slug, "pk": entry.pk})
    currency = settings_for(institution).currency
    sent = 0
    for membership in organizers:
        organizer = membership.user
        delivery = notify_once(
            key=approval_key(entry, version, organizer),
            kind=Delivery.Kind.REMINDER,
            template="logistics/email/money_approval",
            recipient=organizer,
            institution=institution,
            context={
                "institution": institution,
                "entry": entry,
                "currency": currency,
                "name": organizer.display_name,
                "recorder": entry.recorded_by.display_name if entry.recorded_by else "",
                "path": path,
            },
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
