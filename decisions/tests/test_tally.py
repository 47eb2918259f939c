"""The vote-counting core: hand-worked examples for every method, then properties.

Ranked-choice examples name the rounds they were worked through by hand; the property
tests compare the incremental instant-runoff count against a from-scratch recount.
"""

import random
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from decisions.tally import (
    Outcome,
    Result,
    Round,
    tally_approval,
    tally_consensus,
    tally_consent,
    tally_dots,
    tally_majority,
    tally_ranked,
    tally_score,
    tally_supermajority,
)

PROPERTY = settings(max_examples=200, deadline=None)


def ballots(*groups):
    """Expand (count, ballot) pairs into a list of ballots, like a hand tally sheet."""
    return [ballot for count, ballot in groups for _ in range(count)]


# --- Yes / no methods: worked examples ---------------------------------------------------


def test_majority_passes_when_yes_outnumbers_no():
    result = tally_majority(["yes", "yes", "no", "abstain"])
    assert result == Result(Outcome.PASSED, totals={"yes": 2, "no": 1, "abstain": 1}, counted=4)


def test_majority_fails_on_a_level_vote():
    assert tally_majority(["yes", "no", "abstain"]).outcome == Outcome.FAILED


def test_majority_fails_when_everyone_abstains():
    result = tally_majority(["abstain", "abstain"])
    assert result.outcome == Outcome.FAILED
    assert result.counted == 2


def test_majority_with_no_ballots_has_no_votes():
    assert tally_majority([]) == Result(Outcome.NO_VOTES, totals={"yes": 0, "no": 0, "abstain": 0}, counted=0)


def test_majority_refuses_a_choice_it_does_not_know():
    with pytest.raises(ValueError, match="maybe"):
        tally_majority(["yes", "maybe"])


def test_supermajority_exactly_at_two_thirds_passes():
    result = tally_supermajority(["yes"] * 6 + ["no"] * 3 + ["abstain"] * 5, Fraction(2, 3))
    assert result == Result(Outcome.PASSED, totals={"yes": 6, "no": 3, "abstain": 5}, counted=14)


def test_supermajority_one_vote_short_fails():
    # One of the six yes voters switches to no: 5 / 9 < 2 / 3.
    assert tally_supermajority(["yes"] * 5 + ["no"] * 4, Fraction(2, 3)).outcome == Outcome.FAILED
    # Or abstains instead: 5 / 8 < 2 / 3.
    assert tally_supermajority(["yes"] * 5 + ["no"] * 3 + ["abstain"], Fraction(2, 3)).outcome == Outcome.FAILED


def test_supermajority_of_one_needs_unanimity_among_decided_votes():
    assert tally_supermajority(["yes", "yes", "abstain"], Fraction(1)).outcome == Outcome.PASSED
    assert tally_supermajority(["yes", "yes", "no"], Fraction(1)).outcome == Outcome.FAILED


def test_supermajority_fails_when_everyone_abstains_and_has_no_votes_without_ballots():
    assert tally_supermajority(["abstain"], Fraction(2, 3)).outcome == Outcome.FAILED
    assert tally_supermajority([], Fraction(2, 3)).outcome == Outcome.NO_VOTES


@pytest.mark.parametrize("threshold", [Fraction(1, 2), Fraction(0), Fraction(11, 10)])
def test_supermajority_refuses_a_threshold_outside_half_to_one(threshold):
    with pytest.raises(ValueError, match="threshold"):
        tally_supermajority(["yes"], threshold)


def test_consent_passes_with_agreement_and_stand_asides():
    result = tally_consent(["agree", "agree", "stand_aside"])
    assert result == Result(Outcome.PASSED, totals={"agree": 2, "stand_aside": 1, "object": 0}, counted=3)


def test_consent_fails_on_one_objection():
    assert tally_consent(["agree"] * 20 + ["object"]).outcome == Outcome.FAILED


def test_consent_passes_when_everyone_stands_aside():
    assert tally_consent(["stand_aside", "stand_aside"]).outcome == Outcome.PASSED


def test_consent_with_no_ballots_has_no_votes():
    assert tally_consent([]).outcome == Outcome.NO_VOTES


