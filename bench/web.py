"""Web throughput and latency: the app under gunicorn (or granian) with production settings, driven by wrk.

    .venv/bin/python bench/web.py --database-url postgres://postgres@127.0.0.1:5432/dp_benchweb_run \\
        --redis-url redis://127.0.0.1:6379/2 [--slug SLUG] [--proposal PK] [--survey TOKEN] \\
        [--member EMAIL] [--password PASSWORD] [--server gunicorn granian] [--concurrency 1 8 32] \\
        [--duration 10] [--threads 1] [--pages ...] [--reference-each] [--json var/bench-web/results.json]

What it does:
1. collectstatic into its own var directory (production settings use the manifest storage);
2. starts the server on 127.0.0.1 with 2 workers and production settings: DEBUG off, a random
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, PostgreSQL (DATABASE_URL), Redis cache (REDIS_URL),
   SECURE_HTTPS=0 (plain http on loopback: no HTTPS redirect, cookies without the Secure flag;
   everything else as in production), access log off, and PUBLIC_FORM_LIMIT raised so that the
   per-client limit on public forms does not refuse the survey submissions it replays;
3. signs a member in over HTTP, reads the proposal page's ballot form and the public survey's
   pages, and fills them the way a browser would (bench/forms.py) to get a POST the app accepts;
4. runs wrk (bounded in time) per page and concurrency, counting status codes in Lua; a run with
   any unexpected status is reported as such;
5. prints a table: requests/s, p50/p95/p99, errors, the 1-minute load average during the run and
   each page's throughput as a share of its reference in the same run (the bare view for
   anonymous pages, the bare view that loads the session and user for members' pages and POSTs).
   With --reference-each the reference is measured again right before each page and the share is
   of that one: this machine's speed drifts within a run by up to a third, which skews shares taken
   a minute after their reference (both ways).

Nothing is asserted: numbers go to bench/README.md. Votes are cast again and again on one open
ballot (open ballots can be changed until the close) and each survey submission adds a response,
so point it only at a benchmark database.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from forms import encoded, filled, form_with, hidden_value  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
VAR = REPO / "var" / "bench-web"


# --- choosing what to request --------------------------------------------------------------


def discover(database_url, slug, proposal, survey):
    """Slug, an open proposal with an open (changeable) ballot and a member on its roll, and an open
    survey without an access code, read from the database when not given."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-discovery-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dualpower.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from decisions.models import Proposal, RollEntry
    from needs.models import Survey

    with scopes_disabled():
        proposals = Proposal.objects.filter(status=Proposal.Status.VOTING, secret=False, deadline__gt=timezone.now())
        if slug:
            proposals = proposals.filter(institution__slug=slug)
        if proposal:
            proposals = Proposal.objects.filter(pk=proposal)
        chosen = proposals.select_related("institution").order_by("pk").first()
        if chosen is None:
            raise SystemExit("No open, non-secret proposal in voting found (give --slug/--proposal).")
        slug = chosen.institution.slug
        voters = list(
            RollEntry.objects.filter(proposal=chosen).order_by("pk").values_list("user__email", flat=True)[:50]
        )
        surveys = Survey.objects.filter(institution=chosen.institution, status=Survey.Status.OPEN, access_code="")
        if survey:
            surveys = Survey.objects.filter(token=survey)
        token = surveys.order_by("pk").values_list("token", flat=True).first()
        if token is None:
            raise SystemExit(f"No open survey without an access code in {slug} (give --survey).")
    return slug, chosen.pk, voters, token


# --- the server ----------------------------------------------------------------------------


def server_env(args):
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}},
        "DJANGO_SETTINGS_MODULE": "dualpower.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "SECURE_HTTPS": "0",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "PUBLIC_FORM_LIMIT": str(10**9),
        "DUALPOWER_VAR_DIR": str(VAR),
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return env


def collectstatic(env):
    subprocess.run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )


def server_command(name, port, workers, threads=1):
    if name == "gunicorn":
        return [
            VENV_BIN / "gunicorn",
            "dualpower.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            # More than one thread makes them gthread workers: a thread waiting on PostgreSQL lets another run.
            f"--threads={threads}",
            "--worker-tmp-dir=/dev/shm",
        ]
    if name == "granian":
        return [
            VENV_BIN / "granian",
            "--interface=wsgi",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            # Threads per worker as asked (one: a request at a time, as gunicorn's sync workers):
            # granian's default of many threads per worker opens a database connection per thread
            # (CONN_MAX_AGE keeps them) and ran PostgreSQL out of connections ("too many clients")
            # at 32 connections.
            f"--blocking-threads={threads}",
            "--no-ws",
            "dualpower.wsgi:application",
        ]
    raise SystemExit(f"unknown server {name}")


