"""Benchmark: a needs survey's results page and CSV export on 100,000 responses.

Run (SQLite, in a database file of its own under var/bench/):
    .venv/bin/python bench/survey_results.py [responses] [--reuse]
Run on PostgreSQL (a database of its own; its name must contain "bench", it is emptied first):
    createdb -h 127.0.0.1 -U postgres dualpower_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dualpower_bench .venv/bin/python bench/survey_results.py

Seeds one survey with nine questions, one of each kind (English and Spanish, online and paper, spread
over 60 days) with bulk inserts, then times the results page through the Django test client
(median of several runs, plain, filtered and with a cross-tab), and the whole CSV export read to
the end (time, then peak Python memory with tracemalloc in a second run), with query counts.
`--reuse` times the survey an earlier run seeded instead of seeding again.
Numbers go in bench/README.md and the issue notes, never into test assertions.
"""

import random
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import bootstrap, fresh_database  # noqa: E402

bootstrap(sqlite_name="survey-results.sqlite3")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope  # noqa: E402

from bench.surveys import answer_rows, build_survey  # noqa: E402
from institutions.models import Institution, Membership  # noqa: E402

RUNS = 5
BATCH = 5000


def seed(count):
    from needs.models import Answer, Question, Response
    from tests.factories import MembershipFactory, OrganizerFactory

    institution = Institution.objects.create(
        name="Bench Pantry", slug="bench-pantry", need_statement="Benchmarks.", time_zone="America/Chicago"
    )
    organizer = OrganizerFactory(institution=institution).user
    member = MembershipFactory(institution=institution, role=Membership.Role.MEMBER).user
    rng = random.Random(2026)
    with scope(institution=institution):
        survey = build_survey(institution, organizer)
        questions = list(Question.objects.filter(survey=survey).prefetch_related("choices"))
        for question in questions:
            question.bench_choices = [choice.pk for choice in question.choices.all()]
        start = timezone.now() - timedelta(days=60)
        answers = 0
        for offset in range(0, count, BATCH):
            with transaction.atomic():
                responses = Response.objects.bulk_create(
                    Response(
                        institution=institution,
                        survey=survey,
                        language="es" if rng.random() < 0.3 else "en",
                        channel="paper" if rng.random() < 0.2 else "web",
                        submitted_at=start + timedelta(seconds=rng.randint(0, 60 * 86400)),
                    )
                    for _ in range(min(BATCH, count - offset))
                )
                rows = [
                    Answer(**row)
                    for response in responses
                    for row in answer_rows(rng, questions, {"institution_id": institution.pk, "response": response})
                ]
                Answer.objects.bulk_create(rows, batch_size=BATCH)
                answers += len(rows)
    return institution, survey, member, answers, questions


def timed_get(client, url, *, stream=False):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        size = 0
        if stream:
            for piece in response.streaming_content:
                size += len(piece)
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries), size


def seeded():
    """The survey an earlier run seeded (for --reuse), or None."""
    from needs.models import Answer, Question, Survey

    institution = Institution.objects.filter(slug="bench-pantry").first()
    if institution is None:
        return None
    with scope(institution=institution):
        survey = Survey.objects.get()
        member = Membership.objects.filter(role=Membership.Role.MEMBER).get().user
        answers = Answer.objects.count()
        return institution, survey, member, answers, list(Question.objects.filter(survey=survey))


def main(count=100_000, reuse=False):
    setup_test_environment()  # the test client's host is allowed
    call_command("migrate", verbosity=0)
    found = seeded() if reuse else None
    if found is None:
        fresh_database()
        started = time.perf_counter()
        found = seed(count)
        print(f"Seeded {count:,} responses, {found[3]:,} answers in {time.perf_counter() - started:.1f} s")
    institution, survey, member, answers, questions = found
    with scope(institution=institution):
        count = survey.responses.count()
    print(
        f"Database: {connection.vendor} ({connection.settings_dict['NAME']}): {count:,} responses, {answers:,} answers"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(member)
    results = reverse("needs:survey_results", args=[institution.slug, survey.pk])
    by_pk = {question.kind: question.pk for question in questions}
    pages = {
        "results page": results,
        "results, paper in Spanish": f"{results}?channel=paper&language=es",
        "results with a cross-tab": f"{results}?row={by_pk['single']}&col={by_pk['multiple']}",
    }
    client.get(results)  # warm caches (translations, templates)
    for name, url in pages.items():
        runs = sorted(timed_get(client, url) for _ in range(RUNS))
        elapsed, queries, size = runs[len(runs) // 2]
        print(f"  {name:<28} median {elapsed * 1000:6.0f} ms of {RUNS}, {queries} queries, {size:,} bytes")
    export = reverse("needs:survey_export", args=[institution.slug, survey.pk])
    elapsed, queries, size = timed_get(client, export, stream=True)
    print(f"  {'CSV export':<28} {elapsed * 1000:8.0f} ms, {queries} queries, {size / 1e6:.1f} MB")
    tracemalloc.start()
    timed_get(client, export, stream=True)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  {'CSV export, peak memory':<28} {peak / 1e6:8.1f} MB (Python allocations, tracemalloc)")


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if argument != "--reuse"]
    main(int(arguments[0]) if arguments else 100_000, reuse="--reuse" in sys.argv)
