"""Answering a survey from its public link, without an account."""

import re

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from needs.models import Answer, Question, Response, SurveyContact
from tests.factories import survey_example


def answer_url(survey, name="answer"):
    return reverse(f"needs:{name}", kwargs={"institution_slug": survey.institution.slug, "token": survey.token})


def questions(survey):
    with scope(institution=survey.institution):
        return {q.text: q for q in Question.objects.filter(survey=survey).prefetch_related("choices")}


def choice(question, text):
    return str(next(c.pk for c in question.choices.all() if c.text == text))


@pytest.fixture
def survey(institution, organizer):
    return survey_example(institution, organizer)


def first_page(qs, **extra):
    data = {
        "page": "0",
        "lang": "en",
        f"q{qs['What is hardest?'].pk}": choice(qs["What is hardest?"], "Rent"),
        f"q{qs['What would help?'].pk}": [choice(qs["What would help?"], "A pantry")],
        f"q{qs['Do you rent?'].pk}": choice(qs["Do you rent?"], "Yes"),
    }
    data.update(extra)
    return data


def test_anyone_answers_page_by_page_and_the_answers_are_stored(survey):
    client = Client()
    qs = questions(survey)
    page = client.get(answer_url(survey))
    assert page.status_code == 200
    body = page.content.decode()
    assert "What is hardest?" in body and "Page 1 of 2" in body
    assert "How much is your rent?" not in body  # depends on "Do you rent?", so it waits for the next page

    second = client.post(answer_url(survey), first_page(qs))
    body = second.content.decode()
    assert second.status_code == 200 and "How much is your rent?" in body and "Page 2 of 2" in body
    # Earlier answers travel along as hidden fields.
    assert f'name="q{qs["What is hardest?"].pk}"' in body and 'type="hidden"' in body

    data = first_page(qs, page="1")
    data[f"q{qs['How much is your rent?'].pk}"] = "850"
    data[f"q{qs['How hard is it?'].pk}"] = "4"
    rank = qs["Rank these"]
    for choice_obj, place in zip(rank.choices.all(), ["2", "1", ""], strict=True):
        data[f"q{rank.pk}_r{choice_obj.pk}"] = place
    data[f"q{qs['Tell us more'].pk}"] = "  The rent went up twice this year.  "
    done = client.post(answer_url(survey), data)
    assert done.status_code == 302 and done["Location"].startswith(answer_url(survey, "answer_thanks"))
    assert "Your answers are saved" in client.get(done["Location"]).content.decode()

    with scope(institution=survey.institution):
        response = Response.objects.get()
        assert (response.channel, response.language, response.entered_by) == ("web", "en", None)
        answers = Answer.objects.select_related("question", "choice")
        rows = {(a.question.text, a.choice.text if a.choice else None, a.number, a.rank, a.text) for a in answers}
    assert rows == {
        ("What is hardest?", "Rent", None, None, ""),
        ("What would help?", "A pantry", None, None, ""),
        ("Do you rent?", "Yes", None, None, ""),
        ("How much is your rent?", None, 850, None, ""),
        ("How hard is it?", None, 4, None, ""),
        ("Rank these", "Housing", None, 2, ""),
        ("Rank these", "Health", None, 1, ""),
        ("Tell us more", None, None, None, "The rent went up twice this year."),
    }
    with scope(institution=survey.institution):
        assert not SurveyContact.objects.exists()


def test_a_hidden_question_is_skipped_and_its_answer_dropped(survey):
    client = Client()
    qs = questions(survey)
    data = first_page(qs, **{f"q{qs['Do you rent?'].pk}": choice(qs["Do you rent?"], "No")})
    data[f"q{qs['How much is your rent?'].pk}"] = "999"  # typed, then the person said they do not rent
    response = client.post(answer_url(survey), data)
    # With "No", the rent page still has other questions, so it shows without the rent question.
    assert "How much is your rent?" not in response.content.decode()
    data["page"] = "1"
    assert client.post(answer_url(survey), data).status_code == 302
    with scope(institution=survey.institution):
        assert not Answer.objects.filter(question=qs["How much is your rent?"]).exists()


def test_a_required_question_left_empty_keeps_what_was_typed(survey):
    qs = questions(survey)
    data = first_page(qs)
    del data[f"q{qs['What is hardest?'].pk}"]
    response = Client().post(answer_url(survey), data)
    body = response.content.decode()
    assert response.status_code == 400 and "Please answer this question." in body
    yes = choice(qs["Do you rent?"], "Yes")
    assert re.search(rf'value="{yes}"[^>]*checked', body)  # what was picked is still picked


