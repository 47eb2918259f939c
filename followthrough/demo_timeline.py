"""Demo history for the clinic-defense group's timeline: thirty months of its life, back-dated.

Founded 30 months ago, a few needs named in the first month, then about four quiet months; monthly
meetings from month 6, decisions in months 8, 16 and 24, a change in month 14, a goal whose
milestones are reached in months 20 and 24, and neighbors joining along the way. The quiet months
followed by steady work are the point: the timeline shows members that perseverance pays off.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from decisions import services as decisions
from evaluation.models import Change
from institutions.models import Institution, Membership
from meetings.models import Meeting
from needs.models import Need

from .models import Goal, Milestone

MONTHS = 30
GOAL_TITLE = "Anti-choice protesters no longer outnumber us"
MEETING_FROM_MONTH = 6
NEEDS = [
    ("Patients feel unsafe walking from the bus stop", 23),
    ("Nobody records what the protesters do", 8),
    ("Escorts have no training", 5),
]
DECISIONS = [
    (8, "Escort in pairs, never alone", "Every escort works with a partner; nobody walks a patient in alone."),
    (16, "Hold calm, friendly signs only", "No arguing with protesters. Our signs welcome patients."),
    (24, "Train two new escort leads each season", "So Saturdays never depend on the same two people."),
]
MILESTONES = [
    (20, "Two escorts for every patient on Saturdays"),
    (24, "More of us than protesters three Saturdays running"),
    (None, "More of us than protesters for a whole season"),
]
# (month, how many neighbors joined that month)
JOINED = [(7, 2), (9, 1), (12, 3), (15, 1), (18, 2), (21, 2), (25, 1), (28, 2)]


def seed_story(institution, people):
    """Runs inside the institution's scope. Does nothing if the story's goal is already there."""
    if Goal.objects.filter(institution=institution, title=GOAL_TITLE).exists():
        return
    zone = ZoneInfo(institution.time_zone)
    today = timezone.localdate(timezone=zone)
    founded_on = today - timedelta(days=round(MONTHS * 30.44))

    def day(month, offset=0):
        return founded_on + timedelta(days=round(month * 30.44) + offset)

    def moment(month, offset=0, hour=10):
        return timezone.make_aware(datetime.combine(day(month, offset), time(hour)), zone)

    Institution.objects.filter(pk=institution.pk).update(created_at=moment(0))
    institution.created_at = moment(0)
    _back_date_people(institution, people, moment)
    _add_neighbors(institution, moment)
    _needs(institution, people, moment)
    Meeting.objects.bulk_create(
        Meeting(
            institution=institution,
            title=f"Monthly escort meeting, {day(month, 9):%B %Y}",
            starts_at=moment(month, 9, hour=18),
            duration_minutes=90,
            place_name="Back room, Riverside library",
            status=Meeting.Status.HELD,
            created_by=people[0],
            created_at=moment(month, -7),
        )
        for month in range(MEETING_FROM_MONTH, MONTHS)
        if day(month, 9) < today
    )
    if not Change.objects.filter(institution=institution).exists():
        Change.objects.create(
            institution=institution,
            made_on=day(14, 3),
            title="Switched to calm, positive messaging",
            description="We stopped answering the protesters and held welcoming signs instead.",
            recorded_by=people[0],
            created_at=moment(14, 3),
        )
    _decisions(institution, people, moment)
    goal = Goal.objects.create(
        institution=institution,
        title=GOAL_TITLE,
        description="We count both sides at the start of every Saturday shift.",
        owner=people[0],
        created_by=people[0],
        created_at=moment(17),
    )
    Milestone.objects.bulk_create(
        Milestone(
            institution=institution,
            goal=goal,
            title=title,
            position=position,
            target_date=day(month) if month else None,
            reached_on=day(month, 5) if month else None,
        )
        for position, (month, title) in enumerate(MILESTONES)
    )


def _back_date_people(institution, people, moment):
    """The first person founded the group; the others came in its first year."""
    for months, user in zip((0, 1, 6, 10, 13), people, strict=False):
        Membership.objects.filter(institution=institution, user=user).update(joined_at=moment(months))


def _add_neighbors(institution, moment):
    User = get_user_model()
    for month, total in JOINED:
        for number in range(total):
            email = f"riverside-neighbor-{month}-{number}@example.org"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, name=f"Neighbor {month}.{number + 1}")
                user.set_unusable_password()
                user.save()
            Membership.objects.get_or_create(
                institution=institution, user=user, defaults={"joined_at": moment(month, number * 3)}
            )


def _needs(institution, people, moment):
    """The needs named in the first month (existing ones are moved there; missing ones added)."""
    existing = {need.title: need for need in Need.objects.filter(institution=institution)}
    for offset, (title, people_count) in enumerate(NEEDS):
        if title in existing:
            Need.objects.filter(pk=existing[title].pk).update(created_at=moment(1, offset * 4))
        else:
            Need.objects.create(
                institution=institution,
                title=title,
                people_count=people_count,
                created_by=people[0],
                created_at=moment(1, offset * 4),
            )


def _decisions(institution, people, moment):
    """Each decision goes through the real vote (back-dated with `now=`), then closes a week later."""
    organizer = people[0]
    for month, title, text in DECISIONS:
        opened = moment(month, 1, hour=12)
        proposal = decisions.proposal_create(
            institution=institution, author=organizer, title=title, text=text, method="majority"
        )
        proposal = decisions.voting_open(
            proposal=proposal, actor=organizer, deadline=opened + timedelta(days=7), now=opened
        )
        for voter in people:
            if Membership.objects.filter(institution=institution, user=voter, joined_at__lte=opened).exists():
                decisions.vote_cast(proposal=proposal, member=voter, choice={"choice": "yes"}, now=opened)
        decisions.voting_close(proposal=proposal, actor=organizer, now=opened + timedelta(days=7))
        type(proposal).objects.filter(pk=proposal.pk).update(created_at=opened - timedelta(days=10))
