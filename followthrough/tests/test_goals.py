"""Goals: setting them, milestones (reached ones keep their date, order), linking evidence, statuses."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from followthrough import goals
from followthrough.models import Goal, GoalLink, Milestone
from institutions.models import AuditEntry
from logistics import services as task_services


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def make_goal(institution, actor, **fields):
    return goals.goal_create(institution=institution, actor=actor, title=fields.pop("title", "Open weekly"), **fields)


def test_goal_is_set_active_and_audited(scoped, organizer, member):
    goal = make_goal(scoped, organizer, owner=member)
    assert (goal.status, goal.owner, goal.created_by) == ("active", member, organizer)
    assert AuditEntry.objects.filter(institution=scoped, action="goal.created").exists()


def test_goal_owner_outside_the_institution_is_refused(scoped, organizer, outsider):
    with pytest.raises(ValidationError):
        make_goal(scoped, organizer, owner=outsider)
    assert not Goal.objects.exists()


def test_reached_goal_gets_todays_date_and_status_change_is_audited(scoped, organizer):
    goal = goals.goal_status_set(goal=make_goal(scoped, organizer), actor=organizer, status="reached")
    assert goal.reached_on == timezone.localdate()
    goal = goals.goal_status_set(goal=goal, actor=organizer, status="paused")
    assert (goal.status, goal.reached_on) == ("paused", None)
    with pytest.raises(ValidationError):
        goals.goal_status_set(goal=goal, actor=organizer, status="paused")
    with pytest.raises(ValidationError):
        goals.goal_status_set(goal=goal, actor=organizer, status="won")


def test_reached_milestone_keeps_its_date_and_appears_in_milestones_reached(scoped, organizer):
    goal = make_goal(scoped, organizer)
    first = goals.milestone_add(goal=goal, title="Find a room")
    goals.milestone_add(goal=goal, title="Ten volunteers")
    last_week = timezone.localdate() - timedelta(days=7)
    goals.milestone_reach(milestone=first, actor=organizer, reached_on=last_week)
    assert Milestone.objects.get(pk=first.pk).reached_on == last_week
    reached = list(goals.milestones_reached(scoped))
    assert [(m.title, m.goal.title) for m in reached] == [("Find a room", "Open weekly")]
    with pytest.raises(ValidationError):
        goals.milestone_reach(milestone=first, actor=organizer, reached_on=timezone.localdate() + timedelta(days=1))
    goals.milestone_reach(milestone=first, actor=organizer, reached_on=False)
    assert not goals.milestones_reached(scoped).exists()


def test_milestones_reached_is_one_query(scoped, organizer, django_assert_num_queries):
    goal = make_goal(scoped, organizer)
    for index in range(5):
        goals.milestone_reach(milestone=goals.milestone_add(goal=goal, title=f"m{index}"), actor=organizer)
    with django_assert_num_queries(1):
        assert [m.goal.title for m in goals.milestones_reached(scoped)] == ["Open weekly"] * 5


def test_milestone_moves_up_and_not_past_the_top(scoped, organizer):
    goal = make_goal(scoped, organizer)
    a, b = goals.milestone_add(goal=goal, title="A"), goals.milestone_add(goal=goal, title="B")
    goals.milestone_move(milestone=b, up=True)
    assert list(goal.milestones.order_by("position").values_list("title", flat=True)) == ["B", "A"]
    with pytest.raises(ValidationError):
        goals.milestone_move(milestone=b, up=True)
    assert a.pk


def test_link_takes_exactly_one_target_of_the_same_institution(scoped, organizer, other_institution, other_member):
    goal = make_goal(scoped, organizer)
    task = task_services.task_create(institution=scoped, author=organizer, title="Print flyers")
    link = goals.goal_link_add(goal=goal, task=task, note="Flyers bring people")
    assert (link.task, link.note) == (task, "Flyers bring people")
    with pytest.raises(ValidationError):
        goals.goal_link_add(goal=goal)
    with scope(institution=other_institution):
        foreign = task_services.task_create(institution=other_institution, author=other_member, title="Theirs")
    with pytest.raises(ValidationError):
        goals.goal_link_add(goal=goal, task=foreign)
    assert GoalLink.objects.count() == 1


def url(institution, name, *args):
    return reverse(f"followthrough:{name}", args=[institution.slug, *args])


def test_member_sees_goal_list_with_progress(institution, organizer, member_client):
    with scope(institution=institution):
        goal = make_goal(institution, organizer, title="Pantry runs without founders")
        goals.milestone_reach(milestone=goals.milestone_add(goal=goal, title="Rota"), actor=organizer)
        goals.milestone_add(goal=goal, title="Keys")
    page = member_client.get(url(institution, "goals"))
    assert page.status_code == 200
    assert "Pantry runs without founders" in page.text and "1 of 2 milestones reached" in page.text
    assert "Set a goal" not in page.text


def test_organizer_sets_a_goal_through_the_form(institution, organizer_client):
    response = organizer_client.post(url(institution, "goal_new"), {"title": "Weekly", "target_date": "2030-01-01"})
    assert response.status_code == 302
    with scope(institution=institution):
        assert Goal.objects.get().target_date.year == 2030


@pytest.mark.parametrize(
    "data", [{}, {"title": " "}, {"title": "x" * 201}, {"title": "ok", "target_date": "soon"}, {"owner": "999999"}]
)
def test_bad_goal_input_is_refused_with_400_and_nothing_saved(institution, organizer_client, data):
    response = organizer_client.post(url(institution, "goal_new"), data)
    assert response.status_code == 400
    with scope(institution=institution):
        assert not Goal.objects.exists()


def test_bad_milestone_link_and_status_posts_answer_400(institution, organizer, organizer_client):
    with scope(institution=institution):
        goal = make_goal(institution, organizer)
        milestone = goals.milestone_add(goal=goal, title="Only one")
    assert organizer_client.post(url(institution, "milestone_add", goal.pk), {"title": ""}).status_code == 400
    assert organizer_client.post(url(institution, "goal_link_add", goal.pk), {"task": "abc"}).status_code == 400
    assert organizer_client.post(url(institution, "goal_link_add", goal.pk), {}).status_code == 400
    assert organizer_client.post(url(institution, "goal_status", goal.pk), {"status": "won"}).status_code == 400
    bad_date = {"reached_on": "yesterday"}
    assert organizer_client.post(url(institution, "milestone_reached", milestone.pk), bad_date).status_code == 400
    move = url(institution, "milestone_move", milestone.pk)
    assert organizer_client.post(move, {"direction": "sideways"}).status_code == 400
    assert organizer_client.post(move, {"direction": "up"}).status_code == 400
    with scope(institution=institution):
        assert (Milestone.objects.count(), GoalLink.objects.count()) == (1, 0)
        assert Goal.objects.get().status == "active" and Milestone.objects.get().reached_on is None


def test_organizer_marks_a_milestone_reached_on_a_date(institution, organizer, organizer_client):
    with scope(institution=institution):
        milestone = goals.milestone_add(goal=make_goal(institution, organizer), title="Room")
    response = organizer_client.post(url(institution, "milestone_reached", milestone.pk), {"reached_on": "2024-03-05"})
    assert response.status_code == 302
    with scope(institution=institution):
        assert str(Milestone.objects.get().reached_on) == "2024-03-05"
