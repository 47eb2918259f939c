"""Grievance mail: when a grievance is filed, each facilitator is told once, with a link to it.

The mail says only that a grievance was filed, never what it is about: mailboxes are shared,
forwarded and read over shoulders. The facilitator reads it after signing in.
"""

from django.urls import reverse

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import Facilitator, Grievance


def grievance_filed_key(grievance, user):
    return f"grievance-filed:{grievance.pk}:{user.pk}"


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_grievance_filed(institution, *, grievance_id):
    """Tell every facilitator who is still an active member (but not the filer) once."""
    grievance = Grievance.objects.filter(pk=grievance_id).first()
    if grievance is None:
        return 0
    active = Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE).values("user_id")
    facilitators = (
        Facilitator.objects.filter(institution=institution, user_id__in=active)
        .exclude(user_id=grievance.filed_by_id)
        .select_related("user")
    )
    path = reverse("evaluation:grievance", kwargs={"institution_slug": institution.slug, "pk": grievance.pk})
    sent = 0
    for facilitator in facilitators:
        person = facilitator.user
        delivery = notify_once(
            key=grievance_filed_key(grievance, person),
            # Not a reminder: a facilitator who turned reminders off must still hear of a grievance.
            kind=Delivery.Kind.INVITATION,
            template="evaluation/email/grievance_filed",
            recipient=person,
            institution=institution,
            context={"institution": institution, "name": person.display_name, "path": path},
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
