"""Full-text search indexes for research notes, on PostgreSQL only (SQLite searches with a plain match).

Each index holds exactly the weighted vector that research.selectors.search_vector() builds for one
text-search configuration, so the planner can use it; a test checks that it does.
"""

from django.db import migrations

CONFIGS = ("english", "spanish")


def vector_sql(config):
    def part(columns, weight):
        text = " || ' ' || ".join(f"COALESCE({column}, '')" for column in columns)
        return f"setweight(to_tsvector('{config}'::regconfig, {text}), '{weight}')"

    return (
        f"((({part(['title'], 'A')} || {part(['tried', 'lessons'], 'B')}) || {part(['evidence'], 'C')}) "
        f"|| {part(['ran_by', 'place', 'tags_text'], 'D')})"
    )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS research_note_search_{config} ON research_fieldnote "
            f"USING gin (({vector_sql(config)}))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS research_note_search_{config}")


class Migration(migrations.Migration):
    dependencies = [("research", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