def test_skipping_a_page_by_editing_the_form_is_caught(survey):
    qs = questions(survey)
    data = first_page(qs, page="1")
    del data[f"q{qs['What is hardest?'].pk}"]
    response = Client().post(answer_url(survey), data)
    assert response.status_code == 400 and "Page 1 of" in response.content.decode()
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_other_please_say_is_stored_as_text(survey):
    qs = questions(survey)
    data = first_page(qs, page="1", **{f"q{qs['What is hardest?'].pk}_other": "Noise at night"})
    assert Client().post(answer_url(survey), data).status_code == 302
    with scope(institution=survey.institution):
        assert Answer.objects.filter(question=qs["What is hardest?"], choice=None, text="Noise at night").exists()


def test_spanish_respondent_sees_spanish_and_the_choice_is_remembered(survey):
    client = Client()
    page = client.get(answer_url(survey) + "?lang=es").content.decode()
    assert "¿Qué es lo más difícil?" in page and "El alquiler" in page and "Página 1 de 2" in page
    assert '<html lang="es"' in page
    again = client.get(answer_url(survey)).content.decode()
    assert "¿Qué necesitas?" in again  # the cookie remembers the language
    qs = questions(survey)
    data = first_page(qs, page="1", lang="es")
    client.post(answer_url(survey), data)
    with scope(institution=survey.institution):
        assert Response.objects.get().language == "es"


def test_contact_details_need_consent_and_are_stored_apart(survey):
    qs = questions(survey)
    data = first_page(qs, page="1", contact_name="Ana", contact_reach="ana@example.org")
    refused = Client().post(answer_url(survey), data)
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert "ana@example.org" in refused.content.decode()
    data["contact_consent"] = "on"
    assert Client().post(answer_url(survey), data).status_code == 302
    with scope(institution=survey.institution):
        contact = SurveyContact.objects.get()
        assert (contact.name, contact.contact) == ("Ana", "ana@example.org")
        assert Response.objects.count() == 1


def test_honeypot_refuses_and_keeps_answers(survey):
    qs = questions(survey)
    data = first_page(qs, page="1", website="http://spam.example", **{f"q{qs['Tell us more'].pk}": "kept text"})
    response = Client().post(answer_url(survey), data)
    assert response.status_code == 400 and "automatic submission" in response.content.decode()
    assert "kept text" in response.content.decode()
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


@pytest.fixture(params=["database", "cache"])
def throttle_store(request, settings):
    """Both places the per-client counts can live (settings.THROTTLE_IN_CACHE)."""
    settings.THROTTLE_IN_CACHE = request.param == "cache"
    cache.clear()
    yield request.param
    cache.clear()


def test_a_flood_from_one_client_is_throttled(survey, settings, throttle_store):
    settings.PUBLIC_FORM_LIMIT = 3
    qs = questions(survey)
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(answer_url(survey), first_page(qs, page="1")).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert "still here" in client.post(answer_url(survey), first_page(qs, page="1")).content.decode()
    # Another address is not affected.
    assert Client(REMOTE_ADDR="198.51.100.7").post(answer_url(survey), first_page(qs, page="1")).status_code == 302
    with scope(institution=survey.institution):
        assert Response.objects.count() == 4
    from institutions.models import ClientThrottle

    assert ClientThrottle.objects.exists() == (throttle_store == "database")


def test_a_throttle_count_that_expires_between_add_and_incr_starts_again(survey, settings, monkeypatch):
    # A cache without dualpower.cache's one-trip counter (Redis counts with INCR and EXPIRE NX).
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.THROTTLE_IN_CACHE = True
    settings.PUBLIC_FORM_LIMIT = 1
    backend = caches["default"]
    real_incr, expired = backend.incr, []

    def incr_after_expiry(key, *args, **kwargs):
        if not expired:  # the window's key vanishes once, right after add() found it present
            expired.append(key)
            backend.delete(key)
            raise ValueError(f"Key '{key}' not found")
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(backend, "incr", incr_after_expiry)
    qs = questions(survey)
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(answer_url(survey), first_page(qs, page="1")).status_code for _ in range(3)]
    assert expired and statuses == [302, 302, 429]  # the restarted window counted the second post as its first


def test_throttle_stores_a_hash_not_the_address(survey, settings):
    from institutions.models import ClientThrottle

    qs = questions(survey)
    Client(REMOTE_ADDR="203.0.113.9").post(answer_url(survey), first_page(qs, page="1"))
    row = ClientThrottle.objects.get()
    assert "203.0.113.9" not in row.client and len(row.client) == 64


