"""Two bookings of one space may not overlap, enforced by the database itself.

PostgreSQL: an exclusion constraint over the booking's time range (btree_gist lets the space id take
part in the GiST index). SQLite: triggers that abort an insert or update that would overlap. Either
way the write fails with an IntegrityError, which the booking service turns into a message.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE logistics_spacebooking ADD CONSTRAINT space_booking_no_overlap "
    "EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)",
]
PG_BACKWARD = ["ALTER TABLE logistics_spacebooking DROP CONSTRAINT space_booking_no_overlap"]

SQLITE_CHECK = """
CREATE TRIGGER space_booking_no_overlap_{event}
BEFORE {event} ON logistics_spacebooking
WHEN EXISTS (
    SELECT 1 FROM logistics_spacebooking other
    WHERE other.space_id = NEW.space_id
      AND other.id IS NOT NEW.id
      AND other.starts_at < NEW.ends_at
      AND NEW.starts_at < other.ends_at
)
BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: space_booking_no_overlap');
END
"""
SQLITE_FORWARD = [SQLITE_CHECK.format(event=event) for event in ("INSERT", "UPDATE")]
SQLITE_BACKWARD = [f"DROP TRIGGER space_booking_no_overlap_{event}" for event in ("INSERT", "UPDATE")]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("logistics", "0003_roles_shifts_supplies_money")]

    operations = [
        migrations.RunPython(
            run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
