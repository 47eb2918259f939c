from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from decisions import services, tasks
from decisions.models import Proposal
from notifications.models import Delivery
from notifications.services import mail_preference_set
from tests.factories import MembershipFactory, proposal_in_voting


def test_due_proposals_are_closed_once_and_results_sent_once(institution, organizer, member, mailoutbox):
    proposal = proposal_in_voting(institution, organizer)
    not_due = proposal_in_voting(institution, organizer, title="Later")
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
    Proposal.objects.with_scopes_disabled().filter(pk=proposal.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )

    assert tasks.close_due_proposals() == 1
    assert tasks.close_due_proposals() == 0  # nothing due any more: running twice is harmless
    tasks.send_results(institution.pk, proposal_id=proposal.pk)  # a duplicate job sends nothing new

    with scope(institution=institution):
        proposal.refresh_from_db()
        not_due.refresh_from_db()
    assert (proposal.status, proposal.outcome) == ("closed", "passed")
    assert not_due.status == "voting"
    results = [m for m in mailoutbox if "Passed" in m.subject]
    assert sorted(m.to[0] for m in results) == sorted([organizer.email, member.email])
    assert all("List-Unsubscribe" in m.extra_headers for m in results)


def test_reminders_go_once_to_voters_who_have_not_voted(institution, organizer, member, mailoutbox):
    quiet = MembershipFactory(institution=institution).user
    unsubscribed = MembershipFactory(institution=institution).user
    mail_preference_set(user=unsubscribed, institution=institution, kind="reminder", enabled=False)
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "no"})
    Proposal.objects.with_scopes_disabled().filter(pk=proposal.pk).update(deadline=timezone.now() + timedelta(hours=20))

    assert tasks.send_vote_reminders() == 1
    tasks.remind_voters(institution.pk, proposal_id=proposal.pk)  # the job running twice
    assert tasks.send_vote_reminders() == 0

    reminded = sorted(m.to[0] for m in mailoutbox)
    assert reminded == sorted([organizer.email, quiet.email])
    assert Delivery.objects.get(recipient=unsubscribed).status == Delivery.Status.SKIPPED


def test_reminders_wait_until_the_last_day(institution, organizer, mailoutbox):
    proposal_in_voting(institution, organizer)  # closes in three days
    assert tasks.send_vote_reminders() == 0
    assert mailoutbox == []


def test_close_task_for_a_deleted_proposal_does_nothing(institution):
    assert tasks.close_proposal(institution.pk, proposal_id=987654) is False
