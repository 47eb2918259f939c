import re

from django.urls import reverse
from django_scopes import scope

from decisions import services
from decisions.models import Ballot, Proposal, SecretBallot
from tests.factories import MembershipFactory, proposal_in_voting


def url(name, institution, **kwargs):
    return reverse(f"decisions:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def test_member_drafts_a_ranked_proposal_with_options(member_client, institution, member):
    response = member_client.post(
        url("new", institution),
        {
            "title": "Extra pantry day",
            "text": "See https://example.org/survey for the numbers.",
            "method": "ranked",
            "options_text": "Saturday\nSunday\n\nWednesday",
            "threshold": "2/3",
            "dots_per_voter": 5,
            "quorum_percent": 20,
            "hide_results_until_closed": "on",
        },
    )
    assert response.status_code == 302
    with scope(institution=institution):
        proposal = Proposal.objects.get()
        assert [o.label for o in proposal.options.all()] == ["Saturday", "Sunday", "Wednesday"]
    assert (proposal.author, proposal.status, proposal.quorum_percent) == (member, "draft", 20)
    page = member_client.get(proposal.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/survey" rel="nofollow">' in page


def test_new_proposal_form_explains_every_method(member_client, institution):
    page = member_client.get(url("new", institution)).content.decode()
    for phrase in [
        "more people vote yes than no",
        "nobody objects",
        "nobody blocks",
        "Tick every option",
        "average score",
        "dots to spread",
        "Number the options",
    ]:
        assert phrase in page


def test_list_marks_proposals_awaiting_my_vote(member_client, institution, organizer, member):
    proposal_in_voting(institution, organizer, title="Awaiting")
    voted = proposal_in_voting(institution, organizer, title="Done")
    with scope(institution=institution):
        services.vote_cast(proposal=voted, member=member, choice={"choice": "yes"})
    page = member_client.get(url("index", institution)).content.decode()
    assert "You have not voted on 1 proposal yet." in page
    assert page.count("You haven't voted yet") == 1
    mine = member_client.get(url("index", institution) + "?show=mine").content.decode()
    assert "Awaiting" not in mine


def test_plain_post_vote_redirects_and_counts(member_client, institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer)
    response = member_client.post(url("vote", institution, pk=proposal.pk), {"choice": "yes"})
    assert response.status_code == 302
    with scope(institution=institution):
        assert Ballot.objects.get(proposal=proposal, voter=member).choice == {"choice": "yes"}


def test_htmx_vote_returns_only_the_ballot_and_the_message(member_client, institution, organizer):
    proposal = proposal_in_voting(institution, organizer)
    response = member_client.post(
        url("vote", institution, pk=proposal.pk), {"choice": "no"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="ballot"') and "<html" not in html
    assert "Your vote is counted." in html and 'hx-swap-oob="true"' in html
    assert "Change my vote" in html


def test_invalid_vote_keeps_what_was_entered(member_client, institution, organizer):
    proposal = proposal_in_voting(institution, organizer, method="ranked", options=["A", "B", "C"])
    with scope(institution=institution):
        a, b, c = services.option_ids_of(proposal)
    response = member_client.post(
        url("vote", institution, pk=proposal.pk), {f"rank-{a}": "1", f"rank-{b}": "1", f"rank-{c}": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Use each rank once" in html
    assert html.count('value="1" selected') == 2
    with scope(institution=institution):
        assert not Ballot.objects.filter(proposal=proposal).exists()


def test_secret_vote_shows_receipt_and_publishes_it_without_names(
    member_client, organizer_client, institution, organizer, member
):
    proposal = proposal_in_voting(institution, organizer, secret=True)
    response = member_client.post(
        url("vote", institution, pk=proposal.pk), {"choice": "no"}, headers={"HX-Request": "true"}
    )
    with scope(institution=institution):
        receipt = SecretBallot.objects.get(proposal=proposal).receipt
    assert receipt in response.content.decode()
    organizer_client.post(url("transition", institution, pk=proposal.pk), {"action": "close"})
    results = organizer_client.get(url("results", institution, pk=proposal.pk)).content.decode()
    # A whole word: "Mo" can stand by chance inside the page's random CSRF token.
    named = re.compile(rf"\b{re.escape(member.display_name)}\b")
    assert receipt in results and "Who voted what" not in results and not named.search(results)
    csv = organizer_client.get(url("results_csv", institution, pk=proposal.pk)).content.decode()
    assert receipt in csv and not named.search(csv)


def test_results_hidden_until_close_when_asked(member_client, institution, organizer):
    proposal = proposal_in_voting(institution, organizer, hide_results_until_closed=True)
    page = member_client.get(url("results", institution, pk=proposal.pk)).content.decode()
    assert "hidden until voting closes" in page and "Totals" not in page


def test_open_vote_results_show_who_voted_what(member_client, institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer)
    with scope(institution=institution):
        services.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
        services.voting_close(proposal=proposal)
    page = member_client.get(url("results", institution, pk=proposal.pk)).content.decode()
    assert "Who voted what" in page and "Mo" in page and "Passed" in page


def test_csv_export_neutralizes_formulas(organizer_client, institution, organizer):
    proposal = proposal_in_voting(institution, organizer, method="approval", options=["=HYPERLINK(1)", "Plain"])
    with scope(institution=institution):
        services.voting_close(proposal=proposal)
    csv = organizer_client.get(url("results_csv", institution, pk=proposal.pk)).content.decode()
    assert "'=HYPERLINK(1)" in csv


def test_organizer_hides_a_comment_with_a_reason(organizer_client, member_client, institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer)
    member_client.post(url("comment_add", institution, pk=proposal.pk), {"text": "You are all fools"})
    with scope(institution=institution):
        comment = proposal.comments.get()
    response = organizer_client.post(
        url("comment_hide", institution, pk=proposal.pk, comment_pk=comment.pk), {"reason": "insult"}
    )
    assert response.status_code == 302
    page = member_client.get(proposal.get_absolute_url()).content.decode()
    assert "You are all fools" not in page and "hidden by an organizer: insult" in page


def test_author_revises_and_sees_the_diff(member_client, institution, member):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=member, title="Hours", text="Open at nine on Saturdays", method="majority"
        )
    member_client.post(
        url("revise", institution, pk=proposal.pk),
        {"title": "Hours", "text": "Open at ten on Saturdays", "note": "later start"},
    )
    page = member_client.get(url("versions", institution, pk=proposal.pk)).content.decode()
    assert "<del>nine</del>" in page and "<ins>ten</ins>" in page and "later start" in page


def test_member_who_is_not_the_author_cannot_open_voting(member_client, institution, organizer):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=organizer, title="t", text="x", method="majority"
        )
    response = member_client.post(
        url("transition", institution, pk=proposal.pk), {"action": "open", "deadline": "2030-01-01T10:00"}
    )
    assert response.status_code == 403
    with scope(institution=institution):
        proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_opening_voting_without_a_deadline_says_why(organizer_client, institution, organizer):
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution, author=organizer, title="t", text="x", method="majority"
        )
    response = organizer_client.post(url("transition", institution, pk=proposal.pk), {"action": "open"})
    assert response.status_code == 400 and "Set when voting closes" in response.content.decode()


def test_latecomer_is_told_they_are_not_on_the_roll(client_for, institution, organizer):
    proposal = proposal_in_voting(institution, organizer)
    latecomer = MembershipFactory(institution=institution).user
    page = client_for(latecomer).get(proposal.get_absolute_url()).content.decode()
    assert "not on the voter roll" in page and "Cast my vote" not in page


def test_institution_home_says_how_many_votes_are_waiting(member_client, institution, organizer):
    proposal_in_voting(institution, organizer)
    proposal_in_voting(institution, organizer, title="Second")
    page = member_client.get(f"/i/{institution.slug}/").content.decode()
    assert "You have not voted on 2 proposals yet." in page


def test_csv_export_reads_like_the_results_page(organizer_client, institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer, method="ranked", options=["Saturday", "Sunday"])
    with scope(institution=institution):
        saturday, sunday = services.option_ids_of(proposal)
        services.vote_cast(proposal=proposal, member=member, choice={"ranking": [sunday, saturday]})
        services.voting_close(proposal=proposal)
    csv = organizer_client.get(url("results_csv", institution, pk=proposal.pk)).content.decode()
    assert "Mo,1. Sunday 2. Saturday" in csv


def test_average_scores_read_as_decimals(member_client, institution, organizer, member):
    proposal = proposal_in_voting(institution, organizer, method="score", options=["Soup", "Salad"])
    with scope(institution=institution):
        soup, salad = services.option_ids_of(proposal)
        services.vote_cast(proposal=proposal, member=member, choice={"scores": {str(soup): 4, str(salad): 1}})
        services.vote_cast(proposal=proposal, member=organizer, choice={"scores": {str(soup): 3, str(salad): 1}})
        services.voting_close(proposal=proposal)
    page = member_client.get(url("results", institution, pk=proposal.pk)).content.decode()
    assert "<td>Soup</td><td>3.5</td>" in page and "7/2" not in page


def test_the_ballot_form_shows_the_members_saved_vote_and_nobody_elses(
    institution, organizer, member, member_client, organizer_client
):
    proposal = proposal_in_voting(institution, organizer)
    page = member_client.get(url("detail", institution, pk=proposal.pk)).content.decode()
    assert "Cast my vote" in page and " checked" not in page
    member_client.post(url("vote", institution, pk=proposal.pk), {"choice": "no"})
    page = member_client.get(url("detail", institution, pk=proposal.pk)).content.decode()
    assert "Change my vote" in page and "You have voted." in page
    assert re.search(r'value="no" required checked', page) and not re.search(r'value="yes" required checked', page)
    # The organizer, on the roll too, has not voted: their form is blank.
    page = organizer_client.get(url("detail", institution, pk=proposal.pk)).content.decode()
    assert "Cast my vote" in page and " checked" not in page
