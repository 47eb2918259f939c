"""External hostility: incidents the institution logged (hostile media, counter-protests, police,
support withdrawn)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least

KEY = "hostility"
TITLE = gettext_lazy("External hostility")
# Incidents in the last 8 weeks.
RECENT_WATCH, RECENT_ALERT = 1, 4


def compute(snapshot):
    recent = sum(snapshot.incidents_recent.values())
    return Result(
        key=KEY,
        title=str(TITLE),
        status=at_least(recent, RECENT_WATCH, RECENT_ALERT) if recent else OK,
        value=_("%(total)s incidents in the last 8 weeks") % {"total": recent},
        trend=_("%(total)s in the 8 weeks before") % {"total": snapshot.incidents_before},
        thresholds=[
            _("Watch at one incident in 8 weeks; alert at %(alert)s.") % {"alert": RECENT_ALERT},
        ],
        evidence=[
            _("%(kind)s: %(total)s.") % {"kind": label, "total": count}
            for label, count in snapshot.incident_kinds_recent
        ]
        or [_("No incidents logged in the last 8 weeks.")],
        responses=[
            _("Keep your eyes on the work and on your relationships with the community: they are the ones who count."),
            _("If people are at risk, change your procedures to keep them safe, and write the change down."),
        ],
    )
