"""Surveys on paper in the browser: an organizer types in a paper sheet from the keyboard, at 360 px."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from needs.models import Answer, Response
from tests.factories import OrganizerFactory, UserFactory, survey_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_types_in_a_paper_response_from_the_keyboard(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    survey = survey_example(institution, organizer, access_code="PANTRY")
    base = f"{live_server.url}/i/{institution.slug}/needs/surveys/{survey.pk}"

    # The printable copy: every question with boxes to tick, and the QR code for phones.
    login(page, organizer.email)
    page.goto(f"{base}/print/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What do you need?")
    expect(page.get_by_role("img", name="QR code of the link to the survey")).to_be_visible()
    expect(page.get_by_role("button", name="Print this survey")).to_be_visible()  # shown by print.js
    axe_check(page)

    # The entry screen opens with the cursor on the first answer.
    page.goto(f"{base}/enter/")
    rent = page.get_by_role("radio", name="Rent")
    expect(rent).to_be_focused()
    axe_check(page)
    page.keyboard.press("Space")  # picks the focused option of a radio group
    expect(rent).to_be_checked()
    page.keyboard.press("ArrowDown")  # arrows move through the group, as in any radio group
    expect(page.get_by_role("radio", name="Food")).to_be_checked()
    page.get_by_role("checkbox", name="A pantry").check()
    page.get_by_role("group", name="3. Do you rent?").get_by_role("radio", name="Yes").check()
    page.get_by_label("Tell us more").fill("The landlord never fixes the heating.")
    rent_amount = page.get_by_label("How much is your rent?")
    rent_amount.fill("850")
    with page.expect_navigation():
        rent_amount.press("Enter")  # Enter in a field saves the sheet

    expect(page.locator("#messages")).to_contain_text("Response 1 saved — type in the next one.")
    expect(page.get_by_text("You have typed in 1 today and 1 paper response in total")).to_be_visible()
    expect(page.get_by_role("radio", name="Food")).not_to_be_checked()
    expect(page.get_by_label("Tell us more")).to_have_value("")
    expect(page.get_by_role("radio", name="Rent")).to_be_focused()  # ready for the next sheet
    axe_check(page)

    with scope(institution=institution):
        response = Response.objects.get()
        assert (response.channel, response.entered_by) == ("paper", organizer)
        assert Answer.objects.filter(response=response, number=850).exists()
