"""The institution export: which models it covers, the archive's shape, the round trip through
`import_institution`, the Celery task, the export page and its expiring download link."""

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from followthrough import archive, export, tasks_export
from followthrough.models import ExportJob
from institutions.management.commands.seed_demo import Command as SeedDemo
from institutions.management.commands.seed_demo import seed_logistics
from institutions.models import AuditEntry, Institution
from needs.models import Need
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files and archives go to a folder of the test's own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# Coverage ---------------------------------------------------------------------------------------------


def test_every_model_with_institution_data_is_in_a_family_or_left_out_with_a_reason():
    covered = [model._meta.label for _family, model in archive.covered_models()]
    assert len(covered) == len(set(covered)), "a model is in two families"
    missing = archive.models_with_institution_data() - set(covered) - set(archive.NOT_EXPORTED)
    assert not missing, f"add these models to followthrough.archive.FAMILIES: {sorted(missing)}"


def test_every_family_model_resolves_to_its_institution():
    for _family, model in archive.covered_models():
        assert archive.institution_path(model) is not None, model


def test_models_scoped_through_a_parent_are_found_through_it():
    assert archive.institution_path(apps.get_model("decisions.Ballot")) == "proposal__institution"
    assert archive.institution_path(apps.get_model("decisions.SecretBallot")) == "proposal__institution"
    assert archive.institution_path(apps.get_model("consultation.ConsultationResponse")) == "round__institution"
    assert archive.institution_path(get_user_model()) is None


def test_a_new_model_with_institution_data_is_noticed():
    class Leaflet(models.Model):
        proposal = models.ForeignKey("decisions.Proposal", on_delete=models.CASCADE)

        class Meta:
            app_label = "followthrough"

        def __str__(self):
            return "a leaflet"

    try:
        assert archive.institution_path(Leaflet) == "proposal__institution"
        assert "followthrough.Leaflet" in archive.models_with_institution_data()
    finally:
        del apps.all_models["followthrough"]["leaflet"]
        apps.clear_cache()


# A rich institution -----------------------------------------------------------------------------------


def rich_institution():
    """The demo clinic-defense group (every step's demo data) plus an uploaded attachment and receipt."""
    from logistics.models import LedgerEntry
    from research.models import Attachment, FieldNote

    institution = InstitutionFactory(name="Riverside Clinic Defense", slug="riverside-clinic-defense")
    people = [
        MembershipFactory(institution=institution, role="organizer", user=UserFactory(email="rosa@example.org")).user,
        MembershipFactory(institution=institution, role="organizer", user=UserFactory(email="malik@example.org")).user,
        MembershipFactory(institution=institution, user=UserFactory(email="alex@example.org")).user,
    ]
    with scope(institution=institution):
        SeedDemo._proposals(institution, people)
        SeedDemo._needs(institution, people, [("Patients feel unsafe", 23, "Staff survey"), ("No records", 8, "")])
        from consultation.demo import seed_round
        from meetings.demo import seed_meetings
        from needs.demo import seed_survey
        from research.demo import seed_notes

        seed_round(institution, people)
        seed_notes(institution, people)
        seed_survey(institution, people)
        seed_meetings(institution, people)
        seed_logistics(institution, people)
        from evaluation.demo import seed_evaluation

        seed_evaluation(institution, people)
        note = FieldNote.objects.filter(institution=institution).first()
        Attachment.objects.create(
            institution=institution,
            note=note,
            file=ContentFile(b"%PDF-1.4 the flyer", name="flyer.pdf"),
            original_name="flyer.pdf",
            content_type="application/pdf",
            size=18,
            uploaded_by=people[0],
        )
        entry = LedgerEntry.objects.filter(institution=institution).first()
        entry.receipt.save("receipt.jpg", ContentFile(b"\xff\xd8\xff receipt bytes"), save=True)
    return institution


