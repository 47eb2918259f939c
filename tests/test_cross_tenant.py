"""Cross-tenant probe: people of one institution full of data try every URL of another one.

Both institutions are built with the permission matrix's world builders, so each has one of every
object (proposals, surveys, attachments, ledger receipts, exports, calendar feeds...) with real IDs,
slugs and tokens. A member and an organizer of the prober's institution send GET and POST (with the
fields the victim's own page renders, so the POST would pass if it were allowed), plain and as an
htmx partial, to:

- every URL of the victim, with the victim's slug and objects: the answer is MATRIX's "other" column
  (a member of another institution), which for every private page is 404, 403 or 405;
- every object URL through the prober's own slug with the victim's IDs and tokens, and with one
  victim ID among the prober's own: 404 (403/405 where the prober's role or the method is refused
  before any lookup).

Nothing in any tenant table of either institution changes. The URLs come from the URLconf, so a new
URL is probed as soon as it has a matrix row (and fails here until it has one).
"""

import pytest
from django.db import transaction
from django.urls import reverse

from institutions.models import Institution
from tests.factories import OrganizerFactory, UserFactory
from tests.formdata import plausible_data
from tests.tenant_snapshot import changed_tables, tenant_snapshot
from tests.test_permissions import MATRIX, build_world, shared_world, url_for  # noqa: F401  (fixture)
from tests.urlwalk import project_url_names

REFUSED = {403, 404, 405}
HTMX = {"HX-Request": "true", "HX-Target": "main", "HX-Current-URL": "http://testserver/"}
ROUTES = dict(project_url_names())


@pytest.fixture(scope="class")
def probe(shared_world, django_db_blocker):  # noqa: F811
    """The matrix's world (the victim) and the other institution filled the same way (the prober's)."""
    victim = shared_world
    with django_db_blocker.unblock(), transaction.atomic():
        theirs = Institution.objects.get(slug="riverside-garden")
        prober_member = victim["users"]["other"]
        prober_organizer = OrganizerFactory(
            institution=theirs, user=UserFactory(email="pat@example.org", name="Pat")
        ).user
        prober = build_world(
            theirs, prober_organizer, prober_member, victim["users"]["outsider"], victim["users"]["member"]
        )
        yield {"victim": victim, "prober": prober}
        transaction.set_rollback(True)


def send(client, method, url, data, htmx):
    headers = HTMX if htmx else {}
    return getattr(client, method)(url, data, headers=headers)


def send_undone(client, method, url, data, htmx):
    with transaction.atomic():
        response = send(client, method, url, data, htmx)
        transaction.set_rollback(True)
    return response


def form_data_for(name, world, client_for):
    """What the victim's organizer's page for `name` would post (the page's fields, or the usual buttons)."""
    if MATRIX[name]["get"]["organizer"] != 200:
        return plausible_data()
    response = send_undone(client_for(world["users"]["organizer"]), "get", url_for(name, world), None, False)
    return plausible_data(response.content if response.get("Content-Type", "").startswith("text/html") else b"")


def refused_through_own_slug(name, method, role):
    """What a member/organizer of the prober's institution may get for someone else's object there."""
    own = MATRIX[name][method][role]
    return {own, 404} if own in {403, 405} else {404}


def mixed_kwargs(name, victim, prober):
    """Each object argument in turn the victim's, the others the prober's own (parent mine, child theirs)."""
    args = MATRIX[name].get("args", {})
    if len(args) < 2:
        return
    for foreign, key in args.items():
        if victim["objects"][key] == prober["objects"][key]:
            continue  # a number within its parent (a version number), not a reference to another row
        yield {kwarg: (victim if kwarg == foreign else prober)["objects"][key] for kwarg, key in args.items()}


class TestCrossTenantProbe:
    @pytest.mark.parametrize("name", [name for name, _route in project_url_names()])
    def test_nothing_of_another_institution_is_reachable(self, name, probe, db, client_for):
        assert name in MATRIX, f"{name} has no permission-matrix row, so the probe cannot know what to expect"
        victim, prober = probe["victim"], probe["prober"]
        clients = {role: client_for(prober["users"][role]) for role in ("member", "organizer")}
        data = form_data_for(name, victim, client_for)
        url = url_for(name, victim)
        before = tenant_snapshot()
        wrong = []
        for role, client in clients.items():
            for htmx in (False, True):
                for method in ("get", "post"):
                    expected = MATRIX[name][method]["other"]
                    if expected in REFUSED:
                        response = send(client, method, url, data, htmx)
                    else:  # a public page or capability link: as open to the prober as to anyone (matrix)
                        response = send_undone(client, method, url, None, htmx)
                    if response.status_code != expected:
                        wrong.append(f"{method.upper()} {url} as their {role} (htmx={htmx}): {response.status_code}")
                    for kwargs in self.through_own_slug(name, victim, prober):
                        own_url = reverse(name, kwargs={"institution_slug": prober["institution"].slug, **kwargs})
                        response = send(client, method, own_url, data, htmx)
                        if response.status_code not in refused_through_own_slug(name, method, role):
                            wrong.append(f"{method.upper()} {own_url} as {role} (htmx={htmx}): {response.status_code}")
        assert not wrong, "\n".join(wrong)
        after = tenant_snapshot()
        assert after == before, f"{name}: refused requests changed {changed_tables(before, after)}"

    @staticmethod
    def through_own_slug(name, victim, prober):
        if "<slug:institution_slug>" not in ROUTES[name] or not MATRIX[name].get("args"):
            return []
        theirs = {kwarg: victim["objects"][key] for kwarg, key in MATRIX[name]["args"].items()}
        return [theirs, *mixed_kwargs(name, victim, prober)]


class TestProbeCoversEverything:
    def test_the_snapshot_covers_every_tenant_model(self, db):
        from tests.tenant_snapshot import tenant_models

        labels = {model._meta.label for model in tenant_models()}
        # A few from each kind of path to the institution: direct, through a parent, the tenant itself.
        assert {"institutions.Institution", "decisions.Proposal", "logistics.LedgerEntry"} <= labels
        assert "accounts.User" not in labels

    def test_the_prober_world_has_every_object_the_matrix_names(self, probe, db):
        keys = {key for row in MATRIX.values() for key in row.get("args", {}).values()}
        assert keys <= set(probe["prober"]["objects"]), "the second institution lacks some example objects"
        assert probe["prober"]["institution"].slug != probe["victim"]["institution"].slug