def test_consensus_exactly_at_the_stand_aside_limit_fails():
    result = tally_consensus(["agree"] * 3 + ["stand_aside"], Fraction(1, 4))
    assert result == Result(Outcome.FAILED, totals={"agree": 3, "stand_aside": 1, "block": 0}, counted=4)


def test_consensus_just_under_the_stand_aside_limit_passes():
    assert tally_consensus(["agree"] * 4 + ["stand_aside"], Fraction(1, 4)).outcome == Outcome.PASSED


def test_consensus_fails_on_one_block():
    assert tally_consensus(["agree"] * 9 + ["block"], Fraction(1, 4)).outcome == Outcome.FAILED


def test_consensus_limit_of_one_fails_only_when_everyone_stands_aside():
    assert tally_consensus(["stand_aside"] * 3 + ["agree"], Fraction(1)).outcome == Outcome.PASSED
    assert tally_consensus(["stand_aside"] * 4, Fraction(1)).outcome == Outcome.FAILED


def test_consensus_with_no_ballots_has_no_votes():
    assert tally_consensus([], Fraction(1, 4)).outcome == Outcome.NO_VOTES


@pytest.mark.parametrize("limit", [Fraction(0), Fraction(-1, 4), Fraction(5, 4)])
def test_consensus_refuses_a_limit_outside_zero_to_one(limit):
    with pytest.raises(ValueError, match="limit"):
        tally_consensus(["agree"], limit)


# --- Option methods: worked examples -----------------------------------------------------


def test_approval_counts_every_option_and_picks_the_most_approved():
    result = tally_approval([{10, 20}, {20}, {30, 20}, set()], [10, 20, 30])
    assert result == Result(Outcome.PASSED, (20,), {10: 1, 20: 3, 30: 1}, counted=4)


def test_approval_tie_lists_tied_options_in_ballot_paper_order():
    result = tally_approval([{30}, {10}, {30, 10, 20}], [30, 20, 10])
    assert result.outcome == Outcome.TIE
    assert result.winners == (30, 10)
    assert result.totals == {30: 2, 20: 1, 10: 2}


def test_approval_without_any_approval_has_no_votes():
    assert tally_approval([set(), set()], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=2)
    assert tally_approval([], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=0)
    assert tally_approval([], []).outcome == Outcome.NO_VOTES


def test_approval_refuses_an_option_not_on_the_ballot_paper():
    with pytest.raises(ValueError, match="Option 99"):
        tally_approval([{1, 99}], [1, 2])


def test_score_takes_the_highest_mean():
    result = tally_score([{1: 5, 2: 0, 3: 4}, {1: 1, 2: 5, 3: 4}, {1: 3, 2: 2, 3: 4}], [1, 2, 3])
    assert result == Result(Outcome.PASSED, (3,), {1: Fraction(3), 2: Fraction(7, 3), 3: Fraction(4)}, counted=3)


def test_score_tie_on_equal_means():
    result = tally_score([{1: 5, 2: 3, 3: 0}, {1: 2, 2: 4, 3: 1}], [1, 2, 3])
    assert result.outcome == Outcome.TIE
    assert result.winners == (1, 2)
    assert result.totals == {1: Fraction(7, 2), 2: Fraction(7, 2), 3: Fraction(1, 2)}


def test_score_mean_is_over_the_ballots_that_scored_the_option():
    result = tally_score([{1: 4}, {1: 2, 2: 5}], [1, 2, 3])
    assert result.totals == {1: Fraction(3), 2: Fraction(5), 3: Fraction(0)}
    assert result.winners == (2,)


def test_score_of_zero_everywhere_is_a_tie_but_no_scores_is_no_votes():
    assert tally_score([{1: 0, 2: 0}], [1, 2]).outcome == Outcome.TIE
    assert tally_score([{}], [1, 2]).outcome == Outcome.NO_VOTES
    assert tally_score([], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=0)


def test_dots_adds_up_dots_and_picks_the_most():
    result = tally_dots([{1: 3, 2: 1}, {2: 2, 3: 2}, {1: 1}], [1, 2, 3])
    assert result == Result(Outcome.PASSED, (1,), {1: 4, 2: 3, 3: 2}, counted=3)


def test_dots_tie():
    result = tally_dots([{1: 2}, {2: 1}, {2: 1, 3: 1}], [1, 2, 3])
    assert (result.outcome, result.winners) == (Outcome.TIE, (1, 2))


