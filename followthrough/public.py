"""The public page: which sections organizers choose to show, and what each section shows.

Every section is off until organizers turn it on. Whatever is on, the readers here return only what the
community is entitled to see: no member's name, no contact, no check-in, no grievance, no ballot of a
named voter. Each reader makes a fixed number of queries, whatever the amount of data.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy

from consultation.models import ConsultationRound
from decisions.ballots import CHOICE_LABELS, total_text
from decisions.models import Option, Proposal
from decisions.selectors import ProposalResult
from evaluation import selfeval
from evaluation.models import SelfEvaluation
from institutions.services import audit_record
from logistics import money
from needs.models import Survey

from .models import Goal, Milestone, PublicPage

SECTIONS = [field.name for field in PublicPage._meta.get_fields() if getattr(field, "name", "").startswith("show_")]
DECISIONS_SHOWN = 10
GOALS_SHOWN = 10
OPEN_LINKS_SHOWN = 10
MONEY_PERIOD = timedelta(days=365)

AUDIT_ACTIONS = {
    "followthrough.public_page_changed": gettext_lazy(
        "%(actor)s changed what the public page shows (now shown: %(shown)s)"
    ),
}


# Writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def public_page_update(*, institution, actor, **sections) -> PublicPage:
    """Save which sections the public page shows (made on first save) and audit the choice."""
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise TypeError(f"Unknown public page sections: {', '.join(sorted(unknown))}")
    values = {name: bool(sections.get(name, False)) for name in SECTIONS}
    page, _created = PublicPage.objects.update_or_create(institution=institution, defaults=values)
    audit_record(
        institution=institution,
        actor=actor,
        action="followthrough.public_page_changed",
        shown=", ".join(name.removeprefix("show_") for name in SECTIONS if values[name]) or "-",
    )
    return page


# Reads -------------------------------------------------------------------------------------------------


def public_page_for(institution) -> PublicPage:
    """The institution's choice, or the defaults (everything off, unsaved) if it never made one."""
    return PublicPage.objects.filter(institution=institution).first() or PublicPage(institution=institution)


def _total_label(key, options):
    return options.get(str(key)) or str(CHOICE_LABELS.get(key, key))


def decisions_taken(institution, limit=DECISIONS_SHOWN):
    """The latest closed proposals with their outcome as recorded at closing. Open ballots show the
    count for each answer or option; secret ballots only how many took part. Never who voted what.
    Two queries."""
    proposals = list(
        Proposal.objects.filter(institution=institution, status=Proposal.Status.CLOSED)
        .only("pk", "title", "method", "secret", "outcome", "result", "closed_at")
        .order_by("-closed_at", "-pk")[:limit]
    )
    open_ballots = [proposal.pk for proposal in proposals if not proposal.secret]
    labels = {}
    if open_ballots:
        for option in Option.objects.filter(proposal__in=open_ballots).only("pk", "label", "proposal_id"):
            labels.setdefault(option.proposal_id, {})[str(option.pk)] = option.label
    taken = []
    for proposal in proposals:
        result = ProposalResult.from_json(proposal.result) if proposal.result else None
        counts = []
        if result is not None and not proposal.secret:
            options = labels.get(proposal.pk, {})
            counts = [(_total_label(key, options), total_text(value)) for key, value in result.totals.items()]
        taken.append(
            {
                "proposal": proposal,
                "turnout": result.turnout if result else None,
                "roll_size": result.roll_size if result else None,
                "counts": counts,
                "score": proposal.method == "score",
            }
        )
    return taken


def open_consultations(institution, limit=OPEN_LINKS_SHOWN):
    """Open surveys and open consultation rounds, each with the public link anyone answers on. Two
    queries."""
    surveys = list(
        Survey.objects.filter(institution=institution, status=Survey.Status.OPEN)
        .select_related("institution")
        .only("pk", "title", "token", "access_code", "translations", "institution__slug")
        .order_by("-opened_at", "-pk")[:limit]
    )
    rounds = list(
        ConsultationRound.objects.filter(institution=institution, status=ConsultationRound.Status.OPEN)
        .select_related("institution")
        .only("pk", "title", "public_token", "institution__slug")
        .order_by("-opened_at", "-pk")[:limit]
    )
    return {"surveys": surveys, "rounds": rounds}


def money_summary(institution, options):
    """Balance, income and expenses of the last twelve months, and income by source type over them.
    Only counted entries, no names. Three queries."""
    since = timezone.localdate() - MONEY_PERIOD
    counted = money.counted(institution)
    return {
        "options": options,
        "balance": money.totals(counted).balance,
        "year": money.totals(counted.filter(occurred_on__gte=since)),
        "sources": money.income_by_source(institution, since=since),
    }


def latest_self_evaluation(institution):
    """The latest closed self-evaluation: how many members and community members answered and the
    average per question for each group. No comments. Two queries (one if there is none)."""
    evaluation = (
        selfeval.rounds_of(institution)
        .filter(status=SelfEvaluation.Status.CLOSED)
        .order_by("-closed_at", "-opened_at", "-pk")
        .first()
    )
    if evaluation is None:
        return None
    return {"evaluation": evaluation, "rows": selfeval.results(evaluation)}


def goals_shown(institution, limit=GOALS_SHOWN):
    """Goals being worked on or reached, with the milestones reached so far. No owners. Two queries."""
    reached = Milestone.objects.filter(reached_on__isnull=False).only("pk", "goal_id", "title", "reached_on")
    return list(
        Goal.objects.filter(institution=institution, status__in=[Goal.Status.ACTIVE, Goal.Status.REACHED])
        .only("pk", "title", "status", "target_date", "reached_on")
        .prefetch_related(Prefetch("milestones", queryset=reached.order_by("reached_on", "pk"), to_attr="reached"))
        .order_by("status", F("target_date").asc(nulls_last=True), "pk")[:limit]
    )


def sections_for(institution, page, ledger_options):
    """The context of every section the page shows; sections that are off are not read at all."""
    context = {"public_page": page}
    if page.show_decisions:
        context["decisions_taken"] = decisions_taken(institution)
    if page.show_surveys:
        context["consultations"] = open_consultations(institution)
    if page.show_money and ledger_options.ledger_public:
        context["money_summary"] = money_summary(institution, ledger_options)
    if page.show_self_evaluation:
        context["self_evaluation"] = latest_self_evaluation(institution)
    if page.show_goals:
        context["goals"] = goals_shown(institution)
    return context
