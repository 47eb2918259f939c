import time

import pytest
from django.urls import reverse

from accounts.middleware import SESSION_REFRESHED_KEY, SESSION_STARTED_KEY
from tests.factories import MembershipFactory


def test_home_lists_my_institutions_and_offers_to_start_one(member_client, institution, other_institution, member):
    MembershipFactory(institution=other_institution, user=member)
    page = member_client.get("/").content.decode()
    assert "Eastside Pantry" in page and "Riverside Garden" in page
    assert reverse("institution_create") in page


def test_anonymous_home_explains_and_offers_sign_up(client, db):
    page = client.get("/").content.decode()
    assert reverse("account_signup") in page and reverse("account_login") in page


def test_login_rotates_the_session_key(client, member):
    from tests.factories import PASSWORD

    client.get(reverse("account_login"))
    client.session["probe"] = 1
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before


def _age_session(client, **offsets):
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now - offsets.get("started", 0)
    session[SESSION_REFRESHED_KEY] = now - offsets.get("refreshed", 0)
    session.save()


def test_session_ends_after_absolute_lifetime_even_when_active(member_client, institution, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    _age_session(member_client, started=3601)
    response = member_client.get(f"/i/{institution.slug}/members/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_active_session_is_refreshed_at_most_every_few_minutes(member_client, institution, settings):
    settings.SESSION_REFRESH_SECONDS = 300
    _age_session(member_client, refreshed=10)
    member_client.get(f"/i/{institution.slug}/members/")
    assert time.time() - member_client.session[SESSION_REFRESHED_KEY] >= 10
    _age_session(member_client, refreshed=301)
    member_client.get(f"/i/{institution.slug}/members/")
    assert time.time() - member_client.session[SESSION_REFRESHED_KEY] < 5


def test_session_idle_timeout_comes_from_settings(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60 * 24 * 14
    assert settings.SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "home"])
def test_language_switch_never_redirects_off_site(client, db, next_url):
    response = client.post(reverse("set_language"), {"language": "es", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_language_switch_remembers_choice_for_signed_in_person(member_client, member):
    response = member_client.post(reverse("set_language"), {"language": "es", "next": "/profile/"})
    assert response["Location"] == "/profile/"
    member.refresh_from_db()
    assert member.language == "es"
    assert response.cookies["django_language"].value == "es"


def test_profile_saves_name_and_language(member_client, member):
    response = member_client.post(reverse("profile"), {"name": "Mo R.", "language": "es"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.language) == ("Mo R.", "es")


def test_signup_sends_verification_through_notifications(client, db, mailoutbox):
    from notifications.models import Delivery

    response = client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org",
            "name": "Fatima",
            "password1": "a-good-long-password",
            "password2": "a-good-long-password",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(email="newcomer@example.org").display_name == "Fatima"
    assert len(mailoutbox) == 1 and "/accounts/confirm-email/" in mailoutbox[0].body
    delivery = Delivery.objects.get(email="newcomer@example.org")
    assert delivery.kind == Delivery.Kind.ACCOUNT and delivery.status == Delivery.Status.SENT


def test_login_by_code_is_offered(client, db):
    assert reverse("account_request_login_code") in client.get(reverse("account_login")).content.decode()


def test_totp_setup_is_available_to_every_user(member_client):
    index = member_client.get(reverse("mfa_index"))
    assert index.status_code == 200 and reverse("mfa_activate_totp") in index.content.decode()
    # Turning it on asks for the password again first (allauth's reauthentication).
    response = member_client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_home_shows_email_invitations_waiting_for_me(client_for, institution, other_institution, member):
    from tests.factories import InvitationFactory

    waiting = InvitationFactory(institution=other_institution, email=member.email, max_uses=1)
    InvitationFactory(institution=institution, email=member.email, max_uses=1)  # already a member there
    InvitationFactory(institution=other_institution, email="someone-else@example.org", max_uses=1)
    html = client_for(member).get("/").content.decode()
    assert f"/i/{other_institution.slug}/invite/{waiting.token}/" in html
    assert html.count("/invite/") == 1


def test_signed_in_person_gets_their_profile_language(client_for, member):
    member.language = "es"
    member.save()
    html = client_for(member).get("/").content.decode()
    assert '<html lang="es">' in html


def test_institution_pages_show_times_in_its_time_zone(organizer_client, institution):
    from django.utils import timezone

    institution.time_zone = "America/Chicago"
    institution.save()
    from institutions import services

    entry = services.audit_record(institution=institution, actor=None, action="institution.updated", fields=["name"])
    entry.created_at = timezone.datetime(2026, 1, 15, 18, 0, tzinfo=timezone.UTC)
    entry.save()
    html = organizer_client.get(f"/i/{institution.slug}/audit/").content.decode()
    assert 'datetime="2026-01-15T12:00:00-06:00"' in html