def test_dots_with_no_dots_has_no_votes():
    assert tally_dots([{1: 0}], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=1)
    assert tally_dots([], [1, 2]).outcome == Outcome.NO_VOTES


# --- Ranked choice: worked examples ------------------------------------------------------


def test_ranked_three_rounds_with_exhausted_ballots():
    # Round 1: 1:5 2:4 3:3 4:2 of 14 -> eliminate 4, whose ballots move to 2.
    # Round 2: 1:5 2:6 3:3 -> eliminate 3; its ballots' next choice (4) is gone: 3 exhausted.
    # Round 3: 1:5 2:6 of 11 continuing ballots -> 6 > 5.5, 2 wins without a majority of all 14.
    paper = ballots((5, [1]), (4, [2, 3]), (3, [3, 4]), (2, [4, 2]))
    result = tally_ranked(paper, [1, 2, 3, 4])
    assert result == Result(
        Outcome.PASSED,
        winners=(2,),
        totals={1: 5, 2: 4, 3: 3, 4: 2},
        counted=14,
        rounds=(
            Round({1: 5, 2: 4, 3: 3, 4: 2}, exhausted=0, eliminated=(4,), tie_break=None),
            Round({1: 5, 2: 6, 3: 3}, exhausted=0, eliminated=(3,), tie_break=None),
            Round({1: 5, 2: 6}, exhausted=3, eliminated=(), tie_break=None),
        ),
    )


def test_ranked_first_round_majority_wins_at_once():
    result = tally_ranked(ballots((3, [2, 1]), (2, [1])), [1, 2])
    assert result.winners == (2,)
    assert result.rounds == (Round({1: 2, 2: 3}, exhausted=0, eliminated=(), tie_break=None),)


def test_ranked_exactly_half_is_not_a_majority():
    # Round 1: 1 has 2 of 4, not more than half; 2 and 3 tie on 1 with no earlier round: 3 (listed last) goes.
    # Round 2: 3's ballot is exhausted, 1 has 2 of 3 and wins.
    result = tally_ranked(ballots((2, [1]), (1, [2]), (1, [3])), [1, 2, 3])
    assert result.winners == (1,)
    assert [r.eliminated for r in result.rounds] == [(3,), ()]
    assert result.rounds[1].exhausted == 1


def test_ranked_tie_break_by_an_earlier_round():
    # Round 1: 3:3 5:2 7:4 9:1 -> eliminate 9, whose ballot moves to 5.
    # Round 2: 3:3 5:3 7:4 -> 3 and 5 tie for last; in round 1 5 had fewer, so 5 goes.
    # Round 3: 5's ballots move to 3 (two) or exhaust (one): 3:5 7:4 of 9 -> 3 wins.
    paper = ballots((3, [3]), (2, [5, 3]), (1, [9, 5]), (4, [7]))
    result = tally_ranked(paper, [3, 5, 7, 9])
    assert result.rounds == (
        Round({3: 3, 5: 2, 7: 4, 9: 1}, 0, (9,), None),
        Round(
            {3: 3, 5: 3, 7: 4},
            0,
            (5,),
            "Options 3 and 5 tied with 3 votes; 5 was eliminated because it had fewer votes in round 1.",
        ),
        Round({3: 5, 7: 4}, 1, (), None),
    )
    assert (result.outcome, result.winners) == (Outcome.PASSED, (3,))


