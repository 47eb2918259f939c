"""The incident log: members record, organizers correct and delete (audited), the list filters by
kind, and incidents_since counts by kind for the indicators."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation import incidents
from evaluation.models import Incident
from institutions.models import AuditEntry


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def url(name, institution, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def record(institution, actor, kind="police", days_ago=1, **fields):
    return incidents.incident_record(
        institution=institution,
        actor=actor,
        happened_on=timezone.localdate() - timedelta(days=days_ago),
        kind=kind,
        description=fields.pop("description", "Two patrol cars parked across the street."),
        **fields,
    )


def form_data(**overrides):
    data = {
        "happened_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "kind": "counter_protest",
        "description": "Twenty people with signs at the gate.",
        "safety_changes": "Escorts now walk in pairs.",
    }
    data.update(overrides)
    return data


def test_a_member_records_an_incident_and_it_is_audited_in_words(scoped, member):
    incident = record(scoped, member, safety_changes="  Moved the meeting point  ")
    assert (incident.recorded_by, incident.safety_changes) == (member, "Moved the meeting point")
    description = AuditEntry.objects.get(action="incident.recorded").describe()
    assert description.startswith("Mo recorded an incident (Police presence) on ")


def test_a_future_date_or_an_empty_description_is_refused(scoped, member):
    with pytest.raises(ValidationError, match="future"):
        record(scoped, member, days_ago=-1)
    with pytest.raises(ValidationError, match="Write what happened"):
        record(scoped, member, description="   ")
    assert not Incident.objects.exists()


def test_organizers_change_and_delete_records_audited(scoped, organizer, member):
    incident = record(scoped, member)
    incidents.incident_update(
        incident=incident,
        actor=organizer,
        happened_on=incident.happened_on,
        kind="hostile_media",
        description="A post named our volunteers.",
        safety_changes="",
    )
    assert Incident.objects.get().kind == "hostile_media"
    incidents.incident_delete(incident=Incident.objects.get(), actor=organizer)
    assert not Incident.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="incident.").order_by("pk").values_list("action")) == [
        ("incident.recorded",),
        ("incident.changed",),
        ("incident.deleted",),
    ]


def test_incidents_since_counts_by_kind_in_one_query(scoped, member, django_assert_num_queries):
    record(scoped, member, kind="police", days_ago=3)
    record(scoped, member, kind="police", days_ago=10)
    record(scoped, member, kind="counter_protest", days_ago=5)
    record(scoped, member, kind="hostile_media", days_ago=40)
    with django_assert_num_queries(1):
        counts = incidents.incidents_since(scoped, timezone.localdate() - timedelta(days=30))
    assert counts == {"police": 2, "counter_protest": 1}
    assert incidents.incidents_since(scoped, date.today() + timedelta(days=1)) == {}


def test_a_member_records_on_the_page_and_finds_it_in_the_filtered_list(member_client, institution):
    response = member_client.post(url("incident_new", institution), form_data())
    assert response.status_code == 302
    listing = url("incidents", institution)
    assert "Twenty people with signs" in member_client.get(listing + "?kind=counter_protest").content.decode()
    assert "Twenty people with signs" not in member_client.get(listing + "?kind=police").content.decode()
    assert member_client.get(listing + "?kind=<script>").status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"happened_on": (date.today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"happened_on": "2026-02-30"}, "Enter a valid date"),
        ({"kind": "aliens"}, "valid choice"),
        ({"description": ""}, "This field is required"),
        ({"description": "x" * 5001}, "at most 5000 characters"),
        ({"safety_changes": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_incidents_come_back_with_why_and_nothing_is_recorded(member_client, institution, change, message):
    response = member_client.post(url("incident_new", institution), form_data(**change))
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(institution=institution):
        assert not Incident.objects.exists()


def test_members_cannot_edit_or_delete_records(member_client, institution, member):
    with scope(institution=institution):
        incident = record(institution, member)
    assert member_client.post(url("incident_edit", institution, pk=incident.pk), form_data()).status_code == 403
    assert member_client.post(url("incident_delete", institution, pk=incident.pk)).status_code == 403
    with scope(institution=institution):
        assert Incident.objects.get().kind == "police"


def test_organizers_edit_and_delete_on_the_page(organizer_client, institution, member):
    with scope(institution=institution):
        incident = record(institution, member)
    edit = url("incident_edit", institution, pk=incident.pk)
    assert organizer_client.post(edit, form_data(description="")).status_code == 400
    assert organizer_client.post(edit, form_data(kind="loss_of_support")).status_code == 302
    with scope(institution=institution):
        assert Incident.objects.get().kind == "loss_of_support"
    assert organizer_client.post(url("incident_delete", institution, pk=incident.pk)).status_code == 302
    with scope(institution=institution):
        assert not Incident.objects.exists()


def test_another_institutions_incident_is_404(member_client, institution, other_institution, other_member):
    with scope(institution=other_institution):
        theirs = record(other_institution, other_member)
    assert member_client.get(url("incident", institution, pk=theirs.pk)).status_code == 404
