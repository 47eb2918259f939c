"""Benchmark: export the biggest institution of the large dataset and import it into a fresh database.

Run (after bench/dataset.py has seeded the large database):
    .venv/bin/python bench/roundtrip.py [--large URL] [--into URL] [--slug bench-big] [--tracemalloc]
--large defaults to $DATABASE_URL or postgres://postgres@127.0.0.1:5432/dualpower_bench (only read);
--into to postgres://postgres@127.0.0.1:5432/dualpower_bench_import, which is migrated and emptied
first (its name must contain "bench").

The export is `followthrough.archive.write_archive` (what the export task runs), the import the
`import_institution` management command, each in a child process of its own so that its peak memory
(ru_maxrss; with --tracemalloc also Python's own peak, which slows it down) is its alone. Then both
databases describe the institution the way followthrough/tests/test_export.py compares a round trip:
every row of every exported model with ids replaced by positions, people by e-mail, content types by
name and files by their bytes; the report says, per model, whether the two agree.
"""

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGE = "postgres://postgres@127.0.0.1:5432/dualpower_bench"
INTO = "postgres://postgres@127.0.0.1:5432/dualpower_bench_import"
ARCHIVE = ROOT / "var" / "bench" / "roundtrip.zip"


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measured(action, *, trace):
    """Run `action`; its seconds, the process's peak RSS and (with trace) Python's peak allocations."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = action()
    report = {"seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}
    if trace:
        report["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result, report


def export(slug, path, *, trace):
    from followthrough import archive
    from institutions.models import Institution

    institution = Institution.objects.get(slug=slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    before = peak_rss_mb()
    manifest, report = measured(lambda: archive.write_archive(institution, path), trace=trace)
    report.update(rss_before_mb=before, bytes=path.stat().st_size, counts=manifest["counts"])
    report["files"] = len(manifest["files"])
    return report


def import_(path, *, trace):
    import io

    from django.core.management import call_command

    before = peak_rss_mb()
    _result, report = measured(lambda: call_command("import_institution", str(path), stdout=io.StringIO()), trace=trace)
    report["rss_before_mb"] = before
    return report


def describe(slug):
    """{model label: [rows, sha256 of its rows as meaning]} for the institution, and {"files": ...}."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.storage import default_storage
    from django.db import models
    from django_scopes import scopes_disabled

    from followthrough import archive
    from institutions.models import Institution

    User = get_user_model()
    with scopes_disabled():
        institution = Institution.objects.get(slug=slug)
        covered = [model for _family, model in archive.covered_models()]
        positions = {}
        for model in covered:
            pks = archive.rows_of(model, institution).values_list("pk", flat=True)
            positions[model] = {pk: index for index, pk in enumerate(pks)}
        emails = dict(User._base_manager.values_list("pk", "email"))
        kinds = {kind.pk: kind.natural_key() for kind in ContentType.objects.all()}
        described, files = {}, hashlib.sha256()
        for model in covered:
            fields = model._meta.concrete_fields
            digest = hashlib.sha256()
            count = 0
            generics = [g for g in model._meta.private_fields if hasattr(g, "ct_field")]
            rows = archive.rows_of(model, institution).values_list(*[field.attname for field in fields])
            for row in rows.iterator(chunk_size=5000):
                values = []
                for field, value in zip(fields, row, strict=True):
                    if value is None:
                        pass
                    elif field.primary_key and not field.is_relation:
                        value = positions[model][value]
                    elif field.is_relation and field.related_model is User:
                        value = emails[value]
                    elif field.is_relation and field.related_model is ContentType:
                        value = kinds[value]
                    elif field.is_relation and field.related_model in positions:
                        value = (field.related_model._meta.label, positions[field.related_model][value])
                    elif isinstance(field, models.FileField) and value:
                        with default_storage.open(value, "rb") as stored:
                            content = stored.read()
                        files.update(content)
                        value = hashlib.sha256(content).hexdigest()
                    values.append(value)
                by_name = dict(zip([field.attname for field in fields], row, strict=True))
                for generic in generics:
                    kind, target = by_name.get(f"{generic.ct_field}_id"), by_name.get(generic.fk_field)
                    if kind is not None and target is not None:
                        values.append(positions[ContentType.objects.get_for_id(kind).model_class()].get(target))
                digest.update(json.dumps(values, default=str, sort_keys=True).encode())
                count += 1
            for field in archive.plain_m2m_fields(model):
                through = field.remote_field.through
                source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
                pairs = sorted(
                    (positions[model][a], positions[field.related_model][b])
                    for a, b in through._base_manager.filter(**{f"{source}__in": list(positions[model])}).values_list(
                        source, target
                    )
                )
                digest.update(json.dumps(pairs).encode())
            described[model._meta.label] = [count, digest.hexdigest()]
        described["files"] = files.hexdigest()
    return described


