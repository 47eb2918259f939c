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


def test_the_tenant_middleware_resolves_each_short_path_once(institution, member_client, client, monkeypatch):
    from institutions import middleware

    middleware._kept_route.cache_clear()
    resolved = []
    resolve = middleware.resolve
    monkeypatch.setattr(middleware, "resolve", lambda path: resolved.append(path) or resolve(path))
    home = institution.get_absolute_url()
    assert member_client.get(home).status_code == 200
    assert member_client.get(home).status_code == 200
    assert client.get(home).status_code == 200  # public page: the kept route carries the access level too
    members = f"{home}members/"
    assert client.get(members).status_code == 302  # members only: an anonymous visitor is asked to log in
    assert client.get(members).status_code == 302
    assert resolved == [home, members]

    # A long path is resolved each time, never kept, and answered the same way.
    long_path = f"{home}decisions/{'9' * middleware.KEPT_PATH_LENGTH}/"
    assert client.get(long_path).status_code == 302
    assert client.get(long_path).status_code == 302
    assert resolved == [home, members, long_path, long_path]
    assert middleware._kept_route.cache_info().currsize == 2
