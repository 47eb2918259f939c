"""Security checks that run with the suite (CI runs `make test`, so a test is how a check runs in CI).

- `manage.py check --deploy` with production settings: `tests/test_deploy_check.py`.
- bandit on our code: no high-severity finding.
- pip-audit on the locked dependencies: no known vulnerability, and every package really audited.
- Content Security Policy: no `unsafe-inline`/`unsafe-eval` on real pages, no inline script, style or
  handler in any page template. (`tests/test_pages.py` also checks every page's rendered HTML.)
- Session and CSRF cookie flags as a deployment sets them, read from a real Set-Cookie.
- Rate limits: allauth's login limit answers 429 here. The public forms answer 429 after
  `PUBLIC_FORM_LIMIT` in their own apps' tests:
  `needs/tests/test_survey_answer.py::test_a_flood_from_one_client_is_throttled` (public survey),
  `meetings/tests/test_meetings.py::test_an_rsvp_flood_is_throttled` (public RSVP),
  `consultation/tests/test_rounds.py::test_a_flood_from_one_client_is_throttled` (consultation round),
  `evaluation/tests/test_selfeval.py::test_a_flood_from_one_connection_is_throttled` (self-evaluation).
  `tests/test_pages.py::test_login_failures_are_rate_limited` covers the per-address lockout after
  failed logins.
- Secret ballots: read straight from the database, system columns included (below).
"""

import json
import re
import shutil
import subprocess
import sys
import textwrap
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from decisions.models import Proposal, RollEntry, SecretBallot
from tests.factories import MembershipFactory, proposal_in_voting, survey_example
from tests.test_deploy_check import production_env  # noqa: F401  (a fixture: the production environment)

REPO_ROOT = Path(__file__).resolve().parent.parent
# Ours: everything but the environment, tests, migrations and generated files.
NOT_OURS = [".venv", ".tools", "var", "locale", "tests", "*/tests/*", "*/migrations/*", "conftest.py", ".git"]


def test_bandit_finds_no_high_severity_issue():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-r",
            ".",
            "-q",
            "-f",
            "json",
            "-x",
            ",".join(f"./{p}" if "*" not in p else p for p in NOT_OURS),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout, f"bandit printed nothing:\n{result.stderr}"
    report = json.loads(result.stdout)
    scanned = [name for name in report["metrics"] if name != "_totals"]
    assert len(scanned) > 100, f"bandit scanned only {len(scanned)} files: the exclusions are wrong"
    assert not any("/tests/" in name or "/migrations/" in name or ".venv" in name for name in scanned)
    assert report["errors"] == [], report["errors"]
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] == "HIGH"
    ]
    assert high == [], "high-severity bandit findings:\n" + "\n".join(high)


def uv_binary():
    found = shutil.which("uv") or REPO_ROOT / ".tools" / "bin" / "uv"
    assert Path(found).exists(), "uv is needed to export the lock file (make setup installs it)"
    return str(found)


def test_locked_dependencies_have_no_known_vulnerabilities(tmp_path):
    requirements = tmp_path / "requirements.txt"
    subprocess.run(
        [
            uv_binary(),
            "export",
            "--frozen",
            "--no-hashes",
            "--all-groups",
            "--no-emit-project",
            "-q",
            "-o",
            requirements,
        ],
        cwd=REPO_ROOT,
        check=True,
        timeout=60,
    )
    pinned = re.findall(r"^([A-Za-z0-9_.-]+)==", requirements.read_text(), re.MULTILINE)
    assert len(pinned) > 50, "the export lists too few packages"
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", requirements, "--disable-pip", "--no-deps"]
        + ["--progress-spinner", "off", "--timeout", "20", "-f", "json", "-o", tmp_path / "audit.json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report_file = tmp_path / "audit.json"
    assert report_file.exists(), f"pip-audit did not run to the end:\n{result.stderr[-3000:]}"
    dependencies = json.loads(report_file.read_text())["dependencies"]
    # pip-audit reports "No known vulnerabilities found" even when the service answered for nothing:
    # a package it could not look up is skipped, and that must fail, not pass.
    skipped = [f"{d['name']}: {d['skip_reason']}" for d in dependencies if "skip_reason" in d]
    if dependencies and len(skipped) == len(dependencies):
        # The machines here reach PyPI's package index but not its per-release JSON (404) nor OSV:
        # nothing can be audited. Said as a skip in every run's summary, never as a pass.
        pytest.skip(
            f"No vulnerability service answers from this machine: none of {len(dependencies)} locked packages "
            f"could be looked up ({skipped[0]})"
        )
    assert not skipped, (
        f"The vulnerability service could not be asked about {len(skipped)} of {len(dependencies)} locked "
        "packages (no network, or the index here serves no per-release vulnerability data), so the lock is "
        "NOT audited:\n" + "\n".join(skipped[:10])
    )
    vulnerable = [
        f"{d['name']} {d['version']}: " + ", ".join(v["id"] + (f" (fixed in {v['fix_versions']})") for v in d["vulns"])
        for d in dependencies
        if d.get("vulns")
    ]
    assert vulnerable == [], "known vulnerabilities in the lock (upgrade with `uv lock -P NAME`):\n" + "\n".join(
        vulnerable
    )
    assert {d["name"] for d in dependencies} >= {"django", "django-allauth", "celery", "psycopg"}


# --- Content Security Policy -------------------------------------------------------------------

TEMPLATE_DIRS = [REPO_ROOT / "templates", *REPO_ROOT.glob("*/templates")]
# What a strict CSP (script-src and style-src 'self') blocks in a page.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def page_templates():
    """Every template a browser renders as a page. E-mail bodies are left out: mail programs need
    inline styles, and our CSP does not apply there."""
    return sorted(
        path
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".html", ".svg"} and "email" not in path.relative_to(folder).parts
    )


