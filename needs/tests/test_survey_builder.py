"""Organizers build, open, close and delete surveys; members read them; written answers get themes."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from institutions.models import AuditEntry
from needs import services
from needs.models import Answer, Choice, Need, Question, Survey, SurveyContact, Theme
from tests.factories import survey_example


def url(name, institution, **kwargs):
    return reverse(f"needs:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def scoped(institution, fn):
    with scope(institution=institution):
        return fn()


@pytest.fixture
def survey(institution, organizer):
    return survey_example(institution, organizer)


@pytest.fixture
def draft(institution, organizer):
    with scope(institution=institution):
        return services.survey_create(
            institution=institution, author=organizer, title="Draft", base_language="en", languages=["en", "es"]
        )


def answer_once(survey, text="The rent is too high"):
    """One response with a written answer, through the service."""
    with scope(institution=survey.institution):
        questions = {q.text: q for q in Question.objects.filter(survey=survey)}
        hardest = questions["What is hardest?"]
        return services.response_submit(
            survey=survey,
            language="en",
            answers={
                hardest: {"choices": [hardest.choices.first().pk]},
                questions["Tell us more"]: {"text": text},
            },
        )


def test_organizer_creates_a_survey_with_a_spanish_title(organizer_client, institution):
    response = organizer_client.post(
        url("survey_new", institution),
        {
            "title": "Housing survey",
            "intro": "Tell us",
            "base_language": "en",
            "languages": ["en", "es"],
            "access_code": "",
            "ask_contact": "on",
            "title_es": "Encuesta de vivienda",
            "intro_es": "",
        },
    )
    survey = scoped(institution, Survey.objects.get)
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    assert survey.languages == ["en", "es"] and survey.status == "draft"
    assert survey.translations == {"es": {"title": "Encuesta de vivienda"}}
    assert survey.text_in("intro", "es") == "Tell us"  # untranslated text falls back to the base


def test_a_member_cannot_build_surveys(member_client, institution, draft):
    assert member_client.get(url("survey_new", institution)).status_code == 403
    assert member_client.get(url("question_new", institution, pk=draft.pk)).status_code == 403
    assert member_client.get(url("survey", institution, pk=draft.pk)).status_code == 200


@pytest.mark.parametrize(
    ("kind", "extra", "choices"),
    [
        ("single", {"choices_text": "Rent\nFood\n\n", "choices_text_es": "Alquiler\nComida"}, ["Rent", "Food"]),
        ("multiple", {"choices_text": "A\nB", "allow_other": "on"}, ["A", "B"]),
        ("ranking", {"choices_text": "Housing\nHealth"}, ["Housing", "Health"]),
        ("yes_no", {}, ["Yes", "No"]),
        ("short_text", {}, []),
        ("long_text", {}, []),
        ("number", {"min_value": "0", "max_value": "10"}, []),
        ("scale", {}, []),
    ],
)
def test_organizer_adds_each_kind_of_question(organizer_client, institution, draft, kind, extra, choices):
    data = {"kind": kind, "text": "A question", "text_es": "Una pregunta", **extra}
    response = organizer_client.post(url("question_new", institution, pk=draft.pk), data)
    assert response.status_code == 302
    with scope(institution=institution):
        question = Question.objects.get()
        assert question.kind == kind and question.text_in("text", "es") == "Una pregunta"
        assert [c.text for c in question.choices.all()] == choices
        if kind == "single":
            assert [c.text_in("text", "es") for c in question.choices.all()] == ["Alquiler", "Comida"]


def test_yes_no_choices_come_in_every_language_of_the_survey(institution, organizer, draft):
    with scope(institution=institution):
        question = services.question_add(survey=draft, actor=organizer, kind="yes_no", text="Do you rent?")
        assert [c.text_in("text", "es") for c in question.choices.all()] == ["Sí", "No"]


def test_a_needs_question_offers_the_needs_and_feeds_their_evidence(organizer_client, institution, organizer, draft):
    with scope(institution=institution):
        need = services.need_create(institution=institution, author=organizer, title="Childcare")
    response = organizer_client.post(
        url("question_new", institution, pk=draft.pk),
        {"kind": "needs", "text": "Which matter most?", "needs": [need.pk]},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        question = Question.objects.get()
        assert [(c.text, c.need) for c in question.choices.all()] == [("Childcare", need)]
        services.survey_open(survey=draft, actor=organizer)
        for _ in range(3):
            services.response_submit(
                survey=draft, language="en", answers={question: {"choices": [question.choices.get().pk]}}
            )
    page = organizer_client.get(url("detail", institution, pk=need.pk)).content.decode()
    assert "3 people picked it in the survey" in page


def test_bad_questions_are_refused_with_a_reason(organizer_client, institution, draft):
    no_choices = organizer_client.post(url("question_new", institution, pk=draft.pk), {"kind": "single", "text": "Q"})
    assert no_choices.status_code == 400 and "at least one choice" in no_choices.content.decode()
    wrong_count = organizer_client.post(
        url("question_new", institution, pk=draft.pk),
        {"kind": "single", "text": "Q", "choices_text": "A\nB", "choices_text_es": "Solo una"},
    )
    assert wrong_count.status_code == 400 and "as many lines" in wrong_count.content.decode()
    bad_kind = organizer_client.post(url("question_new", institution, pk=draft.pk), {"kind": "essay", "text": "Q"})
    assert bad_kind.status_code == 400
    assert not scoped(institution, Question.objects.exists)


def test_a_condition_can_only_point_to_an_earlier_choice(organizer_client, institution, survey):
    with scope(institution=institution):
        rent = Question.objects.get(survey=survey, text="How much is your rent?")
        later_choice = Choice.objects.get(question__survey=survey, text="Housing")  # from a later ranking question
        ok_choice = Choice.objects.get(question__survey=survey, text="Rent")
    page = organizer_client.get(url("question_edit", institution, pk=survey.pk, question_pk=rent.pk)).content.decode()
    assert f'value="{ok_choice.pk}"' in page and f'value="{later_choice.pk}"' not in page
    refused = organizer_client.post(
        url("question_edit", institution, pk=survey.pk, question_pk=rent.pk),
        {"text": "How much is your rent?", "show_if": later_choice.pk},
    )
    assert refused.status_code == 400
    assert scoped(institution, lambda: Question.objects.get(pk=rent.pk).show_if_choice.text) == "Yes"


def test_reorder_without_javascript(organizer_client, institution, draft, organizer):
    with scope(institution=institution):
        first = services.question_add(survey=draft, actor=organizer, kind="short_text", text="First")
        second = services.question_add(survey=draft, actor=organizer, kind="short_text", text="Second")
    organizer_client.post(url("question_move", institution, pk=draft.pk, question_pk=second.pk), {"direction": "up"})
    assert scoped(institution, lambda: list(draft.questions.values_list("text", flat=True))) == ["Second", "First"]
    organizer_client.post(url("question_move", institution, pk=draft.pk, question_pk=second.pk), {"direction": "down"})
    assert scoped(institution, lambda: list(draft.questions.values_list("text", flat=True))) == ["First", "Second"]
    del first


def test_a_question_cannot_move_above_the_one_it_depends_on(organizer_client, institution, survey):
    with scope(institution=institution):
        rent = Question.objects.get(survey=survey, text="How much is your rent?")
        before = list(survey.questions.values_list("text", flat=True))
    response = organizer_client.post(
        url("question_move", institution, pk=survey.pk, question_pk=rent.pk), {"direction": "up"}, follow=True
    )
    assert "must stay below" in response.content.decode()
    assert scoped(institution, lambda: list(survey.questions.values_list("text", flat=True))) == before


def test_an_answered_question_cannot_be_removed_or_change_type_but_can_be_reworded(
    organizer_client, institution, survey
):
    answer_once(survey)
    with scope(institution=institution):
        hardest = Question.objects.get(survey=survey, text="What is hardest?")
        rent_choice = hardest.choices.get(text="Rent")
    removed = organizer_client.post(
        url("question_remove", institution, pk=survey.pk, question_pk=hardest.pk), follow=True
    )
    assert "would lose their answers" in removed.content.decode()
    assert scoped(institution, lambda: Question.objects.filter(pk=hardest.pk).exists())
    edit = url("question_edit", institution, pk=survey.pk, question_pk=hardest.pk)
    base = {f"choice_{c.pk}": c.text for c in scoped(institution, lambda: list(hardest.choices.all()))}
    reworded = organizer_client.post(edit, {**base, "kind": "long_text", "text": "What is the hardest thing?"})
    assert reworded.status_code == 302
    with scope(institution=institution):
        hardest.refresh_from_db()
        assert (hardest.text, hardest.kind) == ("What is the hardest thing?", "single")  # type kept
    refused = organizer_client.post(edit, {**base, "text": "Q", f"remove_{rent_choice.pk}": "on"})
    assert refused.status_code == 400 and "cannot be removed" in refused.content.decode()
    assert scoped(institution, lambda: Choice.objects.filter(pk=rent_choice.pk).exists())


def test_an_unanswered_question_is_removed(organizer_client, institution, survey):
    with scope(institution=institution):
        more = Question.objects.get(survey=survey, text="Tell us more")
    organizer_client.post(url("question_remove", institution, pk=survey.pk, question_pk=more.pk))
    assert not scoped(institution, lambda: Question.objects.filter(pk=more.pk).exists())


def test_open_close_and_reopen(organizer_client, institution, draft, organizer):
    status = url("survey_status", institution, pk=draft.pk)
    empty = organizer_client.post(status, {"action": "open"}, follow=True)
    assert "at least one question" in empty.content.decode()
    with scope(institution=institution):
        services.question_add(survey=draft, actor=organizer, kind="short_text", text="Q")
    organizer_client.post(status, {"action": "open"})
    assert scoped(institution, lambda: Survey.objects.get().status) == "open"
    organizer_client.post(status, {"action": "close"})
    assert scoped(institution, lambda: Survey.objects.get().status) == "closed"
    organizer_client.post(status, {"action": "open"})
    assert scoped(institution, lambda: Survey.objects.get().status) == "open"
    assert organizer_client.post(status, {"action": "explode"}).status_code == 302
    actions = scoped(institution, lambda: list(AuditEntry.objects.values_list("action", flat=True)))
    assert actions.count("survey.opened") == 2 and "survey.closed" in actions


def test_deleting_a_survey_with_responses_needs_its_title_and_is_audited(organizer_client, institution, survey):
    answer_once(survey)
    delete = url("survey_delete", institution, pk=survey.pk)
    assert "Type the survey" in organizer_client.get(delete).content.decode()
    wrong = organizer_client.post(delete, {"typed_name": "what do you need"})
    assert wrong.status_code == 400 and scoped(institution, Survey.objects.exists)
    organizer_client.post(delete, {"typed_name": "What do you need?"})
    with scope(institution=institution):
        assert not Survey.objects.exists() and not Answer.objects.exists()
        entry = AuditEntry.objects.get(action="survey.deleted")
        assert entry.data == {"title": "What do you need?", "responses": 1}


def test_qr_code_is_an_svg_of_the_public_link(member_client, institution, survey):
    response = member_client.get(url("survey_qr", institution, pk=survey.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"<path" in response.content
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content


def test_contact_details_are_listed_for_organizers_and_deleted_on_request(
    organizer_client, member_client, institution, survey
):
    with scope(institution=institution):
        services.response_submit(survey=survey, language="es", answers={}, contact=("Ana", "555-0101"))
        contact = SurveyContact.objects.get()
    assert member_client.get(url("survey_contacts", institution, pk=survey.pk)).status_code == 403
    assert "555-0101" in organizer_client.get(url("survey_contacts", institution, pk=survey.pk)).content.decode()
    organizer_client.post(url("contact_delete", institution, pk=survey.pk, contact_pk=contact.pk))
    with scope(institution=institution):
        assert not SurveyContact.objects.exists()
        entry = AuditEntry.objects.get(action="survey.contact_deleted")
        assert "555" not in str(entry.data) and "Ana" not in str(entry.data)


def test_organizer_tags_written_answers_and_makes_a_need_of_a_theme(organizer_client, institution, survey):
    first = answer_once(survey, "Rent went up again")
    answer_once(survey, "Landlord ignores repairs")
    answer_once(survey, "No daycare nearby")
    answers_url = url("survey_answers", institution, pk=survey.pk)
    organizer_client.post(answers_url, {"name": "  rent  "})
    organizer_client.post(answers_url, {"name": "Rent"})  # the same theme, not a second one
    theme = scoped(institution, Theme.objects.get)
    assert theme.name == "rent"
    with scope(institution=institution):
        texts = {a.text: a for a in Answer.objects.exclude(text="")}
    for text in ("Rent went up again", "Landlord ignores repairs"):
        tag = url("answer_tag", institution, pk=survey.pk, answer_pk=texts[text].pk)
        assert organizer_client.post(tag, {"themes": [theme.pk], "query": "theme=none"}).status_code == 302
    # htmx swaps just the row.
    tag = url("answer_tag", institution, pk=survey.pk, answer_pk=texts["No daycare nearby"].pk)
    row = organizer_client.post(tag, {"themes": []}, headers={"HX-Request": "true"})
    assert row.status_code == 200 and 'id="answer-' in row.content.decode()
    page = organizer_client.get(answers_url + f"?theme={theme.pk}").content.decode()
    assert "Rent went up again" in page and "No daycare nearby" not in page
    untagged = organizer_client.get(answers_url + "?theme=none").content.decode()
    assert "No daycare nearby" in untagged and "Rent went up again" not in untagged
    made = organizer_client.post(url("theme_need", institution, pk=survey.pk, theme_pk=theme.pk))
    with scope(institution=institution):
        need = Need.objects.get()
        assert made["Location"] == need.get_absolute_url()
        assert (need.title, need.people_count) == ("rent", 2)
    assert "2 people wrote about “rent”" in organizer_client.get(need.get_absolute_url()).content.decode()
    del first


def test_members_read_answers_but_do_not_tag(member_client, institution, survey):
    answer_once(survey)
    with scope(institution=institution):
        answer = Answer.objects.exclude(text="").get()
    assert member_client.get(url("survey_answers", institution, pk=survey.pk)).status_code == 200
    assert member_client.post(url("survey_answers", institution, pk=survey.pk), {"name": "x"}).status_code == 403
    tag = url("answer_tag", institution, pk=survey.pk, answer_pk=answer.pk)
    assert member_client.post(tag, {"themes": []}).status_code == 403


def test_answers_filters_ignore_nonsense(member_client, institution, survey):
    answer_once(survey)
    page = member_client.get(url("survey_answers", institution, pk=survey.pk) + "?question=abc&theme=%00&page=-4")
    assert page.status_code == 200 and "The rent is too high" in page.content.decode()


def test_another_institutions_survey_is_not_found(organizer_client, institution, other_institution, other_member):
    theirs = survey_example(other_institution, other_member)
    assert organizer_client.get(url("survey", institution, pk=theirs.pk)).status_code == 404
    assert Client().get(url("survey", other_institution, pk=theirs.pk)).status_code == 302


def every_kind_of_answer(survey):
    questions = {q.text: q for q in Question.objects.filter(survey=survey)}
    hardest, helps, rank = questions["What is hardest?"], questions["What would help?"], questions["Rank these"]
    ranked = list(rank.choices.values_list("pk", flat=True))
    return {
        hardest: {"choices": [hardest.choices.first().pk], "other": "Heat in winter"},
        helps: {"choices": list(helps.choices.values_list("pk", flat=True))},
        questions["How much is your rent?"]: {"number": 950},
        rank: {"ranks": [(pk, place) for place, pk in enumerate(reversed(ranked), start=1)]},
        questions["Tell us more"]: {"text": "Ünïcode, 'quotes' and {braces}"},
    }


def stored_rows(response):
    return sorted(
        Answer.objects.filter(response=response).values_list("question", "choice", "number", "rank", "text"),
        key=repr,
    )


@pytest.mark.django_db(transaction=True)
def test_a_response_is_stored_the_same_whichever_way_it_is_written(institution, organizer, survey, settings):
    """Without contact details PostgreSQL stores a response and its answers in one statement; with
    them, through the ORM in a transaction. Both keep every answer exactly, and both tell the stored
    public pages that answers came in."""
    from dualpower.public_pages import _current_versions as current_versions

    settings.INSTITUTION_CACHE_SECONDS = 60
    with scope(institution=institution):
        answers = every_kind_of_answer(survey)
        before = current_versions(institution.slug)
        alone = services.response_submit(survey=survey, language="es", answers=answers)
        after_one = current_versions(institution.slug)
        with_contact = services.response_submit(
            survey=survey, language="es", answers=answers, contact=("Ana", "555-0101")
        )
        after_two = current_versions(institution.slug)
        empty = services.response_submit(survey=survey, language="en", answers={})

        assert alone.pk and with_contact.pk and empty.pk and len({alone.pk, with_contact.pk, empty.pk}) == 3
        stored = stored_rows(alone)
        assert len(stored) == 1 + 1 + 2 + 1 + len(answers[list(answers)[3]]["ranks"]) + 1
        assert stored == stored_rows(with_contact)
        assert ("Heat in winter" in [row[4] for row in stored]) and (950 in [row[2] for row in stored])
        assert stored_rows(empty) == []
        fresh = survey.responses.get(pk=alone.pk)
        assert (fresh.language, fresh.channel, fresh.institution_id) == ("es", "web", institution.pk)
        assert SurveyContact.objects.filter(survey=survey).count() == 1
        # Only the participation version moved, once per response.
        assert before[0] == after_one[0] == after_two[0]
        assert len({before[1], after_one[1], after_two[1]}) == 3
