"""What people see and can do on the institution pages (beyond who may open them)."""

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from institutions.models import AuditEntry, Institution, Invitation, JoinRequest, Membership
from tests.factories import InvitationFactory, JoinRequestFactory


def url(name, institution, **kwargs):
    return reverse(f"institutions:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def test_creating_an_institution_makes_me_its_organizer(outsider_client, outsider):
    response = outsider_client.post(
        reverse("institution_create"),
        {
            "name": "Tacoma Tenants",
            "slug": "tacoma-tenants",
            "kind": "counter",
            "need_statement": "Rents rise while repairs wait.",
            "description": "",
            "default_language": "en",
            "time_zone": "America/Los_Angeles",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/i/tacoma-tenants/"
    institution = Institution.objects.get(slug="tacoma-tenants")
    with scope(institution=institution):
        assert Membership.objects.get(user=outsider).role == Membership.Role.ORGANIZER


def test_create_form_refuses_a_taken_or_reserved_address(outsider_client, institution):
    for slug in [institution.slug, "admin"]:
        response = outsider_client.post(
            reverse("institution_create"),
            {
                "name": "X",
                "slug": slug,
                "kind": "alternative",
                "need_statement": "n",
                "default_language": "en",
                "time_zone": "UTC",
            },
        )
        assert response.status_code == 400
    assert Institution.objects.count() == 1


def test_create_form_explains_both_kinds(outsider_client):
    html = outsider_client.get(reverse("institution_create")).content.decode()
    assert "Meets a need directly" in html and "Pushes back against something" in html


def test_members_page_shows_management_only_to_organizers(member_client, organizer_client, institution, member):
    JoinRequestFactory(institution=institution)
    as_member = member_client.get(url("members", institution)).content.decode()
    as_organizer = organizer_client.get(url("members", institution)).content.decode()
    assert "Change role" not in as_member and "Requests to join" not in as_member
    assert "Change role" in as_organizer and "Requests to join" in as_organizer


def test_organizer_creates_a_link_invitation_and_sees_the_link(organizer_client, institution):
    response = organizer_client.post(
        url("invitations", institution), {"email": "", "role": "member", "max_uses": 10, "valid_days": 7}
    )
    assert response.status_code == 302
    with scope(institution=institution):
        invitation = Invitation.objects.get()
    assert invitation.max_uses == 10 and not invitation.email
    html = organizer_client.get(url("invitations", institution)).content.decode()
    assert f"/i/{institution.slug}/invite/{invitation.token}/" in html


def test_organizer_withdraws_an_invitation(organizer_client, institution):
    invitation = InvitationFactory(institution=institution)
    organizer_client.post(url("invitation_revoke", institution, pk=invitation.pk))
    with scope(institution=institution):
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert AuditEntry.objects.filter(action="invitation.revoked").exists()


def test_invitation_page_tells_signed_out_visitors_how_to_accept(client, institution):
    invitation = InvitationFactory(institution=institution)
    html = client.get(url("invitation_accept", institution, token=invitation.token)).content.decode()
    assert reverse("account_signup") in html and "next=" in html


def test_expired_invitation_page_says_so(outsider_client, institution):
    from django.utils import timezone

    invitation = InvitationFactory(institution=institution, expires_at=timezone.now())
    response = outsider_client.post(url("invitation_accept", institution, token=invitation.token))
    assert "expired" in response.content.decode()
    with scope(institution=institution):
        assert not Membership.objects.filter(user__email="otto@example.org").exists()


def test_outsider_asks_to_join_and_organizer_accepts(outsider_client, organizer_client, outsider, institution):
    outsider_client.post(url("join", institution), {"message": "I live in building C."})
    with scope(institution=institution):
        join_request = JoinRequest.objects.get(user=outsider)
    assert "asking to join" in organizer_client.get(url("home", institution)).content.decode()
    organizer_client.post(url("join_request_decide", institution, pk=join_request.pk), {"decision": "accept"})
    with scope(institution=institution):
        assert Membership.objects.get(user=outsider).is_active


def test_organizer_removes_a_member_after_confirming(organizer_client, institution, member):
    with scope(institution=institution):
        membership = Membership.objects.get(user=member)
    assert "Remove Mo?" in organizer_client.get(url("member_remove", institution, pk=membership.pk)).content.decode()
    organizer_client.post(url("member_remove", institution, pk=membership.pk))
    with scope(institution=institution):
        membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT


def test_last_organizer_is_told_why_they_cannot_leave(organizer_client, institution):
    page = organizer_client.get(url("leave", institution)).content.decode()
    assert "only organizer" in page
    response = organizer_client.post(url("leave", institution))
    assert response.status_code == 400 and "at least one organizer" in response.content.decode()


def test_member_leaves_and_loses_access(member_client, institution):
    assert member_client.post(url("leave", institution)).status_code == 302
    assert member_client.get(url("members", institution)).status_code == 404


def test_settings_change_is_audited(organizer_client, institution):
    response = organizer_client.post(
        url("settings", institution),
        {
            "name": "Eastside Pantry",
            "kind": "alternative",
            "need_statement": "New statement.",
            "description": "",
            "default_language": "es",
            "time_zone": "America/Chicago",
            "vote_min_membership_days": 0,
            "consensus_stand_aside_limit": 25,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        institution.refresh_from_db()
        entry = AuditEntry.objects.get(action="institution.updated")
    assert institution.default_language == "es" and institution.need_statement == "New statement."
    assert entry.data["fields"] == ["default_language", "need_statement", "time_zone"]


def test_audit_log_lists_changes_for_organizers(organizer_client, institution, member):
    with scope(institution=institution):
        from institutions import services

        services.member_change_role(
            membership=Membership.objects.get(user=member),
            role="organizer",
            actor=Membership.objects.get(role="organizer").user,
        )
    html = organizer_client.get(url("audit", institution)).content.decode()
    assert "Olga changed Mo&#x27;s role from Member to Organizer" in html


def test_role_change_by_htmx_returns_only_the_row(organizer_client, institution, member):
    with scope(institution=institution):
        membership = Membership.objects.get(user=member)
    response = organizer_client.post(
        url("member_role", institution, pk=membership.pk), {"role": "organizer"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="member-{membership.pk}">')
    assert 'hx-swap-oob="true"' in html and "Mo is now: Organizer." in html
    assert "<html" not in html


def test_seed_demo_is_safe_to_run_twice(db):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    with scopes_disabled():
        assert Institution.objects.count() == 2
        pantry = Institution.objects.get(slug="eastside-pantry")
        roles = dict(Membership.objects.filter(institution=pantry).values_list("user__email", "role"))
    assert roles["malik@example.org"] == "organizer" and roles["sam@example.org"] == "member"
    assert {i.kind for i in Institution.objects.all()} == {"counter", "alternative"}
    from decisions.models import Proposal

    with scope(institution=pantry):
        states = set(Proposal.objects.values_list("status", flat=True))
        assert Proposal.objects.filter(secret=True, status="voting").exists()
    assert states == {"draft", "discussion", "voting", "closed"}
    from consultation.models import OutreachEntry
    from needs.models import Need

    with scope(institution=pantry):
        assert Need.objects.count() == 3 and OutreachEntry.objects.count() == 3


def test_public_home_lists_upcoming_public_meetings_and_the_money_page_when_shared(client, institution, organizer):
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from followthrough.models import PublicPage
    from logistics.models import LogisticsSettings
    from meetings import services as meeting_services

    # Both sections are opt-in (followthrough's public page settings).
    PublicPage.objects.create(institution=institution, show_meetings=True, show_money=True)
    with scope(institution=institution):
        for title, public in (("Open assembly", True), ("Organizers' planning", False)):
            meeting_services.meeting_create(
                institution=institution,
                author=organizer,
                title=title,
                starts_at=timezone.now() + timedelta(days=3),
                place_name="Library",
                is_public=public,
            )
    page = client.get(institution.get_absolute_url()).content.decode()
    assert "Open assembly" in page and "Organizers' planning" not in page
    assert "See the money" not in page
    LogisticsSettings.objects.create(institution=institution, ledger_public=True)
    assert "See the money" in client.get(institution.get_absolute_url()).content.decode()


def test_member_declares_other_organizations_seen_by_organizers_only(member_client, organizer_client, institution):
    page = reverse("institutions:affiliations", kwargs={"institution_slug": institution.slug})
    assert member_client.post(page, {"affiliations": "x" * 301}).status_code == 400
    assert member_client.post(page, {"affiliations": "  Tenants  Union,  St. Mark's "}).status_code == 302
    members = reverse("institutions:members", kwargs={"institution_slug": institution.slug})
    assert "Also belongs to: Tenants Union, St. Mark&#x27;s" in organizer_client.get(members).content.decode()
    assert "Also belongs to" not in member_client.get(members).content.decode()
