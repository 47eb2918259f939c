"""Who may do what with a proposal. Views, templates and tests ask these."""

from institutions.rules import is_member, is_organizer

from .models import Proposal


def is_author(membership, proposal):
    return is_member(membership) and proposal.author_id == membership.user_id


def can_revise(membership, proposal):
    return is_author(membership, proposal) and proposal.status in {Proposal.Status.DRAFT, Proposal.Status.DISCUSSION}


def can_advance(membership, proposal):
    """Open discussion, open voting, close early or withdraw: organizers and the author."""
    return (is_organizer(membership) or is_author(membership, proposal)) and proposal.status != Proposal.Status.CLOSED


def can_comment(membership, proposal):
    return is_member(membership) and proposal.status in {Proposal.Status.DISCUSSION, Proposal.Status.VOTING}


def can_hide_comment(membership):
    return is_organizer(membership)


def can_vote(membership, proposal, roll_entry):
    if not is_member(membership) or roll_entry is None or not proposal.is_open_for_voting():
        return False
    return not (proposal.secret and roll_entry.has_voted)


def can_see_results(membership, proposal):
    if proposal.status == Proposal.Status.CLOSED:
        return True
    return proposal.status == Proposal.Status.VOTING and not proposal.hide_results_until_closed


def can_export_results(membership, proposal):
    return is_organizer(membership) and proposal.status == Proposal.Status.CLOSED
