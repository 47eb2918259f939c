"""The export in the browser, at 360 px: an organizer presses "Export everything", the job runs, the
page offers the download, and the archive holds a JSON document per family and a count for every
kind of record; every page passes axe (the page reloads itself only when asked to, since axe counts
an unasked reload as a time limit)."""

import json
import zipfile

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from followthrough import archive
from followthrough.models import ExportJob
from followthrough.tests.test_export import rich_institution
from tests.factories import OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organizer_exports_the_institution_and_the_archive_has_every_kind_of_record(
    live_server, page, login, axe_check, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # archives and uploads stay out of var/media
    institution = rich_institution()
    login(page, "rosa@example.org")
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/")
    page.get_by_role("link", name="Export everything").click()
    expect(page.get_by_role("heading", name="Export everything")).to_be_visible()
    expect(page.get_by_text("No export yet.")).to_be_visible()
    axe_check(page)
    # The task runs eagerly in tests, once the request's transaction commits.
    with page.expect_navigation():
        page.get_by_role("button", name="Export everything").click()
    expect(page.locator("#messages")).to_be_visible()
    page.reload()
    link = page.get_by_role("link", name="Download the export")
    expect(link).to_be_visible()
    expect(page.get_by_text("ready", exact=True)).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"{institution.slug}-export-")
    with zipfile.ZipFile(download.path()) as written:
        names = set(written.namelist())
        manifest = json.loads(written.read("manifest.json"))
        families = {family: json.loads(written.read(f"{family}.json")) for family in archive.FAMILIES}
    assert {f"{family}.json" for family in archive.FAMILIES} | {"people.json", "manifest.json"} <= names
    every_model = {model._meta.label for _family, model in archive.covered_models()}
    assert every_model <= set(manifest["counts"])
    empty = sorted(label for label in every_model if manifest["counts"][label] == 0)
    for family, document in families.items():
        for label, rows in document["models"].items():
            assert len(rows) == manifest["counts"][label], (family, label)
    assert manifest["counts"]["decisions.Ballot"] > 0 and manifest["counts"]["research.Attachment"] == 1
    assert len(manifest["files"]) == 2
    assert len(empty) < len(every_model) // 2, empty


def test_a_running_export_shows_its_progress_and_reloads_only_when_asked(
    live_server, page, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    with scope(institution=institution):
        ExportJob.objects.create(institution=institution, requested_by=organizer, status="running", progress=30)
    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/follow-through/export/")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "30")
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Reload this page every 10 seconds until it is done").click()
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    expect(page.get_by_role("link", name="Stop reloading")).to_be_visible()
