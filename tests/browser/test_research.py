"""Step 3 in the browser: a member writes down an earlier effort about a need, attaches a report,
finds the note by searching, and the need's page and summary show it (axe at 360 px)."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from needs.services import need_create
from research.models import FieldNote
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_member_writes_a_note_attaches_a_report_and_finds_it(
    live_server, page, new_context, login, axe_check, institution, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        need = need_create(institution=institution, author=organizer, title="Food runs out before payday")
    base = f"{live_server.url}/i/{institution.slug}"

    # The member writes down what happened to the church pantry.
    login(page, member.email)
    page.goto(f"{base}/research/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Research")
    axe_check(page)
    page.get_by_role("link", name="Write a research note").click()
    page.get_by_label("Title").fill("Church pantry closes when the room is taken back")
    page.get_by_label("Who ran it").fill("St. Mark's volunteers")
    page.get_by_label("Where").fill("St. Mark's basement")
    page.get_by_label("When").fill("2017 to 2019")
    page.get_by_label("It partly worked").check()
    page.get_by_label("What they tried").fill("A weekly pantry on Saturday mornings in the church basement.")
    page.get_by_label("Evidence").fill("About 60 households a week at its peak.")
    page.get_by_label("What it teaches us").fill("Hold your own space and keys.")
    page.get_by_label("Food runs out before payday").check()
    page.get_by_label("Tags").fill("food, space")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Church pantry closes when the room is taken back")
    expect(page.locator("#messages")).to_contain_text("The note is saved")
    axe_check(page)

    # ...and attaches the food bank's report as a PDF.
    page.get_by_label("File:", exact=True).set_input_files(
        {"name": "food-bank-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("What it shows").fill("Food bank's yearly report")
    with page.expect_navigation():
        page.get_by_role("button", name="Attach").click()
    expect(page.locator("#messages")).to_contain_text("“food-bank-report.pdf” is attached to the note.")
    with page.expect_download() as download:
        page.get_by_role("link", name="food-bank-report.pdf").click()
    assert download.value.suggested_filename == "food-bank-report.pdf"
    axe_check(page)

    # Searching finds it (a word from what they tried), and the outcome filter keeps it.
    page.goto(f"{base}/research/")
    page.get_by_role("searchbox", name="Search").fill("basement")
    page.get_by_label("How it went").select_option("partly")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    results = page.get_by_role("list", name="Notes found")
    expect(results.get_by_role("link", name="Church pantry closes when the room is taken back")).to_be_visible()
    expect(results).to_contain_text("It partly worked")
    axe_check(page)

    # The need's page shows the research, and its summary groups it by outcome.
    page.goto(f"{base}/needs/{need.pk}/")
    expect(page.get_by_role("link", name="Church pantry closes when the room is taken back")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="What has been tried, by outcome (for the public meeting)").click()
    expect(page.get_by_role("heading", level=2, name="It partly worked")).to_be_visible()
    expect(page.get_by_text("Hold your own space and keys.")).to_be_visible()
    axe_check(page)

    # An organizer marks it as key reading; the note's history shows the first version.
    organizer_page = new_context().new_page()
    login(organizer_page, organizer.email)
    with scope(institution=institution):
        note = FieldNote.objects.get()
    organizer_page.goto(f"{base}/research/{note.pk}/")
    with organizer_page.expect_navigation():
        organizer_page.get_by_role("button", name="Mark as key reading").click()
    expect(organizer_page.locator("#messages")).to_contain_text("Marked as key reading")
    organizer_page.get_by_role("link", name="Edit the note").click()
    organizer_page.get_by_label("What it teaches us").fill("Hold your own space, keys and food bank account.")
    organizer_page.get_by_label("What you changed").fill("added the account")
    axe_check(organizer_page)
    with organizer_page.expect_navigation():
        organizer_page.get_by_role("button", name="Save the note").click()
    organizer_page.get_by_role("link", name="History").click()
    expect(organizer_page.get_by_text("added the account")).to_be_visible()
    axe_check(organizer_page)
    organizer_page.get_by_role("link", name="Version 1").click()
    expect(organizer_page.get_by_text("Hold your own space and keys.")).to_be_visible()
    axe_check(organizer_page)