def test_access_code_is_asked_for(institution, organizer):
    survey = survey_example(institution, organizer, access_code="Tower B")
    qs = questions(survey)
    page = Client().get(answer_url(survey)).content.decode()
    assert "Access code" in page
    wrong = Client().post(answer_url(survey), first_page(qs, code="nope"))
    assert wrong.status_code == 400 and "access code is not right" in wrong.content.decode()
    right = Client().post(answer_url(survey), first_page(qs, code=" tower b "))
    assert right.status_code == 200 and "How much is your rent?" in right.content.decode()
    assert Client().post(answer_url(survey), first_page(qs, page="1", code="tower b")).status_code == 302


def test_oversized_and_garbage_answers_are_refused_without_a_change(survey):
    qs = questions(survey)
    data = first_page(qs, page="1", **{f"q{qs['Tell us more'].pk}": "x" * 5000})
    data[f"q{qs['How much is your rent?'].pk}"] = "99999999999"
    data[f"q{qs['What would help?'].pk}"] = ["999999"]
    response = Client().post(answer_url(survey), data)
    assert response.status_code == 400
    bad_bytes = Client().post(
        answer_url(survey), data=b"page=\xff&q1=\xc3\x28", content_type="application/x-www-form-urlencoded"
    )
    assert bad_bytes.status_code == 400
    with scope(institution=survey.institution):
        assert not Response.objects.exists()


def test_closed_survey_link_says_so_politely(institution, organizer):
    survey = survey_example(institution, organizer, status="closed")
    response = Client().get(answer_url(survey))
    assert response.status_code == 200 and "This survey is closed" in response.content.decode()
    assert Client().post(answer_url(survey), {"page": "0"}).status_code == 200


def test_draft_survey_link_is_not_found(institution, organizer):
    survey = survey_example(institution, organizer, status="draft")
    assert Client().get(answer_url(survey)).status_code == 404


def test_a_survey_token_of_another_institution_is_not_found(survey, other_institution):
    url = reverse("needs:answer", kwargs={"institution_slug": other_institution.slug, "token": survey.token})
    assert Client().get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_no_answer_is_lost_when_many_people_submit_at_once(institution, organizer):
    """Threads with their own connections post at the same moment; every submission is stored."""
    import threading

    from django.db import connections

    survey = survey_example(institution, organizer)
    qs = questions(survey)
    threads, per_thread = 6, 5
    barrier = threading.Barrier(threads)
    statuses = []

    def submit(n):
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{n}")
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                statuses.append(client.post(answer_url(survey), first_page(qs, page="1")).status_code)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert statuses == [302] * threads * per_thread
    with scope(institution=institution):
        assert Response.objects.count() == threads * per_thread
        assert Answer.objects.filter(question=qs["What is hardest?"]).count() == threads * per_thread


def answer_form(survey, question_list, language, *, current, data=None):
    from needs.answering import SurveyAnswerForm

    return SurveyAnswerForm(data, survey=survey, questions=question_list, language=language, current=current)


def test_forms_built_from_the_same_questions_share_fields_but_not_answers(survey):
    """The fields are built once per question, language and page (answering is the busiest page);
    each form still has its own answers and mistakes."""
    from needs.selectors import questions_of

    with scope(institution=survey.institution):
        question_list = questions_of(survey)
    by_text = {q.text: q for q in question_list}
    hardest, rent = by_text["What is hardest?"], by_text["Do you rent?"]
    first, second = question_list[:3], question_list[3:]
    yes = choice(rent, "Yes")
    answered = answer_form(survey, question_list, "en", current=first, data={f"q{rent.pk}": yes})
    wrong = answer_form(survey, question_list, "en", current=first, data={f"q{rent.pk}": "not a choice"})
    assert answered.fields[f"q{hardest.pk}"] is wrong.fields[f"q{hardest.pk}"]  # built once
    assert answered.is_valid() and answered.cleaned_data[f"q{rent.pk}"] == yes
    assert not wrong.is_valid() and f"q{rent.pk}" in wrong.errors
    assert f"q{rent.pk}" not in answered.errors

    # Another page shows other questions and hides these: not the fields of the first page.
    later = answer_form(survey, question_list, "en", current=second)
    assert later.fields[f"q{hardest.pk}"].widget.input_type == "hidden"
    assert answered.fields[f"q{hardest.pk}"].widget.input_type == "radio"
    # Another language has its own labels and choices, and the first keeps its own.
    spanish = answer_form(survey, question_list, "es", current=first)
    assert spanish.fields[f"q{hardest.pk}"].label == "¿Qué es lo más difícil?"
    assert answer_form(survey, question_list, "en", current=first).fields[f"q{hardest.pk}"].label == (
        "What is hardest?"
    )
    assert "Sí" in dict(spanish.fields[f"q{rent.pk}"].choices).values()
    assert "Yes" in dict(answered.fields[f"q{rent.pk}"].choices).values()
