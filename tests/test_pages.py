"""Properties every page shares: security headers, no inline scripts, navigation, error pages."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from dualpower.steps import STEPS
from tests.test_permissions import MATRIX, shared_world, url_for  # noqa: F401  (shared_world is a fixture)
from tests.test_query_budgets import viewer_for

PAGES = [name for name, row in MATRIX.items() if 200 in row["get"].values() and name != "healthz"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


class TestEveryPage:
    @pytest.mark.parametrize("name", PAGES)
    def test_page_has_strict_csp_and_no_inline_script(self, name, shared_world, db, client_for):  # noqa: F811
        world = shared_world
        client = client_for(world["users"][viewer_for(MATRIX[name])])
        response = client.get(url_for(name, world))
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        # An export (CSV, ZIP) is streamed: read it whole; it is not HTML but must still carry the headers.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        html = body.decode(errors="replace")  # a ZIP download is binary
        assert not INLINE_SCRIPT.search(html), "inline <script> would be blocked by the CSP"
        assert not INLINE_HANDLER.search(html), "inline event handlers would be blocked by the CSP"
        assert "https://" not in re.sub(r'href="https://[^"]*"', "", html).split("<body", 1)[0], "no CDN in <head>"


def test_htmx_is_served_by_the_app(client, db):
    html = client.get("/").content.decode()
    src = re.search(r'<script[^>]+src="([^"]+htmx[^"]*)"', html).group(1)
    assert src.startswith("/static/")
    assert client.get(src).status_code == 200


def test_member_navigation_shows_the_seven_steps_decisions_and_members(member_client, institution):
    html = member_client.get(
        reverse("institutions:home", kwargs={"institution_slug": institution.slug})
    ).content.decode()
    nav = html.split('aria-label="Institution"', 1)[1].split("</nav>", 1)[0]
    for app in [*(step.app for step in STEPS), "decisions"]:
        assert reverse(f"{app}:index", kwargs={"institution_slug": institution.slug}) in nav
    assert reverse("institutions:members", kwargs={"institution_slug": institution.slug}) in nav
    assert reverse("institutions:settings", kwargs={"institution_slug": institution.slug}) not in nav


def test_organizer_navigation_adds_settings(organizer_client, institution):
    html = organizer_client.get(
        reverse("institutions:home", kwargs={"institution_slug": institution.slug})
    ).content.decode()
    assert reverse("institutions:settings", kwargs={"institution_slug": institution.slug}) in html


def test_public_page_shows_no_member_navigation_to_outsiders(outsider_client, institution):
    html = outsider_client.get(
        reverse("institutions:home", kwargs={"institution_slug": institution.slug})
    ).content.decode()
    assert 'aria-label="Institution"' not in html
    assert institution.need_statement in html
    assert reverse("institutions:join", kwargs={"institution_slug": institution.slug}) in html


def test_friendly_404_for_outsider(outsider_client, institution):
    response = outsider_client.get(reverse("institutions:members", kwargs={"institution_slug": institution.slug}))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_friendly_403_for_member_without_role(member_client, institution):
    response = member_client.get(reverse("institutions:settings", kwargs={"institution_slug": institution.slug}))
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_friendly_500_page_needs_no_database_or_context(db):
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_friendly_400_page(db):
    from django.views.defaults import bad_request

    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = bad_request(request, exception=None)
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()


def test_login_failures_are_rate_limited(client, member):
    from tests.factories import PASSWORD

    url = reverse("account_login")
    for _ in range(5):
        assert "are not correct" in client.post(url, {"login": member.email, "password": "wrong"}).content.decode()
    # Locked out for a while: even the right password is refused, with the reason.
    response = client.post(url, {"login": member.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
