"""Reads for decisions, including the result of a vote."""

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.shortcuts import get_object_or_404

from . import tally
from .models import Ballot, Comment, Method, Option, Proposal, ProposalVersion, RollEntry, SecretBallot


@dataclass
class ProposalResult:
    """A vote's result with the context needed to trust it."""

    outcome: str
    roll_size: int
    turnout: int
    quorum_percent: int
    quorum_met: bool
    totals: dict = field(default_factory=dict)
    winners: list = field(default_factory=list)
    rounds: list = field(default_factory=list)

    def as_json(self):
        # Mappings are stored as [key, value] pairs: PostgreSQL's jsonb does not keep key order,
        # and the order (yes, no, abstain; options as on the ballot) is part of the result.
        return {
            "outcome": self.outcome,
            "roll_size": self.roll_size,
            "turnout": self.turnout,
            "quorum_percent": self.quorum_percent,
            "quorum_met": self.quorum_met,
            "totals": [[str(k), str(v) if isinstance(v, Fraction) else v] for k, v in self.totals.items()],
            "winners": list(self.winners),
            "rounds": [{**r, "counts": [[k, v] for k, v in r["counts"].items()]} for r in self.rounds],
        }

    @classmethod
    def from_json(cls, data):
        return cls(
            **{
                **data,
                "totals": dict(data["totals"]),
                "rounds": [{**r, "counts": dict(r["counts"])} for r in data["rounds"]],
            }
        )

    @property
    def turnout_percent(self):
        return round(100 * self.turnout / self.roll_size) if self.roll_size else 0


def _choices(proposal):
    model = SecretBallot if proposal.secret else Ballot
    return list(
        model.objects.with_scope(institution=proposal.institution)
        .filter(proposal=proposal)
        .values_list("choice", flat=True)
    )


def tally_for(proposal, choices, option_ids):
    """Run the method's tally over stored choices."""
    method = proposal.method
    plain = (choice["choice"] for choice in choices)
    if method == Method.MAJORITY:
        return tally.tally_majority(plain)
    if method == Method.SUPERMAJORITY:
        return tally.tally_supermajority(plain, proposal.threshold_fraction)
    if method == Method.CONSENT:
        return tally.tally_consent(plain)
    if method == Method.CONSENSUS:
        return tally.tally_consensus(plain, Fraction(proposal.institution.consensus_stand_aside_limit, 100))
    if method == Method.APPROVAL:
        return tally.tally_approval((choice["approve"] for choice in choices), option_ids)
    if method == Method.SCORE:
        return tally.tally_score(({int(k): v for k, v in c["scores"].items()} for c in choices), option_ids)
    if method == Method.DOTS:
        return tally.tally_dots(({int(k): v for k, v in c["dots"].items()} for c in choices), option_ids)
    return tally.tally_ranked((choice["ranking"] for choice in choices), option_ids)


OUTCOMES = {
    tally.Outcome.PASSED: Proposal.Outcome.PASSED,
    tally.Outcome.FAILED: Proposal.Outcome.FAILED,
    tally.Outcome.TIE: Proposal.Outcome.TIE,
    tally.Outcome.NO_VOTES: Proposal.Outcome.FAILED,
}


