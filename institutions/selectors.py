"""Reads for institutions."""

from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404

from .models import AuditEntry, Invitation, JoinRequest, Membership


def memberships_for_user(user):
    """A person's active memberships across institutions (for their home and the switcher).

    This crosses tenants on purpose, limited to the person's own rows.
    """
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.with_scopes_disabled()
        .filter(user=user, status=Membership.Status.ACTIVE)
        .select_related("institution")
        .order_by("institution__name")
    )


def invitations_for_user(user):
    """Usable e-mail invitations addressed to this person, in any institution (their own rows)."""
    from django.utils import timezone

    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.with_scopes_disabled()
        .filter(
            email=user.email.lower(), revoked_at__isnull=True, expires_at__gt=timezone.now(), uses__lt=F("max_uses")
        )
        .exclude(institution__memberships__user=user, institution__memberships__status=Membership.Status.ACTIVE)
        .select_related("institution")
        .order_by("-created_at")
    )


def members_of(institution):
    return (
        Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("-role", "user__name", "user__email")
    )


def member_counts(institution):
    return Membership.objects.filter(institution=institution).aggregate(
        active=Count("pk", filter=Q(status=Membership.Status.ACTIVE)),
        organizers=Count("pk", filter=Q(status=Membership.Status.ACTIVE, role=Membership.Role.ORGANIZER)),
    )


def open_invitations(institution):
    return Invitation.objects.filter(institution=institution, revoked_at__isnull=True).select_related("created_by")


def pending_join_requests(institution):
    return JoinRequest.objects.filter(institution=institution, status=JoinRequest.Status.PENDING).select_related("user")


def pending_join_request_for(institution, user):
    if not user.is_authenticated:
        return None
    return JoinRequest.objects.filter(institution=institution, user=user, status=JoinRequest.Status.PENDING).first()


def audit_entries(institution):
    return AuditEntry.objects.filter(institution=institution).select_related("actor")


def get_membership_or_404(institution, pk):
    return get_object_or_404(Membership.objects.select_related("user"), institution=institution, pk=pk)


def get_invitation_or_404(institution, pk):
    return get_object_or_404(Invitation, institution=institution, pk=pk)


def get_join_request_or_404(institution, pk):
    return get_object_or_404(JoinRequest.objects.select_related("user"), institution=institution, pk=pk)


def invitation_by_token(institution, token):
    return Invitation.objects.filter(institution=institution, token=token).first()
