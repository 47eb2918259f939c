"""The seven steps of the organizing template, in order, as the navigation shows them.

Each step is one Django app whose URLs are included under `/i/<slug>/<path>/` with the
app's name as namespace and an `index` page.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    number: int
    app: str
    path: str
    title: str
    summary: str


STEPS = (
    Step(1, "needs", "needs", _("Find a need"), _("Learn what is going unmet, straight from the people affected.")),
    Step(
        2,
        "consultation",
        "consultation",
        _("Consult"),
        _("Check with the community which needs matter most, then pick a focus together."),
    ),
    Step(
        3,
        "research",
        "research",
        _("Research"),
        _("Learn from everyone who tried before: what they did and how it went."),
    ),
    Step(
        4,
        "meetings",
        "meetings",
        _("Meet publicly"),
        _("Hold open meetings where everyone can speak and a plan is agreed."),
    ),
    Step(5, "logistics", "logistics", _("Logistics"), _("Who does what, when, with which supplies, space and money.")),
    Step(
        6,
        "evaluation",
        "evaluation",
        _("Analyze and improve"),
        _("Keep records, check in with each other, and change what does not work."),
    ),
    Step(
        7,
        "followthrough",
        "follow-through",
        _("Follow through"),
        _("Keep going through slow stretches, toward goals you set yourselves."),
    ),
)

STEPS_BY_APP = {step.app: step for step in STEPS}