def child(database_url, *arguments):
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, __file__, *arguments], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{' '.join(arguments)} on {database_url} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_child(arguments):
    sys.path.insert(0, str(ROOT))
    from bench.database import bootstrap

    bootstrap()
    if arguments.step == "export":
        answer = export(arguments.slug, Path(arguments.archive), trace=arguments.tracemalloc)
    elif arguments.step == "fresh":
        from bench.database import fresh_database

        fresh_database()
        answer = {}
    elif arguments.step == "import":
        answer = import_(Path(arguments.archive), trace=arguments.tracemalloc)
    else:
        answer = describe(arguments.slug)
    print(json.dumps(answer))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", default=os.environ.get("DATABASE_URL") or LARGE)
    parser.add_argument("--into", default=INTO)
    parser.add_argument("--slug", default="bench-big")
    parser.add_argument("--archive", default=str(ARCHIVE))
    parser.add_argument("--tracemalloc", action="store_true", help="also Python's peak allocations (slower)")
    parser.add_argument("--step", choices=["export", "fresh", "import", "describe"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        in_child(arguments)
        return
    if "bench" not in arguments.into or arguments.into.rstrip("/") == arguments.large.rstrip("/"):
        sys.exit("Import into a database of its own whose name contains 'bench' (it is emptied first).")
    trace = ["--tracemalloc"] if arguments.tracemalloc else []
    common = ["--slug", arguments.slug, "--archive", arguments.archive, *trace]
    exported = child(arguments.large, "--step", "export", *common)
    rows = sum(count for label, count in exported["counts"].items() if label.count(".") == 1)
    print(f"Export of {arguments.slug}: {rows:,} rows in {len(exported['counts'])} tables, {exported['files']} files")
    print(f"  archive {exported['bytes'] / 1e6:.1f} MB, {exported['seconds']:.1f} s, {memory(exported)}")
    child(arguments.into, "--step", "fresh")
    imported = child(arguments.into, "--step", "import", *common)
    print(f"Import into a fresh database: {imported['seconds']:.1f} s, {memory(imported)}")
    before = child(arguments.large, "--step", "describe", *common)
    after = child(arguments.into, "--step", "describe", *common)
    differ = [label for label in before if before[label] != after.get(label)]
    for label in differ:
        print(f"  differs: {label}: {before[label]} vs {after.get(label)}")
    tables = len(before) - 1
    print(
        f"Round trip: {tables - len([d for d in differ if d != 'files'])} of {tables} tables equal row for row; "
        f"files {'equal' if 'files' not in differ else 'DIFFER'}"
    )
    if differ:
        sys.exit(1)


def memory(report):
    text = f"peak RSS {report['peak_rss_mb']:.0f} MB (from {report['rss_before_mb']:.0f} MB before)"
    if "python_peak_mb" in report:
        text += f", Python peak {report['python_peak_mb']:.0f} MB (tracemalloc)"
    return text


if __name__ == "__main__":
    main()