def result_for(proposal, *, live=False) -> ProposalResult:
    """The result: as recorded at closing, or (live=True) as the ballots stand now."""
    if proposal.is_closed and proposal.result and not live:
        return ProposalResult.from_json(proposal.result)
    scoped = {"institution": proposal.institution}
    option_ids = list(Option.objects.with_scope(**scoped).filter(proposal=proposal).values_list("pk", flat=True))
    choices = _choices(proposal)
    roll = (
        RollEntry.objects.with_scope(**scoped)
        .filter(proposal=proposal)
        .aggregate(size=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
    )
    counted = tally_for(proposal, choices, option_ids)
    turnout = len(choices)
    quorum_met = turnout * 100 >= proposal.quorum_percent * roll["size"] and (
        turnout > 0 or proposal.quorum_percent == 0
    )
    outcome = OUTCOMES[counted.outcome] if quorum_met else Proposal.Outcome.NO_QUORUM
    rounds = [
        {
            "counts": {str(k): v for k, v in r.counts.items()},
            "exhausted": r.exhausted,
            "eliminated": list(r.eliminated),
            "tie_break": r.tie_break is not None,  # the page explains the rule in the reader's language
        }
        for r in counted.rounds
    ]
    return ProposalResult(
        outcome=outcome,
        roll_size=roll["size"],
        turnout=turnout,
        quorum_percent=proposal.quorum_percent,
        quorum_met=quorum_met,
        totals=dict(counted.totals),
        winners=list(counted.winners),
        rounds=rounds,
    )


def proposals_for(institution, user, *, status_filter=None):
    """Proposals with, for the viewer, whether they may still vote ("you haven't voted yet")."""
    roll = RollEntry.objects.filter(proposal=OuterRef("pk"), user=user)
    proposals = (
        Proposal.objects.filter(institution=institution)
        .select_related("author")
        .annotate(
            awaiting_my_vote=Exists(roll.filter(has_voted=False)) & Q(status=Proposal.Status.VOTING),
            comment_count=Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True),
        )
    )
    if status_filter == "voting":
        proposals = proposals.filter(status=Proposal.Status.VOTING)
    elif status_filter == "discussion":
        proposals = proposals.filter(status__in=[Proposal.Status.DRAFT, Proposal.Status.DISCUSSION])
    elif status_filter == "closed":
        proposals = proposals.filter(status=Proposal.Status.CLOSED)
    elif status_filter == "mine":
        proposals = proposals.filter(author=user)
    return proposals


def awaiting_vote_count(institution, user):
    """Proposals in voting with `user` on the roll and no vote from them yet. Counted from the
    proposals' side, whose scope is their own institution column (the roll's joins proposals again)."""
    return Proposal.objects.filter(
        institution=institution, status=Proposal.Status.VOTING, roll__user=user, roll__has_voted=False
    ).count()


def get_proposal_or_404(institution, pk):
    return get_object_or_404(Proposal.objects.select_related("author", "institution"), institution=institution, pk=pk)


def options_of(proposal):
    return list(Option.objects.filter(proposal=proposal))


def comments_of(proposal):
    return Comment.objects.filter(proposal=proposal).select_related("author", "hidden_by")


def versions_of(proposal):
    return ProposalVersion.objects.filter(proposal=proposal).select_related("author")


def roll_entry_and_choice(proposal, user):
    """(the member's roll entry or None, the choice on their open ballot or None), in one query.
    Only someone on the roll can have a ballot; a secret ballot is never looked for.

    Read from the proposal's side: the proposal's scope is its own institution column, while the
    roll's and the ballots' scopes would each join the proposal again (this was the proposal page's
    costliest query). At most one row: one roll entry and one ballot per member (constraints)."""
    rows = Proposal.objects.filter(pk=proposal.pk, roll__user=user).order_by()
    fields = ["roll__pk", "roll__has_voted"]
    if not proposal.secret:
        rows = rows.annotate(my_ballot=FilteredRelation("ballots", condition=Q(ballots__voter=user)))
        fields.append("my_ballot__choice")
    row = next(iter(rows.values_list(*fields)[:1]), None)
    if row is None:
        return None, None
    columns = ["id", "proposal_id", "user_id", "has_voted"]
    entry = RollEntry.from_db(None, columns, [row[0], proposal.pk, user.pk, row[1]])
    entry.proposal, entry.user = proposal, user
    return entry, row[2] if len(row) > 2 else None


def named_ballots(proposal):
    """Who voted what, for open votes only."""
    if proposal.secret:
        return Ballot.objects.none()
    return Ballot.objects.filter(proposal=proposal).select_related("voter").order_by("voter__name", "voter__email")


def secret_receipts(proposal):
    """The published list of secret ballots, by receipt code, so each voter can find theirs."""
    return SecretBallot.objects.filter(proposal=proposal).order_by("receipt")