def test_ranked_tie_break_looks_back_past_a_partial_tie():
    # Round 1: 1:5 2:4 3:3 4:2 5:1 6:2 -> eliminate 5 (to 4).
    # Round 2: 1:5 2:4 3:3 4:3 6:2 -> eliminate 6 (one ballot to 3, one to 4).
    # Round 3: 1:5 2:4 3:4 4:4 -> three-way tie; round 2 leaves 3 and 4 (3 each); round 1 has 4 below 3.
    # Round 4: 4's four ballots exhaust; 2 and 3 tie on 4; equal in round 3, 3 had fewer in round 2.
    # Round 5: three of 3's ballots move to 2, one exhausts: 1:5 2:7 of 12 -> 2 wins.
    paper = ballots((5, [1]), (4, [2]), (3, [3, 2]), (2, [4]), (1, [5, 4]), (1, [6, 3]), (1, [6, 4]))
    result = tally_ranked(paper, [1, 2, 3, 4, 5, 6])
    assert [(r.counts, r.exhausted, r.eliminated) for r in result.rounds] == [
        ({1: 5, 2: 4, 3: 3, 4: 2, 5: 1, 6: 2}, 0, (5,)),
        ({1: 5, 2: 4, 3: 3, 4: 3, 6: 2}, 0, (6,)),
        ({1: 5, 2: 4, 3: 4, 4: 4}, 0, (4,)),
        ({1: 5, 2: 4, 3: 4}, 4, (3,)),
        ({1: 5, 2: 7}, 5, ()),
    ]
    assert [r.tie_break for r in result.rounds] == [
        None,
        None,
        "Options 2, 3 and 4 tied with 4 votes; 3 and 4 had the fewest votes in round 2; "
        "4 was eliminated because it had fewer votes in round 1.",
        "Options 2 and 3 tied with 4 votes; 3 was eliminated because it had fewer votes in round 2.",
        None,
    ]
    assert result.winners == (2,)


def test_ranked_tie_break_falls_back_to_ballot_paper_order():
    # Round 1: 1:3 2:2 3:2 4:1 -> eliminate 4 (exhausts).
    # Round 2: 2 and 3 tie on 2 and were level in round 1 too: the one listed last goes.
    paper = ballots((3, [1]), (2, [2]), (2, [3, 2]), (1, [4]))
    listed_2_then_3 = tally_ranked(paper, [1, 2, 3, 4])
    assert listed_2_then_3.rounds[1] == Round(
        {1: 3, 2: 2, 3: 2},
        1,
        (3,),
        "Options 2 and 3 tied with 2 votes; they had equal votes in every earlier round, "
        "so 3, listed last of them on the ballot paper, was eliminated.",
    )
    # 3's ballots move to 2: 2 has 4 of 7.
    assert listed_2_then_3.winners == (2,)

    listed_3_then_2 = tally_ranked(paper, [1, 3, 2, 4])
    assert listed_3_then_2.rounds[1].eliminated == (2,)
    # 2's ballots exhaust: 1 has 3 of 5.
    assert listed_3_then_2.winners == (1,)


def test_ranked_unranked_options_go_first_then_a_tie():
    # Round 1: 8 and 9 have no votes and there is no earlier round: 9, listed last, goes.
    # Round 2: 8 alone has the fewest. Round 3: 1 and 2 level -> tie.
    result = tally_ranked(ballots((2, [1]), (2, [2])), [1, 2, 8, 9])
    assert result == Result(
        Outcome.TIE,
        winners=(1, 2),
        totals={1: 2, 2: 2, 8: 0, 9: 0},
        counted=4,
        rounds=(
            Round(
                {1: 2, 2: 2, 8: 0, 9: 0},
                0,
                (9,),
                "Options 8 and 9 tied with 0 votes; 9 was eliminated because it is listed last of them on the ballot "
                "paper.",
            ),
            Round({1: 2, 2: 2, 8: 0}, 0, (8,), None),
            Round({1: 2, 2: 2}, 0, (), None),
        ),
    )


def test_ranked_tie_when_the_last_two_are_level_after_eliminations():
    # Round 1: 1:2 2:2 3:1 -> eliminate 3, whose ballot exhausts. Round 2: 1:2 2:2 of 4 -> tie.
    result = tally_ranked(ballots((2, [1]), (2, [2]), (1, [3])), [1, 2, 3])
    assert (result.outcome, result.winners) == (Outcome.TIE, (1, 2))
    assert result.rounds[-1] == Round({1: 2, 2: 2}, 1, (), None)


def test_ranked_with_no_ballots_or_only_blank_rankings_has_no_votes():
    assert tally_ranked([], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=0)
    assert tally_ranked([[], []], [1, 2]) == Result(Outcome.NO_VOTES, (), {1: 0, 2: 0}, counted=2)
    assert tally_ranked([], []).outcome == Outcome.NO_VOTES


def test_ranked_refuses_an_option_not_on_the_ballot_paper():
    with pytest.raises(ValueError, match="Option 7"):
        tally_ranked([[1, 7]], [1, 2])


def test_ranked_single_vote_for_a_single_option():
    assert tally_ranked([[5]], [5]).winners == (5,)


