"""Demo check-ins for a clinic-defense group: six months of answers in which how people feel about the
group slowly falls, and one member (people[2]) who runs low on energy and states far fewer hours than the
Saturday escort shifts take from them; this month some have answered, and that member asked for a
follow-up (a task waiting for an organizer)."""

from datetime import timedelta

from django.db import transaction

from . import checkins
from .models import CheckIn

MONTHS = 6
# The group's average feeling, oldest month first: slowly falling.
FEEL = [4.5, 4.3, 4.1, 3.8, 3.6, 3.3]
ENERGY = [3.9, 3.8, 3.6, 3.6, 3.4, 3.3]
# How each person differs from the group's average (cycled), so answers are not all the same.
SPREAD = [0.4, -0.3, 0.0, 0.6, -0.6, 0.2, -0.2, 0.5]
# The founding organizer offers a lot of time (and gives even more: see evaluation/demo.py).
HOURS = [40, 8, 6, 10, 4, 15, 5, 9]
TIRED_ENERGY = [3, 2, 2, 2, 1, 1]
TIRED_HOURS = 3  # the escort shift alone is three hours every Saturday, about twelve a month
SUGGESTIONS = {
    1: "Shorter meetings, with the agenda sent the day before.",
    3: "More people on the Saturday rota, so the same few are not there every week.",
    5: "A debrief after hard shifts, even ten minutes.",
}


def _scale(value):
    return max(1, min(5, round(value)))


@transaction.atomic
def seed_checkins(institution, people):
    """Write the demo check-ins, inside the institution's scope. `people[0]` and `people[1]` are organizers,
    `people[2]` the tired member. Does nothing if the institution already has check-ins."""
    if CheckIn.objects.filter(institution=institution).exists():
        return
    current = checkins.current_period(institution, rhythm=checkins.Rhythm.MONTHLY)
    periods = checkins.periods_up_to(checkins.period_before(current, checkins.Rhythm.MONTHLY), "monthly", MONTHS)
    rows = []
    for month, period in enumerate(periods):
        for index, person in enumerate(people):
            if (index + month) % 7 == 6:  # now and then someone does not answer
                continue
            tired = index == 2
            rows.append(
                CheckIn(
                    institution=institution,
                    member=person,
                    period_start=period,
                    feel=_scale(FEEL[month] + SPREAD[index % len(SPREAD)]),
                    energy=TIRED_ENERGY[month] if tired else _scale(ENERGY[month] - SPREAD[index % len(SPREAD)] / 2),
                    hours=TIRED_HOURS if tired else HOURS[index % len(HOURS)],
                    rather_doing="Rest, honestly. And see my kids on Saturday mornings."
                    if tired and month >= 3
                    else "",
                    suggestion=SUGGESTIONS.get(month, "") if index % 3 == 1 or tired else "",
                    created_at=checkins.local_midnight(institution, period) + timedelta(days=2 + index % 5),
                    updated_at=checkins.local_midnight(institution, period) + timedelta(days=2 + index % 5),
                )
            )
    CheckIn.objects.bulk_create(rows)
    # This month: the tired member has answered and asked for someone to follow up, and so have a few others.
    for index, person in enumerate(people[:5]):
        if index == 2:
            answers = {
                "feel": 3,
                "energy": 1,
                "hours": 2,
                "rather_doing": "Rest. I am at the clinic every Saturday and most weekday mornings.",
                "suggestion": "Please find another escort lead for a while.",
                "wants_follow_up": True,
            }
        elif index in (0, 3):
            answers = {
                "feel": _scale(3.2 + SPREAD[index]),
                "energy": 3,
                "hours": HOURS[index],
                "rather_doing": "",
                "suggestion": "",
                "wants_follow_up": False,
            }
        else:
            continue
        checkins.check_in_save(institution=institution, member=person, **answers)
