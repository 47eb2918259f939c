"""Writes for institutions: every change that matters leaves an audit entry in the same transaction."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from .models import AuditEntry, Institution, Invitation, JoinRequest, Membership


class MembershipError(Exception):
    """A change to membership that the rules do not allow; the message says why, for people."""


def audit_record(*, institution, actor, action, **data) -> AuditEntry:
    return AuditEntry.objects.with_scope(institution=institution).create(
        institution=institution, actor=actor, action=action, data=data
    )


@transaction.atomic
def institution_create(
    *, creator, name, slug, kind, need_statement, description="", default_language="en", time_zone="UTC"
) -> Institution:
    """Create an institution; its creator becomes the first organizer."""
    institution = Institution(
        name=name,
        slug=slug,
        kind=kind,
        need_statement=need_statement,
        description=description,
        default_language=default_language,
        time_zone=time_zone,
    )
    institution.full_clean()
    institution.save()
    with scope(institution=institution):
        Membership.objects.create(institution=institution, user=creator, role=Membership.Role.ORGANIZER)
        audit_record(institution=institution, actor=creator, action="institution.created")
    return institution


@transaction.atomic
def institution_update(*, institution, actor, **fields) -> Institution:
    changed = sorted(name for name, value in fields.items() if getattr(institution, name) != value)
    for name, value in fields.items():
        setattr(institution, name, value)
    institution.full_clean()
    institution.save()
    if changed:
        audit_record(institution=institution, actor=actor, action="institution.updated", fields=changed)
    return institution


def _organizer_count(institution, *, lock=False):
    organizers = Membership.objects.with_scope(institution=institution).filter(
        role=Membership.Role.ORGANIZER, status=Membership.Status.ACTIVE
    )
    if lock:
        # Lock the organizer rows so two organizers cannot step down at the same moment.
        organizers = organizers.select_for_update()
    return len(list(organizers.values_list("pk", flat=True)))


def _ensure_not_last_organizer(membership):
    if membership.is_organizer and _organizer_count(membership.institution, lock=True) <= 1:
        raise MembershipError(
            _("An institution always needs at least one organizer. Make someone else an organizer first.")
        )


@transaction.atomic
def member_add(*, institution, user, role=Membership.Role.MEMBER, actor=None) -> Membership:
    """Make `user` an active member, reactivating an earlier membership if they had left."""
    memberships = Membership.objects.with_scope(institution=institution)
    membership = memberships.select_for_update().filter(user=user).first()
    if membership and membership.is_active:
        return membership
    if membership:
        membership.status = Membership.Status.ACTIVE
        membership.role = role
        membership.joined_at = timezone.now()
        membership.left_at = None
        membership.save()
    else:
        membership = memberships.create(institution=institution, user=user, role=role)
    audit_record(
        institution=institution, actor=actor or user, action="membership.joined", person=user.display_name, role=role
    )
    return membership


@transaction.atomic
def member_change_role(*, membership, role, actor) -> Membership:
    if role not in Membership.Role.values:
        raise MembershipError(_("Choose a role from the list."))
    if not membership.is_active:
        raise MembershipError(_("This person is no longer a member."))
    if membership.role == role:
        return membership
    if role != Membership.Role.ORGANIZER:
        _ensure_not_last_organizer(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        institution=membership.institution,
        actor=actor,
        action="membership.role_changed",
        person=membership.user.display_name,
        old=old,
        new=role,
    )
    return membership


@transaction.atomic
def member_end(*, membership, actor) -> Membership:
    """End a membership: the person leaves (actor is themselves) or an organizer removes them."""
    if not membership.is_active:
        raise MembershipError(_("This person is no longer a member."))
    _ensure_not_last_organizer(membership)
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    action = "membership.left" if actor == membership.user else "membership.removed"
    audit_record(institution=membership.institution, actor=actor, action=action, person=membership.user.display_name)
    return membership


@transaction.atomic
def invitation_create(
    *, institution, actor, email="", role=Membership.Role.MEMBER, max_uses=1, expires_at=None
) -> Invitation:
    """Create an invitation; an e-mail invitation is sent once the transaction commits."""
    invitation = Invitation(
        institution=institution,
        created_by=actor,
        email=email.strip().lower(),
        role=role,
        max_uses=1 if email else max_uses,
    )
    if expires_at is not None:
        invitation.expires_at = expires_at
    invitation.save()
    audit_record(
        institution=institution,
        actor=actor,
        action="invitation.created",
        target=invitation.email,
        role=role,
    )
    if invitation.email:
        from . import tasks

        tasks.send_invitation.enqueue(institution=institution, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation, actor) -> Invitation:
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            institution=invitation.institution,
            actor=actor,
            action="invitation.revoked",
            target=invitation.email,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, user) -> Membership:
    """Use an invitation: the user becomes a member. Counting a use is a conditional update, so a
    link with one use left cannot be taken by two people at once."""
    reason = invitation.unusable_reason()
    if reason:
        raise MembershipError(reason)
    if invitation.email and invitation.email != user.email.lower():
        raise MembershipError(_("This invitation was sent to a different e-mail address. Sign in with that address."))
    existing = (
        Membership.objects.with_scope(institution=invitation.institution)
        .filter(user=user, status=Membership.Status.ACTIVE)
        .first()
    )
    if existing:
        return existing
    claimed = (
        Invitation.objects.with_scope(institution=invitation.institution)
        .filter(pk=invitation.pk, revoked_at__isnull=True, uses__lt=F("max_uses"), expires_at__gt=timezone.now())
        .update(uses=F("uses") + 1)
    )
    if not claimed:
        raise MembershipError(_("This invitation can no longer be used. Ask an organizer for a new one."))
    return member_add(institution=invitation.institution, user=user, role=invitation.role, actor=user)


@transaction.atomic
def join_request_create(*, institution, user, message="") -> JoinRequest:
    requests = JoinRequest.objects.with_scope(institution=institution)
    if (
        Membership.objects.with_scope(institution=institution)
        .filter(user=user, status=Membership.Status.ACTIVE)
        .exists()
    ):
        raise MembershipError(_("You are already a member."))
    pending = requests.filter(user=user, status=JoinRequest.Status.PENDING).first()
    if pending:
        return pending
    try:
        with transaction.atomic():
            return requests.create(institution=institution, user=user, message=message)
    except IntegrityError:
        # Sent twice at the same moment: the other request is the one we keep.
        return requests.get(user=user, status=JoinRequest.Status.PENDING)


@transaction.atomic
def join_request_decide(*, join_request, actor, accept) -> JoinRequest:
    updated = (
        JoinRequest.objects.with_scope(institution=join_request.institution)
        .filter(pk=join_request.pk, status=JoinRequest.Status.PENDING)
        .update(
            status=JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
    )
    if not updated:
        raise MembershipError(_("This request has already been answered."))
    join_request.refresh_from_db()
    person = join_request.user.display_name
    if accept:
        audit_record(institution=join_request.institution, actor=actor, action="join_request.accepted", person=person)
        member_add(institution=join_request.institution, user=join_request.user, actor=actor)
    else:
        audit_record(institution=join_request.institution, actor=actor, action="join_request.declined", person=person)
    return join_request


@transaction.atomic
def membership_affiliations_set(*, membership, affiliations) -> Membership:
    """What other organizations the member says they belong to (free text, may be empty)."""
    membership.affiliations = " ".join(affiliations.split())
    membership.full_clean(exclude=["user", "institution"])
    membership.save(update_fields=["affiliations"])
    return membership


# Deleting an institution ------------------------------------------------------------------------------

DELETION_GRACE = timedelta(days=14)


@transaction.atomic
def deletion_request(*, institution, actor, confirm_name) -> Institution:
    """Schedule the institution's deletion after the grace period. The organizer types its exact name."""
    if " ".join(confirm_name.split()) != institution.name:
        raise ValidationError(_("Type the institution's name exactly as it is written, to confirm."))
    if institution.deletion_due_at is not None:
        raise ValidationError(_("The deletion is already scheduled."))
    now = timezone.now()
    Institution.objects.filter(pk=institution.pk).update(
        deletion_requested_at=now, deletion_requested_by=actor, deletion_due_at=now + DELETION_GRACE
    )
    institution.refresh_from_db()
    audit_record(
        institution=institution,
        actor=actor,
        action="institution.deletion_requested",
        date=timezone.localtime(institution.deletion_due_at).date().isoformat(),
    )
    return institution


