"""Surveys on paper: the printable copy, and organizers typing the paper answers back in."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from needs.answering import SurveyAnswerForm
from needs.models import Answer, Question, Response
from needs.selectors import questions_of
from tests.factories import OrganizerFactory, survey_example


def url(survey, name):
    return reverse(f"needs:{name}", kwargs={"institution_slug": survey.institution.slug, "pk": survey.pk})


def questions(survey):
    with scope(institution=survey.institution):
        return {q.text: q for q in Question.objects.filter(survey=survey).prefetch_related("choices")}


def choice(question, text):
    return str(next(c.pk for c in question.choices.all() if c.text == text))


def paper_sheet(survey, **extra):
    """What an organizer types in from one filled-in sheet."""
    qs = questions(survey)
    rank = qs["Rank these"]
    housing, health, _work = rank.choices.all()
    helps = qs["What would help?"]
    data = {
        "lang": "en",
        f"q{qs['What is hardest?'].pk}": choice(qs["What is hardest?"], "Food"),
        f"q{qs['What would help?'].pk}": [choice(helps, "A pantry"), choice(helps, "Rides")],
        f"q{qs['Do you rent?'].pk}": choice(qs["Do you rent?"], "Yes"),
        f"q{qs['How much is your rent?'].pk}": "700",
        f"q{qs['How hard is it?'].pk}": "5",
        f"q{rank.pk}_r{housing.pk}": "1",
        f"q{rank.pk}_r{health.pk}": "2",
        f"q{qs['Tell us more'].pk}": "Written in pencil, hard to read.",
    }
    data.update(extra)
    return data


def stored_rows(survey):
    with scope(institution=survey.institution):
        answers = Answer.objects.filter(response__survey=survey).select_related("question", "choice")
        return {(a.question.text, a.choice.text if a.choice else None, a.number, a.rank, a.text) for a in answers}


@pytest.fixture
def survey(institution, organizer):
    return survey_example(institution, organizer, access_code="PANTRY")


# The printable copy -------------------------------------------------------------------------


def test_print_page_has_every_question_numbered_with_boxes_lines_and_the_qr_code(survey, member_client):
    page = member_client.get(url(survey, "survey_print"))
    assert page.status_code == 200
    body = page.content.decode()
    for number, text in enumerate(questions(survey), start=1):
        assert re.search(rf'<span class="paper-number">{number}\.</span> {re.escape(text)}', body), text
    # A box for each choice of the choice questions (3 + other, 2, yes/no) and the 5 of the scale.
    assert body.count('class="paper-box') == 4 + 2 + 2 + 5
    assert body.count('class="paper-blank"') == 3  # one blank before each ranking item
    assert body.count('class="paper-line"') == 6  # long text
    assert body.count('class="paper-digit"') == 6  # up to 100000
    assert "Other, please say:" in body
    assert "Only if you answered “Yes” to question 3." in body
    assert url(survey, "survey_qr") in body
    assert survey.public_path() in body and "Access code: <strong>PANTRY</strong>" in body
    assert "Thank you!" in body and "use your browser’s Print command" in body
    assert '<script src="/static/needs/print.js" defer>' in body


def test_print_copy_in_spanish_uses_the_translated_texts(survey, member_client):
    body = member_client.get(url(survey, "survey_print") + "?lang=es").content.decode()
    assert '<html lang="es"' in body
    assert "¿Qué necesitas?" in body and "Una encuesta." in body
    assert "¿Qué es lo más difícil?" in body and "El alquiler" in body and "Vivienda" in body
    assert "What is hardest?" not in body


def test_print_copy_in_a_language_the_survey_is_not_offered_in_falls_back_to_the_base(survey, member_client):
    body = member_client.get(url(survey, "survey_print") + "?lang=fr").content.decode()
    assert "What is hardest?" in body and '<html lang="en"' in body


def test_closed_survey_prints_without_the_link(institution, organizer, member_client):
    closed = survey_example(institution, organizer, status="closed")
    body = member_client.get(url(closed, "survey_print")).content.decode()
    assert "What is hardest?" in body
    assert url(closed, "survey_qr") not in body and closed.public_path() not in body


# Typing in paper answers --------------------------------------------------------------------


def test_entry_page_shows_every_question_at_once_and_focuses_the_first_answer(survey, organizer_client):
    page = organizer_client.get(url(survey, "survey_entry"))
    assert page.status_code == 200
    body = page.content.decode()
    for text in questions(survey):
        assert text in body
    assert "1. What is hardest?" in body and "Only if you answered “Yes” to “Do you rent?”." in body
    assert body.count("autofocus") == 1
    assert re.search(r'<input type="radio" name="q\d+" value="\d+" id="id_q\d+_0" autofocus>', body)
    # Paper leaves out what only the online form asks for.
    assert 'name="code"' not in body and 'name="contact_consent"' not in body
    assert "You have typed in 0 today and 0 paper responses in total" in body


def test_entry_saves_a_paper_response_with_who_typed_it_and_starts_a_fresh_form(survey, organizer, organizer_client):
    response = organizer_client.post(url(survey, "survey_entry"), paper_sheet(survey))
    assert response.status_code == 302 and response["Location"] == url(survey, "survey_entry") + "?lang=en"
    with scope(institution=survey.institution):
        saved = Response.objects.get()
    assert (saved.channel, saved.language, saved.entered_by) == ("paper", "en", organizer)
    assert stored_rows(survey) == {
        ("What is hardest?", "Food", None, None, ""),
        ("What would help?", "A pantry", None, None, ""),
        ("What would help?", "Rides", None, None, ""),
        ("Do you rent?", "Yes", None, None, ""),
        ("How much is your rent?", None, 700, None, ""),
        ("How hard is it?", None, 5, None, ""),
        ("Rank these", "Housing", None, 1, ""),
        ("Rank these", "Health", None, 2, ""),
        ("Tell us more", None, None, None, "Written in pencil, hard to read."),
    }
    page = organizer_client.get(response["Location"])
    body = page.content.decode()
    assert "Response 1 saved — type in the next one." in body
    assert "You have typed in 1 today and 1 paper response in total" in body
    assert "checked" not in body and "pencil" not in body  # an empty form for the next sheet


def test_each_saved_sheet_gets_the_next_number(survey, organizer_client):
    organizer_client.post(url(survey, "survey_entry"), paper_sheet(survey))
    second = organizer_client.post(url(survey, "survey_entry"), paper_sheet(survey), follow=True)
    assert "Response 2 saved" in second.content.decode()


def test_a_spanish_sheet_is_typed_in_spanish_and_stored_as_spanish(survey, organizer_client):
    page = organizer_client.get(url(survey, "survey_entry") + "?lang=es").content.decode()
    assert "¿Qué es lo más difícil?" in page and '<div lang="es">' in page
    response = organizer_client.post(url(survey, "survey_entry"), paper_sheet(survey, lang="es"))
    assert response["Location"].endswith("?lang=es")
    with scope(institution=survey.institution):
        assert Response.objects.get().language == "es"


def test_on_paper_an_answer_its_condition_would_skip_is_stored_as_written(survey, organizer_client):
    qs = questions(survey)
    sheet = paper_sheet(survey, **{f"q{qs['Do you rent?'].pk}": choice(qs["Do you rent?"], "No")})
    assert organizer_client.post(url(survey, "survey_entry"), sheet).status_code == 302
    rows = stored_rows(survey)
    assert ("Do you rent?", "No", None, None, "") in rows
    assert ("How much is your rent?", None, 700, None, "") in rows


def test_paper_form_keeps_skipped_answers_and_the_online_form_drops_them(survey):
    qs = questions(survey)
    data = paper_sheet(survey, **{f"q{qs['Do you rent?'].pk}": choice(qs["Do you rent?"], "No")})
    rent = qs["How much is your rent?"]
    with scope(institution=survey.institution):
        questions_list = questions_of(survey)
        paper = SurveyAnswerForm(data, survey=survey, questions=questions_list, language="en", paper=True)
        online = SurveyAnswerForm(data | {"code": "PANTRY"}, survey=survey, questions=questions_list, language="en")
        assert paper.is_valid() and online.is_valid(), (paper.errors, online.errors)
        assert paper.answers()[rent] == {"number": 700}
        assert rent not in online.answers()


def test_a_closed_survey_still_takes_paper_answers(institution, organizer, organizer_client):
    closed = survey_example(institution, organizer, status="closed")
    assert organizer_client.post(url(closed, "survey_entry"), paper_sheet(closed)).status_code == 302
    with scope(institution=institution):
        assert Response.objects.get().channel == "paper"


def test_a_draft_refuses_paper_answers(institution, organizer, organizer_client):
    draft = survey_example(institution, organizer, status="draft")
    response = organizer_client.post(url(draft, "survey_entry"), paper_sheet(draft), follow=True)
    assert response.redirect_chain == [(url(draft, "survey"), 302)]
    assert "still a draft" in response.content.decode()
    assert organizer_client.get(url(draft, "survey_entry")).status_code == 302
    with scope(institution=institution):
        assert not Response.objects.exists()


def test_bad_input_answers_400_keeps_what_was_typed_and_saves_nothing(survey, organizer_client):
    qs = questions(survey)
    sheet = paper_sheet(survey, **{f"q{qs['How much is your rent?'].pk}": "-5"})
    response = organizer_client.post(url(survey, "survey_entry"), sheet)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Check the questions marked below" in body and "greater than or equal to 0" in body
    assert "Written in pencil, hard to read." in body and 'value="-5"' in body
    food = choice(qs["What is hardest?"], "Food")
    assert re.search(rf'value="{food}"[^>]*checked', body)
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_the_same_place_twice_in_a_ranking_is_refused(survey, organizer_client):
    qs = questions(survey)
    rank = qs["Rank these"]
    housing, health, _work = rank.choices.all()
    sheet = paper_sheet(survey, **{f"q{rank.pk}_r{housing.pk}": "1", f"q{rank.pk}_r{health.pk}": "1"})
    response = organizer_client.post(url(survey, "survey_entry"), sheet)
    assert response.status_code == 400 and "Give each place only once" in response.content.decode()
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_an_empty_sheet_is_not_saved(survey, organizer_client):
    response = organizer_client.post(url(survey, "survey_entry"), {"lang": "en"})
    assert response.status_code == 400 and "Nothing was typed in" in response.content.decode()
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_members_who_are_not_organizers_cannot_type_in_answers(survey, member_client):
    assert member_client.get(url(survey, "survey_entry")).status_code == 403
    assert member_client.post(url(survey, "survey_entry"), paper_sheet(survey)).status_code == 403
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_a_survey_is_looked_up_within_the_institution_in_the_address(survey, other_institution, client_for):
    client = client_for(OrganizerFactory(institution=other_institution).user)
    for name in ("survey_print", "survey_entry"):
        address = reverse(f"needs:{name}", kwargs={"institution_slug": other_institution.slug, "pk": survey.pk})
        assert client.get(address).status_code == 404


def test_putting_the_cursor_in_the_first_answer_changes_only_that_form(institution, organizer):
    """Forms of the same questions share their fields (answering.py): the typing screen's focus is
    given to its own copy, never to the next form built from them."""
    from needs.views.paper import focus_first_input

    survey = survey_example(institution, organizer)
    with scope(institution=institution):
        question_list = questions_of(survey)

    def paper_form():
        return SurveyAnswerForm(None, survey=survey, questions=question_list, language="en", paper=True)

    focused, other = paper_form(), paper_form()
    name = f"q{question_list[0].pk}"
    shared_widget = type(other.fields[name].widget)
    focus_first_input(focused)
    assert "autofocus" in str(focused[name])
    assert "autofocus" not in str(other[name]) and "autofocus" not in str(paper_form()[name])
    assert type(paper_form().fields[name].widget) is shared_widget
