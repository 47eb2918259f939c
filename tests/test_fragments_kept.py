"""The layout's kept fragments (CACHES["fragments"], templates/base.html): a page served from the kept
copy says what a freshly rendered one would, for every role, name, language and page."""

import pytest
from django.core.cache import caches
from django.urls import reverse, set_script_prefix
from django_scopes import scope

from institutions.models import Membership

pytestmark = pytest.mark.django_db


def _nav(response):
    """The institution's menu as served, from its bar to the end of the steps."""
    html = response.content.decode()
    start = html.index('<div class="institution-bar">')
    return html[start : html.index("</nav>", start)]


def _kept_entries():
    return len(caches["fragments"]._cache)


@pytest.fixture(autouse=True)
def fresh_fragments():
    caches["fragments"].clear()
    yield
    caches["fragments"].clear()


def test_the_menu_is_kept_and_served_again_as_rendered(member_client, institution):
    url = reverse("institutions:home", args=[institution.slug])
    first = member_client.get(url)
    kept = _kept_entries()
    assert kept >= 1
    again = member_client.get(url)
    assert _kept_entries() == kept
    assert _nav(again) == _nav(first)


def test_an_organizer_and_a_member_each_get_their_own_menu_on_the_same_page(
    organizer_client, member_client, institution
):
    url = reverse("decisions:index", args=[institution.slug])
    settings_url = reverse("institutions:settings", args=[institution.slug])
    assert settings_url in _nav(organizer_client.get(url))
    assert settings_url not in _nav(member_client.get(url))
    assert settings_url in _nav(organizer_client.get(url))


def test_a_role_change_shows_at_once(member_client, member, institution):
    url = reverse("institutions:home", args=[institution.slug])
    settings_url = reverse("institutions:settings", args=[institution.slug])
    assert settings_url not in _nav(member_client.get(url))
    with scope(institution=institution):
        Membership.objects.filter(user=member, institution=institution).update(role=Membership.Role.ORGANIZER)
    assert settings_url in _nav(member_client.get(url))


def test_a_new_name_shows_at_once(member_client, institution):
    url = reverse("institutions:home", args=[institution.slug])
    assert institution.name in _nav(member_client.get(url))
    type(institution).objects.filter(pk=institution.pk).update(name="Eastside Tenants Together")
    assert "Eastside Tenants Together" in _nav(member_client.get(url))


def test_the_current_page_is_marked_on_each_page(member_client, institution):
    home = reverse("institutions:home", args=[institution.slug])
    decisions = reverse("decisions:index", args=[institution.slug])
    on_home = _nav(member_client.get(home))
    on_decisions = _nav(member_client.get(decisions))
    assert f'href="{home}" aria-current="page"' in on_home
    assert f'href="{decisions}" aria-current="page"' not in on_home
    assert f'href="{decisions}" aria-current="page"' in on_decisions
    assert f'href="{home}" aria-current="page"' not in on_decisions


def test_each_language_has_its_own_menu_and_language_choice(member_client, institution):
    url = reverse("decisions:index", args=[institution.slug])
    english = member_client.get(url, headers={"accept-language": "en"})
    member_client.cookies["django_language"] = "es"
    spanish = member_client.get(url)
    assert ">Decisions<" in _nav(english)
    assert ">Decisiones<" in _nav(spanish)
    assert '<option value="es" selected' in spanish.content.decode()
    assert '<option value="en" selected' in english.content.decode()


def test_a_changed_setting_forgets_the_kept_fragments(member_client, institution, settings):
    member_client.get(reverse("institutions:home", args=[institution.slug]))
    assert _kept_entries() >= 1
    settings.STATIC_URL = "/assets/"
    assert _kept_entries() == 0


def test_addresses_follow_the_script_prefix_the_app_is_served_under(member_client, institution):
    url = reverse("institutions:home", args=[institution.slug])
    profile = reverse("profile")
    plain = member_client.get(url).content.decode()
    set_script_prefix("/app/")  # what the WSGI handler does for SCRIPT_NAME=/app (the test client does not)
    try:
        prefixed = member_client.get(url).content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="{profile}"' in plain
    assert f'href="/app{profile}"' in prefixed
