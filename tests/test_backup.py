"""The backup and restore scripts (`ops/backup.sh`, `ops/restore.sh`) on a real PostgreSQL.

Data is committed (the dump runs in another process), dumped with the real pg_dump, restored with
the real pg_restore into a scratch database of this test run's own, and compared table by table
(row counts and sequences) and file by file (SHA-256 of every uploaded file).
"""

import hashlib
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django_scopes import scope, scopes_disabled

from decisions import services as decisions
from institutions.models import Institution
from research import services as research
from tests.factories import MembershipFactory, proposal_in_voting

REPO_ROOT = Path(__file__).resolve().parent.parent
BACKUP = REPO_ROOT / "ops" / "backup.sh"
RESTORE = REPO_ROOT / "ops" / "restore.sh"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="backups are pg_dump/pg_restore of the PostgreSQL deployment; this run is on SQLite",
)


def database_url(name):
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    return (
        f"postgres://{quote(s['USER'] or '', safe='')}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    )


@pytest.fixture
def scratch_database():
    """An empty database named after this run's test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def make_data(media):
    """The demo institutions (every step has rows), a secret vote, and uploaded files."""
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        institution = Institution.objects.get(slug="eastside-pantry")
        organizer = institution.memberships.filter(role="organizer").first().user
    voters = [MembershipFactory(institution=institution).user for _ in range(3)]
    proposal = proposal_in_voting(institution, organizer, secret=True)
    with scope(institution=institution):
        for voter, choice in zip(voters, ["yes", "no", "abstain"], strict=True):
            decisions.vote_cast(proposal=proposal, member=voter, choice={"choice": choice})
        note = research.note_create(institution=institution, author=organizer, title="Rent strike 2019", tried="x")
        for n in range(3):
            upload = SimpleUploadedFile(f"report-{n}.pdf", PDF + os.urandom(2000), content_type="application/pdf")
            research.attachment_add(note=note, uploader=organizer, upload=upload)
    (media / "nested" / "deeper").mkdir(parents=True)
    (media / "nested" / "deeper" / "notes with spaces.bin").write_bytes(os.urandom(50_000))


def row_counts(dsn):
    with psycopg.connect(dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        ]
        counts = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
        sequences = dict(conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))
    return counts, sequences


def file_sums(folder):
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run(script, *args, env, mode="direct", cwd=REPO_ROOT):
    return subprocess.run(
        ["bash", script, *args],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "BACKUP_MODE": mode, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_the_same_rows_and_files(media, scratch_database, tmp_path):
    make_data(media)
    source_url, target_url = database_url(connection.settings_dict["NAME"]), database_url(scratch_database)
    connection.close()  # nothing of ours holds a transaction open during the dump

    backup = run(BACKUP, tmp_path / "backup", env={"DATABASE_URL": source_url, "MEDIA_DIR": str(media)})
    assert backup.returncode == 0, backup.stderr
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["SHA256SUMS", "db.dump", "media.tar"]
    assert (tmp_path / "backup").joinpath("db.dump").read_bytes()[:5] == b"PGDMP", "not a custom-format archive"

    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    (restored_media / "stale.txt").write_text("left from before; a restore removes it")
    restore = run(
        RESTORE, "--yes", tmp_path / "backup", env={"DATABASE_URL": target_url, "MEDIA_DIR": str(restored_media)}
    )
    assert restore.returncode == 0, restore.stderr

    counts, sequences = row_counts(source_url)
    restored_counts, restored_sequences = row_counts(target_url)
    assert restored_counts == counts
    assert restored_sequences == sequences, "new rows after a restore would collide with restored ones"
    filled = {table for table, n in counts.items() if n}
    assert {"decisions_secretballot", "research_attachment", "institutions_membership", "accounts_user"} <= filled
    assert len(filled) > 40, f"too little data to prove much: {sorted(filled)}"

    sums = file_sums(media)
    assert len(sums) == 4
    assert file_sums(restored_media) == sums


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_changes_nothing(media, scratch_database, tmp_path):
    (media / "one.bin").parent.mkdir(parents=True, exist_ok=True)
    (media / "one.bin").write_bytes(b"evidence")
    source_url, target_url = database_url(connection.settings_dict["NAME"]), database_url(scratch_database)
    connection.close()
    assert run(BACKUP, tmp_path / "backup", env={"DATABASE_URL": source_url, "MEDIA_DIR": str(media)}).returncode == 0
    tar = tmp_path / "backup" / "media.tar"
    damaged = bytearray(tar.read_bytes())
    damaged[600] ^= 0xFF
    tar.write_bytes(bytes(damaged))
    kept = tmp_path / "kept-media"
    kept.mkdir()
    (kept / "current.txt").write_text("still here")

    restore = run(RESTORE, "--yes", tmp_path / "backup", env={"DATABASE_URL": target_url, "MEDIA_DIR": str(kept)})
    assert restore.returncode == 1
    assert "does not match its SHA256SUMS; nothing was changed" in restore.stderr
    assert row_counts(target_url) == ({}, {}), "the scratch database stays empty"
    assert file_sums(kept) == {"current.txt": hashlib.sha256(b"still here").hexdigest()}


def test_restore_asks_for_confirmation_and_backup_never_overwrites(tmp_path):
    refused = run(RESTORE, tmp_path, env={})
    assert refused.returncode == 2 and "--yes" in refused.stderr
    (tmp_path / "exists").mkdir()
    again = run(BACKUP, tmp_path / "exists", env={"DATABASE_URL": "postgres://nowhere/none"})
    assert again.returncode == 2 and "exists already" in again.stderr


# Stands in for `docker compose` (not installed here): runs the command a service would run, on this
# machine, with the postgres service's variables and the media volume mapped to a folder. It logs
# every call, so the test sees the services stopped before and started after a restore.
FAKE_DOCKER = r"""#!/usr/bin/env bash
set -euo pipefail
line="$*"
echo "${line//$'\n'/ }" >>"$FAKE_LOG"
[[ "$1" == compose ]] || exit 64
shift
case "$1" in
  stop | up) exit 0 ;;
  exec) shift; [[ "$1" == -T ]] && shift ;;
  run) shift; while [[ "$1" == --* || "$1" == -T ]]; do shift; done ;;
  *) exit 64 ;;
