from django.urls import reverse
from django_scopes import scope

from decisions import services as decisions
from decisions.models import Proposal
from institutions.models import AuditEntry
from needs import services
from needs.models import Need


def url(name, institution, **kwargs):
    return reverse(f"needs:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def test_member_adds_a_need_with_evidence(member_client, institution, member):
    response = member_client.post(
        url("new", institution),
        {
            "title": "Food runs out before payday",
            "description": "",
            "evidence": "12 families said so at the meeting",
            "people_count": 12,
        },
    )
    with scope(institution=institution):
        need = Need.objects.get()
    assert response["Location"] == need.get_absolute_url()
    assert (need.created_by, need.status, need.people_count) == (member, "candidate", 12)
    page = member_client.get(url("index", institution)).content.decode()
    assert "Food runs out before payday" in page and "raised by 12 people" in page


def test_bad_need_is_refused_and_keeps_what_was_typed(member_client, institution):
    response = member_client.post(url("new", institution), {"title": "", "evidence": "kept", "people_count": -3})
    assert response.status_code == 400 and "kept" in response.content.decode()
    with scope(institution=institution):
        assert not Need.objects.exists()


def test_organizer_changes_status_and_it_is_audited(organizer_client, institution, member):
    with scope(institution=institution):
        need = services.need_create(institution=institution, author=member, title="Rent is too high")
    response = organizer_client.post(
        url("edit", institution, pk=need.pk),
        {"title": "Rent is too high", "description": "", "evidence": "", "people_count": 3, "status": "set_aside"},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        need.refresh_from_db()
        entry = AuditEntry.objects.filter(action="need.status_changed").get()
    assert need.status == "set_aside"
    assert entry.describe() == "Olga marked the need “Rent is too high” as: Set aside"


def test_passing_the_focus_proposal_makes_the_need_the_focus(
    organizer_client, institution, organizer, member, django_capture_on_commit_callbacks
):
    with scope(institution=institution):
        need = services.need_create(institution=institution, author=member, title="Food runs out before payday")
    response = organizer_client.post(url("propose_focus", institution, pk=need.pk))
    with scope(institution=institution):
        proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    assert proposal.concerns == need and proposal.status == "draft"
    with scope(institution=institution), django_capture_on_commit_callbacks(execute=True):
        from datetime import timedelta

        from django.utils import timezone

        proposal = decisions.voting_open(
            proposal=proposal, actor=organizer, deadline=timezone.now() + timedelta(days=1)
        )
        decisions.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
        decisions.voting_close(proposal=proposal)
    with scope(institution=institution):
        need.refresh_from_db()
    assert need.status == Need.Status.FOCUS and need.focus_chosen_at
    page = organizer_client.get(url("detail", institution, pk=need.pk)).content.decode()
    assert "Chosen focus" in page and proposal.title in page and "Propose this as our focus" not in page


def test_a_failed_focus_proposal_leaves_the_need_a_candidate(
    institution, organizer, member, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    with scope(institution=institution), django_capture_on_commit_callbacks(execute=True):
        need = services.need_create(institution=institution, author=member, title="Childcare at meetings")
        proposal = services.focus_proposal_start(need=need, author=organizer)
        proposal = decisions.voting_open(
            proposal=proposal, actor=organizer, deadline=timezone.now() + timedelta(days=1)
        )
        decisions.vote_cast(proposal=proposal, member=member, choice={"choice": "no"})
        decisions.voting_close(proposal=proposal)
        need.refresh_from_db()
    assert need.status == Need.Status.CANDIDATE
