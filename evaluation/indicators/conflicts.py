"""Personality conflicts: grievances filed and still open, and how long they have waited. Only
counts and ages: nothing of what a grievance says."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least, worst

KEY = "conflicts"
TITLE = gettext_lazy("Personality conflicts")
OPEN_WATCH, OPEN_ALERT = 1, 3
# Days a grievance may wait before it is a concern of its own.
AGE_WATCH_DAYS, AGE_ALERT_DAYS = 14, 45


def compute(snapshot):
    ages = [age for age, _status in snapshot.open_grievances]
    oldest = max(ages, default=0)
    statuses = [at_least(len(ages), OPEN_WATCH, OPEN_ALERT)]
    if ages:
        statuses.append(at_least(oldest, AGE_WATCH_DAYS, AGE_ALERT_DAYS))
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=_("%(total)s open grievances") % {"total": len(ages)} if ages else _("No open grievances"),
        trend=_("the oldest waits for %(days)s days") % {"days": oldest} if ages else "",
        thresholds=[
            _("Watch at one open grievance; alert at %(alert)s.") % {"alert": OPEN_ALERT},
            _("Watch when one waits %(watch)s days or more; alert at %(alert)s days.")
            % {"watch": AGE_WATCH_DAYS, "alert": AGE_ALERT_DAYS},
        ],
        evidence=[
            _("Open grievances: %(received)s received, %(mediation)s in mediation.")
            % {
                "received": sum(status == "received" for _age, status in snapshot.open_grievances),
                "mediation": sum(status == "mediation" for _age, status in snapshot.open_grievances),
            }
        ],
        responses=[
            _("Help everyone find a role they find rewarding."),
            _("Follow the grievance procedure: facilitators answer quickly and fairly."),
            _("Make time to be together as people, not only to work."),
            _("If someone keeps poisoning the group, ask them to leave."),
        ],
    )
