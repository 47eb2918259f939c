"""What every health indicator returns, and the small helpers they share.

An indicator is a pure function from a Snapshot (plain numbers read from the database once, see
evaluation/snapshot.py) to a Result. No indicator touches the database, so each is tested with
table-driven cases and the health page costs the same few queries however much data there is.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

OK, WATCH, ALERT = "ok", "watch", "alert"
STATUS_LABELS = {OK: _("OK"), WATCH: _("Watch"), ALERT: _("Alert")}
STATUS_ORDER = {OK: 0, WATCH: 1, ALERT: 2}


@dataclass
class Result:
    key: str
    title: str
    status: str
    value: str  # the headline number, in words
    trend: str = ""  # how it moved, in words ("" when there is nothing to compare)
    thresholds: list = field(default_factory=list)  # how the status is decided, one sentence each
    evidence: list = field(default_factory=list)  # the records behind it, one sentence each
    responses: list = field(default_factory=list)  # what groups do about it
    available: bool = True  # False when the records it needs do not exist yet

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def needs_attention(self):
        return self.status != OK


def worst(*statuses):
    return max(statuses, key=STATUS_ORDER.__getitem__) if statuses else OK


def at_least(value, watch, alert):
    """ALERT at or above `alert`, WATCH at or above `watch`, else OK."""
    if value >= alert:
        return ALERT
    if value >= watch:
        return WATCH
    return OK


def at_most(value, watch, alert):
    """ALERT at or below `alert`, WATCH at or below `watch`, else OK."""
    if value <= alert:
        return ALERT
    if value <= watch:
        return WATCH
    return OK


def change_ratio(recent, earlier):
    """recent / earlier, or None when there was nothing before to compare with."""
    if not earlier:
        return None
    return recent / earlier


def percent(ratio):
    return f"{round(ratio * 100)} %"
