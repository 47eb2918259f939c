"""The health indicators as pure functions: table-driven cases from a snapshot to a status."""

from collections import defaultdict
from datetime import date
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.indicators import (
    burnout,
    change,
    conflicts,
    cooptation,
    evaluate,
    hostility,
    logistics,
    momentum,
    self_serving,
)
from evaluation.snapshot import Snapshot, affiliation_counts


def snap(**fields):
    base = {"today": date(2026, 11, 25), "age_days": 400, "active_members": 10, "active_member_ids": list(range(10))}
    base.update(fields)
    return Snapshot(**base)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, "ok"),
        ({"attendance_recent": [20, 22], "attendance_before": [21, 21]}, "ok"),
        ({"attendance_recent": [17, 17], "attendance_before": [20, 20]}, "watch"),  # 85 %
        ({"attendance_recent": [13], "attendance_before": [20, 20]}, "alert"),  # 65 %
        ({"joined_recent": 1, "joined_before": 5, "rsvps_recent": 10, "rsvps_before": 20}, "watch"),
        ({"joined_recent": 1, "joined_before": 5, "rsvps_recent": 19, "rsvps_before": 20}, "ok"),
        ({"feel_recent": 3.2}, "watch"),
        ({"feel_recent": 2.4}, "alert"),
        ({"feel_recent": 4.0}, "ok"),
    ],
)
def test_momentum(fields, status):
    assert momentum.compute(snap(**fields)).status == status


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], 0.0), ([0, 0], 0.0), ([5, 5, 5, 5], 0.0), ([0, 0, 0, 10], 0.75), ([1, 2, 3, 4], 0.25)],
)
def test_gini(values, expected):
    assert burnout.gini(values) == pytest.approx(expected)


def test_top_share_counts_at_least_one_person():
    assert burnout.top_share([10, 0, 0]) == 1.0
    assert burnout.top_share([1] * 10) == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"work": {i: 3 for i in range(10)}}, "ok"),
        ({"work": {0: 30, 1: 30, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4}}, "watch"),  # top 2 of 10: 60 of 84 = 71 %
        ({"work": {0: 50, 1: 40, 2: 2, 3: 2}}, "alert"),  # 90 of 94
        ({"work": {0: 5}}, "ok"),  # too little to judge
        ({"hours_given": {1: 30}, "stated_hours": {1: 10}}, "watch"),
        ({"hours_given": {1: 30, 2: 30, 3: 30}, "stated_hours": {1: 10, 2: 10, 3: 10}}, "alert"),
        ({"hours_given": {1: 8}, "stated_hours": {1: 10}}, "ok"),
        ({"low_energy": 1}, "watch"),
        ({"low_energy": 3}, "alert"),
    ],
)
def test_burnout(fields, status):
    assert burnout.compute(snap(**fields)).status == status


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, "ok"),
        ({"unclaimed_tasks": 4}, "ok"),
        ({"unclaimed_tasks": 5}, "watch"),
        ({"overdue_tasks": 5}, "alert"),
        ({"unfilled_support": 1}, "watch"),
        ({"short_shifts": 3}, "alert"),
        ({"procedures_unread": 1}, "watch"),
        ({"low_supplies": 4}, "alert"),
    ],
)
def test_logistics(fields, status):
    assert logistics.compute(snap(**fields)).status == status


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"days_since_self_evaluation": 30, "days_since_change": 30}, "ok"),
        ({"days_since_self_evaluation": 150, "days_since_change": 30}, "watch"),
        ({"days_since_self_evaluation": 30, "days_since_change": 300}, "alert"),
        ({"age_days": 30}, "ok"),  # too young to have evaluated itself
        ({"age_days": 400}, "alert"),  # never evaluated, never changed anything
        ({"days_since_self_evaluation": 1, "days_since_change": 1, "metrics_unviewed": 1}, "watch"),
        ({"days_since_self_evaluation": 1, "days_since_change": 1, "not_consulted": 4}, "watch"),
        ({"days_since_self_evaluation": 1, "days_since_change": 1, "not_consulted": 7}, "alert"),
        ({"age_days": 10, "not_consulted": 10}, "ok"),
    ],
)
def test_unwillingness_to_change(fields, status):
    assert change.compute(snap(**fields)).status == status


def votes(members, proposals, choice="yes"):
    return [(member, proposal, choice) for member in members for proposal in proposals]


