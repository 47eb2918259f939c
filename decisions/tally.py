"""Counting votes: one pure function per decision method.

Nothing here touches Django or the database. Each function takes the current ballots
(already validated by the ballot form) and returns a `Result`; the caller decides what
to store or show. Every function accepts empty input and answers `Outcome.NO_VOTES`.

Methods and their rules:

- `tally_majority`: passes when "yes" outnumbers "no"; abstentions are counted as
  ballots but take no side. A tie between yes and no fails.
- `tally_supermajority`: passes when yes / (yes + no) reaches the threshold
  (at least, not strictly more), e.g. ``Fraction(2, 3)``.
- `tally_consent`: passes when nobody objects. Resolving an objection means the
  objector changes their ballot; the tally only ever sees the current ballots.
- `tally_consensus`: passes when nobody blocks and the share of stand-asides
  among all ballots is strictly below the limit.
- `tally_approval`, `tally_score`, `tally_dots`: the option(s) with the highest
  total (approvals, mean score, dots) win; several at the top make a tie.
- `tally_ranked`: instant runoff, described below.

Instant runoff (`tally_ranked`). Each round, every ballot counts for its highest-ranked
option that is still continuing; a ballot with no continuing option left is exhausted.
An option with more than half of the non-exhausted ballots wins. If every continuing
option has the same count, the result is a tie among them. Otherwise exactly one option,
the one with the fewest votes, is eliminated and the next round begins.

Tie-break for elimination: when several options share the fewest votes, look back
through the earlier rounds, from the most recent to the first, and keep only those of
the tied options that had the fewest votes in that round; stop as soon as one is left,
and eliminate it. If two or more are still level after looking at every earlier round
(or there is no earlier round), eliminate the one listed last on the ballot paper (the
highest index in ``options``). The round records a plain-English note of the decision.
Options that no ballot ranks start at 0 votes and are therefore eliminated first, one
per round, by the same rule.

Input the forms should never let through (a choice or option id outside the method's
vocabulary) raises `ValueError` rather than being silently dropped from the count.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "Outcome",
    "Result",
    "Round",
    "tally_approval",
    "tally_consensus",
    "tally_consent",
    "tally_dots",
    "tally_majority",
    "tally_ranked",
    "tally_score",
    "tally_supermajority",
]

YES_NO_CHOICES = ("yes", "no", "abstain")
CONSENT_CHOICES = ("agree", "stand_aside", "object")
CONSENSUS_CHOICES = ("agree", "stand_aside", "block")


class Outcome(StrEnum):
    """What a decision came to.

    For option-based methods PASSED means exactly one winner, TIE means several options
    share first place, and NO_VOTES means nothing was counted.
    """

    PASSED = "passed"
    FAILED = "failed"
    TIE = "tie"
    NO_VOTES = "no_votes"


@dataclass(frozen=True)
class Round:
    """One instant-runoff round.

    `counts` maps each continuing option (in ballot-paper order) to the number of ballots
    whose highest continuing preference it is; `exhausted` is the number of ballots with
    no continuing option left; `eliminated` names the option dropped at the end of the
    round (empty in the final round); `tie_break` explains how a tie for last place was
    broken, or is None when there was no such tie.
    """

    counts: dict[int, int]
    exhausted: int
    eliminated: tuple[int, ...]
    tie_break: str | None


@dataclass(frozen=True)
class Result:
    """The outcome of one tally.

    `winners` lists option ids in ballot-paper order (empty for yes/no methods and when
    there is no winner); `totals` is method-specific (choice -> count, or option -> count,
    mean score or dots); `counted` is the number of ballots, abstentions included;
    `rounds` is filled by ranked choice only.
    """

    outcome: Outcome
    winners: tuple[int, ...] = ()
    totals: dict = field(default_factory=dict)
    counted: int = 0
    rounds: tuple[Round, ...] = ()


def tally_majority(choices: Iterable[str]) -> Result:
    """Simple majority: PASSED when yes > no; abstentions are counted but take no side.

    A level vote (yes == no, including all abstentions) FAILS. No ballots: NO_VOTES.
    `totals` is {"yes": n, "no": n, "abstain": n}.
    """
    totals = _count_choices(choices, YES_NO_CHOICES)
    counted = sum(totals.values())
    if not counted:
        return Result(Outcome.NO_VOTES, totals=totals)
    outcome = Outcome.PASSED if totals["yes"] > totals["no"] else Outcome.FAILED
    return Result(outcome, totals=totals, counted=counted)


def tally_supermajority(choices: Iterable[str], threshold: Fraction) -> Result:
    """Supermajority: PASSED when yes + no > 0 and yes / (yes + no) >= threshold.

    `threshold` must lie in (1/2, 1], e.g. ``Fraction(2, 3)``; compared exactly, so two
    thirds of the decided votes is enough for a two-thirds threshold. Abstentions take no
    side; if everyone abstains the proposal FAILS. No ballots: NO_VOTES.
    """
    if not Fraction(1, 2) < threshold <= 1:
        raise ValueError(f"A supermajority threshold must be above 1/2 and at most 1, not {threshold}.")
    totals = _count_choices(choices, YES_NO_CHOICES)
    counted = sum(totals.values())
    if not counted:
        return Result(Outcome.NO_VOTES, totals=totals)
    decided = totals["yes"] + totals["no"]
    passed = decided > 0 and Fraction(totals["yes"], decided) >= threshold
    return Result(Outcome.PASSED if passed else Outcome.FAILED, totals=totals, counted=counted)


def tally_consent(choices: Iterable[str]) -> Result:
    """Consent: PASSED when there is at least one ballot and nobody objects.

    Choices are "agree", "stand_aside" and "object". No ballots: NO_VOTES.
    """
    totals = _count_choices(choices, CONSENT_CHOICES)
    counted = sum(totals.values())
    if not counted:
        return Result(Outcome.NO_VOTES, totals=totals)
    outcome = Outcome.FAILED if totals["object"] else Outcome.PASSED
    return Result(outcome, totals=totals, counted=counted)


def tally_consensus(choices: Iterable[str], stand_aside_limit: Fraction) -> Result:
    """Consensus: PASSED when nobody blocks and stand_aside / counted < stand_aside_limit.

    Choices are "agree", "stand_aside" and "block". The limit lies in (0, 1] and is
    strict: with a limit of 1/4, one stand-aside among four ballots FAILS. No ballots:
    NO_VOTES.
    """
    if not 0 < stand_aside_limit <= 1:
        raise ValueError(f"A stand-aside limit must be above 0 and at most 1, not {stand_aside_limit}.")
    totals = _count_choices(choices, CONSENSUS_CHOICES)
    counted = sum(totals.values())
    if not counted:
        return Result(Outcome.NO_VOTES, totals=totals)
    passed = not totals["block"] and Fraction(totals["stand_aside"], counted) < stand_aside_limit
    return Result(Outcome.PASSED if passed else Outcome.FAILED, totals=totals, counted=counted)


def tally_approval(ballots: Iterable[Collection[int]], options: Sequence[int]) -> Result:
    """Approval voting: each ballot is the set of options it approves (possibly empty).

    `totals` maps every option to its number of approvals. The options with the most
    approvals win; if no option got any approval the result is NO_VOTES.
    """
    totals = dict.fromkeys(options, 0)
    counted = 0
    for ballot in ballots:
        counted += 1
        for option in ballot:
            _check_option(option, totals)
            totals[option] += 1
    return _highest_total_wins(totals, counted, anything_counted=any(totals.values()))


def tally_score(ballots: Iterable[Mapping[int, int]], options: Sequence[int]) -> Result:
    """Score voting: each ballot maps options to a score from 0 to 5.

    `totals` maps every option to its mean score (a `Fraction`) over the ballots that
    scored it; an option no ballot scored has mean 0. The highest mean wins; options
    sharing it tie. NO_VOTES when no ballot scored anything.
    """
    sums = dict.fromkeys(options, 0)
    scored_by = dict.fromkeys(options, 0)
    counted = 0
    for ballot in ballots:
        counted += 1
        for option, score in ballot.items():
            _check_option(option, sums)
            sums[option] += score
            scored_by[option] += 1
    totals = {option: Fraction(sums[option], scored_by[option] or 1) for option in sums}
    return _highest_total_wins(totals, counted, anything_counted=any(scored_by.values()))


def tally_dots(ballots: Iterable[Mapping[int, int]], options: Sequence[int]) -> Result:
    """Dot voting: each ballot places a non-negative number of dots on options.

    `totals` maps every option to its total dots. The most dots win; options sharing the
    top total tie. NO_VOTES when no dots were placed at all.
    """
    totals = dict.fromkeys(options, 0)
    counted = 0
    for ballot in ballots:
        counted += 1
        for option, dots in ballot.items():
            _check_option(option, totals)
            totals[option] += dots
    return _highest_total_wins(totals, counted, anything_counted=any(totals.values()))


def tally_ranked(ballots: Iterable[Sequence[int]], options: Sequence[int]) -> Result:
    """Instant-runoff count of rankings (most preferred first, possibly partial).

    See the module docstring for the round rules and the elimination tie-break.
    `totals` holds the first-round counts for every option; `rounds` records each round.
    NO_VOTES when there are no ballots or no ballot ranks any option.

    Each distinct ranking is kept once with its number of ballots and a cursor to its
    current preference; eliminating an option moves only the ballots counting for it, so
    the whole count costs O(ballots x ranks) plus O(options) bookkeeping per round.
    """
    options = tuple(options)
    position = {option: index for index, option in enumerate(options)}
    rankings = list(Counter(tuple(ranking) for ranking in ballots).items())
    counted = sum(weight for _, weight in rankings)

    counts = dict.fromkeys(options, 0)
    supporters: dict[int, list[int]] = {option: [] for option in options}  # option -> rankings counting for it
    cursor = [0] * len(rankings)
    exhausted = 0
    for index, (ranking, weight) in enumerate(rankings):
        for option in ranking:
            _check_option(option, position)
        if ranking:
            counts[ranking[0]] += weight
            supporters[ranking[0]].append(index)
        else:
            exhausted += weight
    totals = dict(counts)
    if exhausted == counted:
        return Result(Outcome.NO_VOTES, totals=totals, counted=counted)

    continuing = list(options)
    rounds: list[Round] = []
    while True:
        snapshot = {option: counts[option] for option in continuing}
        active = counted - exhausted
        most = max(snapshot.values())
        if 2 * most > active:
            winner = next(option for option in continuing if snapshot[option] == most)
            rounds.append(Round(snapshot, exhausted, (), None))
            return Result(Outcome.PASSED, (winner,), totals, counted, tuple(rounds))
        fewest = min(snapshot.values())
        if fewest == most:
            rounds.append(Round(snapshot, exhausted, (), None))
            return Result(Outcome.TIE, tuple(continuing), totals, counted, tuple(rounds))

        tied = [option for option in continuing if snapshot[option] == fewest]
        loser, note = _break_tie_for_last(tied, fewest, [r.counts for r in rounds], position)
        rounds.append(Round(snapshot, exhausted, (loser,), note))

        continuing.remove(loser)
        del counts[loser]
        for index in supporters.pop(loser):
            ranking, weight = rankings[index]
            step = cursor[index] + 1
            while step < len(ranking) and ranking[step] not in counts:
                step += 1
            cursor[index] = step
            if step < len(ranking):
                counts[ranking[step]] += weight
                supporters[ranking[step]].append(index)
            else:
                exhausted += weight


def _count_choices(choices: Iterable[str], vocabulary: Sequence[str]) -> dict[str, int]:
    totals = dict.fromkeys(vocabulary, 0)
    for choice in choices:
        if choice not in totals:
            raise ValueError(f"{choice!r} is not one of {', '.join(vocabulary)}.")
        totals[choice] += 1
    return totals


def _check_option(option: int, known: Mapping[int, object]) -> None:
    if option not in known:
        raise ValueError(f"Option {option!r} is not on the ballot paper.")


def _highest_total_wins(
    totals: dict[int, int] | dict[int, Fraction], counted: int, *, anything_counted: bool
) -> Result:
    if not anything_counted:
        return Result(Outcome.NO_VOTES, totals=totals, counted=counted)
    top = max(totals.values())
    winners = tuple(option for option, total in totals.items() if total == top)
    outcome = Outcome.PASSED if len(winners) == 1 else Outcome.TIE
    return Result(outcome, winners, totals, counted)


def _break_tie_for_last(
    tied: list[int], fewest: int, history: list[dict[int, int]], position: Mapping[int, int]
) -> tuple[int, str | None]:
    """Pick which of the options tied for fewest votes to eliminate, and explain why.

    `history` holds the counts of the earlier rounds, first round first.
    """
    if len(tied) == 1:
        return tied[0], None
    candidates = tied
    reasons = []
    for number in range(len(history), 0, -1):
        earlier = history[number - 1]
        low = min(earlier[option] for option in candidates)
        behind = [option for option in candidates if earlier[option] == low]
        if len(behind) == len(candidates):
            continue
        if len(behind) == 1:
            comparison = "fewer" if len(candidates) == 2 else "the fewest"
            reasons.append(f"{behind[0]} was eliminated because it had {comparison} votes in round {number}")
            candidates = behind
            break
        reasons.append(f"{_and_list(behind)} had the fewest votes in round {number}")
        candidates = behind
    if len(candidates) > 1:
        loser = max(candidates, key=position.__getitem__)
        level = "they" if len(candidates) == len(tied) else _and_list(candidates)
        if history:
            reasons.append(
                f"{level} had equal votes in every earlier round, so {loser}, listed last of them on the ballot paper, "
                "was eliminated"
            )
        else:
            reasons.append(f"{loser} was eliminated because it is listed last of them on the ballot paper")
    else:
        loser = candidates[0]
    return loser, f"Options {_and_list(tied)} tied with {_votes(fewest)}; {'; '.join(reasons)}."


def _and_list(options: Sequence[int]) -> str:
    names = [str(option) for option in options]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _votes(number: int) -> str:
    return "1 vote" if number == 1 else f"{number} votes"
