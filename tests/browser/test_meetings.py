"""Public meetings in the browser: an organizer plans one with an agenda; a neighbour RSVPs in Spanish,
without an account, asking for childcare; the organizer sees it in the support summary."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from meetings import services
from meetings.models import RSVP, Meeting
from tests.factories import OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_plans_a_meeting_with_an_agenda(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/meetings/")
    axe_check(page)
    page.get_by_role("link", name="Plan a meeting").click()
    page.locator("#id_title").fill("Tenants' assembly")
    page.locator("#id_starts_at").fill((timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT18:30"))
    page.locator("#id_place_name").fill("Community room, building C")
    page.get_by_label("Accessibility of the place").fill("Step-free entrance on Oak Street")
    page.get_by_label("Languages spoken").fill("English and Spanish")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Plan it").click()
    expect(page.locator("#messages")).to_contain_text("The meeting is planned")
    page.get_by_role("link", name="Add to the agenda").click()
    page.locator("#id_title").fill("Repairs: what we do next")
    page.get_by_label("Time box (minutes)").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page.locator(".agenda")).to_contain_text("Repairs: what we do next")
    expect(page.get_by_text("Step-free entrance on Oak Street")).to_be_visible()
    axe_check(page)
    with scope(institution=institution):
        meeting = Meeting.objects.get()
        assert meeting.agenda_items.get().minutes_allotted == 30


def test_a_neighbour_rsvps_in_spanish_asking_for_childcare(live_server, new_context, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution).user
    with scope(institution=institution):
        meeting = services.meeting_create(
            institution=institution,
            author=organizer,
            title="Asamblea de inquilinos",
            starts_at=timezone.now() + timedelta(days=4),
            place_name="Salón comunitario",
            is_public=True,
            languages="Español e inglés",
        )
    page = new_context(locale="es-ES").new_page()
    page.goto(f"{live_server.url}/i/{institution.slug}/meetings/{meeting.pk}/public/")
    expect(page.get_by_role("heading", name="Avísanos que vienes")).to_be_visible()
    axe_check(page)
    page.get_by_label("Nombre o iniciales").fill("Marisol")
    page.get_by_label("Cuántas personas, contándote a ti").fill("2")
    page.get_by_label("Niños que necesitan cuidado").fill("2")
    page.get_by_label("Sus edades").fill("3 y 6")
    with page.expect_navigation():
        page.get_by_role("button", name="Voy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nos vemos allí")
    axe_check(page)
    with scope(institution=institution):
        rsvp = RSVP.objects.get()
        assert (rsvp.name, rsvp.children, rsvp.children_ages, rsvp.language) == ("Marisol", 2, "3 y 6", "es")

    organizer_page = new_context().new_page()
    login(organizer_page, organizer.email)
    organizer_page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(organizer_page.locator("#support")).to_contain_text("Childcare for 2 children (ages: 3 y 6)")
    axe_check(organizer_page)
