"""Public pages kept rendered for anonymous visitors (dualpower/public_pages.py): served from the
cache while nothing changes, stale at once after any change, never to anyone signed in."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from institutions.forms import InstitutionSettingsForm
from needs.services import survey_close
from tests.factories import survey_example

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_page_cache():
    cache.clear()
    with override_settings(INSTITUTION_CACHE_SECONDS=60):
        yield
    cache.clear()


def home_url(institution):
    return reverse("institutions:home", kwargs={"institution_slug": institution.slug})


def settings_data(institution, **changes):
    data = {name: getattr(institution, name) for name in InstitutionSettingsForm.Meta.fields}
    return {**data, **changes}


def test_a_second_anonymous_visit_is_served_from_the_cache(institution, django_assert_max_num_queries):
    first = Client().get(home_url(institution))
    with django_assert_max_num_queries(0):
        second = Client().get(home_url(institution))
    assert second.status_code == 200
    # The same page, each with its own CSRF token (in the forms and in htmx's headers).
    assert ANY_TOKEN.sub("", second.content.decode()) == ANY_TOKEN.sub("", first.content.decode())
    assert set(ANY_TOKEN.findall(second.content.decode())).isdisjoint(ANY_TOKEN.findall(first.content.decode()))


def test_an_organizer_change_shows_on_the_public_page_at_once(institution, organizer_client):
    assert "Seeds for everyone" not in Client().get(home_url(institution)).content.decode()
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, description="Seeds for everyone"),
    )
    assert response.status_code == 302
    assert "Seeds for everyone" in Client().get(home_url(institution)).content.decode()


def test_a_refused_change_keeps_the_cached_page(institution, organizer_client, django_assert_max_num_queries):
    Client().get(home_url(institution))
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, name=""),
    )
    assert response.status_code == 400
    with django_assert_max_num_queries(0):
        assert Client().get(home_url(institution)).status_code == 200


def test_a_change_outside_any_request_shows_at_once(institution, django_capture_on_commit_callbacks):
    Client().get(home_url(institution))
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        institution.description = "Written by a job"
        institution.save()
    assert "Written by a job" in Client().get(home_url(institution)).content.decode()


def test_a_service_called_outside_any_request_makes_the_pages_stale(
    institution, organizer, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    assert "survey-form" in Client().get(survey.public_path()).content.decode()
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        survey_close(survey=survey, actor=organizer)
    assert "survey-form" not in Client().get(survey.public_path()).content.decode()


def test_closing_a_survey_shows_on_its_public_page_at_once(institution, organizer, organizer_client):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    assert "survey-form" in Client().get(url).content.decode()
    organizer_client.post(
        reverse("needs:survey_status", kwargs={"institution_slug": institution.slug, "pk": survey.pk}),
        {"action": "close"},
    )
    assert "survey-form" not in Client().get(url).content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_can_answer(institution, organizer):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    Client().get(url)  # stores the page
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    token = TOKEN.search(page.content.decode()).group(1)
    assert "__public_page_csrf_token__" not in page.content.decode()
    assert page.cookies["csrftoken"].value
    assert page.cookies["survey_language"].value == "en"
    answered = visitor.post(url, {"csrfmiddlewaretoken": token, "page": "0", "lang": "en"})
    assert answered.status_code != 403


def test_the_page_is_stored_per_language(institution, organizer):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    assert "What do you need?" in Client().get(url).content.decode()
    assert "¿Qué necesitas?" in Client().get(f"{url}?lang=es").content.decode()
    assert "¿Qué necesitas?" in Client(HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode()
    assert "What do you need?" in Client().get(url).content.decode()


def test_signed_in_people_never_get_the_anonymous_page(institution, member_client):
    Client().get(home_url(institution))
    html = member_client.get(home_url(institution)).content.decode()
    assert 'aria-label="Institution"' in html


@pytest.mark.parametrize("query", ["?utm=1", "?lang=xx", "?lang=es&x=1"])
def test_other_query_strings_are_never_served_from_the_cache(institution, query):
    url = home_url(institution) + query
    Client().get(url)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    assert len(queries) > 0
