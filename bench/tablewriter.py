"""Rows written in bulk for the benchmarks: primary keys assigned here, `COPY` on PostgreSQL.

`TableWriter.add(Model, **values)` takes column values (attnames such as `institution_id`, or
field names with a saved instance), fills the model's defaults for the rest, gives the row its
primary key at once (so children can point at it before anything is written) and keeps it. Pending
rows are written in the order their models were first seen, so a parent table is always written
before the tables that point at it; on PostgreSQL with `COPY ... FROM STDIN` (psycopg 3), elsewhere
with `bulk_create`. `finish()` writes the rest. After each write the id sequences are moved past the ids used.
"""

import json
import uuid
from collections import Counter

from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

MISSING = object()


class TableWriter:
    def __init__(self, *, chunk=200_000, use_copy=None, trust_keys=False):
        self.chunk = chunk
        # Skip PostgreSQL's per-row foreign key checks while copying (session_replication_role, which
        # needs a superuser): for a seeder whose keys are checked elsewhere (tests/test_bench_dataset.py).
        self.trust_keys = trust_keys
        self.use_copy = connection.vendor == "postgresql" if use_copy is None else use_copy
        self.pending = {}  # model -> list of row tuples, in first-seen order
        self.specs = {}
        self.next_pk = {}
        self.counts = Counter()
        self.now = timezone.now()

    def _spec(self, model):
        spec = self.specs.get(model)
        if spec is None:
            fields = [field for field in model._meta.concrete_fields]
            known = {field.attname for field in fields} | {field.name for field in fields}
            spec = self.specs[model] = (fields, known)
        return spec

    def _pk(self, model):
        pk = model._meta.pk
        if isinstance(pk, models.UUIDField):
            return uuid.uuid4()
        if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            if model not in self.next_pk:
                last = model._base_manager.aggregate(last=models.Max("pk"))["last"] or 0
                self.next_pk[model] = last + 1
            value = self.next_pk[model]
            self.next_pk[model] = value + 1
            return value
        return MISSING  # a one-to-one primary key: the caller gives it

    def add(self, model, **values):
        """Keep one row of `model`; return its primary key."""
        fields, known = self._spec(model)
        unknown = values.keys() - known
        if unknown:
            raise TypeError(f"{model.__name__} has no field {sorted(unknown)}")
        row = []
        pk_value = None
        for field in fields:
            value = values.get(field.attname, MISSING)
            if value is MISSING:
                value = values.get(field.name, MISSING)
                if isinstance(value, models.Model):
                    value = value.pk
            if value is MISSING:
                if field.primary_key:
                    value = self._pk(model)
                    if value is MISSING:
                        raise TypeError(f"{model.__name__} needs its primary key {field.attname}")
                elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    value = self.now
                elif field.has_default():
                    value = field.get_default()
                else:
                    value = None if field.null else field.get_default()
            if field.primary_key:
                pk_value = value
            row.append(value)
        if model not in self.pending:
            self.pending[model] = []
        self.pending[model].append(tuple(row))
        if sum(len(rows) for rows in self.pending.values()) >= self.chunk:
            self.write()
        return pk_value

    def write(self):
        """Write every pending row, parents' tables first, and move the id sequences past them, so
        that rows the app inserts afterwards (through its services) get ids of their own."""
        written = []
        for model, rows in self.pending.items():
            if rows:
                self._write(model, rows)
                self.counts[model._meta.label] += len(rows)
                rows.clear()
                written.append(model)
        numbered = [model for model in written if model in self.next_pk]
        if connection.vendor == "postgresql" and numbered:
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), numbered):
                    cursor.execute(statement)
        for model in numbered:
            del self.next_pk[model]  # read the largest id again on next use

    def _write(self, model, rows):
        fields, _known = self._spec(model)
        if not self.use_copy:
            names = [field.attname for field in fields]
            objects = (model(**dict(zip(names, row, strict=True))) for row in rows)
            model._base_manager.bulk_create(objects, batch_size=2000)
            return
        json_columns = [index for index, field in enumerate(fields) if isinstance(field, models.JSONField)]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor:
            if self.trust_keys:
                cursor.execute("SET session_replication_role = replica")
            try:
                self._copy(cursor, sql, rows, json_columns)
            finally:
                if self.trust_keys:
                    cursor.execute("SET session_replication_role = DEFAULT")

    @staticmethod
    def _copy(cursor, sql, rows, json_columns):
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_columns:
                    row = list(row)
                    for index in json_columns:
                        row[index] = json.dumps(row[index], cls=DjangoJSONEncoder)
                copy.write_row(row)

    def finish(self):
        """Write what is left; return the rows written per table."""
        self.write()
        return self.counts
