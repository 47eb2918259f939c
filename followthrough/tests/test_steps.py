"""The stepper: which of the seven steps have something done, the next action, in one query."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from followthrough import goals
from followthrough.steps import step_progress
from logistics import services as task_services
from needs.services import need_create
from research.models import FieldNote


def done_apps(institution):
    return [item.step.app for item in step_progress(institution) if item.done]


def test_a_new_institution_has_nothing_done_and_is_pointed_at_the_first_step(institution):
    with scope(institution=institution):
        progress = step_progress(institution)
    assert [item.done for item in progress] == [False] * 7
    assert progress[0].next_url == reverse("needs:new", args=[institution.slug])
    assert [bool(item.next_url) for item in progress] == [True] + [False] * 6


def test_done_steps_are_recognised_and_the_next_action_is_for_the_first_not_done(institution, organizer, member):
    with scope(institution=institution):
        need_create(institution=institution, author=member, title="No laundry nearby")
        task_services.task_create(institution=institution, author=organizer, title="Find a room")
        goals.goal_create(institution=institution, actor=organizer, title="Open the laundry")
        assert done_apps(institution) == ["needs", "logistics", "followthrough"]
        progress = step_progress(institution)
    assert progress[1].next_url == reverse("consultation:outreach", args=[institution.slug])
    assert not any(item.next_url for item in progress[2:])


def test_a_paused_goal_does_not_count_as_following_through(institution, organizer):
    with scope(institution=institution):
        goal = goals.goal_create(institution=institution, actor=organizer, title="Open the laundry")
        goals.goal_status_set(goal=goal, actor=organizer, status="paused")
        assert "followthrough" not in done_apps(institution)


def test_evaluation_counts_only_with_check_ins_in_the_last_60_days(institution, member):
    from evaluation.models import CheckIn

    with scope(institution=institution):
        old = CheckIn.objects.create(
            institution=institution,
            member=member,
            period_start=timezone.localdate() - timedelta(days=90),
            feel=3,
            energy=3,
            created_at=timezone.now() - timedelta(days=61),
        )
        assert "evaluation" not in done_apps(institution)
        CheckIn.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=59))
        assert "evaluation" in done_apps(institution)


def test_step_progress_is_one_query_however_much_was_done(institution, organizer, member, django_assert_num_queries):
    with scope(institution=institution):
        for index in range(10):
            need_create(institution=institution, author=member, title=f"need {index}")
            task_services.task_create(institution=institution, author=organizer, title=f"task {index}")
            FieldNote.objects.create(institution=institution, title=f"note {index}", tried="x")
        with django_assert_num_queries(1):
            step_progress(institution)


def test_members_see_the_stepper_on_the_home_and_follow_through_pages(institution, member_client):
    home = member_client.get(reverse("institutions:home", args=[institution.slug]))
    assert "guide, not a gate" in home.text and "Write down a need you heard about" in home.text
    index = member_client.get(reverse("followthrough:index", args=[institution.slug]))
    assert "Write down a need you heard about" in index.text


def test_the_public_does_not_see_the_stepper(institution, client):
    home = client.get(reverse("institutions:home", args=[institution.slug]))
    assert "Write down a need you heard about" not in home.text


def test_when_every_step_is_done_the_stepper_still_suggests_a_next_action(institution, monkeypatch):
    from django.db.models import Value

    from followthrough import steps

    monkeypatch.setattr(steps, "_signals", lambda now: {step.app: Value(True) for step in steps.STEPS})
    with scope(institution=institution):
        progress = step_progress(institution)
    assert all(item.done for item in progress)
    assert [bool(item.next_url) for item in progress] == [False] * 6 + [True]
    assert progress[-1].next_url == reverse("evaluation:health", args=[institution.slug])
