"""Consultation rounds: members and the community rate and rank candidate needs; results per group
and together; an organizer starts the focus proposal from them."""

import re
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from consultation import selectors, services
from consultation.demo import COMMUNITY_ANSWERS, seed_round
from consultation.models import ConsultationResponse, ConsultationRound, NeedRating, RoundError
from decisions.models import Proposal
from institutions.models import AuditEntry
from needs.models import Need
from needs.services import need_create
from tests.factories import InstitutionFactory, MembershipFactory


def url(name, consultation_round, **kwargs):
    if name in {"round_public", "round_thanks"}:
        kwargs["token"] = consultation_round.public_token
    elif name != "round_new":
        kwargs.setdefault("pk", consultation_round.pk)
    return reverse(f"consultation:{name}", kwargs={"institution_slug": consultation_round.institution.slug, **kwargs})


@pytest.fixture
def needs(institution, member):
    with scope(institution=institution):
        return [
            need_create(institution=institution, author=member, title=title)
            for title in ("Food runs out before payday", "Repairs take months", "No childcare at meetings")
        ]


@pytest.fixture
def draft(institution, organizer, needs):
    with scope(institution=institution):
        return services.round_create(institution=institution, author=organizer, title="What first?", needs=needs)


@pytest.fixture
def open_round(draft, organizer):
    with scope(institution=draft.institution):
        return services.round_open(consultation_round=draft, actor=organizer)


def ranked(needs, *places_and_urgencies):
    """{need id: {"urgency", "rank"}} from (rank, urgency) pairs given in the order of `needs`."""
    return {need.pk: {"rank": rank, "urgency": urgency} for need, (rank, urgency) in zip(needs, places_and_urgencies)}


def form_data(needs, *places_and_urgencies, **extra):
    data = {}
    for need, (rank, urgency) in zip(needs, places_and_urgencies):
        data[f"rank-{need.pk}"] = str(rank)
        data[f"urgency-{need.pk}"] = str(urgency)
    return {**data, **extra}


def counts(institution):
    with scope(institution=institution):
        return ConsultationResponse.objects.count(), NeedRating.objects.count()


# Services


def test_a_round_asks_about_at_least_two_needs_of_its_own_institution(institution, organizer, needs):
    other = InstitutionFactory()
    with scope(institution=other):
        foreign = need_create(institution=other, author=organizer, title="Not ours")
    with scope(institution=institution):
        with pytest.raises(RoundError, match="at least two"):
            services.round_create(institution=institution, author=organizer, title="x", needs=[needs[0], foreign])
        assert not ConsultationRound.objects.exists()


def test_a_draft_can_change_but_an_open_round_keeps_its_questions(institution, organizer, draft, needs):
    with scope(institution=institution):
        services.round_update(consultation_round=draft, actor=organizer, title="Spring round", needs=needs[:2])
        draft.refresh_from_db()
        assert draft.title == "Spring round" and set(draft.needs.all()) == set(needs[:2])
        services.round_open(consultation_round=draft, actor=organizer)
        with pytest.raises(RoundError, match="can no longer change"):
            services.round_update(consultation_round=draft, actor=organizer, needs=needs)
        assert draft.needs.count() == 2


