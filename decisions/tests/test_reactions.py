from django_scopes import scope

from decisions import reactions, services
from institutions.models import Institution
from tests.factories import proposal_in_voting


def test_owning_app_reacts_when_a_proposal_about_its_object_passes(
    institution, organizer, member, django_capture_on_commit_callbacks, monkeypatch
):
    # Stand-in for an app that owns what proposals concern (needs, meetings, procedures).
    monkeypatch.setattr(reactions, "_reactions", {})
    seen = []
    reactions.on_decided("institutions.Institution", lambda proposal, concerned: seen.append((proposal.pk, concerned)))
    passing = proposal_in_voting(institution, organizer, concerns=institution, title="Adopt the plan")
    failing = proposal_in_voting(institution, organizer, concerns=institution, title="Drop the plan")
    with scope(institution=institution), django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(proposal=passing, member=member, choice={"choice": "yes"})
        services.vote_cast(proposal=failing, member=member, choice={"choice": "no"})
        services.voting_close(proposal=passing)
        services.voting_close(proposal=failing)
    assert seen == [(passing.pk, Institution.objects.get(pk=institution.pk))]