def test_page_templates_have_no_inline_script_style_or_handler():
    templates = page_templates()
    assert len(templates) > 100, "the template search found too few templates"
    problems = []
    for path in templates:
        text = path.read_text()
        for what, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("on*= handler", HANDLER_ATTRIBUTE),
            ("javascript: URL", JAVASCRIPT_URL),
        ]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(REPO_ROOT)}:{line}: {what}")
    assert problems == [], "the CSP would block these:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "pattern",
    [INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, HANDLER_ATTRIBUTE, JAVASCRIPT_URL],
    ids=["script", "style-attr", "style-element", "handler", "javascript-url"],
)
def test_the_template_scan_catches_what_it_looks_for(pattern):
    samples = [
        "<script>alert(1)</script>",
        '<p style="color:red">',
        "<style>p{}</style>",
        '<button onclick="go()">',
        '<a href="javascript:go()">',
    ]
    assert [bool(pattern.search(s)) for s in samples].count(True) == 1
    assert not pattern.search('<script src="/static/htmx.min.js" defer></script><p class="note">')


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.fixture
def main_pages(institution, organizer):
    proposal = proposal_in_voting(institution, organizer)
    survey = survey_example(institution, organizer)
    slug = {"institution_slug": institution.slug}
    anonymous = [
        reverse("home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("institutions:home", kwargs=slug),
        reverse("needs:answer", kwargs={**slug, "token": survey.token}),
    ]
    signed_in = [
        reverse("home"),
        reverse("institutions:home", kwargs=slug),
        reverse("decisions:index", kwargs=slug),
        reverse("decisions:detail", kwargs={**slug, "pk": proposal.pk}),
        reverse("needs:surveys", kwargs=slug),
        reverse("institutions:members", kwargs=slug),
    ]
    return anonymous, signed_in


def test_csp_header_on_main_pages_allows_nothing_inline(client, member_client, main_pages):
    anonymous, signed_in = main_pages
    seen = 0
    for who, pages in [(client, anonymous), (member_client, signed_in)]:
        for path in pages:
            response = who.get(path)
            assert response.status_code == 200, path
            directives = csp_directives(response["Content-Security-Policy"])
            for directive, sources in directives.items():
                assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"} & set(sources), (
                    f"{path}: {directive} {sources}"
                )
            assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"], path
            assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"], path
            assert directives["frame-ancestors"] == ["'none'"] and directives["base-uri"] == ["'none'"], path
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html) and not STYLE_ATTRIBUTE.search(html), path
            assert not HANDLER_ATTRIBUTE.search(html), path
            seen += 1
    assert seen == len(anonymous) + len(signed_in)


# --- Cookies as a deployment sets them ----------------------------------------------------------

