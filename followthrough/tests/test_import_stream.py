"""The import reads each family document row by row: memory stays far below the document's size, any
JSON layout and model order is read, and a damaged document is refused whole."""

import io
import json
import tracemalloc
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from followthrough import archive
from followthrough.tests.test_export import (
    delete_institution,
    export_then_delete_keeping_proposal_numbers,
    natural_snapshot,
    rich_institution,
)
from institutions.models import AuditEntry, Institution
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rewrite(path, name, change):
    """Copy the archive at `path` with member `name` replaced by change(its text)."""
    copy = path.with_name(f"changed-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, change(data.decode()) if member == name else data)
    return copy


@pytest.mark.django_db
def test_import_memory_stays_far_below_the_size_of_the_document(tmp_path):
    institution = InstitutionFactory(slug="big-archive")
    MembershipFactory(institution=institution, role="organizer", user=UserFactory(email="big@example.org"))
    with scope(institution=institution):
        AuditEntry.objects.bulk_create(
            AuditEntry(institution=institution, action="institution.updated", data={"note": f"{n:05d}" + "x" * 1500})
            for n in range(4000)
        )
    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    with zipfile.ZipFile(path) as written:
        document_size = written.getinfo("institution.json").file_size
    assert document_size > 6_000_000
    delete_institution(institution)

    tracemalloc.start()
    try:
        call_command("import_institution", str(path), stdout=io.StringIO())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < document_size / 4, (peak, document_size)
    restored = Institution.objects.get(slug="big-archive")
    with scope(institution=restored):
        notes = sorted(entry.data["note"][:5] for entry in AuditEntry.objects.all())
    assert notes == [f"{n:05d}" for n in range(4000)]


@pytest.mark.django_db
def test_import_reads_any_json_layout_and_models_in_any_order(tmp_path):
    institution = rich_institution()
    before = natural_snapshot(institution)
    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    delete_institution(institution)

    def indented_and_reversed(text):  # children before parents: the import must come back for them
        document = json.loads(text)
        document["models"] = dict(reversed(document["models"].items()))
        return json.dumps(document, indent=3)

    changed = rewrite(path, "decisions.json", indented_and_reversed)
    changed = rewrite(changed, "logistics.json", indented_and_reversed)
    call_command("import_institution", str(changed), stdout=io.StringIO())

    assert natural_snapshot(Institution.objects.get(slug="riverside-clinic-defense")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short inside a row
        lambda text: text[:-2],  # the last brackets missing
        lambda text: text.replace("},{", "}{", 1),  # a comma missing between rows
        lambda text: text + "[]",  # something after the end
        lambda text: text.replace('"version":1', '"version":7', 1),
        lambda text: text.encode()[:500] + b"\xff\xfe" + text.encode()[500:],  # not UTF-8
    ],
)
def test_a_damaged_document_is_refused_and_nothing_is_imported(tmp_path, damage):
    institution = rich_institution()
    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    delete_institution(institution)
    changed = rewrite(path, "meetings.json", damage)

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_institution", str(changed), stdout=io.StringIO())
    assert not Institution.objects.filter(slug="riverside-clinic-defense").exists()


@pytest.mark.django_db
def test_a_renumbered_row_never_takes_the_number_of_a_row_read_before_it(tmp_path):
    from decisions.models import Proposal, ProposalVersion

    def proposals_with_versions(of):
        with scopes_disabled():
            versions = ProposalVersion.objects.filter(proposal__institution=of)
            return sorted(versions.values_list("proposal__title", "number", "title"))

    institution = rich_institution()
    before = proposals_with_versions(institution)
    path, proposal_pks = export_then_delete_keeping_proposal_numbers(institution, tmp_path)
    assert len(proposal_pks) >= 3 and len(before) >= 3
    squatter = InstitutionFactory(slug="squatter")
    with scope(institution=squatter):  # the lowest number is taken here, and nothing above it
        Proposal.objects.create(pk=proposal_pks[0], institution=squatter, title="Taken", text="", method="majority")

    def highest_first(text):  # the rows kept as they are come before the one to renumber
        document = json.loads(text)
        document["models"]["decisions.Proposal"].reverse()
        return json.dumps(document)

    call_command("import_institution", str(rewrite(path, "decisions.json", highest_first)), stdout=io.StringIO())

    restored = Institution.objects.get(slug="riverside-clinic-defense")
    with scopes_disabled():
        numbers = set(Proposal.objects.filter(institution=restored).values_list("pk", flat=True))
    assert numbers >= set(proposal_pks[1:]) and proposal_pks[0] not in numbers
    assert len(numbers) == len(proposal_pks)
    assert proposals_with_versions(restored) == before  # links followed the renumbered row


@pytest.mark.django_db
def test_an_import_makes_what_was_kept_under_its_slug_stale_once(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    institution = rich_institution()
    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    delete_institution(institution)
    marks = []
    monkeypatch.setattr(archive, "mark_changed", lambda slug, **kwargs: marks.append((slug, kwargs)))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_institution", str(path), stdout=io.StringIO())

    # Rows go in as they are, without signals (one per row before): one mark for the whole import.
    assert marks == [("riverside-clinic-defense", {})]
