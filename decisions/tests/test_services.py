from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from decisions import services
from decisions.ballots import BallotError
from decisions.models import Ballot, Proposal, RollEntry, SecretBallot
from decisions.selectors import result_for
from tests.factories import MembershipFactory, proposal_in_voting


@pytest.fixture
def voters(institution, organizer, member):
    """The organizer, the member and three more members: five people on the roll."""
    extra = [MembershipFactory(institution=institution).user for _ in range(3)]
    return [organizer, member, *extra]


def option_ids(proposal):
    return services.option_ids_of(proposal)


def test_majority_vote_end_to_end(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        for user, choice in zip(voters, ["yes", "yes", "no", "abstain", "yes"], strict=True):
            services.vote_cast(proposal=proposal, member=user, choice={"choice": choice})
        assert services.voting_close(proposal=proposal, actor=organizer) is True
        proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.PASSED
    # Stored in order (jsonb would reorder a mapping's keys on PostgreSQL), read back in order.
    assert proposal.result["totals"] == [["yes", 3], ["no", 1], ["abstain", 1]]
    assert list(result_for(proposal).totals) == ["yes", "no", "abstain"]
    assert proposal.result["roll_size"] == 5 and proposal.result["turnout"] == 5


def test_changing_an_open_ballot_keeps_one_ballot_and_the_last_counts(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "no"})
        services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "yes"})
        assert Ballot.objects.filter(proposal=proposal).count() == 1
        assert result_for(proposal, live=True).totals == {"yes": 1, "no": 0, "abstain": 0}


def test_voter_roll_is_frozen_when_voting_opens(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer)
    latecomer = MembershipFactory(institution=institution).user
    with scope(institution=institution), pytest.raises(BallotError, match="not on the voter roll"):
        services.vote_cast(proposal=proposal, member=latecomer, choice={"choice": "yes"})


def test_minimum_membership_age_keeps_new_members_off_the_roll(institution, organizer, voters):
    institution.vote_min_membership_days = 30
    institution.save()
    with scope(institution=institution):
        from institutions.models import Membership

        Membership.objects.filter(user=organizer).update(joined_at=timezone.now() - timedelta(days=40))
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        assert list(RollEntry.objects.filter(proposal=proposal).values_list("user", flat=True)) == [organizer.pk]


def test_no_quorum_when_too_few_vote(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer, quorum_percent=50)
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=voters[0], choice={"choice": "yes"})
        services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "yes"})
        services.voting_close(proposal=proposal)
        proposal.refresh_from_db()
    assert proposal.outcome == Proposal.Outcome.NO_QUORUM


def test_closing_twice_is_harmless_and_a_closed_vote_stays_closed(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        assert services.voting_close(proposal=proposal) is True
        assert services.voting_close(proposal=proposal) is False
        with pytest.raises(BallotError, match="closed"):
            services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "yes"})
        with pytest.raises(services.ProposalError):
            services.voting_open(proposal=proposal, actor=organizer, deadline=timezone.now() + timedelta(days=1))


def test_vote_after_deadline_is_refused(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution), pytest.raises(BallotError, match="closed"):
        services.vote_cast(
            proposal=proposal, member=voters[1], choice={"choice": "yes"}, now=proposal.deadline + timedelta(seconds=1)
        )


def test_secret_ballot_cannot_be_linked_to_its_voter(institution, organizer, voters):
    proposal = proposal_in_voting(institution, organizer, secret=True)
    with scope(institution=institution):
        receipt = services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "no"})
        assert receipt and SecretBallot.objects.get(proposal=proposal).receipt == receipt
        assert not Ballot.objects.filter(proposal=proposal).exists()
        assert RollEntry.objects.get(proposal=proposal, user=voters[1]).has_voted
        with pytest.raises(BallotError, match="cannot be changed"):
            services.vote_cast(proposal=proposal, member=voters[1], choice={"choice": "yes"})
    # Structure: the "who voted" table has no link to ballots, and ballots carry no voter, time or sequence.
    roll_columns = {f.column for f in RollEntry._meta.concrete_fields}
    ballot_columns = {f.column for f in SecretBallot._meta.concrete_fields}
    assert roll_columns == {"id", "proposal_id", "user_id", "has_voted"}
    assert ballot_columns == {"id", "proposal_id", "receipt", "choice"}
    assert SecretBallot._meta.pk.get_internal_type() == "UUIDField"
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, SecretBallot._meta.db_table)]
    assert "voter_id" not in columns and not any("time" in c or "_at" in c for c in columns)


