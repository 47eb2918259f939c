"""Inadequate logistics: work nobody has taken, support nobody has offered, shifts short of people,
procedures few have read, supplies running out."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least, worst

KEY = "logistics"
TITLE = gettext_lazy("Inadequate logistics")
# Counts of open problems right now.
UNCLAIMED_WATCH, UNCLAIMED_ALERT = 5, 15
OVERDUE_WATCH, OVERDUE_ALERT = 1, 5
UNFILLED_SUPPORT_WATCH, UNFILLED_SUPPORT_ALERT = 1, 4
SHORT_SHIFTS_WATCH, SHORT_SHIFTS_ALERT = 1, 3
UNREAD_PROCEDURES_WATCH, UNREAD_PROCEDURES_ALERT = 1, 3
LOW_SUPPLIES_WATCH, LOW_SUPPLIES_ALERT = 1, 4


def compute(snapshot):
    checks = [
        (snapshot.unclaimed_tasks, UNCLAIMED_WATCH, UNCLAIMED_ALERT, _("Open tasks nobody has taken: %(total)s.")),
        (snapshot.overdue_tasks, OVERDUE_WATCH, OVERDUE_ALERT, _("Tasks past their date: %(total)s.")),
        (
            snapshot.unfilled_support,
            UNFILLED_SUPPORT_WATCH,
            UNFILLED_SUPPORT_ALERT,
            _("Meeting support without a volunteer (childcare, food, rides…) in the next two weeks: %(total)s."),
        ),
        (
            snapshot.short_shifts,
            SHORT_SHIFTS_WATCH,
            SHORT_SHIFTS_ALERT,
            _("Shifts of the next week with fewer people than they need: %(total)s."),
        ),
        (
            snapshot.procedures_unread,
            UNREAD_PROCEDURES_WATCH,
            UNREAD_PROCEDURES_ALERT,
            _("Procedures most members have not read: %(total)s."),
        ),
        (snapshot.low_supplies, LOW_SUPPLIES_WATCH, LOW_SUPPLIES_ALERT, _("Supplies running low: %(total)s.")),
    ]
    statuses = [at_least(count, watch, alert) for count, watch, alert, _text in checks]
    problems = sum(count for count, *_rest in checks)
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=_("%(total)s open problems") % {"total": problems} if problems else _("Everything has someone on it."),
        thresholds=[
            _("Watch from %(watch)s, alert from %(alert)s: %(what)s")
            % {"watch": watch, "alert": alert, "what": text % {"total": "n"}}
            for _count, watch, alert, text in checks
        ],
        evidence=[text % {"total": count} for count, _watch, _alert, text in checks],
        responses=[
            _("Plan ahead: write each job down and make sure someone has it."),
            _("Write procedures down and check that everyone has read them."),
            _("Think of childcare, food, rides and cleanup before every meeting, not on the day."),
        ],
    )
