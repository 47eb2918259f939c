"""Self-evaluations: rounds of the seven questions, members' answers, the public page, the results
side by side with their gaps, the trend, and the selectors the health indicators read."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from consultation.services import round_answer, round_create, round_open
from evaluation import selfeval
from evaluation.models import SelfEvaluation, SelfEvaluationAnswer, SelfEvaluationResponse
from evaluation.models.selfeval import QUESTION_KEYS
from institutions.models import AuditEntry
from needs.services import need_create
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def answers(rating=3, comment="", **overrides):
    """All seven questions rated `rating`, some changed with question=(rating, comment)."""
    return {key: overrides.get(key, (rating, comment)) for key in QUESTION_KEYS}


def form_data(rating=3, comment="", **overrides):
    data = {}
    for key, (value, text) in answers(rating, comment, **overrides).items():
        data[f"rating-{key}"], data[f"comment-{key}"] = str(value), text
    return data


def url(name, institution, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


@pytest.fixture
def evaluation(scoped, organizer):
    return selfeval.round_open(institution=scoped, actor=organizer, title="Spring self-evaluation")


# Services ------------------------------------------------------------------------------------------


def test_opening_and_closing_a_round_is_audited(scoped, organizer, evaluation):
    selfeval.round_close(evaluation=evaluation, actor=organizer)
    assert SelfEvaluation.objects.get().status == "closed"
    descriptions = [entry.describe() for entry in AuditEntry.objects.order_by("pk")]
    assert "Olga opened the self-evaluation “Spring self-evaluation”" in descriptions
    assert "Olga closed the self-evaluation “Spring self-evaluation”" in descriptions
    with pytest.raises(ValidationError, match="already closed"):
        selfeval.round_close(evaluation=evaluation, actor=organizer)


def test_a_member_answers_once_and_changing_replaces_the_answer(scoped, member, evaluation):
    selfeval.answers_submit(evaluation=evaluation, answers=answers(2), member=member)
    selfeval.answers_submit(evaluation=evaluation, answers=answers(4, accountable=(5, "yes")), member=member)
    assert SelfEvaluationResponse.objects.count() == 1
    assert selfeval.my_answers(evaluation, member)["accountable"] == (5, "yes")
    assert sorted(SelfEvaluationAnswer.objects.values_list("rating", flat=True)) == [4] * 6 + [5]


def test_incomplete_or_out_of_range_answers_are_refused(scoped, member, evaluation):
    incomplete = answers()
    del incomplete["needs"]
    for bad in (incomplete, answers(6), answers(0), answers(3, "x" * 2001)):
        with pytest.raises(ValidationError):
            selfeval.answers_submit(evaluation=evaluation, answers=bad, member=member)
    assert not SelfEvaluationResponse.objects.exists()


def test_a_closed_round_takes_no_answers(scoped, organizer, member, evaluation):
    selfeval.round_close(evaluation=evaluation, actor=organizer)
    with pytest.raises(ValidationError, match="closed"):
        selfeval.answers_submit(evaluation=evaluation, answers=answers(), member=member)
    assert not SelfEvaluationResponse.objects.exists()


def test_a_members_only_round_refuses_community_answers(scoped, organizer):
    members_only = selfeval.round_open(institution=scoped, actor=organizer, title="Inside", open_to_community=False)
    with pytest.raises(ValidationError, match="members only"):
        selfeval.answers_submit(evaluation=members_only, answers=answers())


def test_results_put_members_and_community_side_by_side_and_name_the_gap(scoped, member, organizer, evaluation):
    selfeval.answers_submit(evaluation=evaluation, answers=answers(4, accountable=(5, "")), member=member)
    selfeval.answers_submit(evaluation=evaluation, answers=answers(4, accountable=(4, "")), member=organizer)
    selfeval.answers_submit(evaluation=evaluation, answers=answers(4, accountable=(3, ""), needs=(5, "")))
    selfeval.answers_submit(evaluation=evaluation, answers=answers(4, accountable=(3, ""), needs=(5, "")))
    rows = {row["key"]: row for row in selfeval.results(evaluation)}
    accountable = rows["accountable"]
    assert accountable["members"] == {"average": Decimal("4.5"), "total": 2}
    assert accountable["community"] == {"average": Decimal("3.0"), "total": 2}
    assert accountable["gap"] == "Members see this more rosily than the community does."
    assert rows["needs"]["gap"] == "The community sees this more favourably than members do."
    assert rows["democratic"]["gap"] == ""


def test_gap_words_need_a_full_point_and_both_groups():
    assert selfeval.gap_text(Decimal("3.9"), Decimal("3.0")) == ""
    assert selfeval.gap_text(Decimal("4.0"), Decimal("3.0")) != ""
    assert selfeval.gap_text(Decimal("4.0"), None) == ""


def test_trend_shows_each_rounds_averages_per_group_oldest_first(scoped, organizer, member):
    first = selfeval.round_open(institution=scoped, actor=organizer, title="Winter")
    first.opened_at = timezone.now() - timedelta(days=100)
    first.save()
    selfeval.answers_submit(evaluation=first, answers=answers(2), member=member)
    second = selfeval.round_open(institution=scoped, actor=organizer, title="Spring")
    selfeval.answers_submit(evaluation=second, answers=answers(4), member=member)
    selfeval.answers_submit(evaluation=second, answers=answers(1))
    rounds, table = selfeval.trend(scoped, until=second)
    assert [evaluation.title for evaluation in rounds] == ["Winter", "Spring"]
    assert table[0]["cells"] == [
        {"members": Decimal("2.0"), "community": None},
        {"members": Decimal("4.0"), "community": Decimal("1.0")},
    ]
    assert [evaluation.title for evaluation in selfeval.trend(scoped, until=first)[0]] == ["Winter"]


def test_last_self_evaluation_is_the_latest_round(scoped, organizer):
    assert selfeval.last_self_evaluation(scoped) is None
    selfeval.round_open(institution=scoped, actor=organizer, title="Old")
    latest = selfeval.round_open(institution=scoped, actor=organizer, title="New")
    assert selfeval.last_self_evaluation(scoped) == latest


def test_community_last_asked_is_the_latest_community_answer_anywhere(
    scoped, organizer, member, evaluation, django_assert_num_queries
):
    assert selfeval.community_last_asked(scoped) is None
    selfeval.answers_submit(evaluation=evaluation, answers=answers(), member=member)
    assert selfeval.community_last_asked(scoped) is None  # a member's answer is not the community's
    selfeval.answers_submit(evaluation=evaluation, answers=answers())
    after_selfeval = SelfEvaluationResponse.objects.get(respondent="community").created_at
    assert selfeval.community_last_asked(scoped) == after_selfeval
    need = need_create(institution=scoped, author=member, title="Rides")
    other = need_create(institution=scoped, author=member, title="Food")
    consultation = round_create(institution=scoped, author=organizer, title="First?", needs=[need, other])
    round_open(consultation_round=consultation, actor=organizer)
    ratings = {need.pk: {"urgency": 5, "rank": 1}, other.pk: {"urgency": 3, "rank": 2}}
    round_answer(consultation_round=consultation, ratings=ratings, language="en")
    with django_assert_num_queries(3):
        latest = selfeval.community_last_asked(scoped)
    assert latest > after_selfeval


# Pages ---------------------------------------------------------------------------------------------


def test_organizer_opens_a_round_and_a_member_answers_on_the_page(organizer_client, member_client, institution):
    response = organizer_client.post(url("selfeval_new", institution), {"title": "Autumn", "open_to_community": "on"})
    assert response.status_code == 302
    with scope(institution=institution):
        evaluation = SelfEvaluation.objects.get()
    response = member_client.post(url("selfeval_answer", institution, pk=evaluation.pk), form_data(4, "fine"))
    assert response.status_code == 302
    page = member_client.get(url("selfeval_answer", institution, pk=evaluation.pk)).content.decode()
    assert "You answered already" in page
    assert re.search(r'name="rating-needs" value="4"[^>]*checked', page)
    assert "fine" in page


def test_members_cannot_open_or_close_rounds(member_client, institution, evaluation):
    assert member_client.post(url("selfeval_new", institution), {"title": "Mine"}).status_code == 403
    assert member_client.post(url("selfeval_close", institution, pk=evaluation.pk)).status_code == 403
    with scope(institution=institution):
        assert SelfEvaluation.objects.get().status == "open"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rating-needs": ""}, "Choose a number from 1 to 5."),
        ({"rating-needs": "9"}, "valid choice"),
        ({"rating-accountable": "abc"}, "valid choice"),
        ({"comment-needs": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_member_answers_come_back_with_why_and_nothing_is_saved(
    member_client, institution, evaluation, change, message
):
    response = member_client.post(url("selfeval_answer", institution, pk=evaluation.pk), {**form_data(), **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(institution=institution):
        assert not SelfEvaluationResponse.objects.exists()


def test_answering_a_closed_round_on_the_page_is_refused(member_client, institution, organizer, evaluation):
    with scope(institution=institution):
        selfeval.round_close(evaluation=evaluation, actor=organizer)
    response = member_client.post(url("selfeval_answer", institution, pk=evaluation.pk), form_data())
    assert response.status_code == 400 and "closed" in response.content.decode()
    with scope(institution=institution):
        assert not SelfEvaluationResponse.objects.exists()


def test_the_community_answers_through_the_public_link_without_an_account(client, institution, evaluation):
    public = url("selfeval_public", institution, token=evaluation.public_token)
    assert client.get(public).status_code == 200
    response = client.post(public, form_data(2, "They never call back"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    with scope(institution=institution):
        response_row = SelfEvaluationResponse.objects.get()
        assert (response_row.respondent, response_row.member) == ("community", None)


def test_public_page_speaks_the_language_picked(client, institution, evaluation):
    response = client.get(url("selfeval_public", institution, token=evaluation.public_token) + "?lang=es")
    assert response["Content-Language"] == "es"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rating-needs": ""}, "Choose a number from 1 to 5."),
        ({"rating-difference": "0"}, "valid choice"),
        ({"comment-needs": "x" * 2001}, "at most 2000 characters"),
        ({"website": "http://spam.example"}, "looked like an automatic submission"),
    ],
)
def test_bad_public_answers_come_back_with_why_and_nothing_is_saved(client, institution, evaluation, change, message):
    response = client.post(
        url("selfeval_public", institution, token=evaluation.public_token), {**form_data(), **change}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(institution=institution):
        assert not SelfEvaluationResponse.objects.exists()


def test_a_flood_from_one_connection_is_throttled(client, institution, evaluation, settings):
    settings.PUBLIC_FORM_LIMIT = 2
    public = url("selfeval_public", institution, token=evaluation.public_token)
    assert [client.post(public, form_data()).status_code for _ in range(3)] == [302, 302, 429]
    with scope(institution=institution):
        assert SelfEvaluationResponse.objects.count() == 2


def test_a_closed_round_shows_a_polite_page_and_an_unknown_link_404(client, institution, organizer, evaluation):
    with scope(institution=institution):
        selfeval.round_close(evaluation=evaluation, actor=organizer)
    public = url("selfeval_public", institution, token=evaluation.public_token)
    response = client.get(public)
    assert response.status_code == 200 and "no longer takes answers" in response.content.decode()
    assert client.post(public, form_data()).status_code == 200
    with scope(institution=institution):
        assert not SelfEvaluationResponse.objects.exists()
    assert client.get(url("selfeval_public", institution, token="not-a-token")).status_code == 404


def test_a_members_only_round_has_no_public_page(client, institution, organizer):
    with scope(institution=institution):
        inside = selfeval.round_open(institution=institution, actor=organizer, title="Inside", open_to_community=False)
    assert client.get(url("selfeval_public", institution, token=inside.public_token)).status_code == 404


def test_results_page_shows_groups_gap_and_comments_without_names(member_client, institution, organizer, evaluation):
    with scope(institution=institution):
        writer = MembershipFactory(institution=institution, user=UserFactory(name="Rosalind Writer")).user
        selfeval.answers_submit(
            evaluation=evaluation, answers=answers(5, accountable=(5, "We answer to the neighbours")), member=writer
        )
        selfeval.answers_submit(evaluation=evaluation, answers=answers(3, accountable=(2, "They answer to funders")))
    page = member_client.get(url("selfeval", institution, pk=evaluation.pk)).content.decode()
    assert "Members see this more rosily than the community does." in page
    assert "We answer to the neighbours" in page and "They answer to funders" in page
    assert "Rosalind Writer" not in page
    assert "5.0" in page and "2.0" in page


def test_results_page_query_count_does_not_grow(member_client, institution, organizer, evaluation):
    page = url("selfeval", institution, pk=evaluation.pk)
    member_client.get(page)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        member_client.get(page)
    with scope(institution=institution):
        for index in range(10):
            earlier = selfeval.round_open(institution=institution, actor=organizer, title=f"Round {index}")
            for _ in range(3):
                selfeval.answers_submit(evaluation=earlier, answers=answers(index % 5 + 1, "note"))
                selfeval.answers_submit(evaluation=evaluation, answers=answers(2, "more"))
    with CaptureQueriesContext(connection) as large:
        member_client.get(page)
    assert len(small) == len(large)


def test_demo_seeds_two_rounds_that_disagree_a_grievance_and_incidents_once(scoped, organizer, member):
    from evaluation import grievances, incidents
    from evaluation.demo_selfeval import seed_selfeval
    from tests.factories import OrganizerFactory

    people = [organizer, OrganizerFactory(institution=scoped).user, member]
    seed_selfeval(scoped, people)
    seed_selfeval(scoped, people)  # a second run adds nothing
    latest = selfeval.last_self_evaluation(scoped)
    assert SelfEvaluation.objects.count() == 2 and latest.title == "Spring self-evaluation"
    assert 140 <= (timezone.now() - latest.opened_at).days <= 160
    accountable = next(row for row in selfeval.results(latest) if row["key"] == "accountable")
    assert accountable["gap"] == "Members see this more rosily than the community does."
    assert [(age, status) for _pk, age, status in grievances.open_grievances(scoped)] == [(20, "received")]
    assert grievances.is_facilitator(scoped, people[1])
    since = timezone.localdate() - timedelta(days=90)
    assert incidents.incidents_since(scoped, since) == {"counter_protest": 1, "police": 1, "hostile_media": 1}