# --- Scale ------------------------------------------------------------------------------


def test_tallies_count_twenty_thousand_ballots_exactly():
    # Correctness at scale; speed is measured by bench/tally.py, never asserted here.
    rng = random.Random(2024)
    options = list(range(1, 13))
    rankings = [rng.sample(options, rng.randint(0, 12)) for _ in range(20_000)]
    result = tally_ranked(rankings, options)
    approval = tally_approval([set(ranking[:3]) for ranking in rankings], options)
    dots = tally_dots([dict.fromkeys(ranking[:2], 2) for ranking in rankings], options)
    assert sum(approval.totals.values()) == sum(len(set(ranking[:3])) for ranking in rankings)
    assert sum(dots.totals.values()) == sum(2 * len(set(ranking[:2])) for ranking in rankings)
    assert result.counted == 20_000
    assert all(sum(r.counts.values()) + r.exhausted == 20_000 for r in result.rounds)


# --- Properties: yes / no methods ---------------------------------------------------------

yes_no = st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=30)
thresholds = st.fractions(min_value=Fraction(1, 2), max_value=1, max_denominator=12).filter(
    lambda fraction: fraction > Fraction(1, 2)
)


@PROPERTY
@given(choices=yes_no, data=st.data())
def test_majority_depends_only_on_the_counts(choices, data):
    shuffled = data.draw(st.permutations(choices))
    assert tally_majority(shuffled) == tally_majority(choices)
    expected = Outcome.PASSED if choices.count("yes") > choices.count("no") else Outcome.FAILED
    assert tally_majority(choices).outcome == (expected if choices else Outcome.NO_VOTES)


@PROPERTY
@given(choices=yes_no.filter(bool), where=st.integers(min_value=0))
def test_majority_an_abstention_never_changes_the_outcome(choices, where):
    with_abstention = [*choices]
    with_abstention.insert(where % (len(choices) + 1), "abstain")
    assert tally_majority(with_abstention).outcome == tally_majority(choices).outcome


@PROPERTY
@given(choices=yes_no)
def test_majority_one_more_yes_never_undoes_a_pass_and_one_more_no_never_makes_one(choices):
    before = tally_majority(choices).outcome
    if before == Outcome.PASSED:
        assert tally_majority([*choices, "yes"]).outcome == Outcome.PASSED
    else:
        assert tally_majority([*choices, "no"]).outcome != Outcome.PASSED


@PROPERTY
@given(choices=yes_no, threshold=thresholds, data=st.data())
def test_supermajority_matches_cross_multiplied_counts(choices, threshold, data):
    yes, no = choices.count("yes"), choices.count("no")
    passes = yes + no > 0 and yes * threshold.denominator >= threshold.numerator * (yes + no)
    expected = Outcome.PASSED if passes else Outcome.FAILED
    result = tally_supermajority(data.draw(st.permutations(choices)), threshold)
    assert result.outcome == (expected if choices else Outcome.NO_VOTES)


@PROPERTY
@given(choices=yes_no, lower=thresholds, higher=thresholds)
def test_supermajority_a_higher_threshold_never_passes_what_a_lower_one_fails(choices, lower, higher):
    lower, higher = sorted([lower, higher])
    if tally_supermajority(choices, higher).outcome == Outcome.PASSED:
        assert tally_supermajority(choices, lower).outcome == Outcome.PASSED


# --- Properties: consent and consensus ----------------------------------------------------


@PROPERTY
@given(choices=st.lists(st.sampled_from(["agree", "stand_aside", "object"]), max_size=30), where=st.integers(0))
def test_consent_any_single_objection_fails_and_none_passes(choices, where):
    objected = [*choices]
    objected.insert(where % (len(choices) + 1), "object")
    assert tally_consent(objected).outcome == Outcome.FAILED
    if choices and "object" not in choices:
        assert tally_consent(choices).outcome == Outcome.PASSED


@PROPERTY
@given(
    choices=st.lists(st.sampled_from(["agree", "stand_aside", "block"]), min_size=1, max_size=30),
    limit=st.fractions(min_value=0, max_value=1, max_denominator=10).filter(bool),
)
def test_consensus_passes_exactly_without_blocks_and_under_the_limit(choices, limit):
    asides = choices.count("stand_aside")
    passes = "block" not in choices and asides * limit.denominator < limit.numerator * len(choices)
    assert tally_consensus(choices, limit).outcome == (Outcome.PASSED if passes else Outcome.FAILED)
    if passes:
        assert tally_consensus([*choices, "agree"], limit).outcome == Outcome.PASSED


