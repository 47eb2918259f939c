"""Benchmark: computing the weekly health digest for 100, 1,000 and 5,000 institutions.

Run (SQLite, in a database file of its own under var/bench/):
    .venv/bin/python bench/digest.py [sizes...]          # default: 100 1000 5000
Run on PostgreSQL (a database of its own; its name must contain "bench", it is emptied first):
    createdb -h 127.0.0.1 -U postgres dualpower_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dualpower_bench .venv/bin/python bench/digest.py

Seeds, with bulk inserts, as many institutions as the largest size, each with five members (one
organizer), twenty tasks over the last three months (most done, by one or two busy members), four
held meetings with attendance, two check-ins per member and last week's indicator statuses. Then,
for each size (seeded one after another), computes every institution's digest the way the weekly
job does (snapshot, the indicators, the week's numbers, the organizer's copy rendered in their
language), then runs the hourly fan-out once with the real broker, which queues one digest task
per institution (every institution is due), and empties the queue. Reports total time, time per
institution and queries per institution for both. Nothing is sent.
Numbers go in bench/README.md and the issue notes, never into test assertions.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.database import bootstrap, fresh_database  # noqa: E402

bootstrap(sqlite_name="digest.sqlite3")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

SIZES = [int(arg) for arg in sys.argv[1:]] or [100, 1000, 5000]


def seed(count, first=0):
    """Seed institutions number `first` to `first + count - 1` (so sizes can be seeded one after another)."""
    from accounts.models import User
    from evaluation.digest import week_of
    from evaluation.models import CheckIn, EvaluationSettings, HealthStatus
    from institutions.models import Institution, Membership
    from logistics.models import Task
    from meetings.models import Attendance, Meeting

    rng = random.Random(7)
    now = timezone.now()
    institutions = Institution.objects.bulk_create(
        [
            Institution(name=f"Bench group {n}", slug=f"bench-{n}", time_zone="America/Chicago")
            for n in range(first, first + count)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(email=f"p{n}-{m}@bench.example", name=f"Person {n}-{m}", password="!")
            for n in range(first, first + count)
            for m in range(5)
        ]
    )
    memberships, tasks, meetings, check_ins, statuses = [], [], [], [], []
    for index, institution in enumerate(institutions):
        people = users[index * 5 : index * 5 + 5]
        for position, person in enumerate(people):
            memberships.append(
                Membership(
                    institution=institution,
                    user=person,
                    role="organizer" if position == 0 else "member",
                    joined_at=now - timedelta(days=rng.randint(20, 400)),
                )
            )
            for months_ago in (0, 1):
                check_ins.append(
                    CheckIn(
                        institution=institution,
                        member=person,
                        period_start=(now - timedelta(days=31 * months_ago)).date().replace(day=1),
                        feel=rng.randint(2, 5),
                        energy=rng.randint(1, 5),
                        hours=rng.choice([4, 8, 12]),
                    )
                )
        for number in range(20):
            done = number % 4 != 0
            tasks.append(
                Task(
                    institution=institution,
                    title=f"task {number}",
                    owner=people[0 if number % 3 else 1],
                    status="done" if done else "open",
                    effort=1 + number % 3,
                    created_at=now - timedelta(days=rng.randint(1, 90)),
                    done_at=now - timedelta(days=rng.randint(1, 80)) if done else None,
                    due_on=(now + timedelta(days=rng.randint(-10, 20))).date(),
                )
            )
        for weeks_ago in (1, 4, 9, 12):
            meetings.append(
                Meeting(
                    institution=institution,
                    title=f"Assembly {weeks_ago}",
                    starts_at=now - timedelta(weeks=weeks_ago),
                    place_name="Hall",
                    status="held",
                    guests_count=rng.randint(0, 12),
                )
            )
        week = week_of(institution, now) - timedelta(days=7)
        statuses += [
            HealthStatus(institution=institution, week=week, indicator=key, status="ok")
            for key in ("momentum", "burnout", "logistics", "change")
        ]
    # Monday 00:00 local: the digest is due whatever the day and hour the benchmark runs.
    EvaluationSettings.objects.bulk_create(
        [EvaluationSettings(institution=institution, digest_weekday=0, digest_hour=0) for institution in institutions]
    )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    Task.objects.bulk_create(tasks, batch_size=2000)
    meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
    Attendance.objects.bulk_create(
        [
            Attendance(institution_id=meeting.institution_id, meeting=meeting, user=users[index // 4 * 5 + person])
            for index, meeting in enumerate(meetings)
            for person in range(rng.randint(1, 5))
        ],
        batch_size=2000,
    )
    HealthStatus.objects.bulk_create(statuses, batch_size=2000)
    return institutions


def counted(fn):
    """Run fn(); (its result, seconds, queries)."""
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        result = fn()
    return result, time.perf_counter() - start, queries


def digest_all(institutions):
    """Compute and render every institution's digest as the weekly job does; (seconds, queries)."""
    from evaluation.digest import digest_for, in_language, recipients
    from notifications.services import render_message

    _, elapsed, queries = counted(
        lambda: _digest_each(institutions, digest_for, in_language, recipients, render_message)
    )
    return elapsed, queries


def queue_all():
    """The hourly fan-out, once, with the real broker (Redis with REDIS_URL, else the files under var/):
    every institution is due, so it queues one digest task each. (tasks queued, seconds, queries);
    the queue is emptied afterwards."""
    from dualpower.celery import app
    from evaluation.tasks_digest import send_weekly_digests

    app.conf.task_always_eager = False
    try:
        return counted(send_weekly_digests)
    finally:
        app.control.purge()
        app.conf.task_always_eager = True


def _digest_each(institutions, digest_for, in_language, recipients, render_message):
    for institution in institutions:
        with scope(institution=institution):
            digest = digest_for(institution)
            for person in recipients(institution):
                language = person.language or institution.default_language
                render_message(
                    template="evaluation/email/digest",
                    context={
                        "institution": institution,
                        "digest": in_language(digest, language),
                        "name": person.display_name,
                        "path": "/",
                    },
                    language=language,
                )


def main():
    from institutions.models import Institution

    fresh_database()
    print(f"{connection.vendor}, broker {os.environ.get('REDIS_URL') and 'Redis' or 'files under var/'}")
    rows, seeded = [], 0
    for size in sorted(SIZES):
        started = time.perf_counter()
        with scopes_disabled():
            seed(size - seeded, first=seeded)
        print(f"seeded institutions {seeded}..{size - 1} in {time.perf_counter() - started:.1f} s")
        seeded = size
        institutions = list(Institution.objects.order_by("pk"))
        elapsed, queries = digest_all(institutions)
        queued, queue_seconds, queue_queries = queue_all()
        assert queued == size, f"the fan-out queued {queued} digests for {size} institutions"
        rows.append((size, elapsed, queries, queue_seconds, queue_queries))
    print(
        "| institutions | compute: total | per institution | queries per institution "
        "| queue: total | per institution | queries per institution |"
    )
    print("|---|---|---|---|---|---|---|")
    for size, elapsed, queries, queue_seconds, queue_queries in rows:
        print(
            f"| {size:,} | {elapsed:.1f} s | {elapsed / size * 1000:.1f} ms | {queries / size:.1f} "
            f"| {queue_seconds:.2f} s | {queue_seconds / size * 1000:.2f} ms | {queue_queries / size:.1f} |"
        )


if __name__ == "__main__":
    main()
