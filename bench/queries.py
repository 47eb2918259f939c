"""Benchmark: queries per page on the large dataset and on a tiny one of the same shape. They must be equal.

Run (after bench/dataset.py has seeded the large database):
    .venv/bin/python bench/queries.py [--large URL] [--tiny URL] [--reuse-tiny]
--large defaults to $DATABASE_URL or postgres://postgres@127.0.0.1:5432/dualpower_bench (read only);
--tiny to postgres://postgres@127.0.0.1:5432/dualpower_bench_tiny, seeded first with
`bench/dataset.py --scale 0.01` (unless --reuse-tiny).

For each named institution (bench-big, bench-medium, bench-small) and every main page, a signed-in
organizer and a signed-in member (an anonymous visitor, for the public page) ask for the page through the Django test
client, once to warm what is cached and once counted with CaptureQueriesContext. The two databases
are measured by this same file in a child process each (`--measure`), which prints JSON. Exits 1,
naming the pages, when a count differs between the databases or a page does not answer 200.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGE = "postgres://postgres@127.0.0.1:5432/dualpower_bench"
TINY = "postgres://postgres@127.0.0.1:5432/dualpower_bench_tiny"
SLUGS = ("bench-big", "bench-medium", "bench-small")


def page_urls(institution):
    """(page, viewer, url) for the institution's main pages; viewer is "organizer", "member" or "anonymous"."""
    from django.urls import reverse
    from django_scopes import scope

    from decisions.models import Proposal
    from meetings.models import Meeting
    from needs.models import Survey

    slug = {"institution_slug": institution.slug}
    with scope(institution=institution):
        closed = (
            Proposal.objects.filter(status="closed", secret=False, method="majority")
            .exclude(outcome="withdrawn")
            .order_by("-closed_at", "-pk")
            .first()
        )
        voting = Proposal.objects.filter(status="voting").order_by("-voting_opened_at", "-pk").first()
        secret = Proposal.objects.filter(status="closed", secret=True).exclude(outcome="withdrawn").first()
        meeting = Meeting.objects.filter(status="held").order_by("-starts_at", "-pk").first()
        survey = Survey.objects.order_by("pk").first()

    def url(name, **kwargs):
        return reverse(name, kwargs={**slug, **kwargs})

    pages = [
        ("institution home", "organizer", url("institutions:home")),
        ("public page", "anonymous", url("institutions:home")),
        ("decisions list", "organizer", url("decisions:index")),
        ("proposal (closed, open ballot)", "organizer", url("decisions:detail", pk=closed.pk)),
        ("results (closed, open ballot)", "organizer", url("decisions:results", pk=closed.pk)),
        ("results (closed, secret ballot)", "organizer", url("decisions:results", pk=secret.pk)),
        ("needs list", "organizer", url("needs:index")),
        ("survey results", "organizer", url("needs:survey_results", pk=survey.pk)),
        ("meetings list", "organizer", url("meetings:index")),
        ("meeting (held)", "organizer", url("meetings:detail", pk=meeting.pk)),
        ("tasks board", "organizer", url("logistics:board")),
        ("my work", "organizer", url("logistics:mine")),
        ("shifts", "organizer", url("logistics:shifts")),
        ("money", "organizer", url("logistics:ledger")),
        ("health", "organizer", url("evaluation:health")),
        ("timeline", "organizer", url("followthrough:timeline")),
        ("follow-through", "organizer", url("followthrough:index")),
        ("members", "organizer", url("institutions:members")),
    ]
    if voting is not None:
        pages.insert(4, ("proposal (voting)", "organizer", url("decisions:detail", pk=voting.pk)))
    # Members see the same pages with less on them (and some parts of their own).
    return pages + [(page, "member", address) for page, viewer, address in pages if viewer == "organizer"]


def measure(slugs=SLUGS):
    """{"slug | page": [status, queries]} for every named institution's main pages, on this database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from accounts.models import User
    from institutions.models import Institution

    results = {}
    for slug in slugs:
        with scopes_disabled():
            institution = Institution.objects.get(slug=slug)
            organizer = User.objects.get(email=f"organizer@{slug}.example")
            member = User.objects.get(email=f"member@{slug}.example")
        clients = {"organizer": Client(), "member": Client(), "anonymous": Client()}
        clients["organizer"].force_login(organizer)
        clients["member"].force_login(member)
        for page, viewer, url in page_urls(institution):
            client = clients[viewer]
            client.get(url)  # warm what is cached (translations, templates, per-institution caches)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            results[f"{slug} | {page}, {viewer}"] = [response.status_code, len(queries)]
    return results


def child(database_url):
    """Run `--measure` in a child process on another database; its JSON answer."""
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"Measuring {database_url} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(large, tiny):
    """The report's lines and the pages that fail (a different count, or not 200)."""
    lines = ["| institution | page | queries, large | queries, tiny |", "|---|---|---|---|"]
    failing = []
    for key in sorted(set(large) | set(tiny), key=lambda k: (SLUGS.index(k.split(" | ")[0]), k)):
        big, small = large.get(key), tiny.get(key)
        slug, page = key.split(" | ")
        shown = [f"{v[1]}" + ("" if v[0] == 200 else f" (status {v[0]})") if v else "missing" for v in (big, small)]
        lines.append(f"| {slug} | {page} | {shown[0]} | {shown[1]} |")
        if big is None or small is None or big != small or big[0] != 200:
            failing.append(key)
    return lines, failing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", default=os.environ.get("DATABASE_URL") or LARGE)
    parser.add_argument("--tiny", default=TINY)
    parser.add_argument("--reuse-tiny", action="store_true", help="do not seed the tiny database again")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        sys.path.insert(0, str(ROOT))
        from bench.database import bootstrap

        bootstrap()
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host is allowed
        print(json.dumps(measure()))
        return
    if "bench" not in arguments.tiny:
        sys.exit("The tiny database is emptied and seeded: use one whose name contains 'bench'.")
    if not arguments.reuse_tiny:
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "dataset.py"), "--scale", "0.01"],
            env={**os.environ, "DATABASE_URL": arguments.tiny},
            check=True,
            stdout=subprocess.DEVNULL,
        )
    large, tiny = child(arguments.large), child(arguments.tiny)
    lines, failing = compare(large, tiny)
    print("\n".join(lines))
    if failing:
        print("\nPages whose query count differs (or that did not answer 200):")
        for key in failing:
            print(f"  {key}")
        sys.exit(1)
    print(f"\nAll {len(large)} page counts are equal on the large and the tiny dataset.")


if __name__ == "__main__":
    main()