# --- Properties: approval, score, dots ----------------------------------------------------

option_ids = st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6, unique=True)


@st.composite
def approval_election(draw):
    options = draw(option_ids)
    return options, draw(st.lists(st.sets(st.sampled_from(options)), max_size=25))


@st.composite
def score_election(draw):
    options = draw(option_ids)
    scores = st.dictionaries(st.sampled_from(options), st.integers(min_value=0, max_value=5))
    return options, draw(st.lists(scores, max_size=25))


@st.composite
def dots_election(draw):
    options = draw(option_ids)
    dots = st.dictionaries(st.sampled_from(options), st.integers(min_value=0, max_value=10))
    return options, draw(st.lists(dots, max_size=25))


def assert_winners_are_exactly_the_top(result, options):
    assert list(result.totals) == list(options)
    if result.outcome == Outcome.NO_VOTES:
        assert result.winners == ()
        return
    top = max(result.totals.values())
    assert result.winners == tuple(option for option in options if result.totals[option] == top)
    assert result.outcome == (Outcome.PASSED if len(result.winners) == 1 else Outcome.TIE)


@PROPERTY
@given(election=approval_election(), data=st.data())
def test_approval_winners_have_the_most_approvals_whatever_the_ballot_order(election, data):
    options, paper = election
    result = tally_approval(paper, options)
    assert_winners_are_exactly_the_top(result, options)
    assert sum(result.totals.values()) == sum(len(ballot) for ballot in paper)
    assert (result.outcome == Outcome.NO_VOTES) == (not any(paper))
    assert tally_approval(data.draw(st.permutations(paper)), options) == result


@PROPERTY
@given(election=approval_election())
def test_approval_approving_only_the_unique_winner_keeps_it_the_winner(election):
    options, paper = election
    result = tally_approval(paper, options)
    assume(result.outcome == Outcome.PASSED)
    (winner,) = result.winners
    assert tally_approval([*paper, {winner}], options).winners == (winner,)


@PROPERTY
@given(election=score_election(), data=st.data())
def test_score_winners_have_the_highest_mean_whatever_the_ballot_order(election, data):
    options, paper = election
    result = tally_score(paper, options)
    assert_winners_are_exactly_the_top(result, options)
    for option in options:
        given_scores = [ballot[option] for ballot in paper if option in ballot]
        assert result.totals[option] == (Fraction(sum(given_scores), len(given_scores)) if given_scores else 0)
    assert tally_score(data.draw(st.permutations(paper)), options) == result


@PROPERTY
@given(election=score_election())
def test_score_a_top_score_for_the_unique_winner_keeps_it_the_winner(election):
    options, paper = election
    result = tally_score(paper, options)
    assume(result.outcome == Outcome.PASSED)
    (winner,) = result.winners
    ballot = {option: 5 if option == winner else 0 for option in options}
    assert tally_score([*paper, ballot], options).winners == (winner,)


@PROPERTY
@given(election=dots_election(), data=st.data())
def test_dots_winners_have_the_most_dots_whatever_the_ballot_order(election, data):
    options, paper = election
    result = tally_dots(paper, options)
    assert_winners_are_exactly_the_top(result, options)
    assert sum(result.totals.values()) == sum(sum(ballot.values()) for ballot in paper)
    assert tally_dots(data.draw(st.permutations(paper)), options) == result


@PROPERTY
@given(election=dots_election(), dots=st.integers(min_value=1, max_value=10))
def test_dots_only_on_the_unique_winner_keep_it_the_winner(election, dots):
    options, paper = election
    result = tally_dots(paper, options)
    assume(result.outcome == Outcome.PASSED)
    (winner,) = result.winners
    assert tally_dots([*paper, {winner: dots}], options).winners == (winner,)


# --- Properties: ranked choice -------------------------------------------------------------


@st.composite
def rankings_of(draw, options, min_size=0):
    """A partial ranking (possibly blank) of distinct options, most preferred first."""
    order = draw(st.permutations(options))
    return order[: draw(st.integers(min_value=min_size, max_value=len(order)))]


