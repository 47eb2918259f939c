"""Burnout: a few people doing most of the work, more than they said they can give, and tired."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least, percent, worst

KEY = "burnout"
TITLE = gettext_lazy("Burnout")
# Share of the work (tasks done, shifts done, log entries; last 12 weeks) done by the busiest 20 % of
# active members. With work spread evenly it is about 20 %.
TOP_SHARE_WATCH = 0.6
TOP_SHARE_ALERT = 0.8
# Members giving more hours (last 30 days) than they said they can give, and low-energy check-ins.
OVERLOADED_WATCH = 1
OVERLOADED_ALERT = 3
LOW_ENERGY_WATCH = 1
LOW_ENERGY_ALERT = 3
# Too little work recorded to say anything about how it is shared.
MIN_WORK = 10


def gini(values):
    """The Gini coefficient of non-negative numbers: 0 when everyone does the same, near 1 when one
    person does everything."""
    values = sorted(values)
    total = sum(values)
    if not values or total == 0:
        return 0.0
    weighted = sum((index + 1) * value for index, value in enumerate(values))
    count = len(values)
    return (2 * weighted) / (count * total) - (count + 1) / count


def top_share(values, fraction=0.2):
    """Share of the total done by the busiest `fraction` of people (at least one person)."""
    values = sorted(values, reverse=True)
    total = sum(values)
    if not values or total == 0:
        return 0.0
    top = max(1, round(len(values) * fraction))
    return sum(values[:top]) / total


def compute(snapshot):
    work = [snapshot.work.get(member_id, 0) for member_id in snapshot.active_member_ids]
    total = sum(work)
    share, coefficient = top_share(work), gini(work)
    overloaded = [
        member_id
        for member_id, hours in snapshot.hours_given.items()
        if member_id in snapshot.stated_hours and hours > snapshot.stated_hours[member_id]
    ]
    statuses = [
        at_least(len(overloaded), OVERLOADED_WATCH, OVERLOADED_ALERT),
        at_least(snapshot.low_energy, LOW_ENERGY_WATCH, LOW_ENERGY_ALERT),
    ]
    if total >= MIN_WORK and len(work) >= 3:
        statuses.append(at_least(share, TOP_SHARE_WATCH, TOP_SHARE_ALERT))
        value = _("The busiest 20 %% of members did %(share)s of the work") % {"share": percent(share)}
    else:
        value = _("Too little work recorded yet to see how it is shared.")
    evidence = [
        _(
            "Work recorded in the last 12 weeks: %(total)s (tasks done, shifts done, log entries)"
            " by %(people)s of %(members)s active members."
        )
        % {"total": total, "people": sum(1 for units in work if units), "members": len(work)},
        _("How unevenly it is shared (Gini, 0 = evenly, 1 = one person): %(gini)s.") % {"gini": round(coefficient, 2)},
        _("Members giving more hours than they said they can: %(total)s.") % {"total": len(overloaded)},
        _("Check-ins with low energy (1 or 2 of 5) this period: %(total)s.") % {"total": snapshot.low_energy},
    ]
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=value,
        trend="",
        thresholds=[
            _(
                "Watch when the busiest 20 %% of members do %(watch)s of the work or more; alert at %(alert)s"
                " (with at least %(min)s pieces of work recorded)."
            )
            % {"watch": percent(TOP_SHARE_WATCH), "alert": percent(TOP_SHARE_ALERT), "min": MIN_WORK},
            _("Watch when someone gives more hours than they said they can; alert at %(alert)s people.")
            % {"alert": OVERLOADED_ALERT},
            _("Watch at one low-energy check-in; alert at %(alert)s.") % {"alert": LOW_ENERGY_ALERT},
        ],
        evidence=evidence,
        responses=[
            _("Hand work on: split big tasks and ask quieter members to take one."),
            _("Ask the busiest people what they would rather be doing, and listen."),
            _("If the load cannot be shared, do less, at a pace you can keep up for years."),
        ],
    )