@pytest.mark.parametrize(
    ("recent_votes", "expected"),
    [
        ([], []),
        (votes([1, 2, 3], range(5)), [{1, 2, 3}]),
        (votes([1, 2], range(5)), []),  # two people are not a bloc
        (votes([1, 2, 3], range(4)), []),  # too few shared votes
        (votes([1, 2], range(10)) + votes([3], range(9)) + [(3, 9, "no")], [{1, 2, 3}]),  # 9 of 10 alike
        (votes([1, 2], range(10)) + votes([3], range(8)) + votes([3], [8, 9], "no"), []),  # 8 of 10
        (votes([1, 2, 3], range(6)) + votes([4, 5, 6], range(6), "no"), [{1, 2, 3}, {4, 5, 6}]),
    ],
)
def test_voting_blocs(recent_votes, expected):
    assert sorted(cooptation.blocs(recent_votes), key=min) == expected


def blocs_pair_by_pair(votes):
    """The rule as first written, comparing every pair's shared proposals one by one."""
    by_member = defaultdict(dict)
    for member, proposal, choice in votes:
        by_member[member][proposal] = choice
    linked = {member: {member} for member in by_member}
    for first, second in combinations(sorted(by_member), 2):
        shared = by_member[first].keys() & by_member[second].keys()
        alike = sum(by_member[first][p] == by_member[second][p] for p in shared)
        if len(shared) >= cooptation.BLOC_MIN_SHARED and alike / len(shared) >= cooptation.BLOC_AGREEMENT:
            group = linked[first] | linked[second]
            for member in group:
                linked[member] = group
    groups = {frozenset(group) for group in linked.values() if len(group) >= cooptation.BLOC_MIN_SIZE}
    return sorted(groups, key=min)


def ballot_grid(members, proposals):
    """Every member's choice (or no vote, None) on every proposal, mostly "yes": pairs often share
    five to seven votes and agree on nearly all of them, so blocs form and break at the thresholds."""
    cell = st.sampled_from([None] + ["yes"] * 8 + ["no", '["a", "b"]'])
    return st.lists(cell, min_size=members * proposals, max_size=members * proposals).map(
        lambda cells: [
            (1 + index // proposals, 1 + index % proposals, choice)
            for index, choice in enumerate(cells)
            if choice is not None
        ]
    )


random_votes = st.tuples(st.integers(2, 9), st.integers(4, 7)).flatmap(lambda size: ballot_grid(*size))


@given(random_votes)
def test_voting_blocs_match_the_pair_by_pair_rule(votes):
    found = cooptation.blocs(votes)
    assert sorted(map(frozenset, found), key=min) == blocs_pair_by_pair(votes)
    assert [len(group) for group in found] == sorted((len(group) for group in found), reverse=True)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({}, "ok"),
        ({"recent_votes": votes([1, 2, 3], range(5))}, "watch"),
        ({"affiliations": {"people's party": 3}}, "watch"),  # 3 of 10
        ({"affiliations": {"people's party": 2}}, "ok"),
        ({"outside_org_proposals": 1}, "watch"),
        ({"outside_org_proposals": 3}, "alert"),
    ],
)
def test_cooptation(fields, status):
    assert cooptation.compute(snap(**fields)).status == status


def test_declared_affiliations_are_counted_once_per_member_ignoring_case_and_spacing():
    assert affiliation_counts(["People's  Party, Union 12", "people's party;union 12", "", None]) == {
        "people's party": 2,
        "union 12": 2,
    }


@pytest.mark.parametrize(
    ("grievances", "status"),
    [([], "ok"), ([(3, "received")], "watch"), ([(50, "mediation")], "alert"), ([(1, "received")] * 3, "alert")],
)
def test_conflicts(grievances, status):
    result = conflicts.compute(snap(open_grievances=grievances))
    assert result.status == status


@pytest.mark.parametrize(
    ("recent", "status"), [({}, "ok"), ({"police": 1}, "watch"), ({"police": 2, "other": 2}, "alert")]
)
def test_hostility(recent, status):
    assert hostility.compute(snap(incidents_recent=recent)).status == status


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"days_since_community_asked": 10, "proposals_recent": 5, "proposals_for_needs": 4}, "ok"),
        ({"days_since_community_asked": 10, "proposals_recent": 5, "proposals_for_needs": 2}, "watch"),
        ({"days_since_community_asked": 10, "tasks_recent": 10, "tasks_for_needs": 1}, "alert"),
        ({"days_since_community_asked": 100}, "watch"),
        ({"days_since_community_asked": 200}, "alert"),
        ({"age_days": 30}, "ok"),
        ({"age_days": 400}, "alert"),  # never asked anyone
    ],
)
def test_self_serving(fields, status):
    assert self_serving.compute(snap(**fields)).status == status


def test_every_indicator_explains_itself():
    for result in evaluate(snap()):
        assert result.title and result.value and result.thresholds and result.evidence and result.responses