esac
service=$1
shift
args=()
for arg in "$@"; do args+=("${arg//\/app\/var\/media/$FAKE_MEDIA}"); done
case "$service" in
  postgres) POSTGRES_USER=$FAKE_PGUSER POSTGRES_DB=$FAKE_PGDB exec "${args[@]}" ;;
  web) exec "${args[@]}" ;;
  *) exit 64 ;;
esac
"""


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_compose_mode_runs_the_same_backup_inside_the_services(media, scratch_database, tmp_path):
    make_data(media)
    name = connection.settings_dict["NAME"]
    connection.close()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    s = connection.settings_dict
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_LOG": str(tmp_path / "docker.log"),
        "FAKE_PGUSER": s["USER"],
        "PGHOST": s["HOST"] or "localhost",
        "PGPORT": str(s["PORT"] or 5432),
        "PGPASSWORD": s["PASSWORD"] or "",
    }
    backup = run(
        BACKUP, "nightly", env={**env, "FAKE_PGDB": name, "FAKE_MEDIA": str(media)}, mode="compose", cwd=tmp_path
    )
    assert backup.returncode == 0, backup.stderr
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    restore = run(
        RESTORE,
        "--yes",
        "nightly",
        env={**env, "FAKE_PGDB": scratch_database, "FAKE_MEDIA": str(restored_media)},
        mode="compose",
        cwd=tmp_path,
    )
    assert restore.returncode == 0, restore.stderr
    calls = (tmp_path / "docker.log").read_text().splitlines()
    assert [c.split()[1] for c in calls] == ["exec", "exec", "stop", "exec", "run", "up"], calls
    assert calls[2] == "compose stop web worker beat"
    assert row_counts(database_url(scratch_database)) == row_counts(database_url(name))
    assert file_sums(restored_media) == file_sums(media)
