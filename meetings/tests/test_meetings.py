"""Planning meetings, the agenda and suggestions, RSVPs with support needs."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from institutions.models import AuditEntry
from meetings import services
from meetings.models import RSVP, AgendaItem, Meeting, Suggestion


def url(name, institution, **kwargs):
    return reverse(f"meetings:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def plan(institution, organizer, **fields):
    values = {
        "title": "Tenants' assembly",
        "starts_at": timezone.now() + timedelta(days=7),
        "place_name": "Community room",
        "is_public": True,
    }
    values.update(fields)
    with scope(institution=institution):
        return services.meeting_create(institution=institution, author=organizer, **values)


@pytest.fixture
def meeting(institution, organizer):
    return plan(institution, organizer)


def form_data(**extra):
    data = {
        "title": "Tenants' assembly",
        "purpose": "Decide what to do about repairs",
        "starts_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "is_public": "on",
        "place_name": "Community room, building C",
        "address": "",
        "directions": "",
        "accessibility": "Step-free entrance",
        "online_url": "",
        "languages": "English and Spanish",
        "interpretation": "Spanish",
        "facilitator": "",
        "note_taker": "",
    }
    data.update(extra)
    return data


def test_organizer_plans_a_meeting_in_the_institution_time_zone(organizer_client, institution, organizer):
    institution.time_zone = "America/Chicago"
    institution.save()
    response = organizer_client.post(url("new", institution), form_data(starts_at="2030-03-10T18:30"))
    with scope(institution=institution):
        meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    # 18:30 in Chicago on the day daylight saving starts (CDT, UTC-5) is 23:30 UTC.
    assert meeting.starts_at.astimezone(timezone.UTC).strftime("%H:%M") == "23:30"
    page = organizer_client.get(meeting.get_absolute_url()).content.decode()
    assert "6:30 p.m." in page and "Step-free entrance" in page


def test_a_meeting_in_the_past_or_without_a_place_is_refused(organizer_client, institution):
    past = organizer_client.post(url("new", institution), form_data(starts_at="2020-01-01T10:00"))
    assert past.status_code == 400 and "future" in past.content.decode()
    nowhere = organizer_client.post(url("new", institution), form_data(place_name=""))
    assert nowhere.status_code == 400 and "Say where it happens" in nowhere.content.decode()
    with scope(institution=institution):
        assert not Meeting.objects.exists()


def test_a_time_that_does_not_exist_is_refused_not_crashed(organizer_client, institution):
    institution.time_zone = "America/Chicago"
    institution.save()
    response = organizer_client.post(url("new", institution), form_data(starts_at="2030-03-10T02:30"))
    assert response.status_code == 400


def test_member_cannot_plan(member_client, institution):
    assert member_client.get(url("new", institution)).status_code == 403


def test_members_rsvp_with_one_tap(member_client, institution, member, meeting):
    member_client.post(url("rsvp_member", institution, pk=meeting.pk))
    member_client.post(url("rsvp_member", institution, pk=meeting.pk))  # twice is the same as once
    with scope(institution=institution):
        rsvp = RSVP.objects.get()
        assert (rsvp.user, rsvp.status) == (member, "going")
    member_client.post(url("rsvp_member", institution, pk=meeting.pk), {"going": "no"})
    with scope(institution=institution):
        assert RSVP.objects.get().status == "cancelled"


def test_anyone_rsvps_with_support_needs_and_gets_a_private_link(
    institution, organizer_client, meeting, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client()
    page = client.get(url("public", institution, pk=meeting.pk))
    assert page.status_code == 200 and "Tell us you are coming" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("public", institution, pk=meeting.pk),
            {
                "name": "Ana",
                "email": "ana@example.org",
                "party_size": "3",
                "children": "2",
                "children_ages": "4 and 7",
                "transport_from": "Tower B",
                "food": "on",
                "dietary": "vegetarian",
                "interpretation": "spanish",
                "access_needs": "",
            },
        )
    assert response.status_code == 200 and "See you there" in response.content.decode()
    with scope(institution=institution):
        rsvp = RSVP.objects.get()
        summary = services.meeting_support_summary(meeting)
    assert (summary.people, summary.children, summary.eating) == (3, 2, 3)
    assert summary.rides == [("Ana", "Tower B")] and summary.interpretation == {"Spanish": 1}
    assert summary.children_ages == ["4 and 7"] and summary.dietary == ["vegetarian"]
    organizer_page = organizer_client.get(meeting.get_absolute_url()).content.decode()
    assert "Childcare for 2 children" in organizer_page and "A ride for Ana from Tower B" in organizer_page
    # The private link came by e-mail, once.
    assert len(mailoutbox) == 1 and rsvp.token in mailoutbox[0].body
    manage = url("rsvp_manage", institution, token=rsvp.token)
    assert "Ana" in client.get(manage).content.decode()
    client.post(manage, {"name": "Ana", "email": "ana@example.org", "party_size": "2", "children": "0"})
    with scope(institution=institution):
        rsvp.refresh_from_db()
        assert (rsvp.party_size, rsvp.children) == (2, 0)
    client.post(manage, {"cancel": "1"})
    with scope(institution=institution):
        assert RSVP.objects.get().status == "cancelled"
        assert services.meeting_support_summary(meeting).people == 0


def test_a_bad_rsvp_is_refused_and_keeps_what_was_typed(institution, meeting):
    response = Client().post(
        url("public", institution, pk=meeting.pk), {"name": "", "party_size": "500", "dietary": "kept text"}
    )
    assert response.status_code == 400 and "kept text" in response.content.decode()
    hp = Client().post(url("public", institution, pk=meeting.pk), {"name": "Bot", "party_size": "1", "website": "x"})
    assert hp.status_code == 400
    with scope(institution=institution):
        assert not RSVP.objects.exists()


def test_an_rsvp_flood_is_throttled(institution, meeting, settings):
    settings.PUBLIC_FORM_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.5")
    codes = [
        client.post(url("public", institution, pk=meeting.pk), {"name": "X", "party_size": "1"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 429, 429]
    with scope(institution=institution):
        assert RSVP.objects.count() == 2


def test_members_only_meeting_has_no_public_page(institution, organizer):
    private = plan(institution, organizer, is_public=False)
    assert Client().get(url("public", institution, pk=private.pk)).status_code == 404


def test_hostile_text_is_escaped(institution, meeting, organizer_client):
    Client().post(
        url("public", institution, pk=meeting.pk),
        {"name": "<script>alert(1)</script>", "party_size": "1", "transport_from": "<b>x</b>"},
    )
    page = organizer_client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_agenda_items_and_suggestions(organizer_client, member_client, institution, meeting):
    organizer_client.post(url("agenda_new", institution, pk=meeting.pk), {"title": "Welcome", "minutes_allotted": "5"})
    organizer_client.post(url("agenda_new", institution, pk=meeting.pk), {"title": "Repairs", "minutes_allotted": "30"})
    with scope(institution=institution):
        repairs = AgendaItem.objects.get(title="Repairs")
    organizer_client.post(url("agenda_move", institution, pk=meeting.pk, item_pk=repairs.pk), {"direction": "up"})
    with scope(institution=institution):
        assert list(AgendaItem.objects.values_list("title", flat=True)) == ["Repairs", "Welcome"]
    member_client.post(url("suggest", institution, pk=meeting.pk), {"suggest-text": "Talk about the boiler"})
    Client().post(
        url("public_suggest", institution, pk=meeting.pk), {"suggest-name": "Neighbor", "suggest-text": "Mold in 4B"}
    )
    with scope(institution=institution):
        boiler, mold = Suggestion.objects.order_by("pk")
    organizer_client.post(
        url("suggestion_decide", institution, pk=meeting.pk, suggestion_pk=boiler.pk),
        {"decision": "agenda", "title": "The boiler"},
    )
    organizer_client.post(
        url("suggestion_decide", institution, pk=meeting.pk, suggestion_pk=mold.pk), {"decision": "aside"}
    )
    with scope(institution=institution):
        assert AgendaItem.objects.get(title="The boiler").notes == "Talk about the boiler"
        assert Suggestion.objects.get(pk=mold.pk).status == "set_aside"
    public = Client().get(url("public", institution, pk=meeting.pk)).content.decode()
    assert "The boiler" in public


def test_cancelling_tells_everyone_coming_and_is_audited(
    organizer_client, institution, meeting, member_client, mailoutbox, django_capture_on_commit_callbacks
):
    member_client.post(url("rsvp_member", institution, pk=meeting.pk))
    Client().post(
        url("public", institution, pk=meeting.pk), {"name": "Ana", "email": "ana@example.org", "party_size": "1"}
    )
    mailoutbox.clear()
    empty = organizer_client.post(url("cancel", institution, pk=meeting.pk), {"reason": " "})
    assert empty.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(url("cancel", institution, pk=meeting.pk), {"reason": "The room flooded"})
    with scope(institution=institution):
        meeting.refresh_from_db()
        assert meeting.status == "cancelled" and meeting.sequence == 1
        assert AuditEntry.objects.filter(action="meeting.cancelled").exists()
    assert len(mailoutbox) == 2 and all("The room flooded" in message.body for message in mailoutbox)
    # Plain text is not HTML-escaped: the apostrophe arrives as typed.
    assert all("“Tenants' assembly”" in message.subject for message in mailoutbox)
    # Running the job again sends nothing more.
    from meetings.tasks import send_cancellation

    send_cancellation(institution.pk, meeting_id=meeting.pk)
    assert len(mailoutbox) == 2
    assert (
        Client().post(url("public", institution, pk=meeting.pk), {"name": "Late", "party_size": "1"}).status_code == 400
    )
    with scope(institution=institution):
        assert not RSVP.objects.filter(name="Late").exists()
