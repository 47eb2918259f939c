"""Demo field logs for a clinic-defense group: what the escorts count each Saturday, the "Saturday clinic
log" form, six months of weekly entries, and the change to calm, positive messaging about three months
ago, after which hostile responses drop, supportive ones rise and fewer protesters come."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from logistics.models import ShiftOccurrence, VolunteerRole

from . import logs
from .models import Change, LogEntry, LogValue, Metric

WEEKS = 26
CHANGE_WEEKS_AGO = 13

METRICS = [
    # name, unit, direction, goal, description
    ("Protesters present", "people", Metric.Direction.DOWN, None, "Count them once, at the start of the shift."),
    ("Patients escorted", "people", Metric.Direction.UP, None, "Everyone you walked to the door, with companions."),
    ("Supportive passers-by", "people", Metric.Direction.UP, None, "A wave, a thumbs-up, a kind word."),
    ("Neutral passers-by", "people", Metric.Direction.UP, None, "Looked, walked on."),
    ("Hostile passers-by", "people", Metric.Direction.DOWN, Decimal("3"), "Shouting, insults, gestures."),
]


def _saturdays(institution):
    today = logs.local_today(institution)
    last = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    return [last - timedelta(weeks=week) for week in range(WEEKS)][::-1]


def _values(rng, week, change_week):
    """One Saturday's numbers: before the change, hostile and protesters high; after it, hostile
    responses drop, supportive ones rise, and protesters fall slowly."""
    after = week >= change_week
    since = week - change_week
    protesters = rng.randint(10, 15) if not after else max(3, rng.randint(9, 13) - since // 2)
    return {
        "Protesters present": protesters,
        "Patients escorted": rng.randint(11, 19),
        "Supportive passers-by": rng.randint(3, 7) if not after else rng.randint(9, 15),
        "Neutral passers-by": rng.randint(15, 25),
        "Hostile passers-by": rng.randint(7, 11) if not after else rng.randint(1, 4),
    }


def seed_logs(institution, people):
    """Runs inside the institution's scope. Does nothing if the institution already has metrics."""
    if Metric.objects.filter(institution=institution).exists():
        return
    organizer, member = people[0], people[2]
    metrics = {
        name: logs.metric_save(
            institution=institution,
            actor=organizer,
            name=name,
            kind=Metric.Kind.COUNT,
            unit=unit,
            goal=goal,
            direction=direction,
            description=description,
        )
        for name, unit, direction, goal, description in METRICS
    }
    escort = VolunteerRole.objects.filter(institution=institution, name="Clinic escort").first()
    log_form = logs.log_form_save(
        institution=institution,
        actor=organizer,
        name="Saturday clinic log",
        description="After the Saturday escort shift: a minute, on your phone.",
        role=escort,
        fields=[(metric, name in {"Protesters present", "Patients escorted"}) for name, metric in metrics.items()],
    )
    saturdays = _saturdays(institution)
    change_on = saturdays[WEEKS - CHANGE_WEEKS_AGO]
    Change.objects.create(
        institution=institution,
        made_on=change_on,
        title="Switched to calm, positive messaging and friendly signs",
        description="No more arguing back. Our signs now say “You are welcome here”. We hope for fewer "
        "confrontations at the door and more support from neighbours.",
        recorded_by=organizer,
    )
    # Six months of Saturdays written directly with the ORM (quicker than a service call each), linked
    # to the escort shift's date when the shifts demo made one.
    occurrences = {}
    if escort is not None:
        occurrences = {
            occurrence.date: occurrence
            for occurrence in ShiftOccurrence.objects.filter(
                institution=institution, shift__role=escort, date__in=saturdays, cancelled_at__isnull=True
            )
        }
    zone = logs.local_zone(institution)
    rng = random.Random(6)  # the same demo every time
    authors = [member, people[1], organizer]
    for week, saturday in enumerate(saturdays):
        entry = LogEntry.objects.create(
            institution=institution,
            form=log_form,
            author=authors[week % len(authors)],
            happened_on=saturday,
            created_at=datetime.combine(saturday, time(11, 30), tzinfo=zone),
            occurrence=occurrences.get(saturday),
            notes="Quiet morning, the new signs got smiles." if week == WEEKS - CHANGE_WEEKS_AGO + 1 else "",
        )
        LogValue.objects.bulk_create(
            LogValue(institution=institution, entry=entry, metric=metrics[name], value=Decimal(value))
            for name, value in _values(rng, week, WEEKS - CHANGE_WEEKS_AGO).items()
        )
