"""Benchmark: bytes a phone downloads for each main page (HTML + the CSS and JavaScript it links).

Run (SQLite, a database of its own under var/bench/, seeded with the demo data):
    .venv/bin/python bench/weight.py

Signs in as the demo organizer of Riverside Clinic Defense, opens the institution's home, follows
every link of the institution's navigation and of the logistics, evaluation and follow-through
pages, plus the first proposal,
meeting and need, and the public page and public survey as a visitor without an account. For each
page: the HTML as the app sends it, the HTML gzipped (what a proxy in front of it sends; the app
itself does not compress HTML), and the stylesheets and scripts the page links, gzipped at level 9
as whitenoise precompresses them after collectstatic. The target is 100 KB per page, HTML
uncompressed plus assets compressed (the worst case without a compressing proxy). Assets are
counted in full for every page, as on a first visit with nothing cached.
"""

import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.database import bootstrap, fresh_database  # noqa: E402

os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the in-process client's host
bootstrap(sqlite_name="weight.sqlite3")

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

SLUG = "riverside-clinic-defense"
TARGET = 100_000
LINK = re.compile(rf'href="(/i/{SLUG}/[^"#?]*)"')
ASSET = re.compile(r'(?:<link rel="stylesheet" href|<script[^>]+src)="/static/([^"?]+)"')
FIRST_OF = {
    "proposal": re.compile(rf'href="(/i/{SLUG}/decisions/\d+/)"'),
    "meeting": re.compile(rf'href="(/i/{SLUG}/meetings/\d+/)"'),
    "need": re.compile(rf'href="(/i/{SLUG}/needs/\d+/)"'),
}


def gzipped(data, level):
    return len(gzip.compress(data, compresslevel=level))


def asset_bytes(path, cache={}):  # noqa: B006  (one read per asset for the whole run)
    if path not in cache:
        found = finders.find(path)
        cache[path] = gzipped(Path(found).read_bytes(), 9) if found else 0
    return cache[path]


def measure(client, url):
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    html = response.content
    assets = sorted(set(ASSET.findall(html.decode())))
    return len(html), gzipped(html, 6), sum(asset_bytes(path) for path in assets), assets


def pages(client):
    """The main pages: every link on the home and on the logistics, evaluation and follow-through
    pages, and the first proposal, meeting and need."""
    home = f"/i/{SLUG}/"
    found = [home]
    for source in (home, *(f"/i/{SLUG}/{step}/" for step in ("logistics", "evaluation", "follow-through"))):
        found += LINK.findall(client.get(source).content.decode())
    for source, kind in (("decisions/", "proposal"), ("meetings/", "meeting"), ("needs/", "need")):
        match = FIRST_OF[kind].search(client.get(f"/i/{SLUG}/{source}").content.decode())
        if match:
            found.append(match.group(1))
    # Keep each page once, leaving out downloads and printables (not pages a phone reads).
    return [
        url for url in dict.fromkeys(found) if not re.search(r"(\.csv|\.ics|/csv|/ics|/export|/print|/download)", url)
    ]


def public_surveys():
    from django_scopes import scopes_disabled

    from needs.models import Survey

    with scopes_disabled():
        survey = Survey.objects.filter(institution__slug=SLUG, status="open").first()
        return [survey.public_path()] if survey else []


def main():
    fresh_database()
    call_command("seed_demo", verbosity=0)
    organizer = Client()
    assert organizer.login(email="rosa@example.org", password="organize-together")
    visitor = Client()
    rows = []
    for url in pages(organizer):
        measured = measure(organizer, url)
        if measured:
            rows.append(("organizer", url, *measured))
    for url in [f"/i/{SLUG}/", *public_surveys()]:
        measured = measure(visitor, url)
        if measured:
            rows.append(("visitor", url, *measured))
    print("| page | as | HTML | HTML gzipped | CSS + JS gzipped | total (HTML + assets gz) |")
    print("|---|---|---|---|---|---|")
    over = []
    for viewer, url, html, html_gz, assets, _names in rows:
        total = html + assets
        print(
            f"| `{url}` | {viewer} | {html / 1000:.1f} KB | {html_gz / 1000:.1f} KB | {assets / 1000:.1f} KB "
            f"| {total / 1000:.1f} KB |"
        )
        if total > TARGET:
            over.append(url)
    heaviest = max(rows, key=lambda row: row[2] + row[4])
    print(
        f"\n{len(rows)} pages; heaviest {heaviest[1]} at {(heaviest[2] + heaviest[4]) / 1000:.1f} KB; "
        f"over {TARGET // 1000} KB: {over or 'none'}"
    )
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