def natural_snapshot(institution):
    """Every row of every exported model with its primary key replaced by its position, foreign keys by
    the position of the row they point to, people by e-mail, files by their bytes: what the data means,
    whatever numbers the database gave it."""
    User = get_user_model()
    with scopes_disabled():
        positions = {
            model: {
                pk: index for index, pk in enumerate(archive.rows_of(model, institution).values_list("pk", flat=True))
            }
            for _family, model in archive.covered_models()
        }
        snapshot = {}
        for _family, model in archive.covered_models():
            fields = model._meta.concrete_fields
            rows = []
            for row in archive.rows_of(model, institution).values(*[field.attname for field in fields]):
                values = {}
                for field in fields:
                    value = row[field.attname]
                    if value is None:
                        pass
                    elif field.primary_key and not field.is_relation:
                        value = positions[model][value]
                    elif field.related_model is User:
                        value = User.objects.get(pk=value).email
                    elif field.related_model is ContentType:
                        value = ContentType.objects.get_for_id(value).natural_key()
                    elif field.is_relation:
                        value = (field.related_model._meta.label, positions[field.related_model][value])
                    elif isinstance(field, models.FileField) and value:
                        with default_storage.open(value, "rb") as stored:
                            value = (value, stored.read())
                    values[field.attname] = value
                for generic in model._meta.private_fields:
                    if not hasattr(generic, "ct_field"):
                        continue
                    kind = row.get(f"{generic.ct_field}_id")
                    if kind is not None and row[generic.fk_field] is not None:
                        target = ContentType.objects.get_for_id(kind).model_class()
                        values[generic.fk_field] = positions[target][row[generic.fk_field]]
                rows.append(values)
            snapshot[model._meta.label] = rows
            for field in archive.plain_m2m_fields(model):
                pairs = field.remote_field.through.objects.filter(
                    **{f"{field.m2m_field_name()}__in": positions[model]}
                ).values_list(f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id")
                snapshot[f"{model._meta.label}.{field.name}"] = sorted(
                    (positions[model][a], positions[field.related_model][b]) for a, b in pairs
                )
    return snapshot


def forget_used_numbers():
    from django.core.management.color import no_style
    from django.db import connection

    every_model = [model for _family, model in archive.covered_models()]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), every_model):
            cursor.execute(statement)


def raw_pks(institution):
    with scopes_disabled():
        return {
            model._meta.label: list(archive.rows_of(model, institution).values_list("pk", flat=True))
            for _family, model in archive.covered_models()
        }


def export_then_delete_keeping_proposal_numbers(institution, tmp_path):
    """Export the institution, note its proposals' primary keys (lowest first), delete it: (archive path, keys)."""
    from decisions.models import Proposal

    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    with scopes_disabled():
        proposal_pks = sorted(Proposal.objects.filter(institution=institution).values_list("pk", flat=True))
    delete_institution(institution)
    return path, proposal_pks


def delete_institution(institution):
    with scopes_disabled():
        names = [
            row[field.attname]
            for _family, model in archive.covered_models()
            for field in archive.file_fields(model)
            for row in archive.rows_of(model, institution).values(field.attname)
            if row[field.attname]
        ]
        # Optional links cut, then children first, so protected links never stop the deletion.
        for _family, model in archive.covered_models():
            optional = [field.name for field in model._meta.concrete_fields if field.is_relation and field.null]
            if optional:
                archive.rows_of(model, institution).update(**dict.fromkeys(optional))
        for model in reversed(archive._insert_order([model for _family, model in archive.covered_models()])):
            archive.rows_of(model, institution).delete()
    for name in names:
        default_storage.delete(name)
    return names


# The archive ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_archive_has_a_document_per_family_people_csvs_files_and_a_manifest(tmp_path):
    institution = rich_institution()
    path = tmp_path / "export.zip"
    manifest = archive.write_archive(institution, path)
    with zipfile.ZipFile(path) as written:
        names = set(written.namelist())
        assert {f"{family}.json" for family in archive.FAMILIES} <= names
        assert {"manifest.json", "people.json", "csv/ledger.csv"} <= names
        assert any(name.startswith("csv/survey-") for name in names)
        assert sum(name.startswith("files/") for name in names) == 2
        stored = json.loads(written.read("manifest.json"))
        people = json.loads(written.read("people.json"))["people"]
        decisions = json.loads(written.read("decisions.json"))
    assert stored["format"] == "dualpower-institution-export" and stored["version"] == 1
    assert stored["institution"] == "riverside-clinic-defense"
    assert set(stored["counts"]) >= {model._meta.label for _family, model in archive.covered_models()}
    assert stored["counts"]["decisions.Ballot"] > 0 and stored["counts"]["logistics.LedgerEntry"] > 0
    assert all(len(entry["sha256"]) == 64 for entry in stored["files"] + stored["documents"])
    assert manifest["counts"] == stored["counts"]
    assert sorted(person["email"] for person in people) == ["alex@example.org", "malik@example.org", "rosa@example.org"]
    assert set(people[0]) == {"id", "name", "email", "language"}
    assert len(decisions["models"]["decisions.Proposal"]) == stored["counts"]["decisions.Proposal"]


