"""Meeting support checklist: lines made from RSVPs, kept in step with them, and volunteers for each."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from logistics import selectors, services
from logistics.models import SupportLine
from meetings import services as meeting_services


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


@pytest.fixture
def meeting(institution, organizer):
    with scope(institution=institution):
        return meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title="Tenants' assembly",
            starts_at=timezone.now() + timedelta(days=7),
            place_name="Community room",
            is_public=True,
        )


def rsvp_ana(meeting):
    return meeting_services.rsvp_create(
        meeting=meeting,
        name="Ana",
        party_size=2,
        children=2,
        children_ages="4, 7",
        food=True,
        dietary="vegetarian",
        transport_from="Tower B",
        interpretation="spanish",
    )


def rsvp_bo(meeting):
    return meeting_services.rsvp_create(meeting=meeting, name="Bo", eldercare=True, food=True)


def checklist(meeting):
    return {line.key: line for line in SupportLine.objects.filter(meeting=meeting)}


def descriptions(meeting):
    return {line.kind: line.description for line in SupportLine.objects.filter(meeting=meeting, active=True)}


def test_sync_makes_one_line_per_need_with_exact_descriptions(scoped, meeting):
    rsvp_ana(meeting)
    rsvp_bo(meeting)
    lines = services.support_lines_sync(meeting=meeting)
    assert [line.description for line in lines] == [
        "Childcare for 2 children (ages 4, 7)",
        "Eldercare for 1 household",
        "Food for 3 people (vegetarian)",
        "A ride for Ana from Tower B",
        "Interpretation into Spanish for 1 RSVP",
        "Set up the room",
        "Clean up afterwards",
    ]
    keys = checklist(meeting).keys()
    assert {"childcare", "eldercare", "food", "interpretation:spanish", "setup", "cleanup"} < keys
    assert all(line.volunteer is None and line.active for line in lines)


def test_a_meeting_without_rsvps_still_needs_setup_and_cleanup(scoped, meeting):
    assert [line.key for line in services.support_lines_sync(meeting=meeting)] == ["setup", "cleanup"]


def test_cancelled_rsvp_deactivates_its_ride_and_keeps_the_volunteer(scoped, meeting, member):
    ana = rsvp_ana(meeting)
    rsvp_bo(meeting)
    ride = next(line for line in services.support_lines_sync(meeting=meeting) if line.kind == "transport")
    services.support_line_volunteer(line=ride, member=member)
    meeting_services.rsvp_cancel(rsvp=ana)
    active = services.support_lines_sync(meeting=meeting)
    assert "transport" not in {line.kind for line in active}
    ride.refresh_from_db()
    assert (ride.active, ride.volunteer) == (False, member)
    assert descriptions(meeting)["food"] == "Food for 1 person"
    # Ana comes after all: the same line comes back, with its volunteer.
    ana.status = ana.Status.GOING
    ana.save()
    services.support_lines_sync(meeting=meeting)
    ride.refresh_from_db()
    assert (ride.active, ride.volunteer) == (True, member)


def test_new_rsvp_adds_a_line_and_updates_the_totals(scoped, meeting):
    rsvp_bo(meeting)
    services.support_lines_sync(meeting=meeting)
    meeting_services.rsvp_create(meeting=meeting, name="Cy", transport_from="Elm St", food=True)
    services.support_lines_sync(meeting=meeting)
    now = descriptions(meeting)
    assert now["transport"] == "A ride for Cy from Elm St"
    assert now["food"] == "Food for 2 people"


def test_sync_twice_changes_nothing_and_only_reads(scoped, meeting):
    rsvp_ana(meeting)
    services.support_lines_sync(meeting=meeting)
    before = list(SupportLine.objects.filter(meeting=meeting).values())
    with CaptureQueriesContext(connection) as queries:
        services.support_lines_sync(meeting=meeting)
    assert list(SupportLine.objects.filter(meeting=meeting).values()) == before
    assert len(queries) == 2  # the RSVP summary and the lines
    assert all(query["sql"].startswith("SELECT") for query in queries.captured_queries)


def test_two_members_volunteer_at_once_and_the_second_is_refused(scoped, meeting, member, organizer):
    services.support_lines_sync(meeting=meeting)
    setup = SupportLine.objects.get(meeting=meeting, key="setup")
    stale = SupportLine.objects.get(pk=setup.pk)  # what the second member's page still shows
    services.support_line_volunteer(line=setup, member=member)
    with pytest.raises(ValidationError, match="already took this"):
        services.support_line_volunteer(line=stale, member=organizer)
    assert SupportLine.objects.get(pk=setup.pk).volunteer == member


def test_only_the_volunteer_releases(scoped, meeting, member, organizer):
    services.support_lines_sync(meeting=meeting)
    setup = SupportLine.objects.get(meeting=meeting, key="setup")
    services.support_line_volunteer(line=setup, member=member)
    with pytest.raises(ValidationError):
        services.support_line_release(line=setup, member=organizer)
    services.support_line_release(line=setup, member=member)
    assert SupportLine.objects.get(pk=setup.pk).volunteer is None


def test_someone_outside_the_institution_cannot_volunteer(scoped, meeting, outsider):
    services.support_lines_sync(meeting=meeting)
    setup = SupportLine.objects.get(meeting=meeting, key="setup")
    with pytest.raises(ValidationError):
        services.support_line_volunteer(line=setup, member=outsider)


def test_unfilled_count_follows_the_rsvps_before_any_sync(scoped, meeting, member):
    rsvp_bo(meeting)
    services.support_lines_sync(meeting=meeting)
    services.support_line_volunteer(line=SupportLine.objects.get(meeting=meeting, key="setup"), member=member)
    assert selectors.unfilled_support_count(meeting) == 3  # eldercare, food, cleanup
    rsvp_ana(meeting)  # not synced yet: childcare, a ride and interpretation are still counted
    assert selectors.unfilled_support_count(meeting) == 6


# Pages ---------------------------------------------------------------------------------------------


def url(institution, name, meeting_pk, line_pk=None):
    kwargs = {"institution_slug": institution.slug, "meeting_pk": meeting_pk}
    if line_pk is not None:
        kwargs["line_pk"] = line_pk
    return reverse(f"logistics:{name}", kwargs=kwargs)


def test_member_sees_the_checklist_and_volunteers_in_one_tap(institution, meeting, member, member_client):
    with scope(institution=institution):
        rsvp_ana(meeting)
    page = member_client.get(url(institution, "meeting_support", meeting.pk)).content.decode()
    assert "A ride for Ana from Tower B" in page and "Set up the room" in page
    with scope(institution=institution):
        ride = SupportLine.objects.get(meeting=meeting, kind="transport")
    response = member_client.post(url(institution, "support_take", meeting.pk, ride.pk))
    assert response.status_code == 302
    with scope(institution=institution):
        assert SupportLine.objects.get(pk=ride.pk).volunteer == member
    assert member_client.post(url(institution, "support_release", meeting.pk, ride.pk)).status_code == 302


def test_taking_a_taken_line_is_refused_with_the_reason(institution, meeting, organizer, member_client):
    with scope(institution=institution):
        services.support_lines_sync(meeting=meeting)
        setup = SupportLine.objects.get(meeting=meeting, key="setup")
        services.support_line_volunteer(line=setup, member=organizer)
    response = member_client.post(url(institution, "support_take", meeting.pk, setup.pk))
    assert response.status_code == 400
    assert "already took this" in response.content.decode()


def test_meeting_page_and_dashboard_show_unfilled_lines(institution, meeting, organizer_client, member_client):
    with scope(institution=institution):
        rsvp_bo(meeting)
        services.support_lines_sync(meeting=meeting)
    # Organizers see the support summary, with how many lines still need someone.
    page = organizer_client.get(meeting.get_absolute_url()).content.decode()
    assert "4 support lines still need a volunteer" in page
    member_page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert url(institution, "meeting_support", meeting.pk) in member_page
    home = member_client.get(reverse("logistics:index", kwargs={"institution_slug": institution.slug}))
    assert "Eldercare for 1 household" in home.content.decode()


def test_non_members_get_404(institution, meeting, outsider_client, other_member_client):
    with scope(institution=institution):
        services.support_lines_sync(meeting=meeting)
        setup = SupportLine.objects.get(meeting=meeting, key="setup")
    for client in (outsider_client, other_member_client):
        assert client.get(url(institution, "meeting_support", meeting.pk)).status_code == 404
        assert client.post(url(institution, "support_take", meeting.pk, setup.pk)).status_code == 404


def test_a_line_of_another_meeting_or_institution_is_404(
    institution, other_institution, meeting, organizer, member_client
):
    with scope(institution=institution):
        other_meeting = meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title="Another",
            starts_at=timezone.now() + timedelta(days=9),
            place_name="Hall",
        )
        services.support_lines_sync(meeting=other_meeting)
        elsewhere = SupportLine.objects.get(meeting=other_meeting, key="setup")
    assert member_client.post(url(institution, "support_take", meeting.pk, elsewhere.pk)).status_code == 404
    assert member_client.post(url(institution, "support_take", meeting.pk, 999999)).status_code == 404
    assert member_client.get(url(institution, "meeting_support", 999999)).status_code == 404
    assert member_client.get(url(institution, "support_take", meeting.pk, elsewhere.pk)).status_code == 405


def test_releasing_a_line_someone_else_holds_is_400(institution, meeting, organizer, member_client):
    with scope(institution=institution):
        services.support_lines_sync(meeting=meeting)
        setup = SupportLine.objects.get(meeting=meeting, key="setup")
        services.support_line_volunteer(line=setup, member=organizer)
    assert member_client.post(url(institution, "support_release", meeting.pk, setup.pk)).status_code == 400
    with scope(institution=institution):
        assert SupportLine.objects.get(pk=setup.pk).volunteer == organizer


def test_an_rsvp_refreshes_the_checklist_once_committed(scoped, organizer, django_capture_on_commit_callbacks):
    """The logistics home lists unfilled lines without anyone opening the checklist first."""
    meeting = meeting_services.meeting_create(
        institution=scoped,
        author=organizer,
        title="Assembly",
        starts_at=timezone.now() + timedelta(days=3),
        place_name="Hall",
        is_public=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        rsvp = meeting_services.rsvp_create(meeting=meeting, name="Ana", party_size=2, children=2)
    keys = set(SupportLine.objects.filter(meeting=meeting, active=True).values_list("key", flat=True))
    assert {"childcare", "setup", "cleanup"} <= keys
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.rsvp_cancel(rsvp=rsvp)
    assert not SupportLine.objects.get(meeting=meeting, key="childcare").active
    assert [line.key for line in selectors.upcoming_unfilled_support(scoped)] == ["setup", "cleanup"]


def test_the_hourly_job_makes_checklists_of_the_next_two_weeks(scoped, organizer):
    from logistics.tasks import sync_upcoming_support_lines

    for days in (3, 30):
        meeting_services.meeting_create(
            institution=scoped,
            author=organizer,
            title=f"In {days} days",
            starts_at=timezone.now() + timedelta(days=days),
            place_name="Hall",
        )
    assert sync_upcoming_support_lines() == 1
    assert sync_upcoming_support_lines() == 1  # again: nothing new is written
    assert set(SupportLine.objects.values_list("meeting__title", flat=True)) == {"In 3 days"}
    assert SupportLine.objects.count() == 2
