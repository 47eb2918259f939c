"""Where the institution stands in the seven steps: for each, whether something was done, in words, and
the next suggested action for the first step not done yet (when all are done, a look at the group's
health). The steps are a guide, not a gate.

All seven answers come from one query (EXISTS subqueries on the institution's row)."""

from dataclasses import dataclass, replace
from datetime import timedelta

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultation.models import ConsultationRound, OutreachEntry
from dualpower.steps import STEPS, Step
from evaluation.models import CheckIn, LogEntry
from institutions.models import Institution
from logistics.models import Procedure, Shift, Task
from meetings.models import Meeting
from needs.models import Need
from needs.models import Response as SurveyResponse
from research.models import FieldNote

from .models import Goal

# Evaluation counts as running when something was logged or a check-in answered this recently.
EVALUATION_RECENT = timedelta(days=60)

DONE_TEXT = {
    "needs": _("Needs are written down or a survey was answered."),
    "consultation": _("The community was consulted: a consultation round or outreach."),
    "research": _("Research notes are written."),
    "meetings": _("A public meeting was held."),
    "logistics": _("Tasks, shifts or procedures are in place."),
    "evaluation": _("Evaluation is running: logs or check-ins in the last 60 days."),
    "followthrough": _("A goal is being followed."),
}
# The next suggested action: (URL name, link text).
NEXT_ACTION = {
    "needs": ("needs:new", _("Write down a need you heard about")),
    "consultation": ("consultation:outreach", _("Record who you asked and what they said")),
    "research": ("research:new", _("Write a note on who tried this before")),
    "meetings": ("meetings:index", _("Plan a public meeting")),
    "logistics": ("logistics:task_new", _("Write down the first task")),
    "evaluation": ("evaluation:checkins", _("Check in with the group")),
    "followthrough": ("followthrough:goals", _("Agree on a goal to follow")),
}

# When every step has something done, the work goes on: the suggestion is to look at the group's health.
ALL_DONE_ACTION = ("evaluation:health", _("See how the group is doing and what to improve next"))


@dataclass(frozen=True)
class StepProgress:
    step: Step
    done: bool
    done_text: str
    next_url: str = ""
    next_text: str = ""


def _signals(now):
    mine = {"institution": OuterRef("pk")}
    recent = now - EVALUATION_RECENT
    return {
        "needs": Exists(Need.objects.filter(**mine)) | Exists(SurveyResponse.objects.filter(**mine)),
        "consultation": Exists(ConsultationRound.objects.filter(**mine).exclude(status=ConsultationRound.Status.DRAFT))
        | Exists(OutreachEntry.objects.filter(**mine)),
        "research": Exists(FieldNote.objects.filter(**mine)),
        "meetings": Exists(
            Meeting.objects.filter(
                Q(status=Meeting.Status.HELD) | Q(status=Meeting.Status.PLANNED, starts_at__lt=now),
                is_public=True,
                **mine,
            )
        ),
        "logistics": Exists(Task.objects.filter(**mine))
        | Exists(Shift.objects.filter(**mine))
        | Exists(Procedure.objects.filter(archived_at__isnull=True, **mine)),
        "evaluation": Exists(LogEntry.objects.filter(created_at__gte=recent, **mine))
        | Exists(CheckIn.objects.filter(created_at__gte=recent, **mine)),
        "followthrough": Exists(Goal.objects.filter(status=Goal.Status.ACTIVE, **mine)),
    }


def steps_done(institution):
    """{step app: whether something was done in it}. One query."""
    signals = {
        f"did_{app}": ExpressionWrapper(signal, output_field=BooleanField())
        for app, signal in _signals(timezone.now()).items()
    }
    row = Institution.objects.filter(pk=institution.pk).annotate(**signals).values(*signals).get()
    return {step.app: bool(row[f"did_{step.app}"]) for step in STEPS}


def step_progress(institution, done=None):
    """The seven steps in order, each with whether something was done; the first step not done carries the
    next suggested action. One query, none if `done` (from steps_done) is given."""
    done = steps_done(institution) if done is None else done
    progress, suggested = [], False
    for step in STEPS:
        next_url = next_text = ""
        if not done[step.app] and not suggested:
            suggested = True
            name, next_text = NEXT_ACTION[step.app]
            next_url = reverse(name, kwargs={"institution_slug": institution.slug})
        progress.append(
            StepProgress(
                step=step,
                done=done[step.app],
                done_text=DONE_TEXT[step.app],
                next_url=next_url,
                next_text=next_text,
            )
        )
    if not suggested:  # every step done: still suggest something, on the last step
        name, next_text = ALL_DONE_ACTION
        next_url = reverse(name, kwargs={"institution_slug": institution.slug})
        progress[-1] = replace(progress[-1], next_url=next_url, next_text=next_text)
    return progress