@pytest.mark.django_db
def test_people_of_other_institutions_are_not_in_the_archive(tmp_path, institution, organizer, other_member):
    archive.write_archive(institution, tmp_path / "export.zip")
    with zipfile.ZipFile(tmp_path / "export.zip") as written:
        emails = [person["email"] for person in json.loads(written.read("people.json"))["people"]]
    assert emails == ["olga@example.org"]


@pytest.mark.django_db
def test_round_trip_export_delete_import_loses_nothing(tmp_path):
    institution = rich_institution()
    before = natural_snapshot(institution)
    pks_before = raw_pks(institution)
    path = tmp_path / "export.zip"
    archive.write_archive(institution, path)
    file_names = delete_institution(institution)
    assert len(file_names) == 2 and not any(default_storage.exists(name) for name in file_names)
    forget_used_numbers()  # as in a fresh database, whose id sequences never reached these numbers

    call_command("import_institution", str(path), stdout=io.StringIO())

    restored = Institution.objects.get(slug="riverside-clinic-defense")
    assert restored.pk == institution.pk  # primary keys are kept when free
    after = natural_snapshot(restored)
    assert sum(len(rows) for rows in after.values()) > 300
    for label in before:
        assert after[label] == before[label], label
    assert raw_pks(restored) == pks_before
    with scope(institution=restored):  # the sequences moved past the kept ids: new rows get new numbers
        need = Need.objects.create(institution=restored, title="After the import", created_by=None)
        assert need.pk not in pks_before["needs.Need"]


@pytest.mark.django_db
def test_import_renumbers_rows_whose_primary_keys_are_taken_and_links_follow(tmp_path):
    from decisions.models import Proposal

    institution = rich_institution()
    before = natural_snapshot(institution)
    path, proposal_pks = export_then_delete_keeping_proposal_numbers(institution, tmp_path)
    squatter = InstitutionFactory(pk=institution.pk, slug="squatter")
    with scope(institution=squatter):
        for pk in proposal_pks:
            Proposal.objects.create(pk=pk, institution=squatter, title="Taken", text="", method="majority")

    call_command("import_institution", str(path), stdout=io.StringIO())

    restored = Institution.objects.get(slug="riverside-clinic-defense")
    assert restored.pk != institution.pk
    with scopes_disabled():
        assert not set(Proposal.objects.filter(institution=restored).values_list("pk", flat=True)) & set(proposal_pks)
        assert Proposal.objects.filter(institution=squatter).count() == len(proposal_pks)
    assert natural_snapshot(restored) == before


@pytest.mark.django_db
def test_import_reuses_people_by_email_and_creates_the_others(tmp_path):
    institution = rich_institution()
    archive.write_archive(institution, tmp_path / "export.zip")
    delete_institution(institution)
    User = get_user_model()
    rosa = User.objects.get(email="rosa@example.org")
    User.objects.filter(email="alex@example.org").delete()

    call_command("import_institution", str(tmp_path / "export.zip"), stdout=io.StringIO())

    alex = User.objects.get(email="alex@example.org")
    assert not alex.has_usable_password()
    with scopes_disabled():
        restored = Institution.objects.get(slug="riverside-clinic-defense")
        assert set(restored.memberships.values_list("user__email", flat=True)) >= {"rosa@example.org"}
        assert restored.memberships.filter(user=rosa).exists()


@pytest.mark.django_db
def test_import_refuses_when_the_slug_is_already_here_and_changes_nothing(tmp_path, institution, organizer):
    archive.write_archive(institution, tmp_path / "export.zip")
    with pytest.raises(CommandError, match="already here"):
        call_command("import_institution", str(tmp_path / "export.zip"), stdout=io.StringIO())
    assert Institution.objects.count() == 1


