"""Decision jobs: close proposals at their deadline, remind voters, send results.

The periodic jobs scan across institutions for due work (primary keys only) and fan out one
tenant task per proposal; each tenant task is idempotent.
"""

from datetime import timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from institutions.models import Membership
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .models import Proposal, RollEntry

REMIND_BEFORE = timedelta(hours=24)


@shared_task
def close_due_proposals():
    """Every minute: close every proposal whose deadline has passed."""
    with scopes_disabled():  # a scan across institutions for due work; each close runs in its own scope
        due = list(
            Proposal.objects.filter(status=Proposal.Status.VOTING, deadline__lte=timezone.now()).values_list(
                "institution_id", "pk"
            )
        )
    for institution_id, proposal_id in due:
        close_proposal.delay(institution_id, proposal_id=proposal_id)
    return len(due)


@tenant_task()
def close_proposal(institution, *, proposal_id):
    from .services import voting_close

    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        return False
    return voting_close(proposal=proposal)


@shared_task
def send_vote_reminders():
    """Every few minutes: remind voters who have not voted, once, a day before the deadline."""
    now = timezone.now()
    with scopes_disabled():  # the scan crosses institutions; reminders run in each one's scope
        due = list(
            Proposal.objects.filter(
                status=Proposal.Status.VOTING,
                deadline__gt=now,
                deadline__lte=now + REMIND_BEFORE,
                reminders_sent_at__isnull=True,
            ).values_list("institution_id", "pk")
        )
    for institution_id, proposal_id in due:
        remind_voters.delay(institution_id, proposal_id=proposal_id)
    return len(due)


def _proposal_context(institution, proposal):
    path = reverse("decisions:detail", kwargs={"institution_slug": institution.slug, "pk": proposal.pk})
    return {"institution": institution, "proposal": proposal, "path": path}


@tenant_task()
def remind_voters(institution, *, proposal_id):
    proposal = Proposal.objects.filter(pk=proposal_id, status=Proposal.Status.VOTING).first()
    if proposal is None:
        return 0
    waiting = RollEntry.objects.filter(proposal=proposal, has_voted=False).select_related("user")
    sent = 0
    for entry in waiting:
        delivery = notify_once(
            key=f"vote-reminder:{proposal.pk}:{entry.user_id}",
            kind=Delivery.Kind.REMINDER,
            template="decisions/email/reminder",
            recipient=entry.user,
            institution=institution,
            context=_proposal_context(institution, proposal),
        )
        sent += delivery.status == Delivery.Status.SENT
    Proposal.objects.filter(pk=proposal.pk).update(reminders_sent_at=timezone.now())
    return sent


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_results(institution, *, proposal_id):
    """Tell every member how a vote ended (once each)."""
    proposal = Proposal.objects.filter(pk=proposal_id, status=Proposal.Status.CLOSED).first()
    if proposal is None:
        return 0
    members = Membership.objects.filter(status=Membership.Status.ACTIVE).select_related("user")
    for membership in members:
        notify_once(
            key=f"vote-result:{proposal.pk}:{membership.user_id}",
            kind=Delivery.Kind.RESULT,
            template="decisions/email/result",
            recipient=membership.user,
            institution=institution,
            context=_proposal_context(institution, proposal),
        )
    return len(members)
