from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from notifications.models import Delivery
from notifications.services import notify_once

from .models import Institution, Invitation
from .tenancy import tenant_task
from .throttle import throttle_forget_old


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_invitation(institution, *, invitation_id):
    """E-mail an invitation once. Skipped if it was withdrawn or has expired meanwhile."""
    invitation = Invitation.objects.filter(pk=invitation_id).select_related("created_by").first()
    if invitation is None or not invitation.email or not invitation.is_usable:
        return None
    path = reverse(
        "institutions:invitation_accept", kwargs={"institution_slug": institution.slug, "token": invitation.token}
    )
    delivery = notify_once(
        key=f"invitation:{invitation.pk}",
        kind=Delivery.Kind.INVITATION,
        template="institutions/email/invitation",
        email=invitation.email,
        institution=institution,
        language=institution.default_language,
        context={
            "institution": institution,
            "invitation": invitation,
            "inviter": invitation.created_by.display_name if invitation.created_by else "",
            "path": path,
        },
    )
    return delivery.pk


@shared_task
def forget_old_throttle_windows():
    """Delete public-form rate-limit windows older than a day (safe to run any number of times)."""
    return throttle_forget_old()


@shared_task
def purge_deleted_institutions():
    """Daily: delete the institutions whose deletion grace period is over, with everything they hold.
    Idempotent: a deleted institution is gone, a cancelled one is no longer due."""
    from .services import institution_purge

    purged = 0
    for institution in Institution.objects.filter(deletion_due_at__lte=timezone.now()).order_by("pk"):
        with scopes_disabled():
            institution_purge(institution=institution)
        purged += 1
    return purged