def test_create_open_and_close_leave_audit_entries(institution, organizer, draft):
    with scope(institution=institution):
        services.round_open(consultation_round=draft, actor=organizer)
        with pytest.raises(RoundError):
            services.round_open(consultation_round=draft, actor=organizer)
        services.round_close(consultation_round=draft, actor=organizer)
        with pytest.raises(RoundError):
            services.round_close(consultation_round=draft, actor=organizer)
        texts = [entry.describe() for entry in AuditEntry.objects.filter(action__startswith="consultation_round.")]
    assert texts == [
        "Olga closed the consultation round “What first?”",
        "Olga opened the consultation round “What first?” for answers",
        "Olga drafted the consultation round “What first?”",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, n: r.pop(n[2].pk), "every need"),
        (lambda r, n: r.update({999999: {"urgency": 3, "rank": 3}}), "every need"),
        (lambda r, n: r[n[0].pk].update(urgency=6), "from 1 to 5"),
        (lambda r, n: r[n[0].pk].update(urgency=0), "from 1 to 5"),
        (lambda r, n: r[n[0].pk].update(urgency="5"), "from 1 to 5"),
        (lambda r, n: r[n[0].pk].update(rank=2), "using each number once"),  # 2, 2, 3
        (lambda r, n: r[n[2].pk].update(rank=4), "using each number once"),  # 1, 2, 4
        (lambda r, n: r[n[0].pk].update(rank=None), "using each number once"),
    ],
)
def test_an_incomplete_or_invalid_answer_is_refused_and_saves_nothing(institution, open_round, needs, change, message):
    ratings = ranked(needs, (1, 5), (2, 3), (3, 1))
    change(ratings, needs)
    with scope(institution=institution), pytest.raises(RoundError, match=message):
        services.round_answer(consultation_round=open_round, ratings=ratings)
    assert counts(institution) == (0, 0)


def test_dots_may_not_be_negative_or_add_up_to_more_than_allowed(institution, organizer, needs):
    with scope(institution=institution):
        dots_round = services.round_create(
            institution=institution, author=organizer, title="Dots", needs=needs, method="dots", dots_per_person=4
        )
        services.round_open(consultation_round=dots_round, actor=organizer)
        for dots, message in (((3, 1, 1), "you placed 5"), ((5, -1, 0), "0 or more")):
            ratings = {need.pk: {"urgency": 3, "dots": count} for need, count in zip(needs, dots)}
            with pytest.raises(RoundError, match=message):
                services.round_answer(consultation_round=dots_round, ratings=ratings)
        services.round_answer(
            consultation_round=dots_round,
            ratings={need.pk: {"urgency": 3, "dots": count} for need, count in zip(needs, (4, 0, 0))},
        )
    assert counts(institution) == (1, 3)


def test_a_draft_or_closed_round_takes_no_answers(institution, organizer, draft, needs):
    ratings = ranked(needs, (1, 5), (2, 3), (3, 1))
    with scope(institution=institution):
        with pytest.raises(RoundError, match="closed"):
            services.round_answer(consultation_round=draft, ratings=ratings)
        services.round_open(consultation_round=draft, actor=organizer)
        services.round_close(consultation_round=draft, actor=organizer)
        with pytest.raises(RoundError, match="closed"):
            services.round_answer(consultation_round=draft, ratings=ratings)
    assert counts(institution) == (0, 0)


def test_a_member_answers_once_and_answering_again_replaces_it(institution, open_round, needs, member):
    with scope(institution=institution):
        first = services.round_answer(
            consultation_round=open_round, ratings=ranked(needs, (1, 5), (2, 3), (3, 1)), member=member
        )
        second = services.round_answer(
            consultation_round=open_round, ratings=ranked(needs, (3, 1), (2, 2), (1, 4)), member=member, language="es"
        )
        assert first.pk == second.pk
        response = ConsultationResponse.objects.get()
        assert (response.group, response.member, response.language) == ("member", member, "es")
        assert dict(NeedRating.objects.values_list("need_id", "rank")) == {
            needs[0].pk: 3,
            needs[1].pk: 2,
            needs[2].pk: 1,
        }
        assert selectors.answer_of(open_round, member)[needs[2].pk]["urgency"] == 4


def test_the_database_refuses_a_second_answer_from_the_same_member(institution, open_round, member):
    with scope(institution=institution):
        ConsultationResponse.objects.create(round=open_round, group="member", member=member)
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsultationResponse.objects.create(round=open_round, group="member", member=member)
        # Community answers are anonymous: any number of them, never with a member attached.
        ConsultationResponse.objects.create(round=open_round, group="community")
        ConsultationResponse.objects.create(round=open_round, group="community")
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsultationResponse.objects.create(round=open_round, group="community", member=member)