@pytest.mark.django_db
def test_import_refuses_a_file_that_is_not_an_export(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as other:
        other.writestr("manifest.json", json.dumps({"format": "something-else", "version": 1}))
    with pytest.raises(CommandError, match="not a dualpower-institution-export"):
        call_command("import_institution", str(path), stdout=io.StringIO())
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(CommandError):
        call_command("import_institution", str(tmp_path / "plain.txt"), stdout=io.StringIO())


# The job, the task and the pages ------------------------------------------------------------------------


def request_export(institution, organizer, capture):
    with capture(execute=True), scope(institution=institution):
        return export.export_request(institution=institution, actor=organizer)


@pytest.mark.django_db
def test_asking_for_an_export_queues_the_task_which_makes_a_ready_archive(
    institution, organizer, django_capture_on_commit_callbacks
):
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    with scope(institution=institution):
        job.refresh_from_db()
        assert (job.status, job.progress, job.step) == ("ready", 100, "done")
        assert job.expires_at - job.finished_at == timedelta(hours=48)
        assert default_storage.exists(job.file.name) and job.size == default_storage.size(job.file.name)
        assert job.file.name.startswith(f"exports/{institution.pk}/")
        assert AuditEntry.objects.filter(institution=institution, action="export.requested").count() == 1


@pytest.mark.django_db
def test_asking_again_while_one_runs_gives_the_same_job(institution, organizer):
    with scope(institution=institution):
        first = export.export_request(institution=institution, actor=organizer)  # its task waits for the commit
        again = export.export_request(institution=institution, actor=organizer)
        assert again.pk == first.pk and ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_second_delivery_of_the_task_does_not_build_again(institution, organizer, django_capture_on_commit_callbacks):
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    with scope(institution=institution):
        name = ExportJob.objects.get(pk=job.pk).file.name
    tasks_export.build_export(institution.pk, job_id=job.pk)
    with scope(institution=institution):
        assert ExportJob.objects.get(pk=job.pk).file.name == name
    assert len(list(Path(default_storage.path("exports")).rglob("*.zip"))) == 1


@pytest.mark.django_db
def test_a_failed_build_says_so_and_leaves_no_file(institution, organizer, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "write_archive", broken)
    with scope(institution=institution):
        job = ExportJob.objects.create(institution=institution, requested_by=organizer)
    tasks_export.build_export(institution.pk, job_id=job.pk)
    with scope(institution=institution):
        job.refresh_from_db()
    assert (job.status, job.error, job.file.name) == ("failed", "disk full", "")


@pytest.mark.django_db
def test_the_daily_sweep_deletes_expired_archives_and_keeps_valid_ones(
    institution, organizer, django_capture_on_commit_callbacks
):
    old = request_export(institution, organizer, django_capture_on_commit_callbacks)
    with scope(institution=institution):
        old.refresh_from_db()
        ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = request_export(institution, organizer, django_capture_on_commit_callbacks)
    with scope(institution=institution):
        fresh.refresh_from_db()
    assert tasks_export.forget_old_exports() == 1
    assert not default_storage.exists(old.file.name) and default_storage.exists(fresh.file.name)
    with scope(institution=institution):
        assert ExportJob.objects.get(pk=old.pk).file.name == ""


@pytest.mark.django_db
def test_a_job_that_lost_its_worker_counts_as_failed_and_a_new_export_can_start(institution, organizer):
    with scope(institution=institution):
        stuck = ExportJob.objects.create(
            institution=institution, status="running", requested_at=timezone.now() - timedelta(hours=7)
        )
    tasks_export.forget_old_exports()
    with scope(institution=institution):
        assert ExportJob.objects.get(pk=stuck.pk).status == "failed"
        assert export.export_request(institution=institution, actor=organizer).pk != stuck.pk


def export_url(institution, name="followthrough:export", **kwargs):
    return reverse(name, kwargs={"institution_slug": institution.slug, **kwargs})


@pytest.mark.django_db
def test_organizer_presses_export_and_downloads_the_archive(
    institution, organizer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly once the request commits
        pressed = organizer_client.post(export_url(institution, "followthrough:export_start"))
    assert pressed.status_code == 302
    response = organizer_client.get(pressed["Location"])
    with scope(institution=institution):
        job = ExportJob.objects.get()
    download = export_url(institution, "followthrough:export_download", pk=job.pk, token=job.token)
    assert download in response.content.decode()
    assert 'http-equiv="refresh"' not in response.content.decode()
    got = organizer_client.get(download)
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(b"".join(got.streaming_content))) as written:
        assert "manifest.json" in written.namelist()
    with scope(institution=institution):
        assert AuditEntry.objects.get(action="export.downloaded").data == {"job": job.pk}


@pytest.mark.django_db
def test_page_reloads_itself_while_a_job_runs_only_when_asked_to(institution, organizer, organizer_client):
    with scope(institution=institution):
        job = ExportJob.objects.create(institution=institution, requested_by=organizer, status="running", progress=40)
    page = organizer_client.get(export_url(institution)).content.decode()
    assert 'http-equiv="refresh"' not in page and 'value="40"' in page and "?watch=1" in page
    watched = organizer_client.get(export_url(institution) + "?watch=1").content.decode()
    assert '<meta http-equiv="refresh" content="10">' in watched and "Stop reloading" in watched
    with scope(institution=institution):
        ExportJob.objects.filter(pk=job.pk).update(status="ready")
    done = organizer_client.get(export_url(institution) + "?watch=1").content.decode()
    assert 'http-equiv="refresh"' not in done


@pytest.mark.django_db
def test_download_is_404_with_a_wrong_token_after_expiry_and_before_ready(
    institution, organizer, organizer_client, django_capture_on_commit_callbacks
):
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    url = export_url(institution, "followthrough:export_download", pk=job.pk, token="wrong-token")
    assert organizer_client.get(url).status_code == 404
    with scope(institution=institution):
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    url = export_url(institution, "followthrough:export_download", pk=job.pk, token=job.token)
    assert organizer_client.get(url).status_code == 404
    page = organizer_client.get(export_url(institution)).content.decode()
    assert "has expired" in page and url not in page
    with scope(institution=institution):
        waiting = ExportJob.objects.create(institution=institution, requested_by=organizer)
    url = export_url(institution, "followthrough:export_download", pk=waiting.pk, token=waiting.token)
    assert organizer_client.get(url).status_code == 404


@pytest.mark.django_db
def test_download_link_of_another_institution_is_404(
    institution, other_institution, organizer, organizer_client, django_capture_on_commit_callbacks
):
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    url = export_url(other_institution, "followthrough:export_download", pk=job.pk, token=job.token)
    assert organizer_client.get(url).status_code == 404


@pytest.mark.django_db
def test_members_cannot_export_or_download(institution, organizer, member_client, django_capture_on_commit_callbacks):
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    assert member_client.get(export_url(institution)).status_code == 403
    assert member_client.post(export_url(institution, "followthrough:export_start")).status_code == 403
    url = export_url(institution, "followthrough:export_download", pk=job.pk, token=job.token)
    assert member_client.get(url).status_code == 403
    with scope(institution=institution):
        assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_import_that_clashes_with_a_row_here_is_refused_whole(tmp_path, institution, organizer):
    from meetings.models import CalendarFeed

    with scope(institution=institution):
        feed = CalendarFeed.objects.create(institution=institution, user=organizer)
    archive.write_archive(institution, tmp_path / "export.zip")
    Institution.objects.filter(pk=institution.pk).update(slug="renamed")  # the feed's token is still here
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_institution", str(tmp_path / "export.zip"), stdout=io.StringIO())
    assert Institution.objects.count() == 1
    with scopes_disabled():
        assert list(CalendarFeed.objects.values_list("pk", flat=True)) == [feed.pk]


@pytest.mark.django_db
def test_download_with_a_token_that_is_not_ascii_is_404_not_a_crash(
    institution, organizer, organizer_client, django_capture_on_commit_callbacks
):
    """compare_digest refuses non-ASCII str (TypeError, a 500): found by tests/test_fuzz.py."""
    job = request_export(institution, organizer, django_capture_on_commit_callbacks)
    url = export_url(institution, "followthrough:export_download", pk=job.pk, token="%C2%80é")
    assert organizer_client.get(url).status_code == 404
