"""The database a benchmark runs on: Django set up for it, and emptied before seeding.

A benchmark command calls `bootstrap()` before importing any model. Without `DATABASE_URL` it runs
on SQLite in a file of its own under var/bench/ (or, given `default_url`, on that database). Only a
database whose name contains "bench" is ever emptied.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bootstrap(*, sqlite_name=None, default_url=None):
    """Point Django at the benchmark's database and set it up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
    os.environ.setdefault("DUALPOWER_TESTING", "1")  # no secret needed, plain http for the test client
    if default_url:
        os.environ.setdefault("DATABASE_URL", default_url)
    if not os.environ.get("DATABASE_URL") and sqlite_name:
        os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench" / sqlite_name))
    import django

    django.setup()


def refuse_unless_bench(connection):
    """Exit unless the connection's database is a benchmark's own (its name contains "bench")."""
    if connection.vendor != "sqlite" and "bench" not in connection.settings_dict["NAME"]:
        sys.exit(
            f"Refusing to empty database {connection.settings_dict['NAME']!r}: use one whose name contains 'bench'."
        )


def fresh_database(using="default"):
    """An empty database with the schema: a new SQLite file, or the bench PostgreSQL database flushed."""
    from django.core.management import call_command
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    refuse_unless_bench(connection)
    call_command("migrate", verbosity=0, database=using)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0, database=using)
