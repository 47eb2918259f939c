"""Tasks: writing them, claiming and releasing, assigning, finishing; action items from minutes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from logistics import services
from logistics.models import Task
from meetings import services as meeting_services
from tests.factories import MembershipFactory


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def make_task(institution, author, **fields):
    return services.task_create(
        institution=institution, author=author, title=fields.pop("title", "Fold tables"), **fields
    )


def test_task_starts_open_and_unclaimed(scoped, member):
    task = make_task(scoped, member, effort=Task.Effort.LARGE)
    assert (task.status, task.owner, task.effort, task.created_by) == ("open", None, 3, member)


def test_task_for_someone_outside_the_institution_is_refused(scoped, member, outsider):
    with pytest.raises(ValidationError):
        make_task(scoped, member, owner=outsider)
    assert not Task.objects.exists()


def test_empty_title_is_refused(scoped, member):
    with pytest.raises(ValidationError):
        make_task(scoped, member, title="   ")


def test_member_claims_an_unclaimed_task_and_a_second_claim_fails(scoped, member, organizer):
    task = make_task(scoped, organizer)
    stale = Task.objects.get(pk=task.pk)  # what a second member's page still shows
    services.task_claim(task=task, member=member)
    assert Task.objects.get(pk=task.pk).owner == member
    with pytest.raises(ValidationError, match="took this task"):
        services.task_claim(task=stale, member=organizer)
    assert Task.objects.get(pk=task.pk).owner == member


def test_only_the_owner_releases(scoped, member, organizer):
    task = make_task(scoped, organizer, owner=member)
    with pytest.raises(ValidationError):
        services.task_release(task=task, member=organizer)
    services.task_release(task=task, member=member)
    assert Task.objects.get(pk=task.pk).owner is None


def test_organizer_assigns_to_a_member_only(scoped, member, organizer, outsider):
    task = make_task(scoped, organizer)
    services.task_assign(task=task, actor=organizer, owner=member)
    assert Task.objects.get(pk=task.pk).owner == member
    with pytest.raises(ValidationError):
        services.task_assign(task=task, actor=organizer, owner=outsider)


def test_done_records_when_and_reopening_clears_it(scoped, member):
    task = make_task(scoped, member)
    services.task_set_status(task=task, actor=member, status="done")
    assert Task.objects.get(pk=task.pk).done_at is not None
    services.task_set_status(task=task, actor=member, status="open")
    assert Task.objects.get(pk=task.pk).done_at is None
    with pytest.raises(ValidationError):
        services.task_set_status(task=task, actor=member, status="finished")


def test_finished_task_cannot_be_claimed(scoped, member, organizer):
    task = make_task(scoped, organizer)
    services.task_set_status(task=task, actor=organizer, status="dropped")
    with pytest.raises(ValidationError):
        services.task_claim(task=task, member=member)


def test_action_item_at_a_meeting_becomes_a_task(scoped, organizer, member):
    meeting = meeting_services.meeting_create(
        institution=scoped,
        author=organizer,
        title="Assembly",
        starts_at=timezone.now() + timedelta(days=2),
        place_name="Hall",
    )
    due = timezone.localdate() + timedelta(days=5)
    item = meeting_services.action_item_add(
        meeting=meeting, actor=organizer, text="Call the landlord", owner=member, due_on=due
    )
    task = Task.objects.get(action_item=item)
    assert (task.title, task.owner, task.due_on, task.meeting, task.created_by) == (
        "Call the landlord",
        member,
        due,
        meeting,
        organizer,
    )


def test_task_cannot_serve_another_institutions_need(scoped, member, other_institution, other_member):
    from needs.services import need_create

    with scope(institution=other_institution):
        foreign = need_create(institution=other_institution, author=other_member, title="Elsewhere")
    with pytest.raises(ValidationError):
        make_task(scoped, member, need=foreign)


def test_a_second_member_can_claim_after_release(scoped, member, organizer):
    someone = MembershipFactory(institution=scoped).user
    task = make_task(scoped, organizer)
    services.task_claim(task=task, member=member)
    services.task_release(task=task, member=member)
    services.task_claim(task=Task.objects.get(pk=task.pk), member=someone)
    assert Task.objects.get(pk=task.pk).owner == someone


# Pages ---------------------------------------------------------------------------------------------


def url(institution, name, pk=None):
    from django.urls import reverse

    kwargs = {"institution_slug": institution.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"logistics:{name}", kwargs=kwargs)


def test_member_writes_a_task_for_themselves(institution, member, member_client):
    response = member_client.post(
        url(institution, "task_new"), {"title": "Bring chairs", "effort": "2", "mine": "on", "due_on": "2030-01-05"}
    )
    assert response.status_code == 302
    with scope(institution=institution):
        task = Task.objects.get()
    assert (task.title, task.owner, task.effort, str(task.due_on)) == ("Bring chairs", member, 2, "2030-01-05")


@pytest.mark.parametrize(
    "data",
    [{}, {"title": "", "effort": "1"}, {"title": "x", "effort": "9"}, {"title": "x", "effort": "1", "due_on": "soon"}],
)
def test_bad_task_form_is_400_and_changes_nothing(institution, member, member_client, data):
    response = member_client.post(url(institution, "task_new"), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    with scope(institution=institution):
        assert not Task.objects.exists()


def test_list_filters_and_claim_from_the_list(institution, organizer, member, member_client):
    with scope(institution=institution):
        free = make_task(institution, organizer, title="Sweep the hall")
        make_task(institution, organizer, title="Count the cans", owner=organizer)
    page = member_client.get(url(institution, "index") + "?show=unclaimed").content.decode()
    assert "Sweep the hall" in page and "Count the cans" not in page
    response = member_client.post(url(institution, "task_claim", free.pk), {"next": url(institution, "index")})
    assert response.status_code == 302 and response["Location"] == url(institution, "index")
    assert "Sweep the hall" in member_client.get(url(institution, "mine")).content.decode()
    assert "Sweep the hall" in member_client.get(url(institution, "index") + "?show=mine").content.decode()


def test_claiming_a_taken_task_is_refused_with_the_reason(institution, organizer, member, member_client):
    with scope(institution=institution):
        task = make_task(institution, organizer, owner=organizer)
    response = member_client.post(url(institution, "task_claim", task.pk))
    assert response.status_code == 400
    assert "took this task" in response.content.decode()
    with scope(institution=institution):
        assert Task.objects.get(pk=task.pk).owner == organizer


def test_next_must_stay_on_this_site(institution, organizer, member_client):
    with scope(institution=institution):
        task = make_task(institution, organizer)
    response = member_client.post(url(institution, "task_claim", task.pk), {"next": "https://evil.example/"})
    assert response["Location"] == url(institution, "task", task.pk)


def test_only_author_owner_or_organizer_edits(institution, organizer, member, member_client, organizer_client):
    with scope(institution=institution):
        task = make_task(institution, organizer)
    data = {"title": "Renamed", "effort": "1"}
    assert member_client.post(url(institution, "task", task.pk), data).status_code == 403
    assert member_client.post(url(institution, "task_status", task.pk), {"status": "done"}).status_code == 403
    with scope(institution=institution):
        services.task_claim(task=task, member=member)
    assert member_client.post(url(institution, "task", task.pk), data).status_code == 302
    assert member_client.post(url(institution, "task_status", task.pk), {"status": "done"}).status_code == 302
    with scope(institution=institution):
        task = Task.objects.get(pk=task.pk)
    assert (task.title, task.status) == ("Renamed", "done")


def test_bad_status_is_400_and_changes_nothing(institution, organizer, organizer_client):
    with scope(institution=institution):
        task = make_task(institution, organizer)
    response = organizer_client.post(url(institution, "task_status", task.pk), {"status": "finished"})
    assert response.status_code == 400 and "Choose a status" in response.content.decode()
    with scope(institution=institution):
        assert Task.objects.get(pk=task.pk).status == "open"


def test_organizer_assigns_and_members_cannot(institution, organizer, member, organizer_client, member_client):
    with scope(institution=institution):
        task = make_task(institution, organizer)
    assert member_client.post(url(institution, "task_assign", task.pk), {"owner": member.pk}).status_code == 403
    assert organizer_client.post(url(institution, "task_assign", task.pk), {"owner": member.pk}).status_code == 302
    with scope(institution=institution):
        assert Task.objects.get(pk=task.pk).owner == member
    response = organizer_client.post(url(institution, "task_assign", task.pk), {"owner": "99999"})
    assert response.status_code == 400
    with scope(institution=institution):
        assert Task.objects.get(pk=task.pk).owner == member


def test_my_work_marks_overdue_and_sorts_by_due_date(institution, member, member_client):
    today = timezone.localdate()
    with scope(institution=institution):
        make_task(institution, member, title="Later", owner=member, due_on=today + timedelta(days=3))
        make_task(institution, member, title="Late", owner=member, due_on=today - timedelta(days=1))
        make_task(institution, member, title="Someday", owner=member)
        done = make_task(institution, member, title="Finished", owner=member)
        services.task_set_status(task=done, actor=member, status="done")
    page = member_client.get(url(institution, "mine")).content.decode()
    assert page.index("Late") < page.index("Later") < page.index("Someday")
    assert "Finished" not in page
    assert page.count("Overdue") == 1


def test_board_shows_exact_loads_and_flags_overload(institution, organizer, member, member_client):
    from logistics.selectors import board

    quiet = MembershipFactory(institution=institution).user
    with scope(institution=institution):
        for effort in (3, 3, 2):
            make_task(institution, organizer, owner=member, effort=effort)
        make_task(institution, organizer, owner=organizer, effort=1)
        finished = make_task(institution, organizer, owner=organizer, effort=3)
        services.task_set_status(task=finished, actor=organizer, status="done")
        make_task(institution, organizer, effort=2)
        make_task(institution, organizer, effort=1)
        rows, unclaimed, average = board(institution)
    assert [(row.user, row.open_tasks, row.effort, row.overloaded) for row in rows] == [
        (member, 3, 8, True),
        (organizer, 1, 1, False),
        (quiet, 0, 0, False),
    ]
    assert (unclaimed.open_tasks, unclaimed.effort) == (2, 3)
    assert average == 3
    page = member_client.get(url(institution, "board")).content.decode()
    assert page.count('badge-attention">may be overloaded') == 1


def test_board_flags_twice_the_average_from_four_points(institution, organizer, member):
    from logistics.selectors import board

    quiet = MembershipFactory(institution=institution, user__name="Quinn").user
    with scope(institution=institution):
        make_task(institution, organizer, owner=member, effort=3)
        make_task(institution, organizer, owner=member, effort=2)
        make_task(institution, organizer, owner=organizer, effort=1)
        rows, _unclaimed, average = board(institution)
    assert average == 2  # (5 + 1 + 0) / 3
    assert [(row.user, row.effort, row.overloaded) for row in rows] == [
        (member, 5, True),
        (organizer, 1, False),
        (quiet, 0, False),
    ]


def test_tasks_of_another_institution_are_404(institution, other_institution, other_member, member_client):
    with scope(institution=other_institution):
        foreign = make_task(other_institution, other_member)
    assert member_client.get(url(institution, "task", foreign.pk)).status_code == 404
    assert member_client.post(url(institution, "task_claim", foreign.pk)).status_code == 404


# Reminders ------------------------------------------------------------------------------------------


def test_reminders_go_once_to_owners_due_tomorrow_and_organizers_of_overdue_tasks(
    institution, organizer, member, mailoutbox
):
    from logistics.tasks import send_task_reminders

    second = MembershipFactory(institution=institution, role="organizer").user
    today = timezone.localdate()
    with scope(institution=institution):
        tomorrow = make_task(institution, organizer, title="Pick up bread", owner=member, due_on=today + timedelta(1))
        make_task(institution, organizer, title="Later task", owner=member, due_on=today + timedelta(5))
        make_task(institution, organizer, title="Unclaimed tomorrow", due_on=today + timedelta(1))
        late = make_task(institution, organizer, title="Fix the sign", due_on=today - timedelta(2))
        finished = make_task(institution, organizer, title="Old news", owner=member, due_on=today - timedelta(3))
        services.task_set_status(task=finished, actor=organizer, status="done")
    send_task_reminders.apply().get()
    send_task_reminders.apply().get()
    sent = sorted((message.to[0], message.subject) for message in mailoutbox)
    assert sent == sorted(
        [
            (member.email, "Due tomorrow: “Pick up bread”"),
            (organizer.email, "Overdue: “Fix the sign”"),
            (second.email, "Overdue: “Fix the sign”"),
        ]
    )
    bodies = {message.subject: message.body for message in mailoutbox}
    assert f"/logistics/tasks/{tomorrow.pk}/" in bodies["Due tomorrow: “Pick up bread”"]
    assert f"/logistics/tasks/{late.pk}/" in bodies["Overdue: “Fix the sign”"]


def test_editing_a_task_does_not_repeat_its_reminder(institution, organizer, member, mailoutbox):
    from logistics.tasks import remind_tasks

    today = timezone.localdate()
    with scope(institution=institution):
        task = make_task(institution, organizer, owner=member, due_on=today + timedelta(1))
    remind_tasks.apply(args=[institution.pk]).get()
    with scope(institution=institution):
        services.task_update(task=task, actor=organizer, due_on=today + timedelta(3))
        services.task_update(task=task, actor=organizer, due_on=today + timedelta(1))
    remind_tasks.apply(args=[institution.pk]).get()
    assert len(mailoutbox) == 1  # same date, same key: not again


def test_every_change_to_a_task_is_audited_in_words(scoped, member, organizer):
    from institutions.models import AuditEntry

    task = make_task(scoped, organizer, title="Pick up chairs")
    services.task_claim(task=task, member=member)
    services.task_update(task=task, actor=member, description="Twelve chairs")
    services.task_set_status(task=task, actor=member, status="done")
    services.task_set_status(task=task, actor=member, status="done")  # no change: no entry
    services.task_release(task=services.task_set_status(task=task, actor=organizer, status="open"), member=member)
    services.task_assign(task=task, actor=organizer, owner=member)
    entries = list(AuditEntry.objects.filter(data__task_id=task.pk).order_by("pk"))
    assert [entry.action for entry in entries] == [
        "task.created",
        "task.claimed",
        "task.changed",
        "task.status_changed",
        "task.status_changed",
        "task.released",
        "task.assigned",
    ]
    assert entries[2].data["fields"] == ["description"]
    assert entries[3].describe() == "Mo moved the task “Pick up chairs” from Open to Done"
