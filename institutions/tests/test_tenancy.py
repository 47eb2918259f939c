import pytest
from django_scopes import ScopeError, scope

from institutions.models import AuditEntry, Invitation, JoinRequest, Membership
from institutions.selectors import memberships_for_user
from tests.factories import MembershipFactory


@pytest.mark.parametrize("model", [Membership, Invitation, JoinRequest, AuditEntry])
def test_query_without_scope_raises_instead_of_leaking(db, model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


def test_scope_shows_only_its_own_institution(institution, other_institution, member, other_member):
    with scope(institution=institution):
        users = set(Membership.objects.values_list("user__email", flat=True))
    assert users == {"mo@example.org"}


def test_a_person_sees_all_their_own_memberships_and_no_one_elses(institution, other_institution, member, other_member):
    MembershipFactory(institution=other_institution, user=member)
    names = [m.institution.name for m in memberships_for_user(member)]
    assert names == ["Eastside Pantry", "Riverside Garden"]
