"""Written procedures: versions, acknowledgements, the reading selectors, the pages, the "read it
again" mail and the demo."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from institutions.models import AuditEntry, Membership
from logistics import procedures
from logistics.demo_procedures import seed_procedures
from logistics.models import Procedure, ProcedureAcknowledgement, ProcedureVersion
from logistics.tasks_procedures import tell_procedure_changed
from notifications.models import Delivery, MailPreference
from tests.factories import MembershipFactory

OPENING = "Unlock the side door.\n\n- Turn on the lights\n- Put out the sign"


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def write(institution, author, title="Opening the pantry", body=OPENING):
    return procedures.procedure_create(institution=institution, author=author, title=title, body=body)


def revise(procedure, author, body, note="Changed a step", title=None):
    return procedures.procedure_revise(
        procedure=procedure, author=author, title=title or procedure.title, body=body, change_note=note
    )


def read(procedure, member):
    return procedures.procedure_acknowledge(procedure=procedure, member=member, version_number=procedure.current.number)


# Services -----------------------------------------------------------------------------------------


def test_versions_are_numbered_one_two_three_and_the_last_is_current(scoped, organizer):
    procedure = write(scoped, organizer)
    revise(procedure, organizer, OPENING + "\n- Sweep", note="Sweep first")
    revise(procedure, organizer, OPENING + "\n- Sweep\n- Lock up", note="Lock up")
    numbers = list(ProcedureVersion.objects.filter(procedure=procedure).order_by("number").values_list("number"))
    assert numbers == [(1,), (2,), (3,)]
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert (procedure.current.number, procedure.current.change_note) == (3, "Lock up")
    assert ProcedureVersion.objects.get(procedure=procedure, number=1).body == OPENING  # never edited


def test_create_revise_archive_are_audited(scoped, organizer):
    procedure = write(scoped, organizer)
    revise(procedure, organizer, "New text")
    procedures.procedure_archive(procedure=procedure, actor=organizer)
    procedures.procedure_archive(procedure=procedure, actor=organizer)  # already archived: no second entry
    procedures.procedure_unarchive(procedure=procedure, actor=organizer)
    actions = list(AuditEntry.objects.filter(institution=scoped).order_by("pk").values_list("action", flat=True))
    assert actions[-4:] == ["procedure.created", "procedure.revised", "procedure.archived", "procedure.unarchived"]


@pytest.mark.parametrize(
    ("title", "body"), [("", OPENING), ("   ", OPENING), ("Title", ""), ("Title", " \n "), ("x" * 201, OPENING)]
)
def test_empty_or_oversized_procedure_is_refused(scoped, organizer, title, body):
    with pytest.raises(ValidationError):
        write(scoped, organizer, title=title, body=body)
    assert not Procedure.objects.exists()
    assert not ProcedureVersion.objects.exists()


def test_revision_without_what_changed_or_without_change_is_refused(scoped, organizer):
    procedure = write(scoped, organizer)
    with pytest.raises(ValidationError, match="Say what changed"):
        revise(procedure, organizer, "Other text", note="")
    with pytest.raises(ValidationError, match="Nothing changed"):
        revise(procedure, organizer, OPENING, note="no change")
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_a_new_title_alone_renames_without_a_new_version(scoped, organizer):
    procedure = write(scoped, organizer)
    revise(procedure, organizer, OPENING, note="", title="Opening up")
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert (procedure.title, procedure.current.number) == ("Opening up", 1)


def test_acknowledging_twice_keeps_one_acknowledgement(scoped, organizer, member):
    procedure = write(scoped, organizer)
    first = read(procedure, member)
    second = read(procedure, member)
    assert first.pk == second.pk
    assert ProcedureAcknowledgement.objects.filter(member=member).count() == 1


def test_acknowledging_a_version_that_is_no_longer_current_is_refused(scoped, organizer, member):
    procedure = write(scoped, organizer)
    stale = Procedure.objects.get(pk=procedure.pk)  # what the member's open page still shows
    revise(procedure, organizer, "New text")
    with pytest.raises(ValidationError, match="version 2 is the current one"):
        procedures.procedure_acknowledge(procedure=stale, member=member, version_number=1)
    assert not ProcedureAcknowledgement.objects.exists()


def test_archived_procedure_and_non_members_cannot_acknowledge(scoped, organizer, member, outsider):
    procedure = write(scoped, organizer)
    with pytest.raises(ValidationError, match="active member"):
        read(procedure, outsider)
    procedures.procedure_archive(procedure=procedure, actor=organizer)
    with pytest.raises(ValidationError, match="archived"):
        read(procedure, member)
    assert not ProcedureAcknowledgement.objects.exists()


# Selectors ----------------------------------------------------------------------------------------


def test_has_read_current_follows_the_current_version(scoped, organizer, member):
    assert procedures.has_read_current(None, member) is True
    empty = Procedure.objects.create(institution=scoped, title="No text yet")
    assert procedures.has_read_current(empty, member) is True
    procedure = write(scoped, organizer)
    assert procedures.has_read_current(procedure, member) is False
    read(procedure, member)
    assert procedures.has_read_current(procedure, member) is True
    revise(procedure, organizer, "New text")
    assert procedures.has_read_current(procedure, member) is False


def test_unread_for_lists_active_procedures_not_read_in_one_query(scoped, organizer, member, django_assert_num_queries):
    read_one = write(scoped, organizer, title="Read one")
    changed = write(scoped, organizer, title="Changed one")
    never = write(scoped, organizer, title="Never read")
    archived = write(scoped, organizer, title="Archived one")
    read(read_one, member)
    read(changed, member)
    revise(changed, organizer, "New text")
    procedures.procedure_archive(procedure=archived, actor=organizer)
    with django_assert_num_queries(1):
        unread = [(procedure.title, procedure.current.number) for procedure in procedures.unread_for(scoped, member)]
    assert unread == [("Changed one", 2), ("Never read", 1)]
    assert never.pk in {procedure.pk for procedure in procedures.unread_for(scoped, organizer)}


def test_unread_share_counts_active_members_who_read_the_current_version(scoped, organizer, member):
    gone = MembershipFactory(institution=scoped).user
    procedure = write(scoped, organizer, title="Escorts")
    other = write(scoped, organizer, title="Answering the phone")
    read(procedure, member)
    read(procedure, gone)
    read(other, organizer)
    Membership.objects.filter(user=gone).update(status=Membership.Status.LEFT)
    shares = [(share.procedure.title, share.read, share.total) for share in procedures.unread_share(scoped)]
    assert shares == [("Answering the phone", 1, 2), ("Escorts", 1, 2)]
    revise(procedure, organizer, "New text")
    assert [(share.read, share.total) for share in procedures.unread_share(scoped)] == [(1, 2), (0, 2)]


def test_reading_matrix_marks_current_older_and_never(scoped, organizer, member):
    first = write(scoped, organizer, title="A first")
    second = write(scoped, organizer, title="B second")
    read(first, member)
    read(second, member)
    read(first, organizer)
    revise(second, organizer, "New text")
    matrix = procedures.reading_matrix(scoped)
    assert [procedure.title for procedure in matrix.procedures] == ["A first", "B second"]
    assert {row.user: row.states for row in matrix.rows} == {
        member: ["current", "older"],
        organizer: ["current", "never"],
    }
    assert [readers.missing for readers in matrix.missing] == [[], [(member, "older"), (organizer, "never")]]


def test_line_diff_marks_removed_and_added_lines():
    diff = procedures.line_diff("Unlock\nLights on\nSign out", "Unlock\nLights off\nSign out\nSweep")
    assert [(line.kind, line.text) for line in diff] == [
        ("same", "Unlock"),
        ("removed", "Lights on"),
        ("added", "Lights off"),
        ("same", "Sign out"),
        ("added", "Sweep"),
    ]


# Pages --------------------------------------------------------------------------------------------


def url(institution, name, **kwargs):
    return reverse(f"logistics:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def test_organizer_writes_a_procedure_and_it_is_shown_as_plain_text(institution, organizer, organizer_client):
    body = "Stay calm.\n\n- Never <script>alert(1)</script> engage\n- Walk on the street side"
    response = organizer_client.post(url(institution, "procedure_new"), {"title": "Escort protocol", "body": body})
    assert response.status_code == 302
    with scope(institution=institution):
        procedure = Procedure.objects.get()
    assert response["Location"] == procedure.get_absolute_url()
    page = organizer_client.get(response["Location"]).content.decode()
    assert "<li>Never &lt;script&gt;alert(1)&lt;/script&gt; engage</li>" in page
    assert "<script>alert(1)" not in page


def test_members_cannot_write_revise_or_archive(institution, organizer, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    data = {"title": "Mine", "body": "text", "change_note": "x"}
    assert member_client.post(url(institution, "procedure_new"), data).status_code == 403
    assert member_client.post(url(institution, "procedure_revise", pk=procedure.pk), data).status_code == 403
    assert member_client.post(url(institution, "procedure_archive", pk=procedure.pk)).status_code == 403
    assert member_client.get(url(institution, "procedures_unread")).status_code == 403
    with scope(institution=institution):
        assert Procedure.objects.get().title == "Opening the pantry"
        assert ProcedureVersion.objects.count() == 1
        assert Procedure.objects.get().archived_at is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"title": "", "body": "text"},
        {"title": "Title", "body": "   "},
        {"title": "x" * 201, "body": "text"},
        {"title": "Title", "body": "x" * 20001},
        {"title": "Title\x00", "body": "text"},
    ],
)
def test_bad_new_procedure_is_400_with_a_message_and_nothing_saved(institution, organizer_client, data):
    response = organizer_client.post(url(institution, "procedure_new"), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    with scope(institution=institution):
        assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Opening the pantry", "body": "Other", "change_note": ""}, "Say what changed"),
        ({"title": "Opening the pantry", "body": OPENING, "change_note": "x"}, "Nothing changed"),
        ({"title": "Opening the pantry", "body": "Other", "change_note": "x" * 301}, "at most 300"),
        ({"title": "", "body": "Other", "change_note": "x"}, "Give the procedure a title"),
    ],
)
def test_bad_revision_is_400_with_a_message_and_nothing_changed(
    institution, organizer, organizer_client, data, message
):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    response = organizer_client.post(url(institution, "procedure_revise", pk=procedure.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(institution=institution):
        assert ProcedureVersion.objects.count() == 1
        assert Procedure.objects.get().title == "Opening the pantry"


def test_revision_page_makes_the_next_version(institution, organizer, organizer_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    data = {"title": "Opening the pantry", "body": OPENING + "\n- Sweep", "change_note": "Sweep too"}
    response = organizer_client.post(url(institution, "procedure_revise", pk=procedure.pk), data)
    assert response.status_code == 302
    page = organizer_client.get(response["Location"]).content.decode()
    assert "Version 2 is the current one" in page and "Sweep too" in page


def test_member_acknowledges_and_pressing_twice_keeps_one(institution, organizer, member, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    target = url(institution, "procedure_acknowledge", pk=procedure.pk)
    assert member_client.post(target, {"version": "1"}).status_code == 302
    assert member_client.post(target, {"version": "1"}).status_code == 302
    with scope(institution=institution):
        assert ProcedureAcknowledgement.objects.filter(member=member).count() == 1
    page = member_client.get(url(institution, "procedure", pk=procedure.pk)).content.decode()
    assert "You have read this" in page and "I have read this" not in page


def test_stale_acknowledgement_is_400_and_shows_the_new_version(institution, organizer, member, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
        revise(procedure, organizer, "Bring the keys back to Ana.", note="Keys go to Ana")
    response = member_client.post(url(institution, "procedure_acknowledge", pk=procedure.pk), {"version": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "version 2 is the current one" in page
    assert "Bring the keys back to Ana." in page
    with scope(institution=institution):
        assert not ProcedureAcknowledgement.objects.exists()


def test_procedure_page_tells_an_earlier_reader_it_changed(institution, organizer, member, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
        read(procedure, member)
        revise(procedure, organizer, "New text")
    page = member_client.get(url(institution, "procedure", pk=procedure.pk)).content.decode()
    assert "You read version 1. It has changed since" in page
    assert "I have read this" in page and "You have read this" not in page


@pytest.mark.parametrize("data", [{}, {"version": ""}, {"version": "two"}, {"version": "0"}, {"version": "9" * 30}])
def test_bad_acknowledgement_is_400_and_records_nothing(institution, organizer, member_client, data):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    response = member_client.post(url(institution, "procedure_acknowledge", pk=procedure.pk), data)
    assert response.status_code == 400
    assert "Say which version you have read" in response.content.decode()
    with scope(institution=institution):
        assert not ProcedureAcknowledgement.objects.exists()


def test_list_shows_each_viewers_reading_state_and_organizers_the_share(
    institution, organizer, member, member_client, organizer_client
):
    with scope(institution=institution):
        read_one = write(institution, organizer, title="Read one")
        changed = write(institution, organizer, title="Changed one")
        write(institution, organizer, title="Never read")
        read(read_one, member)
        read(changed, member)
        revise(changed, organizer, "New text")
    page = member_client.get(url(institution, "procedures")).content.decode()
    assert page.count("You have read this") == 1
    assert page.count("New version to read") == 1
    assert page.count("Not read yet") == 1
    assert "members have read" not in page
    page = organizer_client.get(url(institution, "procedures")).content.decode()
    assert "1 of 2 members have read the current version" in page
    assert "0 of 2 members have read the current version" in page


def test_archived_procedures_leave_the_list_and_come_back(institution, organizer, organizer_client):
    with scope(institution=institution):
        procedure = write(institution, organizer)
    assert organizer_client.post(url(institution, "procedure_archive", pk=procedure.pk)).status_code == 302
    assert "Opening the pantry" not in organizer_client.get(url(institution, "procedures")).content.decode()
    archived = organizer_client.get(url(institution, "procedures") + "?show=archived").content.decode()
    assert "Opening the pantry" in archived
    assert organizer_client.post(url(institution, "procedure_unarchive", pk=procedure.pk)).status_code == 302
    assert "Opening the pantry" in organizer_client.get(url(institution, "procedures")).content.decode()


def test_version_page_shows_the_old_text_and_labelled_line_changes(institution, organizer, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer, body="Unlock\nLights on")
        revise(procedure, organizer, "Unlock\nLights off", note="Lights off")
    first = member_client.get(url(institution, "procedure_version", pk=procedure.pk, number=1)).content.decode()
    assert "Lights on" in first and "Read the current version" in first and "Compared with" not in first
    second = member_client.get(url(institution, "procedure_version", pk=procedure.pk, number=2)).content.decode()
    assert "<strong>Removed:</strong> <del>Lights on</del>" in second
    assert "<strong>Added:</strong> <ins>Lights off</ins>" in second
    assert member_client.get(url(institution, "procedure_version", pk=procedure.pk, number=3)).status_code == 404


def test_unread_page_lists_who_still_has_to_read(institution, organizer, member, organizer_client):
    with scope(institution=institution):
        procedure = write(institution, organizer, title="Escort protocol")
        read(procedure, organizer)
    page = organizer_client.get(url(institution, "procedures_unread")).content.decode()
    assert "Mo · never read it" in page
    assert "Olga · " not in page


def test_procedures_of_another_institution_are_404(
    institution, other_institution, other_member, member_client, organizer_client
):
    with scope(institution=other_institution):
        foreign = write(other_institution, other_member)
    assert member_client.get(url(institution, "procedure", pk=foreign.pk)).status_code == 404
    acknowledge = url(institution, "procedure_acknowledge", pk=foreign.pk)
    assert member_client.post(acknowledge, {"version": 1}).status_code == 404
    assert member_client.get(url(institution, "procedure_version", pk=foreign.pk, number=1)).status_code == 404
    data = {"title": "Taken", "body": "text", "change_note": "x"}
    assert organizer_client.post(url(institution, "procedure_revise", pk=foreign.pk), data).status_code == 404
    assert organizer_client.post(url(institution, "procedure_archive", pk=foreign.pk)).status_code == 404
    with scope(institution=other_institution):
        assert ProcedureVersion.objects.count() == 1 and Procedure.objects.get().archived_at is None


def test_logistics_home_reminds_of_unread_procedures(institution, organizer, member, member_client):
    with scope(institution=institution):
        procedure = write(institution, organizer, title="Escort protocol")
    page = member_client.get(url(institution, "index")).content.decode()
    assert "Procedures to read" in page and "Escort protocol" in page
    with scope(institution=institution):
        read(procedure, member)
    assert "Procedures to read" not in member_client.get(url(institution, "index")).content.decode()


def _grow(institution, organizer, members, titles):
    people = [organizer] + [MembershipFactory(institution=institution).user for _ in range(members - 1)]
    with scope(institution=institution):
        for index in range(titles):
            procedure = write(institution, organizer, title=f"Procedure {index}")
            for person in people[index % 3 :: 3]:
                read(procedure, person)
            if index % 2:
                revise(procedure, organizer, f"Text {index}")


def _count(client, target):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(target)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_pages_make_as_many_queries_with_50_members_and_10_procedures_as_with_one(
    institution, other_institution, organizer, client_for
):
    from tests.factories import OrganizerFactory

    big_organizer = OrganizerFactory(institution=other_institution).user
    _grow(institution, organizer, 1, 1)
    _grow(other_institution, big_organizer, 50, 10)
    with scope(institution=institution):
        small_pk = Procedure.objects.get().pk
    with scope(institution=other_institution):
        big_pk = Procedure.objects.get(title="Procedure 1").pk
    pages = [
        ("procedures", {}),
        ("procedures_unread", {}),
        ("procedure", {"pk": None}),
        ("procedure_version", {"pk": None, "number": 1}),
        ("procedure_revise", {"pk": None}),
        ("index", {}),
    ]
    for name, kwargs in pages:
        small = {**kwargs, **({"pk": small_pk} if "pk" in kwargs else {})}
        big = {**kwargs, **({"pk": big_pk} if "pk" in kwargs else {})}
        assert _count(client_for(organizer), url(institution, name, **small)) == _count(
            client_for(big_organizer), url(other_institution, name, **big)
        ), name


# The "read it again" mail -------------------------------------------------------------------------


def test_a_new_version_mails_earlier_readers_once(
    institution, organizer, member, mailoutbox, django_capture_on_commit_callbacks
):
    never = MembershipFactory(institution=institution).user
    quiet = MembershipFactory(institution=institution).user
    gone = MembershipFactory(institution=institution).user
    with scope(institution=institution):
        procedure = write(institution, organizer, title="Escort protocol")
        for person in (member, quiet, gone):
            read(procedure, person)
        Membership.objects.filter(user=gone).update(status=Membership.Status.LEFT)
    MailPreference.objects.create(user=quiet, institution=institution, kind="reminder", enabled=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, scope(institution=institution):
        revise(procedure, organizer, "Walk on the street side.", note="Street side")
    assert len(callbacks) == 1
    assert [message.to[0] for message in mailoutbox] == [member.email]
    (message,) = mailoutbox
    assert message.subject == "The procedure “Escort protocol” changed: please read it again"
    assert f"/logistics/procedures/{procedure.pk}/" in message.body and "Street side" in message.body
    # Run again (a retry, a duplicate): nobody hears twice.
    assert tell_procedure_changed.apply(args=[institution.pk], kwargs={"version_id": procedure.current_id}).get() == 0
    assert len(mailoutbox) == 1
    with scope(institution=institution):
        version = ProcedureVersion.objects.get(procedure=procedure, number=2)
    assert Delivery.objects.get(key=f"procedure-changed:{version.pk}:{member.pk}").status == "sent"
    assert Delivery.objects.get(key=f"procedure-changed:{version.pk}:{quiet.pk}").status == "skipped"
    assert not Delivery.objects.filter(recipient__in=[never, gone, organizer]).exists()


def test_mail_for_a_version_already_replaced_is_not_sent(institution, organizer, member, mailoutbox):
    with scope(institution=institution):
        procedure = write(institution, organizer)
        read(procedure, member)
        revise(procedure, organizer, "Second")
        second = procedure.current_id
        revise(procedure, organizer, "Third")
        third = procedure.current_id
    assert tell_procedure_changed.apply(args=[institution.pk], kwargs={"version_id": second}).get() == 0
    assert tell_procedure_changed.apply(args=[institution.pk], kwargs={"version_id": third}).get() == 1
    assert len(mailoutbox) == 1


def test_member_who_read_the_new_version_is_not_mailed(institution, organizer, member, mailoutbox):
    with scope(institution=institution):
        procedure = write(institution, organizer)
        read(procedure, member)
        revise(procedure, organizer, "Second")
        read(procedure, member)
    assert tell_procedure_changed.apply(args=[institution.pk], kwargs={"version_id": procedure.current_id}).get() == 0
    assert mailoutbox == []


# Demo ---------------------------------------------------------------------------------------------


def test_demo_seeds_revised_and_read_procedures_once(institution, organizer, member):
    first = seed_procedures(institution, [organizer, member])
    assert set(first) == {"escort", "harassment", "grievance"}
    again = seed_procedures(institution, [organizer, member])
    assert {name: procedure.pk for name, procedure in again.items()} == {
        name: procedure.pk for name, procedure in first.items()
    }
    with scope(institution=institution):
        assert Procedure.objects.count() == 3
        assert max(procedure.current.number for procedure in Procedure.objects.select_related("current")) == 2
        assert ProcedureAcknowledgement.objects.filter(member=member).exists()
        assert "street side" in first["escort"].current.body.lower()
