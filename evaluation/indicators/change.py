"""Unwillingness to change: no self-evaluation or recorded change for a long time, numbers logged
but never looked at, members nobody has asked."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least, worst

KEY = "change"
TITLE = gettext_lazy("Unwillingness to change")
SELF_EVALUATION_WATCH_DAYS, SELF_EVALUATION_ALERT_DAYS = 120, 240
CHANGE_WATCH_DAYS, CHANGE_ALERT_DAYS = 120, 240
UNVIEWED_METRICS_WATCH, UNVIEWED_METRICS_ALERT = 1, 3
# Share of active members without a check-in in the last two periods.
NOT_CONSULTED_WATCH, NOT_CONSULTED_ALERT = 0.3, 0.6
# An institution younger than this has had no time to evaluate itself yet.
GRACE_DAYS = 60


def _days(value, watch, alert, age):
    if value is None:
        return at_least(age, watch, alert) if age > GRACE_DAYS else OK
    return at_least(value, watch, alert)


def compute(snapshot):
    statuses = [
        _days(
            snapshot.days_since_self_evaluation,
            SELF_EVALUATION_WATCH_DAYS,
            SELF_EVALUATION_ALERT_DAYS,
            snapshot.age_days,
        ),
        _days(snapshot.days_since_change, CHANGE_WATCH_DAYS, CHANGE_ALERT_DAYS, snapshot.age_days),
        at_least(snapshot.metrics_unviewed, UNVIEWED_METRICS_WATCH, UNVIEWED_METRICS_ALERT),
    ]
    evidence = [
        _("Days since the last self-evaluation: %(days)s.") % {"days": snapshot.days_since_self_evaluation}
        if snapshot.days_since_self_evaluation is not None
        else _("No self-evaluation yet."),
        _("Days since the last recorded change: %(days)s.") % {"days": snapshot.days_since_change}
        if snapshot.days_since_change is not None
        else _("No change recorded yet."),
        _("Metrics logged but not looked at since: %(total)s.") % {"total": snapshot.metrics_unviewed},
    ]
    if snapshot.not_consulted is not None and snapshot.active_members and snapshot.age_days > GRACE_DAYS:
        share = snapshot.not_consulted / snapshot.active_members
        statuses.append(at_least(share, NOT_CONSULTED_WATCH, NOT_CONSULTED_ALERT))
        evidence.append(
            _("Members without a check-in in the last two periods: %(total)s of %(members)s.")
            % {"total": snapshot.not_consulted, "members": snapshot.active_members}
        )
    days = [value for value in (snapshot.days_since_self_evaluation, snapshot.days_since_change) if value is not None]
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=_("Last looked at itself %(days)s days ago") % {"days": min(days)} if days else _("Not evaluated yet"),
        thresholds=[
            _("Watch when the last self-evaluation is %(watch)s days old or more; alert at %(alert)s.")
            % {"watch": SELF_EVALUATION_WATCH_DAYS, "alert": SELF_EVALUATION_ALERT_DAYS},
            _("Watch when the last recorded change is %(watch)s days old or more; alert at %(alert)s.")
            % {"watch": CHANGE_WATCH_DAYS, "alert": CHANGE_ALERT_DAYS},
            _("Watch when a metric is logged but its chart not opened since; alert at %(alert)s such metrics.")
            % {"alert": UNVIEWED_METRICS_ALERT},
            _("Watch when %(watch)s of members have had no check-in in two periods; alert at %(alert)s.")
            % {"watch": f"{round(NOT_CONSULTED_WATCH * 100)} %", "alert": f"{round(NOT_CONSULTED_ALERT * 100)} %"},
            _("A group younger than %(days)s days is not expected to have evaluated itself yet.")
            % {"days": GRACE_DAYS},
        ],
        evidence=evidence,
        responses=[
            _("Write down what you do and what happens, and look at it together."),
            _("When something gets no results or pushes people away, ask them what to do instead, and do it."),
            _("The community knows better than any plan: run a self-evaluation with them."),
        ],
    )