@pytest.mark.parametrize(
    ("method", "ballots", "expected_outcome", "winner_index"),
    [
        ("approval", [{"approve": [0, 1]}, {"approve": [1]}, {"approve": [2]}], "passed", 1),
        ("score", [{"scores": {0: 5, 1: 1, 2: 0}}, {"scores": {0: 4, 1: 5, 2: 0}}], "passed", 0),
        ("dots", [{"dots": {0: 3, 1: 2}}, {"dots": {2: 5}}], "passed", 2),
        ("dots", [{"dots": {0: 5}}, {"dots": {2: 5}}], "tie", None),
        # Round 1: 1 vote for A, 2 for B, 1 for C; A and C tie for last and C (listed last) goes; B wins.
        ("ranked", [{"ranking": [0, 1]}, {"ranking": [1, 0]}, {"ranking": [2, 1]}, {"ranking": [1, 2]}], "passed", 1),
        ("ranked", [{"ranking": [0, 1]}, {"ranking": [1, 0]}, {"ranking": [2, 1]}], "tie", None),
    ],
)
def test_option_methods_end_to_end(institution, organizer, voters, method, ballots, expected_outcome, winner_index):
    proposal = proposal_in_voting(institution, organizer, method=method, options=["Saturday", "Sunday", "Monday"])
    ids = option_ids(proposal)

    def real(choice):
        key, value = next(iter(choice.items()))
        if isinstance(value, dict):
            return {key: {str(ids[i]): n for i, n in value.items()}}
        return {key: [ids[i] for i in value]}

    with scope(institution=institution):
        for user, choice in zip(voters, ballots, strict=False):
            services.vote_cast(proposal=proposal, member=user, choice=real(choice))
        services.voting_close(proposal=proposal)
        proposal.refresh_from_db()
    assert proposal.outcome == expected_outcome
    if winner_index is not None:
        assert proposal.result["winners"] == [ids[winner_index]]


@pytest.mark.parametrize(
    ("method", "choice", "message"),
    [
        ("majority", {"choice": "maybe"}, "Choose one of the answers"),
        ("consent", {"choice": "object", "reason": "  "}, "say why"),
        ("approval", {"approve": [999999]}, "from the list"),
        ("score", {"scores": {}}, "every option"),
        ("dots", {"dots": {"OPT0": 6}}, "You have 5 dots"),
        ("ranked", {"ranking": ["OPT0", "OPT0"]}, "each once"),
    ],
)
def test_invalid_ballots_are_refused_and_change_nothing(institution, organizer, voters, method, choice, message):
    proposal = proposal_in_voting(institution, organizer, method=method, options=["A", "B"])
    ids = option_ids(proposal)
    first = ids[0] if ids else None

    def fill(value):
        if value == "OPT0":
            return first
        if isinstance(value, dict):
            return {(str(first) if k == "OPT0" else k): fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    with scope(institution=institution):
        with pytest.raises(BallotError, match=message):
            services.vote_cast(proposal=proposal, member=voters[1], choice=fill(choice))
        assert not Ballot.objects.filter(proposal=proposal).exists()
        assert not RollEntry.objects.get(proposal=proposal, user=voters[1]).has_voted


def test_option_methods_need_two_options(institution, organizer):
    with scope(institution=institution), pytest.raises(services.ProposalError, match="at least two"):
        services.proposal_create(
            institution=institution, author=organizer, title="t", text="x", method="ranked", options=["only one"]
        )


def test_revisions_keep_earlier_versions(institution, organizer):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=organizer, title="Sundays", text="Open on Sundays.", method="majority"
        )
        services.proposal_revise(proposal=proposal, author=organizer, title="Sundays", text="Open on Sundays 10-2.")
        versions = list(proposal.versions.values_list("number", "text"))
    assert versions == [(1, "Open on Sundays."), (2, "Open on Sundays 10-2.")]


def test_comment_edit_window_and_hiding(institution, organizer, member):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=organizer, title="t", text="x", method="majority"
        )
        with pytest.raises(services.ProposalError):
            services.comment_add(proposal=proposal, author=member, text="too early")
        proposal = services.discussion_open(proposal=proposal, actor=organizer)
        comment = services.comment_add(proposal=proposal, author=member, text="I like it")
        services.comment_edit(comment=comment, author=member, text="I like it a lot")
        assert comment.edited_at is not None
        with pytest.raises(services.ProposalError):
            services.comment_edit(comment=comment, author=member, text="late", now=timezone.now() + timedelta(hours=1))
        with pytest.raises(services.ProposalError):
            services.comment_edit(comment=comment, author=organizer, text="not mine")
        services.comment_hide(comment=comment, actor=organizer, reason="personal attack")
        assert comment.hidden_reason == "personal attack"


def test_withdrawn_proposal_is_closed_as_withdrawn(institution, organizer):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=organizer, title="t", text="x", method="majority"
        )
        services.proposal_withdraw(proposal=proposal, actor=organizer)
        proposal.refresh_from_db()
    assert (proposal.status, proposal.outcome) == ("closed", "withdrawn")


def test_decision_changes_read_well_in_the_audit_log(institution, organizer, member):
    from institutions.models import AuditEntry

    proposal = proposal_in_voting(institution, organizer, title="Buy a freezer")
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
        services.voting_close(proposal=proposal)
        sentences = [entry.describe() for entry in AuditEntry.objects.order_by("pk")]
    assert sentences[-3:] == [
        "Olga drafted the proposal “Buy a freezer”",
        "Olga opened voting on “Buy a freezer” for 2 members",
        "Voting on “Buy a freezer” closed: Passed",
    ]
