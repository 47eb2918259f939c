"""Needs surveys in the browser: an organizer builds one, a neighbour answers it in Spanish without an
account, and the organizer tags the written answers and turns a theme into a need."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from needs.models import Answer, Need, Response, Survey
from tests.factories import OrganizerFactory, UserFactory, survey_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_builds_and_opens_a_survey(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    base = f"{live_server.url}/i/{institution.slug}"
    login(page, organizer.email)
    page.goto(f"{base}/needs/")
    page.get_by_role("link", name="Needs surveys").click()
    axe_check(page)
    page.get_by_role("link", name="New survey").click()
    page.locator("#id_title").fill("Tower survey")
    page.get_by_label("Title in Spanish").fill("Encuesta de la torre")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Create the survey").click()
    expect(page.locator("#messages")).to_contain_text("ready for questions")

    page.get_by_role("link", name="Single choice").click()
    expect(page.get_by_label("Single choice")).to_be_checked()
    page.locator("#id_text").fill("What is hardest?")
    page.get_by_label("Choices, one per line").fill("Rent\nFood")
    page.get_by_label("Question in Spanish").fill("¿Qué es lo más difícil?")
    page.get_by_label("The same new choices in Spanish, one per line, in the same order").fill("Alquiler\nComida")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add the question").click()
    page.get_by_role("link", name="Long text").click()
    page.locator("#id_text").fill("Tell us more")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the question").click()
    # Reorder without JavaScript: the written question goes first.
    with page.expect_navigation():
        page.get_by_role("button", name="Move question 2 up").click()
    expect(page.locator(".question-list > li").first).to_contain_text("Tell us more")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the survey for answers").click()
    expect(page.locator("#messages")).to_contain_text("The survey is open")
    expect(page.get_by_role("img", name="QR code of the link to the survey")).to_be_visible()
    # The QR code really draws (an SVG without its namespace would show as a broken image).
    assert page.get_by_role("img", name="QR code of the link to the survey").evaluate("i => i.naturalWidth") > 0
    axe_check(page)
    with scope(institution=institution):
        survey = Survey.objects.get()
        assert survey.status == "open"
        assert list(survey.questions.values_list("text", flat=True)) == ["Tell us more", "What is hardest?"]


def test_a_neighbour_answers_in_spanish_without_an_account(live_server, new_context, axe_check, institution):
    organizer = OrganizerFactory(institution=institution).user
    survey = survey_example(institution, organizer)
    page = new_context(locale="es-ES").new_page()
    page.goto(f"{live_server.url}{survey.public_path()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Qué necesitas?")
    expect(page.get_by_text("Página 1 de 2")).to_be_visible()
    axe_check(page)
    page.get_by_label("El alquiler").check()
    page.get_by_label("Una despensa").check()
    page.get_by_label("Sí").check()
    # Nothing for the required question? The page says so and keeps the rest.
    with page.expect_navigation():
        page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_text("Página 2 de 2")).to_be_visible()
    page.get_by_label("¿Cuánto pagas de alquiler?").fill("700")
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Vivienda").select_option("1")
    page.get_by_label("Salud").select_option("2")
    page.get_by_label("Cuéntanos más").fill("El ascensor lleva semanas roto.")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mis respuestas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias")
    axe_check(page)
    with scope(institution=institution):
        response = Response.objects.get()
        assert (response.language, response.channel) == ("es", "web")
        assert Answer.objects.filter(response=response, number=700).exists()
        assert Answer.objects.filter(response=response, text="El ascensor lleva semanas roto.").exists()


def test_organizer_tags_written_answers_and_adds_a_need(live_server, page, login, axe_check, institution):
    from needs import services
    from needs.models import Question

    organizer = OrganizerFactory(institution=institution).user
    survey = survey_example(institution, organizer)
    with scope(institution=institution):
        more = Question.objects.get(survey=survey, text="Tell us more")
        for text in ("Rent went up again", "Rent is half my pay", "No daycare nearby"):
            services.response_submit(survey=survey, language="en", answers={more: {"text": text}})
    login(page, organizer.email)
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    page.get_by_role("link", name="Written answers and themes").click()
    axe_check(page)
    page.get_by_label("New theme").fill("rent")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the theme").click()
    # Tag two answers; htmx saves each in place.
    for text in ("Rent went up again", "Rent is half my pay"):
        card = page.locator(".answer-list > li", has_text=text)
        card.get_by_label("rent").check()
        card.get_by_role("button", name="Save themes").click()
        expect(page.locator("#messages")).to_contain_text("Themes saved")
    expect(page.locator(".answer-list > li", has_text="Rent is half my pay").get_by_label("rent")).to_be_checked()
    axe_check(page)
    page.reload()
    expect(page.get_by_role("row", name="rent")).to_contain_text("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Add “rent” as a need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("rent")
    expect(page.get_by_text("2 people wrote about “rent”")).to_be_visible()
    axe_check(page)
    with scope(institution=institution):
        assert Need.objects.get().people_count == 2
