"""Cooptation: newcomers voting as a bloc, many members from one outside organization, pushes to
align with or join another organization. Open ballots only: secret ballots are never read."""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import OK, WATCH, Result, at_least, worst

KEY = "cooptation"
TITLE = gettext_lazy("Cooptation")
# Members who joined within this many days count as recent.
RECENT_DAYS = 180
# Two recent members vote "the same way" when they agree on at least this share of at least this many
# proposals they both voted on; a bloc is this many such members linked together.
BLOC_MIN_SHARED = 5
BLOC_AGREEMENT = 0.9
BLOC_MIN_SIZE = 3
# Share of active members declaring the same outside organization (with at least 3 people).
AFFILIATION_WATCH = 0.25
# Proposals about aligning with, joining or working under another organization, last 6 months.
OUTSIDE_PROPOSALS_WATCH, OUTSIDE_PROPOSALS_ALERT = 1, 3


def blocs(votes):
    """Groups (sets of member ids, largest first) of at least BLOC_MIN_SIZE members linked by pairs who
    voted alike. `votes` is a list of (member_id, proposal_id, choice); a member's last choice on a
    proposal counts.

    Every pair of members is compared, so the comparison is kept to two big-integer ANDs: each member
    has one bit per proposal they voted on and one bit per (proposal, choice) they made, so the
    proposals two members share and those they agree on are the set bits of the ANDs.
    """
    by_member = defaultdict(dict)
    for member_id, proposal_id, choice in votes:
        by_member[member_id][proposal_id] = choice
    proposal_bits, choice_bits = {}, {}
    voted, chose = {}, {}
    for member_id, choices in by_member.items():
        voted[member_id] = sum(1 << proposal_bits.setdefault(proposal, len(proposal_bits)) for proposal in choices)
        chose[member_id] = sum(1 << choice_bits.setdefault(pair, len(choice_bits)) for pair in choices.items())
    # Members with fewer votes than a pair needs to share can be linked to nobody.
    candidates = sorted(member_id for member_id, choices in by_member.items() if len(choices) >= BLOC_MIN_SHARED)
    parent = {member_id: member_id for member_id in by_member}

    def root(member_id):
        while parent[member_id] != member_id:
            parent[member_id] = parent[parent[member_id]]
            member_id = parent[member_id]
        return member_id

    for index, first in enumerate(candidates):
        first_voted, first_chose = voted[first], chose[first]
        for second in candidates[index + 1 :]:
            shared = (first_voted & voted[second]).bit_count()
            if shared < BLOC_MIN_SHARED:
                continue
            if (first_chose & chose[second]).bit_count() / shared >= BLOC_AGREEMENT:
                parent[root(first)] = root(second)
    groups = defaultdict(set)
    for member_id in by_member:
        groups[root(member_id)].add(member_id)
    return sorted((group for group in groups.values() if len(group) >= BLOC_MIN_SIZE), key=len, reverse=True)


def compute(snapshot):
    found = blocs(snapshot.recent_votes)
    statuses = [WATCH if found else OK]
    crowded = sorted(
        (
            (organization, count)
            for organization, count in snapshot.affiliations.items()
            if count >= 3 and snapshot.active_members and count / snapshot.active_members >= AFFILIATION_WATCH
        ),
        key=lambda item: -item[1],
    )
    if crowded:
        statuses.append(WATCH)
    statuses.append(at_least(snapshot.outside_org_proposals, OUTSIDE_PROPOSALS_WATCH, OUTSIDE_PROPOSALS_ALERT))
    evidence = [
        _("Groups of recent members who voted alike on open ballots: %(total)s (largest: %(size)s people).")
        % {"total": len(found), "size": len(found[0]) if found else 0},
        _("Proposals about another organization in the last 6 months: %(total)s.")
        % {"total": snapshot.outside_org_proposals},
    ]
    evidence += [
        _("%(total)s members say they also belong to “%(organization)s”.") % {"total": count, "organization": name}
        for name, count in crowded
    ]
    return Result(
        key=KEY,
        title=str(TITLE),
        status=worst(*statuses),
        value=_("%(total)s signs to look into") % {"total": sum(status != OK for status in statuses)},
        thresholds=[
            _(
                "Watch when %(size)s or more members who joined in the last %(days)s days agree on %(agreement)s"
                " of at least %(shared)s open votes they share."
            )
            % {
                "size": BLOC_MIN_SIZE,
                "days": RECENT_DAYS,
                "agreement": f"{round(BLOC_AGREEMENT * 100)} %",
                "shared": BLOC_MIN_SHARED,
            },
            _("Watch when %(share)s or more of members (at least 3) declare the same outside organization.")
            % {"share": f"{round(AFFILIATION_WATCH * 100)} %"},
            _(
                "Watch at one proposal about aligning with or joining another organization in 6 months;"
                " alert at %(alert)s."
            )
            % {"alert": OUTSIDE_PROPOSALS_ALERT},
            _("Secret ballots are never looked at."),
        ],
        evidence=evidence,
        responses=[
            _("Do not let other organizations recruit at your events."),
            _("Talk openly with members who push the group towards another organization; censure it if it goes on."),
            _("If they will not stop, ask them to leave."),
        ],
    )