# Runs in a child process with production settings (no pytest imported, DUALPOWER_TESTING unset): it
# signs a verified member in through the real login view over HTTPS and prints the Set-Cookie headers.
LOGIN_AND_PRINT_COOKIES = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.test import Client
    from accounts.models import User
    user = User.objects.create_user(email="mo@example.org", password="organize-together-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client(HTTP_HOST="example.org")
    response = client.post("/accounts/login/", {"login": user.email, "password": "organize-together-1"}, secure=True)
    print(json.dumps({
        "status": response.status_code,
        "set_cookie": [morsel.OutputString() for morsel in response.cookies.values()],
        "names": [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME],
    }))
    """
)


def test_session_and_csrf_cookies_carry_secure_flags_in_production(production_env):  # noqa: F811
    env = {**production_env, "DJANGO_SETTINGS_MODULE": "dualpower.settings"}
    result = subprocess.run(
        [sys.executable, "-c", LOGIN_AND_PRINT_COOKIES],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 302, "the sign-in did not go through"
    session_name, csrf_name = answer["names"]
    cookies = SimpleCookie()
    for header in answer["set_cookie"]:
        cookies.load(header)
    assert {session_name, csrf_name} <= set(cookies), answer["set_cookie"]
    session, csrf = cookies[session_name], cookies[csrf_name]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax", session.OutputString()
    assert csrf["secure"] and csrf["samesite"] == "Lax", csrf.OutputString()


# --- Rate limits --------------------------------------------------------------------------------


def test_login_answers_429_after_the_rate_limit(client, member):
    per_address = [rate for rate in parse_rates(settings.ACCOUNT_RATE_LIMITS["login"]) if rate.per == "ip"]
    assert per_address, "the login rate limit must count per address"
    limit = min(rate.amount for rate in per_address)
    url = reverse("account_login")
    answers = [
        client.post(url, {"login": f"nobody{n}@example.org", "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
        for n in range(limit + 2)
    ]
    assert [a.status_code for a in answers[:limit]] == [200] * limit
    assert [a.status_code for a in answers[limit:]] == [429, 429]
    # Once limited, not even the right password signs in from that address.
    from tests.factories import PASSWORD

    refused = client.post(url, {"login": member.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.4").post(url, {"login": member.email, "password": PASSWORD})
    assert other.status_code == 302


# --- Secret ballots, read straight from the database ---------------------------------------------


def all_rows(cursor, table):
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
    return cursor.fetchall()


def physical_order(cursor, table, column, where):
    """`column` of the rows in the order they sit in storage (what a plain SELECT or a dump shows):
    ctid on PostgreSQL, rowid on SQLite."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    cursor.execute(f"SELECT {column} FROM {table} WHERE {where} ORDER BY {position}")
    return [str(row[0]) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_secret_ballots_cannot_be_joined_to_voters_by_anything_in_the_database(institution, organizer, member):
    """Raw SQL over the whole database after a secret vote cast through the real vote view.

    Who voted is known (the roll); to learn *how* someone voted you must pair a ballot with a voter,
    through a value (a key, a receipt, a transaction id) or an order (time, sequence, storage
    position) that both sides share. None may exist. `decisions/tests/test_services.py` checks the
    models' fields; this reads what is really stored, system columns included."""

    extra = [MembershipFactory(institution=institution).user for _ in range(6)]
    proposal = proposal_in_voting(institution, organizer, secret=True)
    vote = reverse("decisions:vote", kwargs={"institution_slug": institution.slug, "pk": proposal.pk})
    # Voting order is the reverse of the roll's order, so an order kept on both sides would show.
    voters = list(reversed([organizer, member, *extra]))
    receipts_of = {}
    with scopes_disabled():
        roll_ids = {e.user_id: e.pk for e in RollEntry.objects.filter(proposal=proposal)}
        assert set(roll_ids) == {v.pk for v in voters}
        for n, voter in enumerate(voters):
            client = Client()
            client.force_login(voter)
            before = set(SecretBallot.objects.filter(proposal=proposal).values_list("receipt", flat=True))
            answer = client.post(vote, {"choice": ["yes", "no", "abstain"][n % 3]}, headers={"HX-Request": "true"})
            assert answer.status_code == 200
            (receipts_of[voter.pk],) = (
                set(SecretBallot.objects.filter(proposal=proposal).values_list("receipt", flat=True)) - before
            )
        ballots = {str(b.pk): b.receipt for b in SecretBallot.objects.filter(proposal=proposal)}
    assert sorted(ballots.values()) == sorted(receipts_of.values()) and len(ballots) == len(voters)
    ballot_table = SecretBallot._meta.db_table

    with connection.cursor() as cursor:
        introspection = connection.introspection
        tables = introspection.table_names(cursor)
        # 1. No value: a ballot's key or receipt appears in no other table, not even inside a session.
        secrets_ = set(ballots) | {key.replace("-", "") for key in ballots} | set(ballots.values())
        for table in tables:
            if table == ballot_table:
                continue
            for row in all_rows(cursor, table):
                text = " ".join(str(value) for value in row)
                if table == "django_session":
                    text += " " + json.dumps(SessionStore().decode(row[1]), default=str)
                leaked = [s for s in secrets_ if s in text]
                assert not leaked, f"{table} holds a secret ballot's key or receipt: {row}"
        # 2. No reference: nothing points at a ballot, and a ballot points at its proposal only.
        for table in tables:
            relations = introspection.get_relations(cursor, table)
            assert ballot_table not in {relation[1] for relation in relations.values()}, table
        assert {r[1] for r in introspection.get_relations(cursor, ballot_table).values()} == {Proposal._meta.db_table}
        columns = {c.name for c in introspection.get_table_description(cursor, ballot_table)}
        assert columns == {"id", "proposal_id", "receipt", "choice"}, "no voter, time or sequence column"
        # 3. No order: ballots are stored in the order of their random receipts, not in voting order.
        stored = physical_order(cursor, ballot_table, "receipt", f"proposal_id = {proposal.pk}")
        cast = [receipts_of[voter.pk] for voter in voters]
        assert stored == sorted(cast), "ballots are stored in the order they were cast, not by random receipt"
        if connection.vendor == "postgresql":
            # 4. No transaction mark: the transaction that writes a ballot also marks its voter on the
            # roll, so a ballot must not keep its own xmin (each vote rewrites the proposal's ballots).
            cursor.execute(f"SELECT DISTINCT xmin::text FROM {ballot_table} WHERE proposal_id = %s", [proposal.pk])
            assert len(cursor.fetchall()) == 1, "each ballot carries the id of the transaction that cast it"