@transaction.atomic
def deletion_cancel(*, institution, actor) -> Institution:
    if institution.deletion_due_at is None:
        raise ValidationError(_("No deletion is scheduled."))
    Institution.objects.filter(pk=institution.pk).update(
        deletion_requested_at=None, deletion_requested_by=None, deletion_due_at=None
    )
    institution.refresh_from_db()
    audit_record(institution=institution, actor=actor, action="institution.deletion_cancelled")
    return institution


def stored_files_of(institution):
    """(storage, name) of every file the institution's rows point at, found from the models' file fields."""
    from django.apps import apps
    from django.db.models import FileField

    found = []
    for model in apps.get_models():
        names = [field.name for field in model._meta.fields if isinstance(field, FileField)]
        if not names or not any(field.name == "institution" for field in model._meta.fields):
            continue
        for row in model._base_manager.filter(institution=institution).only(*names):
            for name in names:
                file = getattr(row, name)
                if file:
                    found.append((file.storage, file.name))
    return found


def institution_purge(*, institution) -> None:
    """Delete the institution, everything it holds (the database cascades) and its stored files, the
    files only once the deletion is committed."""
    files = stored_files_of(institution)
    with transaction.atomic():
        Institution.objects.filter(pk=institution.pk).delete()

        def remove_files():
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(remove_files)
