"""Demo self-evaluations, a facilitator with an open grievance, and incidents for a clinic-defense group.

Two closed rounds of the seven questions, the last about five months ago (old enough that the
"unwillingness to change" indicator watches), where members rate "accountable" well above what the
community says; people[1] is the facilitator and people[2] filed a grievance 20 days ago that is still
waiting; three incidents. Written straight to the tables with their past dates (no audit rows dated
today, no mail). Runs inside the institution's scope.
"""

from datetime import timedelta

from django.utils import timezone

from .models import (
    Facilitator,
    Grievance,
    GrievanceEvent,
    Incident,
    SelfEvaluation,
    SelfEvaluationAnswer,
    SelfEvaluationResponse,
)
from .models.selfeval import QUESTION_KEYS

# (days ago opened, title, members' ratings, community's ratings), in QUESTION_KEYS order:
# needs, democratic, accountable, sustaining, difference, empowerment, relationships.
ROUNDS = [
    (330, "Autumn self-evaluation", [[4, 4, 4, 3, 4, 4, 4], [4, 5, 5, 2, 4, 3, 4]], [[3, 3, 3, 2, 4, 3, 3]] * 3),
    (
        150,
        "Spring self-evaluation",
        [[4, 4, 5, 3, 4, 4, 5], [5, 4, 4, 2, 4, 4, 4], [4, 3, 5, 3, 5, 4, 4]],
        [[4, 3, 2, 3, 4, 3, 4], [3, 3, 3, 2, 4, 3, 3], [4, 4, 2, 2, 5, 4, 4], [4, 3, 3, 3, 4, 3, 4]],
    ),
]
COMMENTS = {
    ("member", "accountable"): "We only answer to the patients and to each other: no funder tells us what to do.",
    ("community", "accountable"): "Nobody asked the neighbours before moving the escort line onto our street.",
    ("community", "difference"): "Having someone walk with me to the door made the day bearable.",
}


def _answers(institution, evaluation, respondent, member, ratings, at):
    response = SelfEvaluationResponse.objects.create(
        institution=institution,
        evaluation=evaluation,
        respondent=respondent,
        member=member,
        language="en",
        created_at=at,
    )
    SelfEvaluationAnswer.objects.bulk_create(
        SelfEvaluationAnswer(
            institution=institution,
            response=response,
            question=key,
            rating=rating,
            comment=COMMENTS.get((respondent, key), "") if evaluation.title.startswith("Spring") else "",
        )
        for key, rating in zip(QUESTION_KEYS, ratings, strict=True)
    )


def seed_selfeval(institution, people):
    """Does nothing if the institution already has a self-evaluation."""
    if SelfEvaluation.objects.filter(institution=institution).exists():
        return
    now = timezone.now()
    for days_ago, title, member_ratings, community_ratings in ROUNDS:
        opened = now - timedelta(days=days_ago)
        evaluation = SelfEvaluation.objects.create(
            institution=institution,
            title=title,
            status=SelfEvaluation.Status.CLOSED,
            created_by=people[0],
            opened_at=opened,
            closed_at=opened + timedelta(days=14),
        )
        for person, ratings in zip(people, member_ratings, strict=False):
            _answers(institution, evaluation, "member", person, ratings, opened + timedelta(days=2))
        for index, ratings in enumerate(community_ratings):
            _answers(institution, evaluation, "community", None, ratings, opened + timedelta(days=3 + index))

    Facilitator.objects.create(
        institution=institution, user=people[1], named_by=people[0], named_at=now - timedelta(days=60)
    )
    filed = now - timedelta(days=20)
    grievance = Grievance.objects.create(
        institution=institution,
        filed_by=people[2],
        subject="Spoken over at the escort briefing",
        description="At the last two Saturday briefings my suggestions about the side entrance were cut off.",
        created_at=filed,
        updated_at=filed,
    )
    GrievanceEvent.objects.create(
        institution=institution,
        grievance=grievance,
        actor=people[2],
        kind=GrievanceEvent.Kind.FILED,
        status=Grievance.Status.RECEIVED,
        created_at=filed,
    )

    today = timezone.localdate()
    for days_ago, kind, description, changes in (
        (
            45,
            Incident.Kind.COUNTER_PROTEST,
            "About thirty protesters with a loudspeaker blocked the sidewalk by the main door.",
            "Escorts meet patients at the bus stop and walk in pairs; we bring ear defenders.",
        ),
        (
            24,
            Incident.Kind.POLICE,
            "Two patrol cars parked across the street all morning and an officer asked for our names.",
            "A know-your-rights sheet goes in every escort's bag; nobody gives names.",
        ),
        (
            9,
            Incident.Kind.HOSTILE_MEDIA,
            "A social media account posted photos of our escorts with their faces visible.",
            "Escorts may wear masks and hats; we asked the platform to take the photos down.",
        ),
    ):
        Incident.objects.create(
            institution=institution,
            happened_on=today - timedelta(days=days_ago),
            kind=kind,
            description=description,
            safety_changes=changes,
            recorded_by=people[2],
            created_at=now - timedelta(days=days_ago),
        )