def test_the_database_refuses_ratings_out_of_range(institution, open_round, needs):
    with scope(institution=institution):
        response = ConsultationResponse.objects.create(round=open_round, group="community")
        for fields in (
            {"urgency": 6, "rank": 1},
            {"urgency": 3, "rank": 0},
            {"urgency": 3},
            {"urgency": 3, "rank": 1, "dots": 2},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                NeedRating.objects.create(response=response, need=needs[0], **fields)


# Results


def test_results_per_group_and_together_are_exact(institution, open_round, needs):
    food, repairs, childcare = needs
    members = [MembershipFactory(institution=institution).user for _ in range(2)]
    with scope(institution=institution):
        for member, answer in zip(members, (((1, 5), (2, 3), (3, 1)), ((2, 4), (1, 4), (3, 2)))):
            services.round_answer(consultation_round=open_round, ratings=ranked(needs, *answer), member=member)
        for answer in (
            ((1, 5), (3, 2), (2, 4)),
            ((3, 2), (2, 3), (1, 5)),
            ((1, 4), (2, 3), (3, 3)),
            ((2, 3), (3, 1), (1, 5)),
        ):
            services.round_answer(consultation_round=open_round, ratings=ranked(needs, *answer))
        results = selectors.round_results(open_round)

    assert results.respondents == {"member": 2, "community": 4, "all": 6}

    def numbers(group):
        return {
            need.title: (score.answers, score.score, score.mean_rank, score.urgency)
            for need, score in results.table(group)
        }

    # Points: first place 3, second 2, third 1 (three needs).
    assert numbers("member") == {
        food.title: (2, 5, 1.5, 4.5),
        repairs.title: (2, 5, 1.5, 3.5),
        childcare.title: (2, 2, 3.0, 1.5),
    }
    assert numbers("community") == {
        food.title: (4, 9, 1.75, 3.5),
        repairs.title: (4, 6, 2.5, 2.25),
        childcare.title: (4, 9, 1.75, 4.25),
    }
    assert numbers("all") == {
        food.title: (6, 14, 1.67, 3.83),
        repairs.title: (6, 11, 2.17, 2.67),
        childcare.title: (6, 11, 2.17, 3.33),
    }
    # Combined order: by points, ties by urgency. Each group's table follows its own order.
    assert [row.need for row in results.rows] == [food, childcare, repairs]
    assert [need for need, _ in results.table("community")] == [childcare, food, repairs]
    assert [need for need, _ in results.table("member")] == [food, repairs, childcare]
    assert [score.share for _, score in results.table("all")] == [100, 79, 79]


def test_results_count_dots(institution, organizer, needs, member):
    food, repairs = needs[:2]
    with scope(institution=institution):
        dots_round = services.round_create(
            institution=institution,
            author=organizer,
            title="Dots",
            needs=[food, repairs],
            method="dots",
            dots_per_person=4,
        )
        services.round_open(consultation_round=dots_round, actor=organizer)
        for answer, who in ((((3, 5), (1, 2)), member), (((0, 1), (4, 5)), None), (((2, 3), (2, 4)), None)):
            ratings = {need.pk: {"dots": dots, "urgency": u} for need, (dots, u) in zip((food, repairs), answer)}
            services.round_answer(consultation_round=dots_round, ratings=ratings, member=who)
        results = selectors.round_results(dots_round)
    scores = [(row.need, *(row.scores[group].score for group in selectors.GROUPS)) for row in results.rows]
    assert scores == [(repairs, 1, 6, 7), (food, 3, 2, 5)]
    assert [row.together.urgency for row in results.rows] == [3.67, 3.0]
    assert results.rows[0].together.mean_rank is None


def test_results_of_a_round_nobody_answered_are_empty_not_broken(institution, open_round, needs):
    with scope(institution=institution):
        results = selectors.round_results(open_round)
    assert results.respondents == {"member": 0, "community": 0, "all": 0}
    assert all(row.together == selectors.GroupScore(0, None, 0, None, 0) for row in results.rows)


def test_results_page_shows_each_group_and_together(member_client, institution, open_round, needs, member):
    with scope(institution=institution):
        services.round_answer(
            consultation_round=open_round, ratings=ranked(needs, (1, 5), (2, 3), (3, 1)), member=member
        )
        services.round_answer(
            consultation_round=open_round, ratings=ranked(needs, (3, 1), (2, 2), (1, 4)), language="es"
        )
    html = member_client.get(url("round_detail", open_round)).content.decode()
    assert "1 member and 1 people from the community have answered." in html
    for heading in ("Members", "Community", "Everyone together"):
        assert f">{heading}</h3>" in html
    assert html.count('<svg class="result-chart"') == 3 and html.count('<table class="results-table">') == 3
    assert "Propose this as our focus" not in html  # organizers only
    assert "Change your answer" in html


# Pages for members and organizers


def test_organizer_creates_edits_and_opens_a_round(organizer_client, institution, needs):
    new = reverse("consultation:round_new", kwargs={"institution_slug": institution.slug})
    page = organizer_client.get(new).content.decode()
    assert page.count("checked") >= 3  # every candidate need is ticked to start with
    response = organizer_client.post(
        new,
        {"title": "Spring", "intro": "", "needs": [n.pk for n in needs], "method": "dots", "dots_per_person": "3"},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        consultation_round = ConsultationRound.objects.get()
        assert consultation_round.is_draft and consultation_round.dots_per_person == 3
    assert organizer_client.get(url("round_public", consultation_round)).status_code == 404  # not public yet
    edit = organizer_client.post(
        url("round_edit", consultation_round),
        {"title": "Spring round", "needs": [needs[0].pk, needs[1].pk], "method": "rank", "dots_per_person": "5"},
    )
    assert edit.status_code == 302
    assert organizer_client.post(url("round_open", consultation_round)).status_code == 302
    with scope(institution=institution):
        consultation_round.refresh_from_db()
        assert consultation_round.is_open and consultation_round.needs.count() == 2
    # Open: the questions stay as they are.
    assert organizer_client.get(url("round_edit", consultation_round)).status_code == 302
    assert organizer_client.post(url("round_open", consultation_round)).status_code == 400
    page = organizer_client.get(url("round_detail", consultation_round)).content.decode()
    assert consultation_round.get_public_url() in page


def test_a_new_round_refuses_needs_of_another_institution(organizer_client, institution, organizer, needs):
    other = InstitutionFactory()
    with scope(institution=other):
        foreign = need_create(institution=other, author=organizer, title="Not ours")
    response = organizer_client.post(
        reverse("consultation:round_new", kwargs={"institution_slug": institution.slug}),
        {"title": "Kept title", "needs": [needs[0].pk, foreign.pk], "method": "rank", "dots_per_person": "5"},
    )
    assert response.status_code == 400 and "Kept title" in response.content.decode()
    with scopes_disabled():
        assert not ConsultationRound.objects.exists()


def test_member_answers_on_their_page_and_can_change_it(member_client, institution, open_round, needs, member):
    answer_url = url("round_answer", open_round)
    response = member_client.post(answer_url, form_data(needs, (1, 5), (2, 3), (3, 1)))
    assert response.status_code == 302
    page = member_client.get(answer_url).content.decode()
    assert "You have answered already" in page
    assert re.search(rf'<input[^>]*name="urgency-{needs[0].pk}" value="5"[^>]*checked', page), "saved answer shown"
    member_client.post(answer_url, form_data(needs, (2, 4), (1, 4), (3, 2)))
    with scope(institution=institution):
        assert ConsultationResponse.objects.filter(member=member).count() == 1
        assert selectors.answer_of(open_round, member)[needs[1].pk]["rank"] == 1


def test_member_answer_with_repeated_places_is_refused_and_keeps_the_choices(
    member_client, institution, open_round, needs
):
    response = member_client.post(url("round_answer", open_round), form_data(needs, (1, 5), (1, 3), (3, 1)))
    html = response.content.decode()
    assert response.status_code == 400
    assert "using each number once" in html
    assert '<option value="3" selected>3</option>' in html
    assert counts(institution) == (0, 0)


def test_members_page_of_a_closed_round_says_so(member_client, institution, open_round, organizer, needs):
    with scope(institution=institution):
        services.round_close(consultation_round=open_round, actor=organizer)
    page = member_client.get(url("round_answer", open_round))
    assert page.status_code == 200 and "This round is closed" in page.content.decode()
    refused = member_client.post(url("round_answer", open_round), form_data(needs, (1, 5), (2, 3), (3, 1)))
    assert refused.status_code == 400
    assert counts(institution) == (0, 0)


def test_organizer_starts_the_focus_proposal_from_the_results(organizer_client, institution, open_round, needs):
    with scope(institution=institution):
        services.round_answer(consultation_round=open_round, ratings=ranked(needs, (2, 3), (1, 5), (3, 1)))
    html = organizer_client.get(url("round_detail", open_round)).content.decode()
    assert html.count("Propose this as our focus") == 3
    response = organizer_client.post(url("round_focus", open_round, need_pk=needs[1].pk))
    with scope(institution=institution):
        proposal = Proposal.objects.get()
        assert proposal.concerns == needs[1] and proposal.status == "draft"
        assert proposal.title == "Make “Repairs take months” our focus"
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()


def test_focus_only_for_a_need_of_the_round_and_not_from_a_draft(
    organizer_client, institution, organizer, draft, needs, member
):
    with scope(institution=institution):
        outside = need_create(institution=institution, author=member, title="Not asked about")
    assert organizer_client.post(url("round_focus", draft, need_pk=needs[0].pk)).status_code == 400
    with scope(institution=institution):
        services.round_open(consultation_round=draft, actor=organizer)
    assert organizer_client.post(url("round_focus", draft, need_pk=outside.pk)).status_code == 404
    with scope(institution=institution):
        assert not Proposal.objects.exists()


# The public link


def test_anyone_answers_in_spanish_without_an_account(institution, open_round, needs):
    client = Client()
    page = client.get(url("round_public", open_round) + "?lang=es")
    assert page.status_code == 200 and page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
    response = client.post(
        url("round_public", open_round) + "?lang=es", form_data(needs, (1, 5), (2, 3), (3, 1), website="")
    )
    assert response.status_code == 302 and response["Location"].endswith("/thanks/?lang=es")
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and '<html lang="es">' in thanks.content.decode()
    with scope(institution=institution):
        response = ConsultationResponse.objects.get()
        assert (response.group, response.member, response.language) == ("community", None, "es")
        assert NeedRating.objects.filter(response=response).count() == 3


def test_the_public_page_of_a_draft_is_not_found_and_a_wrong_token_neither(institution, draft):
    client = Client()
    assert client.get(url("round_public", draft)).status_code == 404
    assert client.get(url("round_thanks", draft)).status_code == 404
    wrong = reverse("consultation:round_public", kwargs={"institution_slug": institution.slug, "token": "x" * 32})
    assert client.get(wrong).status_code == 404


def test_a_closed_round_shows_a_polite_page_and_takes_nothing(institution, open_round, organizer, needs):
    with scope(institution=institution):
        services.round_close(consultation_round=open_round, actor=organizer)
    client = Client()
    page = client.get(url("round_public", open_round))
    assert page.status_code == 200 and "This consultation has closed" in page.content.decode()
    late = client.post(url("round_public", open_round), form_data(needs, (1, 5), (2, 3), (3, 1)))
    assert late.status_code == 200 and "This consultation has closed" in late.content.decode()
    assert counts(institution) == (0, 0)


def test_a_filled_honeypot_is_refused_with_a_message(institution, open_round, needs):
    response = Client().post(
        url("round_public", open_round), form_data(needs, (1, 5), (2, 3), (3, 1), website="http://spam.example")
    )
    assert response.status_code == 400 and "automatic submission" in response.content.decode()
    assert counts(institution) == (0, 0)


def test_a_flood_from_one_client_is_throttled(institution, open_round, needs, settings):
    settings.PUBLIC_FORM_LIMIT = 3
    flooder = Client(REMOTE_ADDR="203.0.113.9")
    data = form_data(needs, (1, 5), (2, 3), (3, 1))
    assert [flooder.post(url("round_public", open_round), data).status_code for _ in range(3)] == [302] * 3
    refused = flooder.post(url("round_public", open_round), data)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Many answers have come from this connection" in html
    assert re.search(rf'<input[^>]*name="urgency-{needs[0].pk}" value="5"[^>]*checked', html), "the choices are kept"
    assert counts(institution) == (3, 9)
    # Someone else, elsewhere, still gets through.
    assert Client(REMOTE_ADDR="198.51.100.7").post(url("round_public", open_round), data).status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"rank-{0}": ""},
        {"urgency-{0}": "9", "rank-{0}": "1"},
        {"urgency-{0}": "5", "rank-{0}": "x" * 100_000},
        {"urgency-{0}": "<script>alert(1)</script>", "rank-{0}": "' OR 1=1 --"},
        {"urgency-{0}": "\x00", "rank-{0}": "😀" * 300},
    ],
    ids=range(6),
)
def test_hostile_or_incomplete_public_answers_get_400_and_change_nothing(institution, open_round, needs, data):
    posted = form_data(needs, (1, 5), (2, 3), (3, 1)) if data else {}
    posted.update({key.format(needs[0].pk): value for key, value in data.items()})
    response = Client().post(url("round_public", open_round), posted)
    assert response.status_code == 400
    assert "Some answers need another look" in response.content.decode()
    assert counts(institution) == (0, 0)


