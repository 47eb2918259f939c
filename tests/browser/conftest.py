"""Browser tests: one Chromium for the whole session, a fresh 360×740 context per test.

Helpers shared by the browser tests:

- `browser` (session): a headless Chromium driven by Playwright.
- `new_context` / `page`: a new, isolated browser context (cookies, storage) per person.
- `axe_check(page)`: fails the test with a readable list of WCAG 2.x A/AA + 2.2 AA violations.
- `outbox`: switches the live server's mailer to the file backend in a tmp folder;
  `outbox.link(pattern)` returns the first link matching `pattern` in the newest message.
- `login(page, email)`: logs in through the real allauth form.
"""

import email
import email.policy
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 360, "height": 740}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Generous enough for a cold start of the live server, short enough to fail fast.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def _playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser):
    """Open another, separate browser context (another person); all are closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(viewport=VIEWPORT, **options)
        # Remembered for axe_check, which cannot run where scripts are off.
        context.dualpower_javascript = options.get("java_script_enabled", True)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


_axe = Axe()


def _describe_violations(violations, url):
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        targets = [", ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])]
        shown = "; ".join(targets[:3]) + (f"; … (+{len(targets) - 3} more)" if len(targets) > 3 else "")
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation.get('help')} "
            f"({len(targets)} node(s): {shown})"
        )
    return "\n".join(lines)


# What a run of axe says when the document it started on was replaced under it.
NAVIGATED_AWAY = ("Execution context was destroyed", "reading 'documentElement'")


def run_axe(page):
    """Run axe-core on the page once it has loaded and htmx has finished (a request in flight dims its
    form, which axe would read as low contrast); return the list of violations.

    A click on a link returns once the next page is on its way, so axe can start on the old document
    as it is replaced: it is then run again, once, on the page that loaded."""
    try:
        return _run_axe_on_loaded(page)
    except PlaywrightError as error:
        if not any(sign in str(error) for sign in NAVIGATED_AWAY):
            raise
    return _run_axe_on_loaded(page)


def _run_axe_on_loaded(page):
    page.wait_for_load_state("load")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def check_accessibility(page):
    if getattr(page.context, "dualpower_javascript", True):
        violations = run_axe(page)
    else:
        # With JavaScript off, axe's timers never fire and axe.run() would hang forever. Check the
        # same address, as the same signed-in person, in a twin context with scripts on. (A page
        # that only exists as the answer to a POST cannot be checked this way.)
        twin = page.context.browser.new_context(viewport=VIEWPORT, storage_state=page.context.storage_state())
        try:
            twin_page = twin.new_page()
            twin_page.set_default_timeout(TIMEOUT_MS)
            twin_page.goto(page.url)
            violations = run_axe(twin_page)
        finally:
            twin.close()
    if violations:
        pytest.fail(_describe_violations(violations, page.url), pytrace=False)


@pytest.fixture
def axe_check():
    """`axe_check(page)`: fail the test if axe finds WCAG 2.x A/AA or 2.2 AA violations on the page."""
    return check_accessibility


class Outbox:
    """The live server's mail, written as files into one folder."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def messages(self):
        """Every message sent so far, oldest first."""
        found = []
        files = sorted(self.folder.glob("*.log"), key=lambda path: (path.stat().st_mtime_ns, path.name))
        for path in files:
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk.lstrip(b"\n"), policy=email.policy.default))
        return found

    def newest(self):
        messages = self.messages()
        assert messages, f"No e-mail was sent (looked in {self.folder})."
        return messages[-1]

    @staticmethod
    def text_of(message):
        body = message.get_body(preferencelist=("plain", "html"))
        return body.get_content() if body is not None else ""

    def link(self, pattern, *, base_url=None):
        """The first link in the newest message whose URL matches the regex `pattern`.

        With `base_url`, the link's scheme and host are replaced by it (the mail says https://,
        the live server speaks http://).
        """
        message = self.newest()
        text = self.text_of(message)
        for url in re.findall(r"https?://[^\s\"'<>]+", text):
            if re.search(pattern, url):
                if base_url:
                    parts = urlsplit(url)
                    url = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
                return url
        raise AssertionError(f"No link matching {pattern!r} in the newest message {message['Subject']!r}:\n{text}")


@pytest.fixture
def outbox(settings, tmp_path):
    """Send the live server's mail to files in a tmp folder and read it back."""
    folder = tmp_path / "outbox"
    folder.mkdir()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    return Outbox(folder)


def log_in(page, base_url, email_address, password=PASSWORD, next_path=None, check=None):
    """Log in through the real allauth form; wait until the browser has left the login page.

    `check`, if given, is called with the page once the login form is showing (e.g. `axe_check`).
    """
    url = f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else "")
    page.goto(url)
    if check is not None:
        check(page)
    page.locator("input[name=login]").fill(email_address)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    assert "/accounts/login/" not in page.url, f"Login failed for {email_address}: still on {page.url}"


@pytest.fixture
def login(live_server):
    """`login(page, email)`: log a person in through the real login form on the live server."""

    def do(page, email_address, password=PASSWORD, next_path=None, check=None):
        log_in(page, live_server.url, email_address, password, next_path, check)

    return do
