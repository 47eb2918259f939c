"""Becoming self-serving: work and decisions drifting away from the community's needs, and the
community not asked for a long time."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, Result, at_least, at_most, percent, worst

KEY = "self_serving"
TITLE = gettext_lazy("Becoming self-serving")
# Share of the last 6 months' proposals and tasks that serve a community need.
NEED_SHARE_WATCH, NEED_SHARE_ALERT = 0.4, 0.2
# Too few to judge.
MIN_ITEMS = 5
# Days since the community was last asked (a survey, consultation or self-evaluation answer).
ASKED_WATCH_DAYS, ASKED_ALERT_DAYS = 90, 180


def compute(snapshot):
    statuses = []
    items = snapshot.proposals_recent + snapshot.tasks_recent
    served = snapshot.proposals_for_needs + snapshot.tasks_for_needs
    if items >= MIN_ITEMS:
        share = served / items
        statuses.append(at_most(share, NEED_SHARE_WATCH, NEED_SHARE_ALERT))
        value = _("%(share)s of proposals and tasks serve a community need") % {"share": percent(share)}
    else:
        value = _("Too few proposals and tasks yet to judge.")
    if snapshot.days_since_community_asked is not None:
        statuses.append(at_least(snapshot.days_since_community_asked, ASKED_WATCH_DAYS, ASKED_ALERT_DAYS))
        asked = _("The community last answered us %(days)s days ago.") % {"days": snapshot.days_since_community_asked}
    else:
        statuses.append(at_least(snapshot.age_days, ASKED_WATCH_DAYS, ASKED_ALERT_DAYS))
        asked = _("The community has not been asked anything yet.")
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses) if statuses else OK,
        value=value,
        thresholds=[
            _(
                "Watch when %(watch)s or less of the last 6 months' proposals and tasks serve a community need;"
                " alert at %(alert)s (from %(min)s items)."
            )
            % {"watch": percent(NEED_SHARE_WATCH), "alert": percent(NEED_SHARE_ALERT), "min": MIN_ITEMS},
            _("Watch when the community was last asked %(watch)s days ago or more; alert at %(alert)s.")
            % {"watch": ASKED_WATCH_DAYS, "alert": ASKED_ALERT_DAYS},
        ],
        evidence=[
            _("Proposals in the last 6 months: %(total)s, %(served)s about a need.")
            % {"total": snapshot.proposals_recent, "served": snapshot.proposals_for_needs},
            _("Tasks in the last 6 months: %(total)s, %(served)s for a need.")
            % {"total": snapshot.tasks_recent, "served": snapshot.tasks_for_needs},
            asked,
        ],
        responses=[
            _("Remind each other that the community comes before the group."),
            _("Keep to what the people you serve ask for: ask them again."),
        ],
    )