def test_garbage_encoded_and_oversized_answers_are_refused(institution, open_round, needs):
    client = Client()
    garbled = client.post(
        url("round_public", open_round),
        data=f"urgency-{needs[0].pk}=\xff\xfe&rank-{needs[0].pk}=\xc3\x28".encode("latin-1"),
        content_type="application/x-www-form-urlencoded",
    )
    assert garbled.status_code == 400
    oversized = client.post(url("round_public", open_round), {"website": "", "padding": "x" * 3_000_000})
    assert oversized.status_code == 400
    too_many = client.post(url("round_public", open_round), {f"field{n}": "1" for n in range(1500)})
    assert too_many.status_code == 400
    assert counts(institution) == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_are_all_kept_and_a_member_counts_once(institution, organizer, member):
    """Answers sent at the same moment from many phones: every community answer lands, and a member
    who sends twice at once still has exactly one answer."""
    with scope(institution=institution):
        needs = [need_create(institution=institution, author=member, title=f"Need {n}") for n in range(3)]
        consultation_round = services.round_create(institution=institution, author=organizer, title="Busy", needs=needs)
        services.round_open(consultation_round=consultation_round, actor=organizer)
    others = [MembershipFactory(institution=institution).user for _ in range(3)]
    jobs = [None] * 12 + [member] * 4 + others
    barrier = threading.Barrier(len(jobs))
    errors = []

    def answer(who, place):
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 30000")
            barrier.wait(timeout=30)
            ratings = ranked(needs, *[((place + n) % 3 + 1, 3) for n in range(3)])
            with scope(institution=institution):
                services.round_answer(consultation_round=consultation_round, ratings=ratings, member=who)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(who, n)) for n, who in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scope(institution=institution):
        groups = list(ConsultationResponse.objects.values_list("group", "member_id"))
        assert sorted(g for g, _ in groups) == ["community"] * 12 + ["member"] * 4
        assert sorted(m for _, m in groups if m) == sorted([member.pk] + [u.pk for u in others])
        assert NeedRating.objects.count() == 16 * 3


# Demo data


def test_demo_round_is_seeded_once(institution, organizer, member, needs):
    first = seed_round(institution, [organizer, member])
    again = seed_round(institution, [organizer, member])
    assert first.pk == again.pk
    with scope(institution=institution):
        results = selectors.round_results(first)
        languages = set(ConsultationResponse.objects.values_list("language", flat=True))
    assert first.is_open and results.respondents == {"member": 2, "community": COMMUNITY_ANSWERS, "all": 42}
    assert languages == {"en", "es"}
    with scope(institution=institution):
        assert Need.objects.count() == 3
