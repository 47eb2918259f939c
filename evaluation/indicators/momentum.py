"""Slow momentum: fewer people at meetings, fewer joining and answering, members feeling worse."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import ALERT, OK, WATCH, Result, change_ratio, percent, worst

KEY = "momentum"
TITLE = gettext_lazy("Slow momentum")
# Average attendance of the last 8 weeks' meetings against the 8 weeks before.
ATTENDANCE_WATCH = 0.85  # down by 15 % or more
ATTENDANCE_ALERT = 0.65  # down by 35 % or more
# New members and RSVPs of the last 8 weeks against the 8 before.
ACTIVITY_WATCH = 0.7
# Average "how do you feel about the group" of the latest check-ins (1–5).
FEEL_WATCH = 3.2
FEEL_ALERT = 2.5


def _average(values):
    return sum(values) / len(values) if values else None


def compute(snapshot):
    statuses, evidence = [], []
    recent, before = _average(snapshot.attendance_recent), _average(snapshot.attendance_before)
    ratio = change_ratio(recent or 0, before)
    if recent is None and before is None:
        value = _("No meetings held in the last 16 weeks.")
        trend = ""
    else:
        value = _("%(recent)s people per meeting lately") % {"recent": round(recent or 0, 1)}
        trend = (
            _("%(change)s of the 8 weeks before (%(before)s per meeting)")
            % {"change": percent(ratio), "before": round(before, 1)}
            if ratio is not None
            else ""
        )
        if ratio is not None:
            statuses.append(ALERT if ratio <= ATTENDANCE_ALERT else WATCH if ratio <= ATTENDANCE_WATCH else OK)
    evidence.append(
        _("Meetings held: %(recent)s in the last 8 weeks, %(before)s in the 8 before.")
        % {"recent": len(snapshot.attendance_recent), "before": len(snapshot.attendance_before)}
    )
    joined = change_ratio(snapshot.joined_recent, snapshot.joined_before)
    rsvps = change_ratio(snapshot.rsvps_recent, snapshot.rsvps_before)
    evidence.append(
        _("New members: %(recent)s in the last 8 weeks, %(before)s in the 8 before.")
        % {"recent": snapshot.joined_recent, "before": snapshot.joined_before}
    )
    evidence.append(
        _("RSVPs: %(recent)s in the last 8 weeks, %(before)s in the 8 before.")
        % {"recent": snapshot.rsvps_recent, "before": snapshot.rsvps_before}
    )
    if all(r is not None and r <= ACTIVITY_WATCH for r in (joined, rsvps)):
        statuses.append(WATCH)
    if snapshot.feel_recent is not None:
        evidence.append(
            _("Members' feeling about the group in the latest check-ins: %(feel)s of 5.")
            % {"feel": round(snapshot.feel_recent, 1)}
        )
        statuses.append(
            ALERT if snapshot.feel_recent <= FEEL_ALERT else WATCH if snapshot.feel_recent <= FEEL_WATCH else OK
        )
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=value,
        trend=trend,
        thresholds=[
            _("Watch when meeting attendance falls to %(watch)s of the 8 weeks before; alert at %(alert)s.")
            % {"watch": percent(ATTENDANCE_WATCH), "alert": percent(ATTENDANCE_ALERT)},
            _("Watch when both new members and RSVPs fall to %(share)s of the 8 weeks before or lower.")
            % {"share": percent(ACTIVITY_WATCH)},
            _("Watch when members' feeling about the group averages %(watch)s of 5 or less; alert at %(alert)s.")
            % {"watch": FEEL_WATCH, "alert": FEEL_ALERT},
        ],
        evidence=evidence,
        responses=[
            _("Slow stretches are normal, above all at the start: keep showing up."),
            _("Find what keeps not working and change it, then say so at the next meeting."),
            _("Ask members often how they feel about the group and what they would do differently."),
        ],
    )
