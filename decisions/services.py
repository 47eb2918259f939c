"""Writes for decisions: drafting, discussing, voting and closing proposals.

The public API other apps use: proposal_create, voting_open, vote_cast, voting_close and
(in selectors) result_for.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from institutions.models import Membership
from institutions.services import audit_record

from .ballots import BallotError, check_choice
from .models import Ballot, Comment, Option, Proposal, ProposalVersion, RollEntry, SecretBallot
from .reactions import react_to_passed

MAX_OPTIONS = 30


class ProposalError(Exception):
    """A step the rules do not allow right now; the message says why, for people."""


def _clean_options(labels):
    labels = [label.strip() for label in labels if label and label.strip()]
    if len({label.casefold() for label in labels}) != len(labels):
        raise ProposalError(_("Each option must be different."))
    if len(labels) > MAX_OPTIONS:
        raise ProposalError(_("Offer at most %(n)s options.") % {"n": MAX_OPTIONS})
    return labels


@transaction.atomic
def proposal_create(
    *,
    institution,
    author,
    title,
    text,
    method,
    options=(),
    threshold="2/3",
    dots_per_voter=5,
    quorum_percent=0,
    secret=False,
    hide_results_until_closed=True,
    deadline=None,
    concerns=None,
    about_outside_organization=False,
) -> Proposal:
    """Draft a proposal (status draft), with its first version and its options."""
    proposal = Proposal(
        institution=institution,
        author=author,
        title=title.strip(),
        text=text.strip(),
        method=method,
        threshold=threshold,
        dots_per_voter=dots_per_voter,
        quorum_percent=quorum_percent,
        secret=secret,
        hide_results_until_closed=hide_results_until_closed,
        deadline=deadline,
        about_outside_organization=about_outside_organization,
    )
    if concerns is not None:
        proposal.concerns_type = ContentType.objects.get_for_model(concerns)
        proposal.concerns_id = concerns.pk
    labels = _clean_options(options)
    if proposal.uses_options and len(labels) < 2:
        raise ProposalError(_("This way of deciding needs at least two options."))
    proposal.full_clean(exclude=["concerns_type"])
    proposal.save()
    if proposal.uses_options:
        Option.objects.with_scope(institution=institution).bulk_create(
            Option(proposal=proposal, label=label, position=index) for index, label in enumerate(labels, start=1)
        )
    ProposalVersion.objects.with_scope(institution=institution).create(
        proposal=proposal, number=1, title=proposal.title, text=proposal.text, author=author
    )
    audit_record(institution=institution, actor=author, action="proposal.created", title=proposal.title)
    return proposal


def _lock(proposal):
    return Proposal.objects.with_scope(institution=proposal.institution).select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_revise(*, proposal, author, title, text, note="") -> Proposal:
    """Post a revised wording; earlier versions stay readable."""
    locked = _lock(proposal)
    if locked.status not in {Proposal.Status.DRAFT, Proposal.Status.DISCUSSION}:
        raise ProposalError(_("A proposal can only be revised before voting opens."))
    locked.version += 1
    locked.title, locked.text = title.strip(), text.strip()
    locked.full_clean(exclude=["concerns_type"])
    locked.save(update_fields=["version", "title", "text"])
    ProposalVersion.objects.with_scope(institution=locked.institution).create(
        proposal=locked, number=locked.version, title=locked.title, text=locked.text, author=author, note=note.strip()
    )
    return locked


@transaction.atomic
def discussion_open(*, proposal, actor) -> Proposal:
    locked = _lock(proposal)
    if locked.status != Proposal.Status.DRAFT:
        raise ProposalError(_("Only a draft can be opened for discussion."))
    locked.status = Proposal.Status.DISCUSSION
    locked.discussion_opened_at = timezone.now()
    locked.save(update_fields=["status", "discussion_opened_at"])
    audit_record(institution=locked.institution, actor=actor, action="proposal.discussion_opened", title=locked.title)
    return locked


@transaction.atomic
def voting_open(*, proposal, actor, deadline=None, now=None) -> Proposal:
    """Open voting and freeze the voter roll: the members active now (and members long enough,
    if the institution asks for that) are the ones who can vote."""
    now = now or timezone.now()
    locked = _lock(proposal)
    if locked.status not in {Proposal.Status.DRAFT, Proposal.Status.DISCUSSION}:
        raise ProposalError(_("Voting can only be opened once, before the proposal is closed."))
    deadline = deadline or locked.deadline
    if deadline is None or deadline <= now + timedelta(minutes=5):
        raise ProposalError(_("Set a closing time at least a few minutes from now."))
    institution = locked.institution
    joined_before = now - timedelta(days=institution.vote_min_membership_days)
    voters = (
        Membership.objects.with_scope(institution=institution)
        .filter(status=Membership.Status.ACTIVE, joined_at__lte=joined_before)
        .values_list("user_id", flat=True)
    )
    RollEntry.objects.with_scope(institution=institution).bulk_create(
        RollEntry(proposal=locked, user_id=user_id) for user_id in voters
    )
    locked.status = Proposal.Status.VOTING
    locked.voting_opened_at = now
    locked.deadline = deadline
    locked.save(update_fields=["status", "voting_opened_at", "deadline"])
    audit_record(
        institution=institution, actor=actor, action="proposal.voting_opened", title=locked.title, voters=len(voters)
    )
    return locked


def option_ids_of(proposal):
    return list(
        Option.objects.with_scope(institution=proposal.institution)
        .filter(proposal=proposal)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def vote_cast(*, proposal, member, choice, now=None, option_ids=None) -> str | None:
    """Record `member`'s ballot. Open votes: casting again replaces the earlier ballot. Secret
    votes: one ballot, final, and the voter gets back a receipt code (the return value)."""
    now = now or timezone.now()
    institution = proposal.institution
    if option_ids is None:
        option_ids = option_ids_of(proposal)
    choice = check_choice(proposal, option_ids, choice)
    # Lock the proposal row so that a vote either lands before the result is recorded or sees the
    # proposal closed. (Votes on one proposal take turns for this short moment.)
    current = (
        Proposal.objects.with_scope(institution=institution)
        .select_for_update(no_key=True, of=("self",))
        .only("status", "deadline")
        .get(pk=proposal.pk)
    )
    if not current.is_open_for_voting(now):
        raise BallotError(_("Voting on this proposal is closed."))
    roll = RollEntry.objects.with_scope(institution=institution).filter(proposal=proposal, user=member)
    if proposal.secret:
        # Claim the roll entry first: only one transaction can flip it, so one member casts one ballot.
        # Unscoped on purpose: the scoped manager joins the proposal, which turns this UPDATE into
        # "WHERE id IN (subquery)", and PostgreSQL does not re-check a subquery after waiting for a row
        # lock. A plain WHERE is re-checked, so a second concurrent claim updates nothing.
        with scopes_disabled():
            claimed = RollEntry.objects.filter(proposal=proposal, user=member, has_voted=False).update(has_voted=True)
        if not claimed:
            if roll.exists():
                raise BallotError(_("You have already cast your secret ballot; it cannot be changed."))
            raise BallotError(_("You are not on the voter roll for this proposal."))
        return _secret_ballot_add(proposal=proposal, choice=choice)
    if not roll.exists():
        raise BallotError(_("You are not on the voter roll for this proposal."))
    ballots = Ballot.objects.with_scope(institution=institution)
    updated = ballots.filter(proposal=proposal, voter=member).update(choice=choice, changed_at=now)
    if not updated:
        try:
            with transaction.atomic():
                ballots.create(proposal=proposal, voter=member, choice=choice, cast_at=now)
        except IntegrityError:
            # The same member voted twice at the same moment: the last one counts.
            ballots.filter(proposal=proposal, voter=member).update(choice=choice, changed_at=now)
    roll.filter(has_voted=False).update(has_voted=True)
    return None


def _secret_ballot_add(*, proposal, choice) -> str:
    """Put a secret ballot in the box and return its receipt.

    The box is then written again whole, in the order of the random receipts: rows kept in the order
    they were inserted, or each with the id of the transaction that cast it (PostgreSQL's xmin, the
    same transaction that marks the voter on the roll), would let anyone who reads the database pair
    ballots with voters. Votes on one proposal already take turns on its row lock."""
    ballots = SecretBallot.objects.with_scope(institution=proposal.institution)
    ballot = ballots.create(proposal=proposal, choice=choice)
    if connection.vendor == "postgresql":
        # One statement, no rows through Python: this runs on every secret vote.
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH box AS (DELETE FROM decisions_secretballot WHERE proposal_id = %s "
                "RETURNING id, proposal_id, receipt, choice) "
                "INSERT INTO decisions_secretballot (id, proposal_id, receipt, choice) "
                "SELECT id, proposal_id, receipt, choice FROM box ORDER BY receipt",
                [proposal.pk],
            )
    else:
        box = list(ballots.filter(proposal=proposal))
        ballots.filter(proposal=proposal).delete()
        ballots.bulk_create(sorted(box, key=lambda each: each.receipt))
    return ballot.receipt


@transaction.atomic
def voting_close(*, proposal, actor=None, now=None) -> bool:
    """Close voting and record the result. Safe to call any number of times: returns False (and
    changes nothing) if the proposal is not in voting any more."""
    from . import tasks
    from .selectors import result_for

    now = now or timezone.now()
    locked = (
        Proposal.objects.with_scope(institution=proposal.institution)
        .select_for_update()
        .filter(pk=proposal.pk, status=Proposal.Status.VOTING)
        .first()
    )
    if locked is None:
        return False
    result = result_for(locked, live=True)
    locked.status = Proposal.Status.CLOSED
    locked.closed_at = now
    locked.outcome = result.outcome
    locked.result = result.as_json()
    locked.save(update_fields=["status", "closed_at", "outcome", "result"])
    audit_record(
        institution=locked.institution,
        actor=actor,
        action="proposal.closed",
        title=locked.title,
        outcome=locked.outcome,
    )
    tasks.send_results.enqueue(institution=locked.institution, proposal_id=locked.pk)
    if locked.outcome == Proposal.Outcome.PASSED:
        react_to_passed(locked)
    return True


@transaction.atomic
def proposal_withdraw(*, proposal, actor) -> Proposal:
    locked = _lock(proposal)
    if locked.status == Proposal.Status.CLOSED:
        raise ProposalError(_("This proposal is already closed."))
    locked.status = Proposal.Status.CLOSED
    locked.outcome = Proposal.Outcome.WITHDRAWN
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "outcome", "closed_at"])
    audit_record(institution=locked.institution, actor=actor, action="proposal.withdrawn", title=locked.title)
    return locked


def comment_add(*, proposal, author, text) -> Comment:
    if proposal.status not in {Proposal.Status.DISCUSSION, Proposal.Status.VOTING}:
        raise ProposalError(_("Comments are open while a proposal is in discussion or voting."))
    comment = Comment(proposal=proposal, author=author, text=text.strip())
    comment.full_clean(exclude=["proposal", "author", "hidden_by"])
    comment.save()
    return comment


def comment_edit(*, comment, author, text, now=None) -> Comment:
    if not comment.editable_by(author, now):
        raise ProposalError(_("Comments can only be edited by their author, for 15 minutes after posting."))
    comment.text = text.strip()
    comment.edited_at = now or timezone.now()
    comment.full_clean(exclude=["proposal", "author", "hidden_by"])
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def comment_hide(*, comment, actor, reason) -> Comment:
    reason = reason.strip()
    if not reason:
        raise ProposalError(_("Say why the comment is hidden; the reason is kept in the audit log."))
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason[:300]
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit_record(
        institution=comment.proposal.institution,
        actor=actor,
        action="comment.hidden",
        title=comment.proposal.title,
        reason=comment.hidden_reason,
    )
    return comment
