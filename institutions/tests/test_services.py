from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from institutions import services
from institutions.models import AuditEntry, Institution, Membership
from institutions.services import MembershipError
from tests.factories import InvitationFactory, JoinRequestFactory, MembershipFactory, UserFactory


def audit_actions(institution):
    with scope(institution=institution):
        return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_creator_becomes_first_organizer(db):
    creator = UserFactory()
    institution = services.institution_create(
        creator=creator,
        name="Tenant Pantry",
        slug="tenant-pantry",
        kind=Institution.Kind.ALTERNATIVE,
        need_statement="Food runs out at month's end.",
    )
    with scope(institution=institution):
        membership = Membership.objects.get(user=creator)
    assert membership.role == Membership.Role.ORGANIZER and membership.is_active
    assert audit_actions(institution) == ["institution.created"]


@pytest.mark.parametrize("slug", ["admin", "new", "i", "ab", "-pantry", "Pantry", "pan try", "pantry-", "x" * 51])
def test_institution_slug_is_validated(db, slug):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.institution_create(creator=UserFactory(), name="P", slug=slug, kind="alternative", need_statement="n")
    assert not Institution.objects.filter(slug=slug).exists()


def test_last_organizer_cannot_step_down_or_leave(institution, organizer):
    with scope(institution=institution):
        membership = Membership.objects.get(user=organizer)
        with pytest.raises(MembershipError, match="at least one organizer"):
            services.member_change_role(membership=membership, role=Membership.Role.MEMBER, actor=organizer)
        with pytest.raises(MembershipError, match="at least one organizer"):
            services.member_end(membership=membership, actor=organizer)
        membership.refresh_from_db()
    assert membership.is_organizer


def test_organizer_can_step_down_once_another_organizer_exists(institution, organizer, member):
    with scope(institution=institution):
        other = Membership.objects.get(user=member)
        services.member_change_role(membership=other, role=Membership.Role.ORGANIZER, actor=organizer)
        mine = Membership.objects.get(user=organizer)
        services.member_change_role(membership=mine, role=Membership.Role.MEMBER, actor=organizer)
        mine.refresh_from_db()
    assert mine.role == Membership.Role.MEMBER
    assert audit_actions(institution)[-2:] == ["membership.role_changed", "membership.role_changed"]


def test_removed_member_can_rejoin_and_keeps_one_row(institution, organizer, member):
    with scope(institution=institution):
        membership = Membership.objects.get(user=member)
        services.member_end(membership=membership, actor=organizer)
        membership.refresh_from_db()
        assert membership.status == Membership.Status.LEFT and membership.left_at
        services.member_add(institution=institution, user=member)
        assert Membership.objects.filter(user=member).count() == 1
        assert Membership.objects.get(user=member).is_active
    assert audit_actions(institution)[-2:] == ["membership.removed", "membership.joined"]


def test_shareable_link_stops_at_its_use_limit(institution, organizer):
    invitation = InvitationFactory(institution=institution, max_uses=2)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    with scope(institution=institution):
        services.invitation_accept(invitation=invitation, user=first)
        invitation.refresh_from_db()
        services.invitation_accept(invitation=invitation, user=second)
        invitation.refresh_from_db()
        with pytest.raises(MembershipError):
            services.invitation_accept(invitation=invitation, user=third)
        assert not Membership.objects.filter(user=third).exists()
        invitation.refresh_from_db()
    assert invitation.uses == 2


def test_stale_copy_of_a_used_up_link_cannot_be_used(institution):
    """Two people open the last use at once: the conditional update lets only one in."""
    invitation = InvitationFactory(institution=institution, max_uses=1)
    stale_copy = InvitationFactory._meta.model.objects.with_scopes_disabled().get(pk=invitation.pk)
    with scope(institution=institution):
        services.invitation_accept(invitation=invitation, user=UserFactory())
        late = UserFactory()
        with pytest.raises(MembershipError):
            services.invitation_accept(invitation=stale_copy, user=late)
        assert not Membership.objects.filter(user=late).exists()


@pytest.mark.parametrize("problem", ["revoked", "expired"])
def test_withdrawn_or_expired_invitation_is_refused(institution, organizer, problem):
    invitation = InvitationFactory(institution=institution)
    with scope(institution=institution):
        if problem == "revoked":
            services.invitation_revoke(invitation=invitation, actor=organizer)
        else:
            invitation.expires_at = timezone.now() - timedelta(minutes=1)
            invitation.save()
        with pytest.raises(MembershipError):
            services.invitation_accept(invitation=invitation, user=UserFactory())


def test_email_invitation_only_works_for_its_address(institution):
    invitation = InvitationFactory(institution=institution, email="sam@example.org", max_uses=1)
    with scope(institution=institution):
        with pytest.raises(MembershipError, match="different e-mail"):
            services.invitation_accept(invitation=invitation, user=UserFactory(email="eve@example.org"))
        services.invitation_accept(invitation=invitation, user=UserFactory(email="sam@example.org"))


def test_email_invitation_is_sent_once_after_commit(
    institution, organizer, django_capture_on_commit_callbacks, mailoutbox
):
    with scope(institution=institution), django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(institution=institution, actor=organizer, email="Sam@Example.org")
    assert invitation.email == "sam@example.org"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@example.org"]
    assert f"/i/{institution.slug}/invite/{invitation.token}/" in message.body
    # Running the task again (a retry, a duplicate) sends nothing more.
    from institutions.tasks import send_invitation

    send_invitation(institution.pk, invitation_id=invitation.pk)
    assert len(mailoutbox) == 1


def test_join_request_accept_makes_a_member(institution, organizer):
    join_request = JoinRequestFactory(institution=institution)
    with scope(institution=institution):
        services.join_request_decide(join_request=join_request, actor=organizer, accept=True)
        assert Membership.objects.get(user=join_request.user).is_active
        with pytest.raises(MembershipError, match="already been answered"):
            services.join_request_decide(join_request=join_request, actor=organizer, accept=False)
    assert audit_actions(institution)[-2:] == ["join_request.accepted", "membership.joined"]


def test_join_request_twice_keeps_one_pending(institution, outsider):
    with scope(institution=institution):
        first = services.join_request_create(institution=institution, user=outsider)
        second = services.join_request_create(institution=institution, user=outsider)
    assert first.pk == second.pk


def test_member_cannot_request_to_join(institution, member):
    with scope(institution=institution), pytest.raises(MembershipError):
        services.join_request_create(institution=institution, user=member)


def test_one_membership_per_person_is_a_database_rule(institution, member):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MembershipFactory(institution=institution, user=member)


def test_audit_entry_reads_in_the_readers_language(institution, organizer):
    from django.utils import translation

    entry = services.audit_record(
        institution=institution,
        actor=organizer,
        action="membership.role_changed",
        person="Mo",
        old="member",
        new="organizer",
    )
    assert entry.describe() == "Olga changed Mo's role from Member to Organizer"
    with translation.override("es"):
        assert entry.describe() == "Olga cambió el rol de Mo de Miembro a Organizador"
