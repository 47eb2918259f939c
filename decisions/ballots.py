"""What a valid ballot looks like for each voting method.

A ballot's choice is stored as JSON:
  majority / supermajority: {"choice": "yes" | "no" | "abstain"}
  consent:   {"choice": "agree" | "stand_aside" | "object", "reason": "..."}
  consensus: {"choice": "agree" | "stand_aside" | "block", "reason": "..."}
  approval:  {"approve": [option ids]}
  score:     {"scores": {"<option id>": 0..5, ...}}   every option scored
  dots:      {"dots": {"<option id>": n, ...}}        total ≤ dots per voter
  ranked:    {"ranking": [option ids, most preferred first]}

`ballot_from_post` turns a submitted form into such a choice, and `check_choice` validates
one; both raise BallotError with a message for the voter.
"""

from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Method

CHOICES = {
    Method.MAJORITY: ("yes", "no", "abstain"),
    Method.SUPERMAJORITY: ("yes", "no", "abstain"),
    Method.CONSENT: ("agree", "stand_aside", "object"),
    Method.CONSENSUS: ("agree", "stand_aside", "block"),
}
CHOICE_LABELS = {
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "abstain": gettext_lazy("Abstain"),
    "agree": gettext_lazy("Agree"),
    "stand_aside": gettext_lazy("Stand aside"),
    "object": gettext_lazy("Object"),
    "block": gettext_lazy("Block"),
}
NEEDS_REASON = {"object", "block"}
MAX_REASON = 2000
MAX_SCORE = 5


class BallotError(ValueError):
    """The ballot is not valid; the message says why, for the voter."""


def _int(value, message):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise BallotError(message) from None


def ballot_from_post(proposal, option_ids, data):
    """Read a submitted ballot form (a QueryDict) into a choice; raise BallotError if it is not valid."""
    method = proposal.method
    if method in CHOICES:
        choice = {"choice": data.get("choice", "")}
        if method in {Method.CONSENT, Method.CONSENSUS}:
            choice["reason"] = data.get("reason", "").strip()
    elif method == Method.APPROVAL:
        choice = {"approve": [_int(v, _("Choose options from the list.")) for v in data.getlist("approve")]}
    elif method == Method.SCORE:
        choice = {
            "scores": {
                str(pk): _int(data.get(f"score-{pk}", ""), _("Give every option a score from 0 to 5."))
                for pk in option_ids
            }
        }
    elif method == Method.DOTS:
        choice = {"dots": {}}
        for pk in option_ids:
            raw = data.get(f"dots-{pk}", "").strip() or "0"
            choice["dots"][str(pk)] = _int(raw, _("Dots must be whole numbers."))
    else:  # ranked: a rank number per option; blanks are options left out
        ranks = {}
        for pk in option_ids:
            raw = data.get(f"rank-{pk}", "").strip()
            if raw:
                ranks[pk] = _int(raw, _("Ranks must be whole numbers: 1 for your favorite, then 2, and so on."))
        ordered = sorted(ranks.values())
        if ordered != list(range(1, len(ordered) + 1)):
            raise BallotError(_("Use each rank once, starting at 1 with no gaps (1, 2, 3 …)."))
        choice = {"ranking": [pk for pk, _rank in sorted(ranks.items(), key=lambda item: item[1])]}
    return check_choice(proposal, option_ids, choice)


def check_choice(proposal, option_ids, choice):
    """Validate a choice for this proposal's method and options; return it normalized."""
    method = proposal.method
    valid = set(option_ids)
    if not isinstance(choice, dict):
        raise BallotError(_("This ballot could not be read."))
    if method in CHOICES:
        value = choice.get("choice")
        if value not in CHOICES[method]:
            raise BallotError(_("Choose one of the answers."))
        normalized = {"choice": value}
        if method in {Method.CONSENT, Method.CONSENSUS}:
            reason = str(choice.get("reason", "")).strip()
            if value in NEEDS_REASON and not reason:
                raise BallotError(_("Please say why: the group needs your reason to work on the proposal."))
            if len(reason) > MAX_REASON:
                raise BallotError(_("Please keep your reason under %(n)s characters.") % {"n": MAX_REASON})
            normalized["reason"] = reason
        return normalized
    if method == Method.APPROVAL:
        approved = choice.get("approve", [])
        if not isinstance(approved, list) or not set(approved) <= valid or len(set(approved)) != len(approved):
            raise BallotError(_("Choose options from the list."))
        return {"approve": sorted(approved)}
    if method == Method.SCORE:
        scores = {int(k): v for k, v in dict(choice.get("scores", {})).items() if str(k).isdigit()}
        if set(scores) != valid:
            raise BallotError(_("Give every option a score from 0 to 5."))
        if any(not isinstance(v, int) or not 0 <= v <= MAX_SCORE for v in scores.values()):
            raise BallotError(_("Scores go from 0 to 5."))
        return {"scores": {str(k): v for k, v in sorted(scores.items())}}
    if method == Method.DOTS:
        dots = {int(k): v for k, v in dict(choice.get("dots", {})).items() if str(k).isdigit()}
        if not set(dots) <= valid or any(not isinstance(v, int) or v < 0 for v in dots.values()):
            raise BallotError(_("Put zero or more dots on options from the list."))
        total = sum(dots.values())
        if total > proposal.dots_per_voter:
            raise BallotError(
                ngettext(
                    "You have %(n)s dot; this ballot uses %(used)s.",
                    "You have %(n)s dots; this ballot uses %(used)s.",
                    proposal.dots_per_voter,
                )
                % {"n": proposal.dots_per_voter, "used": total}
            )
        if total == 0:
            raise BallotError(_("Place at least one dot."))
        return {"dots": {str(k): v for k, v in sorted(dots.items()) if v}}
    ranking = choice.get("ranking", [])
    if not isinstance(ranking, list) or not ranking:
        raise BallotError(_("Rank at least one option."))
    if not set(ranking) <= valid or len(set(ranking)) != len(ranking):
        raise BallotError(_("Rank options from the list, each once."))
    return {"ranking": list(ranking)}


def ballot_text(choice, option_labels):
    """A ballot in words, for the results page and the CSV export (e.g. "1. Saturday 2. Sunday")."""

    def label(pk):
        return str(option_labels.get(str(pk), pk))

    if "choice" in choice:
        text = str(CHOICE_LABELS.get(choice["choice"], choice["choice"]))
        return f"{text} — {choice['reason']}" if choice.get("reason") else text
    if "approve" in choice:
        return ", ".join(label(pk) for pk in choice["approve"])
    if "scores" in choice:
        return "; ".join(f"{label(pk)}: {n}" for pk, n in choice["scores"].items())
    if "dots" in choice:
        return "; ".join(f"{label(pk)}: {n}" for pk, n in choice["dots"].items())
    return " ".join(f"{place}. {label(pk)}" for place, pk in enumerate(choice.get("ranking", []), start=1))


def total_text(value):
    """A total as people read it: whole counts as they are, average scores as decimals ("3.5")."""
    if isinstance(value, str) and "/" in value:
        value = Fraction(value)
    if isinstance(value, Fraction):
        return number_format(round(float(value), 2))
    return value
