"""Every row that belongs to an institution, to prove that a request changed nothing.

The tenant models are found from the app registry (through `followthrough.archive.institution_path`,
the same rule the export uses), so a model added later is covered without touching this file.
"""

from django.apps import apps

from followthrough.archive import institution_path


def tenant_models():
    """Every installed model whose rows belong to an institution (the Institution model too)."""
    return [model for model in apps.get_models() if institution_path(model) is not None]


def tenant_snapshot():
    """{table: every row's every column, in primary-key order}, for every tenant model and the
    many-to-many tables Django creates for them. Bypasses the tenant scope (`_base_manager`)."""
    tables = {}
    for model in tenant_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        tables[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*columns))
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                columns = [column.attname for column in through._meta.concrete_fields]
                tables[through._meta.label] = list(through.objects.order_by("pk").values_list(*columns))
    return tables


def changed_tables(before, after):
    """The names of the tables whose rows differ between two snapshots (for a readable failure)."""
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
