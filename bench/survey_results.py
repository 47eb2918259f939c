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

import os
import random
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
os.environ.setdefault("DUALPOWER_TESTING", "1")  # no secret needed, plain http for the test client
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("SQLITE_PATH", str(ROOT / "var" / "bench" / "survey-results.sqlite3"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope  # noqa: E402

from institutions.models import Institution, Membership  # noqa: E402

RUNS = 5
BATCH = 5000


def fresh_database():
    """An empty database with the schema: a new SQLite file, or the bench PostgreSQL database flushed."""
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Refusing to empty a database whose name does not contain 'bench'.")
    call_command("migrate", verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)


def build_survey(institution, organizer):
    from needs import services

    survey = services.survey_create(
        institution=institution, author=organizer, title="What does the block need?", languages=["es"]
    )

    def add(kind, text, es, choices=(), **fields):
        return services.question_add(
            survey=survey,
            actor=organizer,
            kind=kind,
            text=text,
            translations={"es": {"text": es}},
            choices=[(en, {"es": {"text": es_text}}) for en, es_text in choices],
            **fields,
        )

    needs = [
        services.need_create(institution=institution, author=organizer, title=title)
        for title in ("Food at month's end", "Rent", "Childcare", "Repairs", "Transport")
    ]
    streets = [("North", "Norte"), ("South", "Sur"), ("East", "Este"), ("West", "Oeste"), ("Centre", "Centro")]
    add("single", "Where do you live?", "¿Dónde vives?", streets, allow_other=True)
    helps = [("A pantry", "Una despensa"), ("Rides", "Transporte"), ("Tool library", "Herramientas")]
    helps += [("Tenant help", "Ayuda a inquilinos"), ("Tutoring", "Tutorías"), ("Clinic", "Clínica")]
    add("multiple", "What would help?", "¿Qué ayudaría?", helps, allow_other=True)
    add("yes_no", "Do you rent?", "¿Alquilas?")
    add("number", "How many people live with you?", "¿Cuántas personas viven contigo?", min_value=0, max_value=30)
    add("scale", "How hard is it to get by?", "¿Qué tan difícil es?")
    ranking = [("Housing", "Vivienda"), ("Health", "Salud"), ("Work", "Trabajo"), ("School", "Escuela")]
    add("ranking", "Rank these", "Ordena", ranking)
    services.question_add(survey=survey, actor=organizer, kind="needs", text="Which needs matter most?", needs=needs)
    add("short_text", "One word for the neighbourhood", "Una palabra para el barrio")
    add("long_text", "Tell us more", "Cuéntanos más")
    services.survey_open(survey=survey, actor=organizer)
    return survey


def answer_rows(rng, questions, base):
    """One respondent's answers: kwargs for Answer rows, by question kind."""
    for question in questions:
        choices = question.bench_choices
        kind = question.kind
        if kind in ("single", "yes_no"):
            if rng.random() < 0.95:
                yield {"question": question, "choice_id": rng.choice(choices), **base}
            if question.allow_other and rng.random() < 0.05:
                yield {"question": question, "text": "Over by the river", **base}
        elif kind in ("multiple", "needs"):
            for choice in rng.sample(choices, rng.randint(1, 3)):
                yield {"question": question, "choice_id": choice, **base}
            if question.allow_other and rng.random() < 0.03:
                yield {"question": question, "text": "=a formula someone typed", **base}
        elif kind == "number" and rng.random() < 0.8:
            yield {"question": question, "number": rng.randint(0, 8), **base}
        elif kind == "scale" and rng.random() < 0.9:
            yield {"question": question, "number": rng.choice((1, 2, 3, 3, 4, 4, 5)), **base}
        elif kind == "ranking":
            for rank, choice in enumerate(rng.sample(choices, rng.randint(2, len(choices))), start=1):
                yield {"question": question, "choice_id": choice, "rank": rank, **base}
        elif kind == "short_text" and rng.random() < 0.3:
            yield {"question": question, "text": rng.choice(("home", "loud", "friendly", "tired")), **base}
        elif kind == "long_text" and rng.random() < 0.15:
            yield {"question": question, "text": "The laundromat closed and the bus comes once an hour. " * 2, **base}


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
