"""Grievances: only the filer and the facilitators see them (organizers who are not facilitators get
404), nothing of them reaches the audit log, and the facilitators are e-mailed once, without content."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation import grievances
from evaluation.models import Facilitator, Grievance, GrievanceEvent
from evaluation.tasks_grievances import send_grievance_filed
from institutions.models import AuditEntry, Membership
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


@pytest.fixture
def facilitator(institution, organizer):
    user = MembershipFactory(institution=institution, user=UserFactory(name="Fay", email="fay@example.org")).user
    with scope(institution=institution):
        grievances.facilitator_name(institution=institution, actor=organizer, user=user)
    return user


@pytest.fixture
def grievance(institution, member, facilitator):
    with scope(institution=institution):
        return grievances.grievance_file(
            institution=institution, filer=member, subject="Shouted at", description="At the door on Saturday."
        )


def url(name, institution, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


# Services ------------------------------------------------------------------------------------------


def test_filing_starts_the_trail_and_writes_nothing_to_the_audit_log(scoped, member, facilitator):
    before = AuditEntry.objects.count()
    grievance = grievances.grievance_file(institution=scoped, filer=member, subject="  Left out ", description="x")
    assert (grievance.status, grievance.subject) == ("received", "Left out")
    assert list(GrievanceEvent.objects.values_list("kind", flat=True)) == ["filed"]
    assert AuditEntry.objects.count() == before


def test_status_changes_and_notes_write_nothing_to_the_audit_log(scoped, member, facilitator, grievance):
    before = AuditEntry.objects.count()
    grievances.grievance_set_status(grievance=grievance, actor=facilitator, status="mediation", note="Met both")
    grievances.grievance_note_add(grievance=grievance, actor=member, note="Thank you")
    grievances.grievance_set_status(grievance=grievance, actor=facilitator, status="resolved")
    assert AuditEntry.objects.count() == before
    assert list(GrievanceEvent.objects.values_list("kind", "status", "note")) == [
        ("filed", "received", ""),
        ("status", "mediation", "Met both"),
        ("note", "", "Thank you"),
        ("status", "resolved", ""),
    ]
    grievance.refresh_from_db()
    assert grievance.closed_at is not None


def test_only_facilitators_change_the_status(scoped, member, organizer, grievance):
    for person in (member, organizer):
        with pytest.raises(ValidationError, match="Only the facilitators"):
            grievances.grievance_set_status(grievance=grievance, actor=person, status="closed")
    assert Grievance.objects.get().status == "received"


def test_an_organizer_who_is_not_a_facilitator_cannot_add_notes(scoped, organizer, grievance):
    with pytest.raises(ValidationError):
        grievances.grievance_note_add(grievance=grievance, actor=organizer, note="Let me see")
    assert GrievanceEvent.objects.count() == 1


def test_filing_is_refused_while_no_facilitator_is_named(scoped, member):
    with pytest.raises(ValidationError, match="No facilitators"):
        grievances.grievance_file(institution=scoped, filer=member, subject="a", description="b")
    assert not Grievance.objects.exists()


def test_only_active_members_can_be_facilitators(scoped, organizer, outsider):
    with pytest.raises(ValidationError, match="active member"):
        grievances.facilitator_name(institution=scoped, actor=organizer, user=outsider)
    assert not Facilitator.objects.exists()


def test_naming_and_removing_facilitators_is_audited(scoped, organizer, member):
    facilitator = grievances.facilitator_name(institution=scoped, actor=organizer, user=member)
    grievances.facilitator_remove(facilitator=facilitator, actor=organizer)
    assert [entry.describe() for entry in AuditEntry.objects.order_by("pk")][-2:] == [
        "Olga named Mo a facilitator for grievances",
        "Olga removed Mo from the facilitators for grievances",
    ]


def test_open_grievances_gives_ids_ages_and_statuses_in_one_query(
    scoped, member, facilitator, grievance, django_assert_num_queries
):
    Grievance.objects.filter(pk=grievance.pk).update(created_at=timezone.now() - timedelta(days=20, hours=1))
    later = grievances.grievance_file(institution=scoped, filer=member, subject="b", description="c")
    grievances.grievance_set_status(grievance=later, actor=facilitator, status="mediation")
    done = grievances.grievance_file(institution=scoped, filer=member, subject="d", description="e")
    grievances.grievance_set_status(grievance=done, actor=facilitator, status="closed")
    with django_assert_num_queries(1):
        rows = grievances.open_grievances(scoped)
    assert rows == [(grievance.pk, 20, "received"), (later.pk, 0, "mediation")]


# Mail ----------------------------------------------------------------------------------------------


def test_facilitators_are_mailed_once_without_the_grievances_content(
    institution, member, organizer, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    second = MembershipFactory(institution=institution, user=UserFactory(email="sam@example.org")).user
    with scope(institution=institution):
        grievances.facilitator_name(institution=institution, actor=organizer, user=second)
        with django_capture_on_commit_callbacks(execute=True):
            grievance = grievances.grievance_file(
                institution=institution, filer=member, subject="Secret subject", description="Secret details"
            )
        assert sorted(message.to[0] for message in mailoutbox) == ["fay@example.org", "sam@example.org"]
        for message in mailoutbox:
            assert message.subject == "Eastside Pantry: a grievance was filed"
            assert "Secret" not in message.subject + message.body + message.alternatives[0][0]
            assert f"/evaluation/grievances/{grievance.pk}/" in message.body
        send_grievance_filed(institution.pk, grievance_id=grievance.pk)  # a duplicate job sends nothing more
    assert len(mailoutbox) == 2


def test_a_facilitator_who_files_is_not_mailed_about_their_own_grievance(
    institution, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    with scope(institution=institution), django_capture_on_commit_callbacks(execute=True):
        grievances.grievance_file(institution=institution, filer=facilitator, subject="a", description="b")
    assert mailoutbox == []


# Pages ---------------------------------------------------------------------------------------------


def test_the_filer_and_facilitators_see_the_grievance_and_organizers_get_404(
    institution, client_for, member, organizer, facilitator, grievance
):
    page = url("grievance", institution, pk=grievance.pk)
    assert client_for(member).get(page).status_code == 200
    assert client_for(facilitator).get(page).status_code == 200
    assert client_for(organizer).get(page).status_code == 404
    other = MembershipFactory(institution=institution).user
    assert client_for(other).get(page).status_code == 404
    for name, data in (("grievance_note", {"note": "peek"}), ("grievance_status", {"status": "closed"})):
        assert client_for(organizer).post(url(name, institution, pk=grievance.pk), data).status_code == 404
    with scope(institution=institution):
        assert (Grievance.objects.get().status, GrievanceEvent.objects.count()) == ("received", 1)


def test_the_list_shows_members_only_their_own_and_facilitators_all(
    institution, client_for, member, organizer, facilitator, grievance
):
    with scope(institution=institution):
        grievances.grievance_file(institution=institution, filer=organizer, subject="Organizer's own", description="x")
    listing = url("grievances", institution)
    member_page = client_for(member).get(listing).content.decode()
    assert "Shouted at" in member_page and "Organizer&#x27;s own" not in member_page
    organizer_page = client_for(organizer).get(listing).content.decode()
    assert "Shouted at" not in organizer_page and "Organizer&#x27;s own" in organizer_page
    facilitator_page = client_for(facilitator).get(listing).content.decode()
    assert "Shouted at" in facilitator_page and "Organizer&#x27;s own" in facilitator_page


def test_a_member_files_on_the_page_that_names_the_facilitators(member_client, institution, facilitator):
    page = member_client.get(url("grievance_new", institution)).content.decode()
    assert "Fay" in page
    response = member_client.post(url("grievance_new", institution), {"subject": "Ignored", "description": "Twice"})
    assert response.status_code == 302
    with scope(institution=institution):
        assert Grievance.objects.get().subject == "Ignored"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "description": "x"}, "This field is required"),
        ({"subject": "x" * 201, "description": "x"}, "at most 200 characters"),
        ({"subject": "x", "description": "x" * 10001}, "at most 10000 characters"),
        ({}, "This field is required"),
    ],
)
def test_bad_grievances_come_back_with_why_and_nothing_is_filed(member_client, institution, facilitator, data, message):
    response = member_client.post(url("grievance_new", institution), data)
    assert response.status_code == 400 and message in response.content.decode()
    with scope(institution=institution):
        assert not Grievance.objects.exists()


def test_a_facilitator_changes_the_status_and_the_filer_sees_it(
    institution, client_for, member, facilitator, grievance
):
    response = client_for(facilitator).post(
        url("grievance_status", institution, pk=grievance.pk), {"status": "mediation", "note": "Meeting Tuesday"}
    )
    assert response.status_code == 302
    page = client_for(member).get(url("grievance", institution, pk=grievance.pk)).content.decode()
    assert "In mediation" in page and "Meeting Tuesday" in page
    assert 'action="/i/eastside-pantry/evaluation/grievances/' + str(grievance.pk) + '/status/"' not in page


@pytest.mark.parametrize("data", [{"status": "lost"}, {"status": "received"}, {"status": "closed", "note": "x" * 5001}])
def test_a_bad_status_change_is_refused_and_changes_nothing(institution, client_for, facilitator, grievance, data):
    response = client_for(facilitator).post(url("grievance_status", institution, pk=grievance.pk), data)
    assert response.status_code == 400
    with scope(institution=institution):
        assert (Grievance.objects.get().status, GrievanceEvent.objects.count()) == ("received", 1)


def test_the_filer_cannot_change_the_status_but_adds_notes(member_client, institution, grievance):
    status = url("grievance_status", institution, pk=grievance.pk)
    assert member_client.post(status, {"status": "closed"}).status_code == 403
    assert member_client.post(url("grievance_note", institution, pk=grievance.pk), {"note": ""}).status_code == 400
    assert member_client.post(url("grievance_note", institution, pk=grievance.pk), {"note": "More"}).status_code == 302
    with scope(institution=institution):
        assert list(GrievanceEvent.objects.values_list("kind", flat=True)) == ["filed", "note"]
        assert Grievance.objects.get().status == "received"


def test_organizers_name_and_remove_facilitators_on_the_page(organizer_client, institution, member):
    assert organizer_client.post(url("facilitators", institution), {"user": "999999"}).status_code == 400
    assert organizer_client.post(url("facilitators", institution), {"user": str(member.pk)}).status_code == 302
    with scope(institution=institution):
        facilitator = Facilitator.objects.get()
        assert facilitator.user == member
    remove = url("facilitator_remove", institution, pk=facilitator.pk)
    assert organizer_client.post(remove).status_code == 302
    with scope(institution=institution):
        assert not Facilitator.objects.exists()


def test_a_removed_facilitator_loses_sight_of_grievances(institution, client_for, organizer, facilitator, grievance):
    with scope(institution=institution):
        grievances.facilitator_remove(facilitator=Facilitator.objects.get(user=facilitator), actor=organizer)
    assert client_for(facilitator).get(url("grievance", institution, pk=grievance.pk)).status_code == 404


def test_a_former_member_cannot_be_named(organizer_client, institution, member):
    with scope(institution=institution):
        Membership.objects.filter(user=member).update(status=Membership.Status.LEFT)
    assert organizer_client.post(url("facilitators", institution), {"user": str(member.pk)}).status_code == 400
