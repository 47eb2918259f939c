"""The benchmark dataset seeder (bench/dataset.py) at a tiny scale: the shape it promises, data the
pages can render, and the rows the helpers in bench/ write. So the seeder cannot silently rot."""

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from bench.dataset import PASSWORD, Seeder, ballot_choice, split, targets
from bench.queries import compare, measure
from bench.tablewriter import TableWriter

SCALE = 0.01


def test_split_shares_out_the_whole_total():
    parts = split(100, [1, 1 / 2, 1 / 3])
    assert sum(parts) == 100
    assert parts == sorted(parts, reverse=True)
    assert split(5, [1, 1, 1, 1, 1, 1, 1]).count(0) == 2


def test_tiny_scale_keeps_the_named_size_classes():
    assert targets(SCALE)["institutions"] == 3
    assert targets(1)["ballots"] == 200_000


def test_table_writer_fills_defaults_and_points_children_at_parents(db):
    from institutions.models import Institution, Membership

    writer = TableWriter(use_copy=False)
    first = writer.add(Institution, name="A", slug="bench-a", need_statement="x")
    second = writer.add(Institution, name="B", slug="bench-b", need_statement="y")
    assert second == first + 1
    with pytest.raises(TypeError):
        writer.add(Institution, name="C", nickname="no such field")
    writer.finish()
    institution = Institution.objects.get(pk=first)
    assert (institution.time_zone, institution.default_language) == ("UTC", "en")
    assert Institution.objects.create(name="D", slug="bench-d", need_statement="z").pk > second
    with scopes_disabled():
        assert not Membership.objects.exists()


# One seed for every check below: seeding is the slow part.
@pytest.mark.django_db
def test_tiny_seed_has_the_shape_and_renders():
    seeder = Seeder(scale=SCALE, seed=7)
    seeder.run()
    has_the_requested_ratios()
    pages_render_for_the_printed_logins(seeder)
    query_report_finds_every_page_and_flags_a_difference()


def has_the_requested_ratios():
    from accounts.models import User
    from decisions.models import Ballot, Proposal, RollEntry, SecretBallot
    from evaluation.models import LogEntry
    from institutions.models import Institution, Membership
    from logistics.models import ShiftSignup, Task
    from meetings.models import RSVP, Attendance, Meeting
    from needs.models import Answer, Response

    wanted = targets(SCALE)
    with scopes_disabled():
        assert Institution.objects.count() == 3
        assert User.objects.count() == wanted["people"]
        memberships = Membership.objects.count()
        assert wanted["people"] < memberships <= wanted["people"] * 1.2  # some people in two institutions
        proposals = Proposal.objects.count()
        assert wanted["proposals"] <= proposals <= wanted["proposals"] + 6
        # As many ballots as asked, unless (at a tiny scale) the voter rolls hold fewer people.
        roll = RollEntry.objects.count()
        assert Ballot.objects.count() + SecretBallot.objects.count() == min(roll, wanted["ballots"])
        assert Response.objects.count() == wanted["responses"]
        assert Answer.objects.count() > 5 * wanted["responses"]
        assert Meeting.objects.count() == wanted["meetings"]
        assert RSVP.objects.exists() and Attendance.objects.exists()
        doings = Task.objects.count() + ShiftSignup.objects.count()
        assert 0.95 * (wanted["tasks"] + wanted["signups"]) <= doings <= wanted["tasks"] + wanted["signups"]
        assert LogEntry.objects.count() == wanted["log_entries"]
        # Skewed sizes: the big institution has several times the small one's members.
        sizes = dict(Institution.objects.annotate(n=Count("memberships")).values_list("slug", "n"))
        assert (
            sizes["bench-big"] > sizes["bench-medium"] > sizes["bench-small"]
            and sizes["bench-big"] > 2.5 * sizes["bench-small"]
        )
        # One ballot per voter, and secret ballots only counted on the roll, never named.
        for proposal in Proposal.objects.exclude(voting_opened_at=None):
            voted = RollEntry.objects.filter(proposal=proposal, has_voted=True).count()
            if proposal.secret:
                assert not Ballot.objects.filter(proposal=proposal).exists()
                assert SecretBallot.objects.filter(proposal=proposal).count() == voted
            else:
                assert Ballot.objects.filter(proposal=proposal).count() == voted
        closed = Proposal.objects.filter(status="closed").exclude(outcome="withdrawn")
        assert closed.exists() and not closed.filter(Q(result={}) | Q(outcome="")).exists()


def test_ballot_choices_are_valid_for_their_method():
    import random

    from decisions.ballots import check_choice
    from decisions.models import Method, Proposal

    rng = random.Random(1)
    for method in Method.values:
        proposal = Proposal(method=method, dots_per_voter=5)
        for _ in range(20):
            choice = ballot_choice(rng, method, [11, 12, 13])
            assert check_choice(proposal, [11, 12, 13], choice) == choice


def pages_render_for_the_printed_logins(seeded):
    from needs.models import Survey

    slug = "bench-medium"
    organizer, member = seeded.logins[slug]
    client = Client()
    assert client.login(email=member, password=PASSWORD)
    with scopes_disabled():
        survey = Survey.objects.get(institution__slug=slug)
    names = ["institutions:home", "decisions:index", "meetings:index", "logistics:board", "evaluation:health"]
    for name in names:
        assert client.get(reverse(name, args=[slug])).status_code == 200, name
    assert client.get(reverse("needs:survey_results", args=[slug, survey.pk])).status_code == 200
    assert Client().get(reverse("institutions:home", args=[slug])).status_code == 200


def query_report_finds_every_page_and_flags_a_difference():
    counts = measure(slugs=("bench-small",))
    assert len(counts) >= 36 and all(status == 200 for status, _queries in counts.values())
    _lines, failing = compare(counts, counts)
    assert failing == []
    grown = {key: [status, queries + 1] for key, (status, queries) in counts.items()}
    key = next(iter(counts))
    _lines, failing = compare({**counts, key: grown[key]}, counts)
    assert failing == [key]
