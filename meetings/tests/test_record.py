"""During and after a meeting: attendance, minutes, decisions, action items, printables, published minutes."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_scopes import scope

from decisions import services as decision_services
from followthrough.models import PublicPage
from institutions.models import AuditEntry
from meetings import selectors, services
from meetings.models import RSVP, ActionItem, AgendaItem, Attendance, Meeting, MeetingDecision
from meetings.templatetags.meeting_text import simple_text
from tests.factories import MembershipFactory, UserFactory, proposal_in_voting


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


def move_to_the_past(meeting, hours=2):
    """Meetings are planned in the future; tests of what happens after move them back in time."""
    with scope(institution=meeting.institution):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(hours=hours))
        meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting(institution, organizer):
    return plan(institution, organizer)


@pytest.fixture
def held(meeting):
    """A meeting that started two hours ago, with two agenda items."""
    move_to_the_past(meeting)
    with scope(institution=meeting.institution):
        services.agenda_item_add(meeting=meeting, actor=None, title="Welcome", minutes_allotted=5)
        services.agenda_item_add(meeting=meeting, actor=None, title="Repairs", minutes_allotted=30)
    return meeting


@pytest.fixture
def people(institution):
    return [MembershipFactory(institution=institution, user=UserFactory(name=f"Person {n}")).user for n in range(3)]


def snapshot(institution):
    with scope(institution=institution):
        return (
            list(Attendance.objects.order_by("pk").values_list("meeting_id", "user_id")),
            list(Meeting.objects.order_by("pk").values_list("status", "guests_count", "children_count", "minutes")),
            list(AgendaItem.objects.order_by("pk").values_list("record", flat=True)),
            list(MeetingDecision.objects.values_list("pk", flat=True)),
            list(ActionItem.objects.values_list("pk", flat=True)),
            AuditEntry.objects.count(),
        )


# Attendance ----------------------------------------------------------------------------------------


def test_attendance_replaces_the_list_and_marks_a_started_meeting_held(institution, organizer, held, people):
    first, second, third = people
    with scope(institution=institution):
        services.attendance_record(
            meeting=held, actor=organizer, present_user_ids=[first.pk, second.pk], guests=3, children=2
        )
        services.attendance_record(
            meeting=held, actor=organizer, present_user_ids=[second.pk, third.pk, organizer.pk], guests=4, children=1
        )
        held.refresh_from_db()
        present = set(Attendance.objects.filter(meeting=held).values_list("user_id", flat=True))
    assert present == {second.pk, third.pk, organizer.pk}
    assert (held.status, held.guests_count, held.children_count) == ("held", 4, 1)
    assert held.sequence == 0, "taking attendance does not send calendars a new version"


def test_attendance_before_the_start_keeps_the_meeting_planned(institution, organizer, meeting, people):
    with scope(institution=institution):
        services.attendance_record(
            meeting=meeting, actor=organizer, present_user_ids=[people[0].pk], guests=0, children=0
        )
        meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_attendance_refuses_outsiders_negative_counts_and_cancelled_meetings(
    institution, organizer, held, other_member
):
    before = snapshot(institution)
    with scope(institution=institution):
        for bad in (
            {"present_user_ids": [other_member.pk], "guests": 0, "children": 0},
            {"present_user_ids": ["x"], "guests": 0, "children": 0},
            {"present_user_ids": [], "guests": -1, "children": 0},
            {"present_user_ids": [], "guests": 0, "children": True},
        ):
            with pytest.raises(ValidationError):
                services.attendance_record(meeting=held, actor=organizer, **bad)
    assert snapshot(institution) == before


def test_organizer_takes_attendance_on_the_page(organizer_client, institution, held, people, member):
    with scope(institution=institution):
        RSVP.objects.create(institution=institution, meeting=held, user=member, name="Mo")
    page = organizer_client.get(url("attendance", institution, pk=held.pk)).content.decode()
    # Members who said they would come are listed first, marked.
    assert page.index("Mo") < page.index("Person 0") and "said they would come" in page
    response = organizer_client.post(
        url("attendance", institution, pk=held.pk),
        {"present": [str(people[0].pk), str(member.pk)], "guests": "3", "children": "2"},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        held.refresh_from_db()
        assert Attendance.objects.filter(meeting=held).count() == 2
    assert (held.guests_count, held.children_count, held.status) == (3, 2, "held")
    again = organizer_client.get(url("attendance", institution, pk=held.pk)).content.decode()
    assert "Attendance saved: 2 members, 3 guests, 2 children in childcare." in again
    assert f'value="{member.pk}" id="present-{member.pk}" checked' in again


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"guests": "", "children": "0"},
        {"guests": "-2", "children": "0"},
        {"guests": "two", "children": "0"},
        {"guests": "1", "children": "0", "present": ["987654"]},
    ],
    ids=["empty", "blank", "negative", "words", "stranger"],
)
def test_bad_attendance_is_refused_with_400_and_changes_nothing(organizer_client, institution, held, data):
    before = snapshot(institution)
    response = organizer_client.post(url("attendance", institution, pk=held.pk), data)
    assert response.status_code == 400
    assert "Nothing was saved." in response.content.decode()
    assert snapshot(institution) == before


def test_attendance_per_meeting_counts_in_one_query(
    institution, organizer, people, django_assert_num_queries, settings
):
    institution.time_zone = "America/Chicago"
    institution.save()
    late_evening = plan(institution, organizer, title="Late")
    early = plan(institution, organizer, title="Early")
    plan(institution, organizer, title="Not held yet")
    with scope(institution=institution):
        for meeting, hours_ago, present, guests, children in (
            (early, 72, people[:1], 5, 0),
            (late_evening, 2, people, 1, 4),
        ):
            move_to_the_past(meeting, hours_ago)
            services.attendance_record(
                meeting=meeting,
                actor=organizer,
                present_user_ids=[user.pk for user in present],
                guests=guests,
                children=children,
            )
        start, end = timezone.now() - timedelta(days=30), timezone.now()
        with django_assert_num_queries(1):
            rows = selectors.attendance_per_meeting(institution, start, end)
    assert [(row["title"], row["members"], row["guests"], row["children"]) for row in rows] == [
        ("Early", 1, 5, 0),
        ("Late", 3, 1, 4),
    ]
    late = rows[1]
    assert late["date"] == late["starts_at"].astimezone(ZoneInfo("America/Chicago")).date()


# Minutes -------------------------------------------------------------------------------------------


def minutes_data(client, institution, meeting, **fields):
    """The minutes form as the page fills it in (with its version), changed by `fields`."""
    page = client.get(url("minutes", institution, pk=meeting.pk)).content.decode()
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    return {"version": version, "minutes": "", **fields}


def test_members_read_the_minutes_but_only_organizers_and_the_note_taker_write(
    institution, organizer, held, member_client, member, people, client_for
):
    page = member_client.get(url("minutes", institution, pk=held.pk))
    assert page.status_code == 200 and 'name="version"' not in page.content.decode()
    before = snapshot(institution)
    refused = member_client.post(url("minutes", institution, pk=held.pk), {"minutes": "I was not asked"})
    assert refused.status_code == 403
    assert snapshot(institution) == before

    note_taker = people[0]
    with scope(institution=institution):
        services.meeting_update(meeting=held, actor=organizer, note_taker=note_taker)
        repairs = AgendaItem.objects.get(title="Repairs")
    client = client_for(note_taker)
    data = minutes_data(client, institution, held, minutes="We met.", **{f"record-{repairs.pk}": "Boiler first."})
    response = client.post(url("minutes", institution, pk=held.pk), data)
    assert response.status_code == 302
    with scope(institution=institution):
        held.refresh_from_db()
        repairs.refresh_from_db()
    assert (held.minutes, repairs.record) == ("We met.", "Boiler first.")
    read = member_client.get(url("minutes", institution, pk=held.pk)).content.decode()
    assert "Boiler first." in read and "We met." in read


def test_saving_over_newer_minutes_is_refused_and_keeps_what_was_typed(organizer_client, institution, held):
    stale = minutes_data(organizer_client, institution, held, minutes="My version")
    fresh = minutes_data(organizer_client, institution, held, minutes="Their version")
    assert organizer_client.post(url("minutes", institution, pk=held.pk), fresh).status_code == 302
    response = organizer_client.post(url("minutes", institution, pk=held.pk), stale)
    assert response.status_code == 409
    assert "Someone saved the minutes while you were writing" in response.content.decode()
    assert "My version" in response.content.decode()
    with scope(institution=institution):
        held.refresh_from_db()
    assert held.minutes == "Their version"


def test_an_empty_or_oversized_minutes_form_is_refused(organizer_client, institution, held):
    before = snapshot(institution)
    assert organizer_client.post(url("minutes", institution, pk=held.pk), {}).status_code == 400
    data = minutes_data(organizer_client, institution, held, minutes="x" * 50_001)
    assert organizer_client.post(url("minutes", institution, pk=held.pk), data).status_code == 400
    assert snapshot(institution) == before


def test_only_a_public_meetings_minutes_can_be_published(organizer_client, institution, organizer):
    private = move_to_the_past(plan(institution, organizer, is_public=False))
    page = organizer_client.get(url("minutes", institution, pk=private.pk)).content.decode()
    assert 'name="publish"' not in page
    data = minutes_data(organizer_client, institution, private, minutes="Members only", publish="on")
    assert organizer_client.post(url("minutes", institution, pk=private.pk), data).status_code == 302
    with scope(institution=institution):
        private.refresh_from_db()
        assert private.minutes == "Members only" and not private.minutes_published
        with pytest.raises(ValidationError):
            services.minutes_save(meeting=private, actor=organizer, minutes="", records={}, publish=True)
        private.refresh_from_db()
        assert private.minutes == "Members only"


def test_publishing_is_audited_and_shows_on_the_public_page(organizer_client, institution, held, organizer):
    PublicPage.objects.create(institution=institution, show_minutes=True)  # the section is opt-in
    data = minutes_data(organizer_client, institution, held, minutes="We agreed.", publish="on")
    assert organizer_client.post(url("minutes", institution, pk=held.pk), data).status_code == 302
    with scope(institution=institution):
        assert AuditEntry.objects.filter(action="meeting.minutes_published").count() == 1
    home = Client().get(reverse("institutions:home", kwargs={"institution_slug": institution.slug})).content.decode()
    assert "Published minutes" in home and url("minutes_public", institution, pk=held.pk) in home


def test_public_minutes_show_counts_never_names_or_contacts(institution, organizer, held, people, member):
    public_url = url("minutes_public", institution, pk=held.pk)
    assert Client().get(public_url).status_code == 404  # not published yet
    proposal = proposal_in_voting(institution, organizer, title="Members-only proposal title")
    with scope(institution=institution):
        decision_services.voting_close(proposal=proposal)
        services.decision_record(meeting=held, actor=organizer, question="Open on Sundays?", proposal=proposal)
        RSVP.objects.create(
            institution=institution, meeting=held, name="Rita Renter", email="rita@example.org", party_size=2
        )
        services.attendance_record(
            meeting=held, actor=organizer, present_user_ids=[user.pk for user in people], guests=4, children=2
        )
        services.action_item_add(meeting=held, actor=organizer, text="Call the landlord", owner=people[2])
        services.minutes_save(meeting=held, actor=organizer, minutes="We agreed.", records={}, publish=True)
    page = Client().get(public_url).content.decode()
    assert "3 members present" in page and "4 guests" in page and "2 children in childcare" in page
    assert "Call the landlord" in page and "We agreed." in page
    assert "Open on Sundays?" in page and "Voted by the members in the app" in page
    for private in (
        "Person 0",
        "Person 1",
        "Person 2",
        "Rita",
        "rita@example.org",
        "olga@example.org",
        "Olga",
        "Members-only proposal title",
        reverse("decisions:detail", kwargs={"institution_slug": institution.slug, "pk": proposal.pk}),
    ):
        assert private not in page, private


def test_members_only_meetings_never_have_public_minutes(institution, organizer):
    private = plan(institution, organizer, is_public=False)
    with scope(institution=institution):
        Meeting.objects.filter(pk=private.pk).update(minutes_published=True, minutes="Secret")
    PublicPage.objects.create(institution=institution, show_minutes=True)
    assert Client().get(url("minutes_public", institution, pk=private.pk)).status_code == 404
    home = Client().get(reverse("institutions:home", kwargs={"institution_slug": institution.slug})).content.decode()
    assert "No minutes are published yet." in home and url("minutes_public", institution, pk=private.pk) not in home


# Simple formatting ---------------------------------------------------------------------------------


def test_simple_text_escapes_everything_first():
    html = simple_text('<script>alert(1)</script> & "quotes"\n<b onclick="x()">bold</b>')
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;<br>" in html
    # Text marked safe somewhere else is escaped all the same.
    assert simple_text(mark_safe("<img src=x>")) == "<p>&lt;img src=x&gt;</p>"


def test_simple_text_makes_paragraphs_line_breaks_bullets_and_links():
    html = simple_text(
        "We met.\nEveryone came.\n\n- Fix the boiler\n- Read https://example.org/?a=1&b=2\nAfter the list"
    )
    assert html.startswith("<p>We met.<br>\nEveryone came.</p>")
    assert "<ul><li>Fix the boiler</li><li>Read " in html
    assert '<a href="https://example.org/?a=1&amp;b=2" rel="nofollow">https://example.org/?a=1&amp;b=2</a>' in html
    assert html.endswith("<p>After the list</p>")
    assert simple_text("") == "" and simple_text(None) == ""
    assert simple_text("-5 degrees") == "<p>-5 degrees</p>", "a dash needs a space to make a bullet"


def test_links_cannot_smuggle_markup_or_scripts():
    html = simple_text('javascript:alert(1) http://example.org/"onmouseover="alert(1) <a href=x>y</a>')
    assert 'href="javascript' not in html and 'onmouseover="' not in html and "<a href=x>" not in html


def test_hostile_minutes_are_shown_as_text_everywhere(organizer_client, institution, held, organizer):
    hostile = "<script>alert(1)</script>"
    with scope(institution=institution):
        services.minutes_save(meeting=held, actor=organizer, minutes=hostile, records={}, publish=True)
        services.decision_record(meeting=held, actor=organizer, question=hostile, votes_for=1)
        services.action_item_add(meeting=held, actor=organizer, text=hostile)
    for page in (
        organizer_client.get(url("minutes", institution, pk=held.pk)),
        organizer_client.get(url("minutes_print", institution, pk=held.pk)),
        Client().get(url("minutes_public", institution, pk=held.pk)),
    ):
        html = page.content.decode()
        assert hostile not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Decisions and action items ------------------------------------------------------------------------


def decision_post(client, institution, meeting, **fields):
    return client.post(url("decision_new", institution, pk=meeting.pk), {f"decision-{k}": v for k, v in fields.items()})


def test_a_show_of_hands_is_recorded_and_audited(organizer_client, institution, held):
    response = decision_post(
        organizer_client, institution, held, question="Start a rent strike?", votes_for="12", votes_against="3"
    )
    assert response.status_code == 302
    with scope(institution=institution):
        decision = MeetingDecision.objects.get()
        assert AuditEntry.objects.filter(action="meeting.decision_recorded").exists()
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (12, 3, 0)
    printed = organizer_client.get(url("minutes_print", institution, pk=held.pk)).content.decode()
    assert "Start a rent strike?" in printed and "12 for, 3 against, 0 abstaining" in printed


def test_a_proposal_voted_in_the_app_is_linked_with_its_outcome(organizer_client, institution, held, organizer):
    proposal = proposal_in_voting(institution, organizer, title="Open on Sundays")
    response = decision_post(organizer_client, institution, held, question="Sundays?", proposal=str(proposal.pk))
    assert response.status_code == 302
    with scope(institution=institution):
        assert MeetingDecision.objects.get().proposal == proposal
    page = organizer_client.get(url("minutes", institution, pk=held.pk)).content.decode()
    assert (
        "Open on Sundays" in page
        and reverse("decisions:detail", kwargs={"institution_slug": institution.slug, "pk": proposal.pk}) in page
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": "Strike?", "votes_for": "-1"}, "greater than or equal to 0"),
        ({"question": "Strike?"}, "Write the show-of-hands count"),
        ({"question": "Strike?", "votes_for": "0", "votes_against": "0"}, "At least one of the counts"),
        ({"question": "", "votes_for": "3"}, "Write what was decided"),
        ({"question": "Strike?", "votes_for": "lots"}, "Enter a whole number"),
        ({"question": "Strike?", "proposal": "987654"}, "Select a valid choice"),
    ],
    ids=["negative", "no-count", "all-zero", "no-question", "words", "unknown-proposal"],
)
def test_a_bad_decision_is_refused_with_400_and_changes_nothing(organizer_client, institution, held, fields, message):
    before = snapshot(institution)
    response = decision_post(organizer_client, institution, held, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(institution) == before


def test_a_decision_takes_a_proposal_or_counts_not_both(institution, organizer, held, other_institution):
    proposal = proposal_in_voting(institution, organizer)
    theirs = proposal_in_voting(other_institution, organizer)
    before = snapshot(institution)
    with scope(institution=institution):
        with pytest.raises(ValidationError, match="not both"):
            services.decision_record(meeting=held, actor=organizer, question="Q", proposal=proposal, votes_for=2)
        with pytest.raises(ValidationError, match="not one of this institution"):
            services.decision_record(meeting=held, actor=organizer, question="Q", proposal=theirs)
    assert snapshot(institution) == before


def test_removing_a_decision_is_audited(organizer_client, institution, held, organizer):
    with scope(institution=institution):
        decision = services.decision_record(meeting=held, actor=organizer, question="Q", votes_for=1)
    response = organizer_client.post(url("decision_delete", institution, pk=held.pk, decision_pk=decision.pk))
    assert response.status_code == 302
    with scope(institution=institution):
        assert not MeetingDecision.objects.exists()
        assert AuditEntry.objects.filter(action="meeting.decision_removed").exists()


@pytest.fixture
def hooks(monkeypatch):
    """An empty hook list for the test, whatever other apps registered."""
    monkeypatch.setattr(services, "ACTION_ITEM_HOOKS", [])
    return services.ACTION_ITEM_HOOKS


def test_a_registered_hook_hears_about_each_new_action_item(
    organizer_client, institution, held, member, organizer, hooks
):
    heard = []

    @services.on_action_item
    def make_task(*, item, actor):
        heard.append((item, actor))

    services.on_action_item(make_task)  # registering twice keeps one
    response = organizer_client.post(
        url("action_new", institution, pk=held.pk),
        {"action-text": "Call the landlord", "action-owner": str(member.pk), "action-due_on": "2031-01-15"},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        item = ActionItem.objects.get()
    assert heard == [(item, organizer)]
    assert (item.text, item.owner, str(item.due_on)) == ("Call the landlord", member, "2031-01-15")


def test_a_failing_hook_leaves_no_action_item_behind(institution, held, organizer, hooks):
    def broken(*, item, actor):
        raise ValidationError("The task list is closed.")

    services.on_action_item(broken)
    with scope(institution=institution), pytest.raises(ValidationError):
        services.action_item_add(meeting=held, actor=organizer, text="Buy chairs")
    with scope(institution=institution):
        assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{}, {"action-text": ""}, {"action-text": "x" * 301}, {"action-text": "Go", "action-owner": "987654"}],
    ids=["empty", "blank", "too-long", "stranger"],
)
def test_a_bad_action_item_is_refused_with_400(organizer_client, institution, held, fields, hooks):
    before = snapshot(institution)
    assert organizer_client.post(url("action_new", institution, pk=held.pk), fields).status_code == 400
    assert snapshot(institution) == before


def test_nothing_is_recorded_for_a_cancelled_meeting(institution, organizer, meeting):
    with scope(institution=institution):
        services.meeting_cancel(meeting=meeting, actor=organizer, reason="Flooded")
        before = snapshot(institution)
        for record in (
            lambda: services.attendance_record(
                meeting=meeting, actor=organizer, present_user_ids=[], guests=1, children=0
            ),
            lambda: services.decision_record(meeting=meeting, actor=organizer, question="Q", votes_for=1),
            lambda: services.action_item_add(meeting=meeting, actor=organizer, text="T"),
        ):
            with pytest.raises(ValidationError, match="cancelled"):
                record()
    assert snapshot(institution) == before


# On paper ------------------------------------------------------------------------------------------


def agenda_times(client, institution, meeting):
    page = client.get(url("agenda_print", institution, pk=meeting.pk)).content.decode()
    return re.findall(r'<span class="agenda-time">([^<]+)</span>', page)


def plan_with_agenda(institution, organizer, starts_at, boxes):
    meeting = plan(institution, organizer, starts_at=starts_at)
    with scope(institution=institution):
        for number, minutes in enumerate(boxes, start=1):
            services.agenda_item_add(meeting=meeting, actor=organizer, title=f"Item {number}", minutes_allotted=minutes)
    return meeting


@pytest.fixture
def chicago(institution):
    institution.time_zone = "America/Chicago"
    institution.save()
    return ZoneInfo("America/Chicago")


def test_the_printed_agenda_runs_its_clock_across_midnight(member_client, institution, organizer, chicago):
    late = plan_with_agenda(institution, organizer, datetime(2030, 6, 14, 23, 30, tzinfo=chicago), [5, 20, 30])
    assert agenda_times(member_client, institution, late) == ["23:30", "23:35", "23:55", "00:25"]
    page = member_client.get(url("agenda_print", institution, pk=late.pk)).content.decode()
    assert "Item 1" in page and "(5 min)" in page and "America/Chicago" in page


def test_the_printed_agenda_reads_the_wall_clock_across_daylight_saving(member_client, institution, organizer, chicago):
    # Spring: at 2:00 the clocks jump to 3:00, so an hour after 1:30 is 3:30.
    spring = plan_with_agenda(institution, organizer, datetime(2030, 3, 10, 1, 30, tzinfo=chicago), [60, 15])
    assert agenda_times(member_client, institution, spring) == ["01:30", "03:30", "03:45"]
    # Autumn: at 2:00 the clocks go back to 1:00, so an hour after 1:30 reads 1:30 again.
    autumn = plan_with_agenda(institution, organizer, datetime(2030, 11, 3, 0, 30, tzinfo=chicago), [60, 60, 30])
    assert agenda_times(member_client, institution, autumn) == ["00:30", "01:30", "01:30", "02:00"]


def test_the_printed_agenda_warns_when_time_boxes_overrun(member_client, institution, organizer):
    meeting = plan(institution, organizer, duration_minutes=30)
    with scope(institution=institution):
        services.agenda_item_add(meeting=meeting, actor=organizer, title="Everything", minutes_allotted=45)
    page = member_client.get(url("agenda_print", institution, pk=meeting.pk)).content.decode()
    assert "15 minutes more than the meeting’s length" in page


def test_the_sign_in_sheet_has_rsvp_names_then_blank_rows_and_no_contacts(organizer_client, institution, meeting):
    with scope(institution=institution):
        services.rsvp_create(meeting=meeting, name="Zoe", email="zoe@example.org")
        services.rsvp_create(meeting=meeting, name="Ana <b>", party_size=3, children=2)
        gone = services.rsvp_create(meeting=meeting, name="Gone")
        services.rsvp_cancel(rsvp=gone)
    page = organizer_client.get(url("signin_sheet", institution, pk=meeting.pk)).content.decode()
    for column in ("Name", "Phone or e-mail", "OK to contact me", "Childcare", "Food", "Ride", "Interpretation"):
        assert f">{column}</th>" in page
    rows = re.findall(r'<tr class="signin-row[^"]*"><td>([^<]*)</td>', page)
    assert rows == ["Ana &lt;b&gt;", "Zoe"] + [""] * 20
    assert "zoe@example.org" not in page and "Gone" not in page
    assert page.count('class="paper-box"') == 5 * 22


def test_the_printed_minutes_have_everything(member_client, institution, held, organizer, member, people):
    with scope(institution=institution):
        repairs = AgendaItem.objects.get(title="Repairs")
        services.attendance_record(
            meeting=held, actor=organizer, present_user_ids=[people[0].pk, member.pk], guests=3, children=2
        )
        services.minutes_save(
            meeting=held,
            actor=organizer,
            minutes="- Chairs\n- Snacks",
            records={repairs.pk: "The boiler comes first."},
            publish=False,
        )
        services.decision_record(meeting=held, actor=organizer, question="Strike?", votes_for=9, votes_abstain=2)
        services.action_item_add(meeting=held, actor=organizer, text="Write to the landlord", owner=member)
    page = member_client.get(url("minutes_print", institution, pk=held.pk)).content.decode()
    for text in (
        "2 members present",
        "3 guests",
        "2 children in childcare",
        "The boiler comes first.",
        "<li>Chairs</li><li>Snacks</li>",
        "9 for, 0 against, 2 abstaining",
        "Write to the landlord",
        "<strong>Mo</strong>",
        "No notes on this item.",
    ):
        assert text in page, text


def test_the_meeting_page_links_to_everything_during_and_after(organizer_client, member_client, institution, held):
    page = organizer_client.get(held.get_absolute_url()).content.decode()
    for name in ("attendance", "minutes", "agenda_print", "signin_sheet"):
        assert url(name, institution, pk=held.pk) in page, name
    member_page = member_client.get(held.get_absolute_url()).content.decode()
    assert url("agenda_print", institution, pk=held.pk) in member_page
    assert url("signin_sheet", institution, pk=held.pk) not in member_page
