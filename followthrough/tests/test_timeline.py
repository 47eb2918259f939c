"""The timeline: every kind of event with a link to where it was recorded, filters, pages, quiet
stretches with what followed, and a query count that does not grow with thousands of events."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from decisions.models import Proposal
from evaluation.models import Change, SelfEvaluation
from followthrough import timeline
from followthrough.demo_timeline import GOAL_TITLE, seed_story
from followthrough.models import Goal, Milestone
from institutions.models import Institution, Membership
from meetings.models import Meeting
from needs.models import Need, Survey
from tests.factories import MembershipFactory

UTC = ZoneInfo("UTC")


def url(institution, query=""):
    return reverse("followthrough:timeline", kwargs={"institution_slug": institution.slug}) + query


def at(day):
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=UTC)


def meetings(institution, days, status=Meeting.Status.HELD, title="Saturday planning"):
    return Meeting.objects.bulk_create(
        Meeting(institution=institution, title=f"{title} {index}", starts_at=at(day), status=status)
        for index, day in enumerate(days)
    )


def decisions(institution, days, outcome=Proposal.Outcome.PASSED):
    return Proposal.objects.bulk_create(
        Proposal(
            institution=institution,
            title=f"Decision {index}",
            text="x",
            status=Proposal.Status.CLOSED,
            outcome=outcome,
            closed_at=at(day),
        )
        for index, day in enumerate(days)
    )


@pytest.fixture
def scoped(institution, organizer, member):
    Institution.objects.filter(pk=institution.pk).update(created_at=at(date(2024, 1, 5)))
    institution.refresh_from_db()
    with scope(institution=institution):
        Membership.objects.filter(institution=institution).update(joined_at=at(date(2024, 1, 5)))
        yield institution


def test_every_kind_of_event_links_to_its_source(scoped, organizer, member_client):
    need = Need.objects.create(institution=scoped, title="Food runs out", created_at=at(date(2024, 2, 1)))
    focus = Need.objects.create(
        institution=scoped, title="Repairs", created_at=at(date(2024, 2, 2)), focus_chosen_at=at(date(2024, 3, 1))
    )
    (meeting,) = meetings(scoped, [date(2024, 3, 10)])
    (proposal,) = decisions(scoped, [date(2024, 3, 20)])
    Change.objects.create(institution=scoped, made_on=date(2024, 4, 1), title="Calm signs")
    goal = Goal.objects.create(institution=scoped, title="Nobody walks alone")
    Milestone.objects.create(institution=scoped, goal=goal, title="Ten escorts", reached_on=date(2024, 4, 10))
    survey = Survey.objects.create(
        institution=scoped, title="Spring survey", base_language="en", opened_at=at(date(2024, 4, 12))
    )
    selfeval = SelfEvaluation.objects.create(institution=scoped, title="Spring check", opened_at=at(date(2024, 4, 15)))
    page = member_client.get(url(scoped)).content.decode()
    slug = scoped.slug
    expected = [
        (f"Need identified: {need.title}", f"/i/{slug}/needs/{need.pk}/"),
        (f"Focus chosen: {focus.title}", f"/i/{slug}/needs/{focus.pk}/"),
        (f"Meeting held: {meeting.title}", meeting.get_absolute_url()),
        (f"Decision: {proposal.title}", proposal.get_absolute_url()),
        ("Change made: Calm signs", reverse("evaluation:changes", kwargs={"institution_slug": slug})),
        ("Milestone reached: Ten escorts", goal.get_absolute_url()),
        (f"Survey opened: {survey.title}", survey.get_absolute_url()),
        (f"Self-evaluation: {selfeval.title}", selfeval.get_absolute_url()),
        (f"{scoped.name} was founded", scoped.get_absolute_url()),
        ("2 people joined in January 2024", reverse("institutions:members", kwargs={"institution_slug": slug})),
    ]
    for title, link in expected:
        assert f'<a href="{link}">{title}</a>' in page, title
    assert "Passed" in page and "on the way to “Nobody walks alone”" in page
    # Newest first, grouped under month headings.
    assert page.index("Self-evaluation: Spring check") < page.index("Meeting held") < page.index("was founded")
    assert "<h2>April 2024</h2>" in page and "<h2>January 2024</h2>" in page


def test_planned_meetings_open_votes_and_withdrawn_proposals_are_not_on_the_timeline(scoped, organizer):
    meetings(scoped, [date(2024, 3, 1)], status=Meeting.Status.PLANNED, title="Planned")
    meetings(scoped, [date(2024, 3, 2)], status=Meeting.Status.CANCELLED, title="Cancelled")
    decisions(scoped, [date(2024, 3, 3)], outcome=Proposal.Outcome.WITHDRAWN)
    Proposal.objects.create(institution=scoped, title="Still voting", text="x", status=Proposal.Status.VOTING)
    Goal.objects.create(institution=scoped, title="Goal").milestones.create(institution=scoped, title="Not yet")
    kinds = {event.kind for event in timeline.merged_events(scoped, timeline.ALL, 100)}
    assert kinds == {"founded", "members"}


def test_members_are_counted_per_month_in_the_institutions_time_zone(scoped):
    Institution.objects.filter(pk=scoped.pk).update(time_zone="America/Los_Angeles")
    scoped.refresh_from_db()
    # 03:00 UTC on 1 March is still February in Los Angeles.
    for joined in (datetime(2024, 3, 1, 3, tzinfo=UTC), datetime(2024, 3, 15, 12, tzinfo=UTC)):
        MembershipFactory(institution=scoped, joined_at=joined)
    titles = [event.title for event in timeline.members_joined(scoped, 10)]
    assert titles[:2] == ["1 person joined in March 2024", "1 person joined in February 2024"]
    assert [event.total for event in timeline.members_joined(scoped, 10)] == [1, 1, 2]


def test_filter_shows_one_kind_and_a_bad_filter_shows_everything(scoped, member_client):
    meetings(scoped, [date(2024, 3, 10)])
    decisions(scoped, [date(2024, 3, 20)])
    page = member_client.get(url(scoped, "?kind=meetings")).content.decode()
    assert "Meeting held" in page and "Decision 0" not in page and "was founded" not in page
    assert '<a href="?kind=meetings" aria-current="page">Meetings</a>' in page
    for bad in ("?kind=founded", "?kind=%3Cscript%3E", "?kind="):
        response = member_client.get(url(scoped, bad))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Meeting held" in page and "Decision 0" in page
        assert f'<a href="{url(scoped)}" aria-current="page">Everything</a>' in page


def test_pages_of_fifty_newest_first_and_beyond_the_end_links_back(scoped, member_client):
    start = date(2024, 2, 1)
    meetings(scoped, [start + timedelta(days=index) for index in range(120)])
    first = member_client.get(url(scoped, "?kind=meetings")).content.decode()
    assert first.count("Meeting held:") == 50 and "Saturday planning 119<" in first
    assert "Older events" in first and "Newer events" not in first
    third = member_client.get(url(scoped, "?kind=meetings&page=3")).content.decode()
    assert third.count("Meeting held:") == 20 and "Saturday planning 0<" in third
    assert "Older events" not in third and 'href="?kind=meetings&amp;page=2"' in third
    for bad in ("?page=0", "?page=-3", "?page=abc", "?page=1.5"):
        assert "Saturday planning 119<" in member_client.get(url(scoped, "?kind=meetings&" + bad[1:])).content.decode()
    for beyond in ("?kind=meetings&page=4", "?page=99999999999"):
        response = member_client.get(url(scoped, beyond))
        page = response.content.decode()
        assert response.status_code == 200 and "Meeting held:" not in page
        assert "Back to the newest events" in page and "page=1" in page


def test_quiet_stretch_is_marked_with_what_followed(scoped, member_client):
    # A meeting in February, nothing for about five months, then a busy stretch from mid-July.
    meetings(scoped, [date(2024, 2, 10)], title="Early")
    meetings(scoped, [date(2024, 7, 15), date(2024, 8, 1), date(2024, 9, 5), date(2024, 11, 30)], title="Back")
    decisions(scoped, [date(2024, 7, 20), date(2024, 9, 1)])
    page = member_client.get(url(scoped)).content.decode()
    assert "About 5 months without recorded activity" in page
    assert "Slow stretches like this are normal" in page
    # 15 July + three months: three meetings and two decisions (not the November meeting).
    assert "Then: 3 meetings, 2 decisions in the 3 months that followed." in page
    # The marker sits between the return and the quiet before it.
    assert page.index("Back 0") < page.index("About 5 months") < page.index("Early 0")
    meetings_only = member_client.get(url(scoped, "?kind=meetings")).content.decode()
    assert "About 5 months with nothing of this kind recorded" in meetings_only
    assert "Then: 3 meetings in the 3 months that followed." in meetings_only


def test_no_quiet_stretch_for_gaps_of_sixty_days_or_less(scoped):
    meetings(scoped, [date(2024, 1, 5) + timedelta(days=60 * index) for index in range(1, 6)])
    blocks = timeline.timeline_page(scoped).blocks
    assert [block for block in blocks if block[0] == "quiet"] == []


def test_quiet_stretch_at_the_top_of_a_page_counts_what_followed_on_the_page_before(scoped):
    meetings(scoped, [date(2020, 1, 1) + timedelta(days=index) for index in range(10)], title="Old")
    meetings(scoped, [date(2021, 1, 1) + timedelta(days=index) for index in range(50)], title="New")
    second = timeline.timeline_page(scoped, kind="meetings", page=2)
    kind, stretch = second.blocks[0]
    assert kind == "quiet" and stretch.following == "50 meetings"
    first = timeline.timeline_page(scoped, kind="meetings", page=1)
    assert all(block[0] == "month" for block in first.blocks)


def test_query_count_is_the_same_with_thousands_of_events(scoped, member_client):
    meetings(scoped, [date(2024, 2, 1)])
    decisions(scoped, [date(2024, 2, 2)])
    member_client.get(url(scoped))  # warm per-process caches

    def counted(query):
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(url(scoped, query)).status_code == 200
        return len(queries)

    queries = ["", "?page=3", "?kind=meetings", "?kind=meetings&page=2"]
    small = {query: counted(query) for query in queries}
    start = date(2019, 1, 1)
    meetings(scoped, [start + timedelta(days=index) for index in range(2000)])
    decisions(scoped, [start + timedelta(days=index, hours=1) for index in range(2000)])
    Need.objects.bulk_create(Need(institution=scoped, title=f"n{index}", created_at=at(start)) for index in range(500))
    MembershipFactory.create_batch(30, institution=scoped)
    assert {query: counted(query) for query in queries} == small
    assert small[""] <= 14


def test_the_page_is_for_members_only(scoped, institution, outsider, client_for, member_client):
    assert member_client.get(url(institution)).status_code == 200
    assert client_for(outsider).get(url(institution)).status_code == 404
    assert client_for(None).get(url(institution)).status_code == 302
    assert member_client.post(url(institution)).status_code == 405


def test_demo_story_spans_thirty_months_with_a_quiet_stretch_and_runs_once(scoped, organizer, member):
    people = [organizer, MembershipFactory(institution=scoped, role="organizer").user, member]
    seed_story(scoped, people)
    counts = (Meeting.objects.count(), Proposal.objects.count(), Milestone.objects.count(), Membership.objects.count())
    seed_story(scoped, people)  # the second time does nothing
    assert counts == (
        Meeting.objects.count(),
        Proposal.objects.count(),
        Milestone.objects.count(),
        Membership.objects.count(),
    )
    scoped.refresh_from_db()
    months_ago = (timezone.now() - scoped.created_at).days / 30.44
    assert 29 <= months_ago <= 31
    assert Goal.objects.filter(title=GOAL_TITLE).exists() and Change.objects.count() == 1
    events = timeline.merged_events(scoped, timeline.ALL, 1000)
    assert {"founded", "needs", "meetings", "decisions", "changes", "milestones", "members"} <= {e.kind for e in events}
    quiet = [block[1] for block in timeline.timeline_page(scoped).blocks if block[0] == "quiet"]
    page2 = [block[1] for block in timeline.timeline_page(scoped, page=2).blocks if block[0] == "quiet"]
    assert any(stretch.months >= 3 for stretch in quiet + page2)


def test_demo_story_keeps_an_existing_change(scoped, organizer, member):
    Change.objects.create(institution=scoped, made_on=date(2024, 5, 1), title="Already recorded")
    seed_story(scoped, [organizer, organizer, member])
    assert list(Change.objects.values_list("title", flat=True)) == ["Already recorded"]
