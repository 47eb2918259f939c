"""The proposal page's one read of the member's roll entry and saved choice
(decisions.selectors.roll_entry_and_choice)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from decisions import services
from decisions.models import Ballot, RollEntry
from decisions.selectors import awaiting_vote_count, roll_entry_and_choice
from tests.factories import MembershipFactory, UserFactory, proposal_in_voting


def _read(proposal, user):
    with scope(institution=proposal.institution), CaptureQueriesContext(connection) as queries:
        result = roll_entry_and_choice(proposal, user)
    assert len(queries) == 1
    return result


def test_someone_off_the_roll_has_neither(institution, organizer):
    proposal = proposal_in_voting(institution, organizer)
    latecomer = MembershipFactory(institution=institution).user
    assert _read(proposal, latecomer) == (None, None)


def test_the_entry_and_the_saved_choice_are_the_members_own(institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer)
    entry, choice = _read(proposal, member)
    with scope(institution=institution):
        stored = RollEntry.objects.get(proposal=proposal, user=member)
    assert (entry.pk, entry.proposal_id, entry.user_id, entry.has_voted, choice) == (
        stored.pk,
        proposal.pk,
        member.pk,
        False,
        None,
    )
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=organizer, choice={"choice": "no", "reason": "Too soon"})
    assert _read(proposal, member)[1] is None  # someone else's ballot is not theirs
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "yes", "reason": "We can"})
    entry, choice = _read(proposal, member)
    assert entry.has_voted is True
    with scope(institution=institution):
        saved = Ballot.objects.get(proposal=proposal, voter=member).choice
    assert choice == saved
    assert choice["choice"] == "yes"
    assert entry.proposal is proposal and entry.user is member


def test_a_secret_ballot_is_never_read_back(institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer, secret=True)
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
    entry, choice = _read(proposal, member)
    assert entry.has_voted is True
    assert choice is None


def test_an_entry_on_another_proposal_is_not_this_ones(institution, organizer, member):
    first = proposal_in_voting(institution, organizer, title="Sunday hours")
    with scope(institution=institution):
        services.vote_cast(proposal=first, member=member, choice={"choice": "yes"})
    second = proposal_in_voting(institution, organizer, title="A second freezer")
    entry, choice = _read(second, member)
    assert entry.has_voted is False and choice is None
    assert _read(second, UserFactory()) == (None, None)


def test_votes_awaiting_count_each_open_proposal_the_member_has_not_voted_on(
    institution, organizer, member, other_institution
):
    first = proposal_in_voting(institution, organizer, title="Sunday hours")
    proposal_in_voting(institution, organizer, title="A second freezer")
    elsewhere = MembershipFactory(institution=other_institution, user=member)
    proposal_in_voting(other_institution, elsewhere.user, title="Their own question")
    with scope(institution=institution):
        services.proposal_create(
            institution=institution, author=organizer, title="Still a draft", text="Later.", method="majority"
        )
        assert awaiting_vote_count(institution, member) == 2
        services.vote_cast(proposal=first, member=member, choice={"choice": "yes"})
        assert awaiting_vote_count(institution, member) == 1
        assert awaiting_vote_count(institution, organizer) == 2
        assert awaiting_vote_count(institution, UserFactory()) == 0