@st.composite
def ranked_election(draw, max_ballots=30):
    # Few options and few ballots make ties, exhausted ballots and long runoffs common.
    options = draw(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=6, unique=True))
    return options, draw(st.lists(rankings_of(options), max_size=max_ballots))


def recount_from_scratch(paper, options):
    """Instant runoff recounted in full every round, as a check on the incremental count.

    Elimination uses the lexicographic form of the tie-break: compare counts from the latest earlier
    round back to the first, then ballot-paper position (last listed loses), and eliminate the smallest.
    That is the same rule as narrowing the tied options round by round.
    """
    continuing = list(options)
    history = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking in paper:
            top = next((option for option in ranking if option in counts), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        if exhausted == len(paper):
            return Outcome.NO_VOTES, (), []
        history.append((counts, exhausted))
        leaders = [option for option, votes in counts.items() if 2 * votes > len(paper) - exhausted]
        if leaders:
            return Outcome.PASSED, tuple(leaders), history
        if len(set(counts.values())) == 1:
            return Outcome.TIE, tuple(continuing), history
        fewest = min(counts.values())
        tied = [option for option in continuing if counts[option] == fewest]
        earlier_rounds = [earlier for earlier, _ in reversed(history[:-1])]
        continuing.remove(
            min(tied, key=lambda option: (*(earlier[option] for earlier in earlier_rounds), -options.index(option)))
        )


@PROPERTY
@given(election=ranked_election())
def test_ranked_matches_a_full_recount_every_round(election):
    options, paper = election
    result = tally_ranked(paper, options)
    outcome, winners, rounds = recount_from_scratch(paper, options)
    assert (result.outcome, result.winners) == (outcome, winners)
    assert [(r.counts, r.exhausted) for r in result.rounds] == rounds
    assert result.counted == len(paper)
    assert result.totals == {option: sum(1 for ranking in paper if ranking[:1] == [option]) for option in options}


@PROPERTY
@given(election=ranked_election())
def test_ranked_conserves_ballots_and_eliminates_one_option_with_fewest_votes_per_round(election):
    options, paper = election
    result = tally_ranked(paper, options)
    assert len(result.rounds) <= len(options)
    continuing = set(options)
    for number, counted_round in enumerate(result.rounds, start=1):
        assert sum(counted_round.counts.values()) + counted_round.exhausted == len(paper)
        assert set(counted_round.counts) == continuing
        if number < len(result.rounds):
            (loser,) = counted_round.eliminated
            assert counted_round.counts[loser] == min(counted_round.counts.values())
            tied = sum(1 for votes in counted_round.counts.values() if votes == counted_round.counts[loser])
            assert (counted_round.tie_break is None) == (tied == 1)
            continuing.remove(loser)
        else:
            assert counted_round.eliminated == ()
            assert set(result.winners) <= continuing


@PROPERTY
@given(election=ranked_election(), data=st.data())
def test_ranked_result_does_not_depend_on_ballot_order(election, data):
    options, paper = election
    assert tally_ranked(data.draw(st.permutations(paper)), options) == tally_ranked(paper, options)


@PROPERTY
@given(data=st.data())
def test_ranked_first_choice_of_a_strict_majority_always_wins(data):
    options = data.draw(option_ids)
    favourite = data.draw(st.sampled_from(options))
    rest = [option for option in options if option != favourite]
    majority = data.draw(st.lists(rankings_of(rest).map(lambda tail: [favourite, *tail]), min_size=1, max_size=20))
    others = data.draw(st.lists(rankings_of(options), max_size=len(majority) - 1))
    paper = data.draw(st.permutations(majority + others))
    result = tally_ranked(paper, options)
    assert (result.outcome, result.winners) == (Outcome.PASSED, (favourite,))


@PROPERTY
@given(election=ranked_election(), unranked=st.integers(min_value=61, max_value=70), where=st.integers(0))
def test_ranked_an_option_nobody_ranks_never_changes_the_winners(election, unranked, where):
    options, paper = election
    with_unranked = [*options]
    with_unranked.insert(where % (len(options) + 1), unranked)
    without, with_it = tally_ranked(paper, options), tally_ranked(paper, with_unranked)
    assert (with_it.outcome, with_it.winners) == (without.outcome, without.winners)
