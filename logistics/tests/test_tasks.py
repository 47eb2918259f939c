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
