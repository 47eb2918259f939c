"""Named people and institutions reused by every test (after healthchecks' alice/bob/charlie).

- `institution`: the pantry where the action happens.
- `organizer` (olga), `member` (mo): active in `institution`.
- `outsider` (otto): signed in, belongs nowhere.
- `other_member` (oona): member of `other_institution` only.
Each comes with a logged-in client fixture: `organizer_client`, `member_client`, ...
"""

import pytest
from django.test import Client

from .factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Plain builders, so that a world built once per module (tests/test_permissions.py) has the very
# same people as the fixtures below.
def make_institution():
    return InstitutionFactory(name="Eastside Pantry", slug="eastside-pantry")


def make_other_institution():
    return InstitutionFactory(name="Riverside Garden", slug="riverside-garden")


def make_organizer(institution):
    return OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org", name="Olga")).user


def make_member(institution):
    return MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org", name="Mo")).user


def make_outsider():
    return UserFactory(email="otto@example.org", name="Otto")


def make_other_member(other_institution):
    return MembershipFactory(
        institution=other_institution, user=UserFactory(email="oona@example.org", name="Oona")
    ).user


def make_people():
    """Everyone the fixtures below name, built at once: {fixture name: object}."""
    institution, other_institution = make_institution(), make_other_institution()
    return {
        "institution": institution,
        "other_institution": other_institution,
        "organizer": make_organizer(institution),
        "member": make_member(institution),
        "outsider": make_outsider(),
        "other_member": make_other_member(other_institution),
    }


@pytest.fixture
def institution(db):
    return make_institution()


@pytest.fixture
def other_institution(db):
    return make_other_institution()


@pytest.fixture
def organizer(institution):
    return make_organizer(institution)


@pytest.fixture
def member(institution):
    return make_member(institution)


@pytest.fixture
def outsider(db):
    return make_outsider()


@pytest.fixture
def other_member(other_institution):
    return make_other_member(other_institution)


def _client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """Build a logged-in test client for any user (None: anonymous)."""
    return _client_for


@pytest.fixture
def organizer_client(organizer):
    return _client_for(organizer)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def other_member_client(other_member):
    return _client_for(other_member)


@pytest.fixture
def query_budget(django_assert_max_num_queries):
    """`with query_budget(n): client.get(url)`: a page's query count must stay within n."""
    return django_assert_max_num_queries


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; tests only need passwords that work.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached pages must not carry over between tests (or runs, on Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate a language for the thread; each test starts back in the default one."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