class Server:
    def __init__(self, name, args, env):
        self.name, self.args, self.env = name, args, env
        self.log = VAR / f"{name}.log"

    def __enter__(self):
        self.process = subprocess.Popen(
            server_command(self.name, self.args.port, self.args.workers, self.args.threads),
            cwd=REPO,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.args.port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
            if self.process.poll() is not None:
                break
        self.__exit__()
        raise SystemExit(f"{self.name} did not start; see {self.log}")

    def __exit__(self, *exc):
        # Only the process group this script started.
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


# --- a small browser -----------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, data=None):
        body = encoded(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310  (http://127.0.0.1 only)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def sign_in(base, email, password):
    browser = Browser(base)
    _status, _headers, html = browser.request("/accounts/login/")
    token = hidden_value(html, "csrfmiddlewaretoken")
    status, _headers, html = browser.request(
        "/accounts/login/", [("csrfmiddlewaretoken", token), ("login", email), ("password", password)]
    )
    if status != 302 or not browser.cookie("sessionid"):
        raise SystemExit(f"Could not sign in as {email} (status {status}).")
    return browser


def ballot(browser, proposal_path):
    """The vote POST a member's browser sends from the proposal page (checked: the app accepts it)."""
    _status, _headers, html = browser.request(proposal_path)
    form = form_with(html, lambda f: f.method == "post" and f.action.endswith("/vote/"))
    if form is None:
        raise SystemExit(f"No ballot form on {proposal_path}: is the member on the voter roll?")
    data = filled(form)
    status, _headers, body = browser.request(form.action, data)
    if status != 302:
        raise SystemExit(f"The ballot was refused ({status}): {data}")
    return form.action, encoded(data)


def survey_submission(base, survey_path):
    """Walk the public survey page by page as an anonymous visitor; the last page's POST (which
    carries every earlier answer) is the submission to replay."""
    browser = Browser(base)
    _status, _headers, html = browser.request(survey_path)
    for _page in range(50):
        form = form_with(html, lambda f: f.method == "post" and "survey-form" in f.css_class)
        data = [(name, value) for name, value in filled(form) if name != "back"]
        status, headers, html = browser.request(survey_path, data)
        if status == 302:
            return encoded(data), browser.cookie_header()
        if status != 200:
            raise SystemExit(f"The survey answer was refused ({status}).")
    raise SystemExit("The survey did not end after 50 pages.")


# --- wrk -----------------------------------------------------------------------------------

LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
wrk.method = %(method)s
wrk.body = %(body)s
wrk.headers["Cookie"] = %(cookie)s
%(content_type)s
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counted[tostring(status)] = (counted[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do table.insert(parts, string.format('"%%s": %%d', status, n)) end
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"errors": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


def lua_string(value):
    return "nil" if value is None else json.dumps(value)


def wrk(url, *, method="GET", body=None, cookie=None, concurrency=1, duration=10):
    script = LUA % {
        "method": lua_string(method),
        "body": lua_string(body),
        "cookie": lua_string(cookie or ""),
        "content_type": 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"' if body else "",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        threads = 1 if concurrency < 4 else 2
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{duration}s", "--timeout=10s", "-s", handle.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- the run -------------------------------------------------------------------------------

# name -> (who asks, expected status, reference for the ratio)
PAGES = {
    "bare": ("anonymous", 200, None),
    "bare-session": ("member", 200, None),
    "public-home": ("anonymous", 200, "bare"),
    "survey": ("anonymous", 200, "bare"),
    "survey-submit": ("anonymous", 302, "bare"),
    "member-home": ("member", 200, "bare-session"),
    "proposal": ("member", 200, "bare-session"),
    "health": ("member", 200, "bare-session"),
    "vote": ("member", 302, "bare-session"),
}


def targets(args):
    slug, proposal, voters, token = discover(args.database_url, args.slug, args.proposal, args.survey)
    member = args.member or (voters[0] if voters else None)
    if member is None:
        raise SystemExit("Nobody is on the proposal's voter roll.")
    return {"slug": slug, "proposal": proposal, "survey": token, "member": member}


def requests_for(base, chosen, password):
    slug, pk, token = chosen["slug"], chosen["proposal"], chosen["survey"]
    member = sign_in(base, chosen["member"], password)
    member_cookie = member.cookie_header()
    vote_path, vote_body = ballot(member, f"/i/{slug}/decisions/{pk}/")
    survey_path = f"/i/{slug}/needs/s/{token}/"
    survey_body, survey_cookie = survey_submission(base, survey_path)
    return {
        "bare": {"path": "/bench/bare/"},
        "bare-session": {"path": "/bench/bare-session/", "cookie": member_cookie},
        "public-home": {"path": f"/i/{slug}/"},
        "survey": {"path": survey_path},
        "survey-submit": {"path": survey_path, "method": "POST", "body": survey_body, "cookie": survey_cookie},
        "member-home": {"path": f"/i/{slug}/", "cookie": member_cookie},
        "proposal": {"path": f"/i/{slug}/decisions/{pk}/", "cookie": member_cookie},
        "health": {"path": f"/i/{slug}/evaluation/health/", "cookie": member_cookie},
        "vote": {"path": vote_path, "method": "POST", "body": vote_body, "cookie": member_cookie},
    }


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_server(name, args, env, chosen):
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    with Server(name, args, env):
        plan = requests_for(base, chosen, args.password)

        def measure(page, concurrency, adjacent_for=None):
            spec = plan[page]
            url = base + spec["path"]
            options = {key: value for key, value in spec.items() if key != "path"}
            # Warm the workers' caches and connections, briefly, at this concurrency.
            wrk(url, concurrency=concurrency, duration=1, **options)
            before = load_average()
            result = wrk(url, concurrency=concurrency, duration=args.duration, **options)
            result.update(
                server=name,
                page=page,
                concurrency=concurrency,
                load=max(before, load_average()),
                path=spec["path"],
                adjacent_for=adjacent_for,
            )
            expected = str(PAGES[page][1])
            result["unexpected"] = result["errors"] + sum(n for s, n in result["statuses"].items() if s != expected)
            rows.append(result)
            label = page if adjacent_for is None else f"{page} (for {adjacent_for})"
            print(
                f"{name:8} c={concurrency:<3} {label:14} {result['rps']:8.1f} req/s  "
                f"p50 {result['p50'] / 1000:7.1f} ms  p99 {result['p99'] / 1000:7.1f} ms  "
                f"unexpected {result['unexpected']}  load {result['load']:.2f}",
                flush=True,
            )

        for concurrency in args.concurrency:
            for page in args.pages:
                reference = PAGES[page][2]
                if args.reference_each and reference:
                    # The machine's speed drifts within a run: measure the reference right before.
                    measure(reference, concurrency, adjacent_for=page)
                measure(page, concurrency)
    return rows


def ratios(rows):
    """Each page's share of its reference: the reference measured right before it when there is one
    (--reference-each), else the one at the start of the same server and concurrency."""
    first = {}
    adjacent = {}
    for r in rows:
        key = (r["server"], r["concurrency"])
        if r.get("adjacent_for"):
            adjacent[(*key, r["adjacent_for"])] = r
        else:
            first.setdefault((*key, r["page"]), r)
    for row in rows:
        reference = PAGES[row["page"]][2]
        key = (row["server"], row["concurrency"])
        ref = None
        if reference and not row.get("adjacent_for"):
            ref = adjacent.get((*key, row["page"])) or first.get((*key, reference))
        row["reference"] = reference if ref else None
        row["ratio"] = row["rps"] / ref["rps"] if ref and ref["rps"] else None
    return rows


def table(rows):
    lines = [
        "| server | conc. | page | req/s | p50 ms | p95 ms | p99 ms | share of reference | load avg | unexpected |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        share = f"{r['ratio']:.0%} of {r['reference']}" if r["ratio"] is not None else "reference"
        if r.get("adjacent_for"):
            share = f"reference for {r['adjacent_for']}"
        lines.append(
            f"| {r['server']} | {r['concurrency']} | {r['page']} | {r['rps']:.1f} | {r['p50'] / 1000:.1f} | "
            f"{r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} | {share} | {r['load']:.2f} | {r['unexpected']} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", ""))
    parser.add_argument("--slug")
    parser.add_argument("--proposal", type=int)
    parser.add_argument("--survey", help="token of an open survey without an access code")
    parser.add_argument("--member", help="e-mail of a member on the proposal's voter roll")
    parser.add_argument("--password", default="organize-together")
    parser.add_argument("--server", nargs="+", default=["gunicorn"], choices=["gunicorn", "granian"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gunicorn gthread)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--concurrency", nargs="+", type=int, default=[1, 8, 32])
    parser.add_argument("--duration", type=int, default=10, help="seconds per page and concurrency")
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument(
        "--reference-each",
        action="store_true",
        help="measure the reference view again right before each page, and take the share of that",
    )
    parser.add_argument("--json", type=Path, default=VAR / "results.json")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres") or not args.redis_url:
        raise SystemExit("Give --database-url (PostgreSQL) and --redis-url: the benchmark runs the production shape.")
    for page in ("bare", "bare-session"):
        if page not in args.pages:
            args.pages.insert(0, page)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk).")
    VAR.mkdir(parents=True, exist_ok=True)
    env = server_env(args)
    collectstatic(env)
    chosen = targets(args)
    print(f"data: {args.database_url.rsplit('/', 1)[-1]} {chosen}", flush=True)
    rows = []
    for name in args.server:
        rows += run_server(name, args, env, chosen)
    rows = ratios(rows)
    args.json.write_text(json.dumps({"targets": chosen, "rows": rows}, indent=1))
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
