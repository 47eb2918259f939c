"""Benchmark dataset: a large, realistic database of 100 institutions, seeded in bulk.

Run (PostgreSQL; the database's name must contain "bench"; it is migrated and emptied first):
    createdb -h 127.0.0.1 -U postgres dualpower_bench
    .venv/bin/python bench/dataset.py [--scale 0.01] [--seed 2026]
`DATABASE_URL` defaults to postgres://postgres@127.0.0.1:5432/dualpower_bench. SQLite works too
(`DATABASE_URL=sqlite:///var/bench/dataset.sqlite3`), slower.

At scale 1: 100 institutions (sizes skewed like real groups: a few big, many small), 20,000 people
(about one in ten in two institutions), 5,000 proposals with 200,000 ballots (open and secret),
100,000 survey responses with their answers, 10,000 meetings with RSVPs and attendance, 200,000
tasks and shift sign-ups together, 500,000 field-log entries with their values, and the audit
entries those events leave. Everything happens over the last 30 months, inside each institution's
life, between its own members. `--scale` keeps that shape at any size (at least the three named
institutions). Prints the counts, the time and the logins (one password for everybody, hashed once).

Rows are written by `bench.tablewriter.TableWriter` (COPY on PostgreSQL); the survey's questions go
through the needs services (bench.surveys), and closed proposals get their results from the
decisions selector, so what the pages read is what the app would have written.
"""

import argparse
import bisect
import math
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if __name__ == "__main__":
    from bench.database import bootstrap

    bootstrap(default_url="postgres://postgres@127.0.0.1:5432/dualpower_bench")

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from bench.database import fresh_database  # noqa: E402
from bench.surveys import answer_rows, build_survey  # noqa: E402
from bench.tablewriter import TableWriter  # noqa: E402

PASSWORD = "bench-organize-together"
MONTHS = 30
# What scale 1 holds.
FULL = {
    "institutions": 100,
    "people": 20_000,
    "proposals": 5_000,
    "ballots": 200_000,
    "responses": 100_000,
    "meetings": 10_000,
    "tasks": 120_000,
    "signups": 80_000,
    "log_entries": 500_000,
    "ledger_entries": 20_000,
}
# How strongly each kind of row follows the institution's size (1: in proportion to its members).
SKEW = {"proposals": 0.35, "responses": 0.7, "meetings": 0.4, "tasks": 0.8, "signups": 0.8, "log_entries": 0.6}
SKEW["ledger_entries"] = 0.5
SECOND_MEMBERSHIP = 0.1
SIZE_CLASSES = ("big", "medium", "small")

FIRST = "Ana Ben Carmen Dev Elena Farid Grace Hugo Iris Jamal Kim Lucia Malik Nadia Omar Paz Quinn Rosa Sam Tomas"
LAST = "Alvarez Brooks Chen Diaz Evans Flores Garcia Hill Ito Jones Khan Lopez Moreno Nguyen Ortiz Patel Reyes Silva"
KINDS_OF_GROUP = [
    ("Tenant Union", "counter"),
    ("Food Pantry", "alternative"),
    ("Free Clinic", "alternative"),
    ("Clinic Defense", "counter"),
    ("Community Garden", "alternative"),
    ("Worker Co-op", "alternative"),
    ("Mutual Aid Network", "alternative"),
]
ZONES = ["America/Chicago", "America/New_York", "America/Los_Angeles", "America/Mexico_City", "Europe/Madrid"]
METHODS = ["majority"] * 10 + ["consent"] * 2 + ["consensus", "supermajority"] + ["approval"] * 2
METHODS += ["score", "dots", "ranked", "ranked"]
MEETING_TITLES = ["General assembly", "Planning meeting", "Open forum", "Working group", "Skill share", "Orientation"]
TASK_TITLES = [
    "Pick up the folding tables",
    "Call the landlord about the boiler",
    "Print flyers for the forum",
    "Restock the pantry shelves",
    "Drive supplies to the clinic",
    "Update the phone tree",
    "Write the newsletter",
    "Book the hall",
]
ROLE_NAMES = ["Clinic escort", "Pantry shift", "Driver", "Front desk", "Childcare volunteer"]


@dataclass
class Member:
    user_id: int
    role: str
    joined_at: datetime
    left_at: datetime | None = None

    def active_at(self, moment):
        return self.joined_at <= moment and (self.left_at is None or self.left_at > moment)


@dataclass
class Place:
    """One institution being seeded, with what its later rows point at."""

    pk: int
    slug: str
    weight: float
    created_at: datetime
    zone: str
    members: list = field(default_factory=list)
    share: dict = field(default_factory=dict)
    meetings: list = field(default_factory=list)
    occurrences: list = field(default_factory=list)
    needs: list = field(default_factory=list)
    joined: list = field(default_factory=list)

    def organizers(self):
        return [m for m in self.members if m.role == "organizer" and m.left_at is None]

    def members_at(self, moment):
        return [m for m in self.members if m.active_at(moment)]

    def sample_at(self, rng, moment, count):
        """Up to `count` different members active at `moment`, drawn at random without reading them
        all (members are kept in the order they joined)."""
        if len(self.joined) != len(self.members):
            self.joined = [m.joined_at for m in self.members]
        joined = bisect.bisect_right(self.joined, moment) or len(self.members)
        chosen = {}
        for _ in range(20 * count):
            if len(chosen) == count:
                break
            member = self.members[rng.randrange(joined)]
            if member.left_at is None or member.left_at > moment:
                chosen[member.user_id] = member
        return list(chosen.values())


def targets(scale):
    counts = {key: max(1, round(value * scale)) for key, value in FULL.items()}
    counts["institutions"] = max(len(SIZE_CLASSES), counts["institutions"])
    return counts


def split(total, weights):
    """`total` shared out in proportion to `weights`, in whole numbers that add up to it."""
    whole = sum(weights)
    raw = [total * weight / whole for weight in weights]
    parts = [math.floor(value) for value in raw]
    by_remainder = sorted(range(len(raw)), key=lambda index: parts[index] - raw[index])
    for index in by_remainder[: total - sum(parts)]:
        parts[index] += 1
    return parts


def between(rng, start, end):
    return start + (end - start) * rng.random()


def size_class_index(count):
    """Ranks of the institutions named bench-big, bench-medium and bench-small."""
    return {"big": 0, "medium": max(1, count // 10), "small": count - 1}


class Seeder:
    def __init__(self, scale=1.0, seed=2026, trust_keys=False):
        self.scale = scale
        self.rng = random.Random(seed)
        self.target = targets(scale)
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=round(MONTHS * 30.44))
        self.writer = TableWriter(trust_keys=trust_keys)
        self.places = []
        self.logins = {}
        self.closed_proposals = []
        self.timings = {}

    # -- people and institutions ------------------------------------------------------------------

    def institutions(self):
        from followthrough.models import PublicPage
        from institutions.models import Institution
        from logistics.models import LogisticsSettings

        count = self.target["institutions"]
        named = {rank: f"bench-{name}" for name, rank in size_class_index(count).items()}
        span = self.now - self.start
        for rank in range(count):
            kind_name, kind = KINDS_OF_GROUP[rank % len(KINDS_OF_GROUP)]
            slug = named.get(rank, f"bench-{rank}")
            # Bigger groups are older: the biggest was founded 30 months ago, the small ones since.
            created_at = self.start + span * (0.7 * rank / count) * self.rng.random()
            zone = ZONES[rank % len(ZONES)]
            pk = self.writer.add(
                Institution,
                name=f"{slug.removeprefix('bench-').title()} {kind_name}",
                slug=slug,
                kind=kind,
                need_statement="Neighbours need this and nobody else provides it.",
                description="A benchmark institution with thirty months of activity.",
                default_language="es" if rank % 4 == 3 else "en",
                time_zone=zone,
                created_at=created_at,
            )
            self.writer.add(PublicPage, institution_id=pk, **{name: True for name in PUBLIC_SECTIONS})
            self.writer.add(LogisticsSettings, institution_id=pk, ledger_public=True)
            self.places.append(Place(pk=pk, slug=slug, weight=1 / (rank + 1), created_at=created_at, zone=zone))
        for key, skew in SKEW.items():
            for place, share in zip(
                self.places, split(self.target[key], [p.weight**skew for p in self.places]), strict=True
            ):
                place.share[key] = share

    def people(self):
        from allauth.account.models import EmailAddress

        from accounts.models import User
        from institutions.models import AuditEntry, Membership

        rng, total = self.rng, self.target["people"]
        homes = split(total, [place.weight for place in self.places])
        homes = [max(count, 4) for count in homes]  # every institution has a few people
        slots = []  # (place, person index)
        person = 0
        for place, count in zip(self.places, homes, strict=True):
            slots += [(place, index) for index in range(person, person + count)]
            person += count
        people = person
        for index in rng.sample(range(people), round(people * SECOND_MEMBERSHIP)):
            home = slots[index][0] if index < len(slots) else None
            other = rng.choices(self.places, weights=[p.weight for p in self.places])[0]
            if other is not home:
                slots.append((other, index))
        by_place = {}
        for place, index in slots:
            by_place.setdefault(place.pk, []).append(index)
        hashed = make_password(PASSWORD)
        names, name_of, emails = {}, {}, {}
        for place in self.places:
            indexes = by_place[place.pk]
            life = self.now - place.created_at
            founders = max(2, len(indexes) // 50)
            joined = sorted(
                place.created_at + (life * 0.02 * rng.random() if n < founders else life * rng.random() ** 0.8)
                for n in range(len(indexes))
            )
            organizers = max(2, len(indexes) // 30)
            for n, (index, joined_at) in enumerate(zip(indexes, joined, strict=True)):
                role = "organizer" if n < organizers else "member"
                left_at = None
                if n >= founders and rng.random() < 0.07:
                    left_at = between(rng, joined_at, self.now)
                place.members.append(Member(user_id=index, role=role, joined_at=joined_at, left_at=left_at))
            # The named institutions' first organizer and first active member get readable logins.
            size = place.slug.removeprefix("bench-")
            if size in SIZE_CLASSES:
                organizer = place.organizers()[0]
                member = next(m for m in place.members if m.role == "member" and m.left_at is None)
                emails[organizer.user_id] = f"organizer@{place.slug}.example"
                emails[member.user_id] = f"member@{place.slug}.example"
                self.logins[place.slug] = (emails[organizer.user_id], emails[member.user_id])
        # Users first (in index order, so ids follow), then the memberships that point at them.
        user_ids = {}
        first, last = FIRST.split(), LAST.split()
        for index in range(people):
            email = emails.get(index, f"person{index}@bench.example")
            names[index] = f"{first[index % len(first)]} {last[(index // len(first)) % len(last)]}"
            user_ids[index] = user_id = self.writer.add(
                User,
                email=email,
                name=names[index],
                password=hashed,
                language="es" if rng.random() < 0.3 else "en",
                date_joined=self.start,
            )
            name_of[user_id] = names[index]
            self.writer.add(EmailAddress, user_id=user_id, email=email, verified=True, primary=True)
        for place in self.places:
            for member in place.members:
                member.user_id = user_ids[member.user_id]
                left = member.left_at is not None
                self.writer.add(
                    Membership,
                    institution_id=place.pk,
                    user_id=member.user_id,
                    role=member.role,
                    status="left" if left else "active",
                    joined_at=member.joined_at,
                    left_at=member.left_at,
                )
                self.writer.add(
                    AuditEntry,
                    institution_id=place.pk,
                    actor_id=member.user_id,
                    action="membership.joined",
                    data={"person": name_of[member.user_id], "role": member.role},
                    created_at=member.joined_at,
                )
                if left:
                    self.writer.add(
                        AuditEntry,
                        institution_id=place.pk,
                        actor_id=member.user_id,
                        action="membership.left",
                        data={"person": name_of[member.user_id]},
                        created_at=member.left_at,
                    )

    # -- decisions ---------------------------------------------------------------------------------

    def proposals(self):
        from decisions.models import Ballot, Option, Proposal, ProposalVersion, RollEntry, SecretBallot
        from institutions.models import AuditEntry

        rng = self.rng
        planned = []  # (place, proposal fields, roll)
        for place in self.places:
            for number in range(max(3, place.share["proposals"])):
                recent = number > 2 and rng.random() < 0.06
                created_at = (
                    self.now - timedelta(days=10 * rng.random())
                    if recent
                    else between(rng, place.created_at + timedelta(days=3), self.now - timedelta(days=12))
                )
                created_at = max(created_at, place.created_at)
                discussion_at = created_at + timedelta(hours=2 + 24 * rng.random())
                voting_at = discussion_at + timedelta(days=1 + 5 * rng.random())
                method = rng.choice(METHODS)
                # Every institution has a vote open, a closed open-ballot majority vote and a closed
                # secret one, so that the same pages exist at every scale.
                if number == 0:
                    created_at, discussion_at, voting_at = (self.now - timedelta(days=d) for d in (3, 2, 1))
                elif number in (1, 2):
                    method = "majority"
                deadline = voting_at + timedelta(days=7)
                fields = {
                    "institution_id": place.pk,
                    "title": f"{rng.choice(['Adopt', 'Change', 'Try', 'Fund'])} {rng.choice(TASK_TITLES).lower()}",
                    "text": "We talked about this at the last assembly. " * 4,
                    "method": method,
                    "secret": number == 2 or (number > 2 and rng.random() < 0.2),
                    "hide_results_until_closed": rng.random() < 0.5,
                    "quorum_percent": rng.choice([0, 0, 10, 25]),
                    "created_at": created_at,
                    "discussion_opened_at": discussion_at,
                    "voting_opened_at": voting_at,
                    "deadline": deadline,
                }
                roll = []
                if deadline < self.now:
                    if number > 2 and rng.random() < 0.04:
                        fields.update(status="closed", outcome="withdrawn", closed_at=discussion_at, deadline=None)
                        fields["voting_opened_at"] = None
                    else:
                        fields.update(status="closed", outcome="failed", closed_at=deadline)
                elif voting_at < self.now:
                    fields.update(status="voting")
                elif discussion_at < self.now:
                    fields.update(status="discussion", voting_opened_at=None)
                else:
                    fields.update(status="draft", discussion_opened_at=None, voting_opened_at=None)
                if fields["voting_opened_at"]:
                    roll = [m.user_id for m in place.members_at(voting_at)]
                author = rng.choice(place.members_at(created_at) or place.members)
                fields["author_id"] = author.user_id
                planned.append((place, fields, roll))
        # Turnout differs from vote to vote; scaled so the ballots add up to the target.
        wish = [len(roll) * rng.uniform(0.2, 0.9) for _place, _fields, roll in planned]
        factor = self.target["ballots"] / max(1.0, sum(wish))
        turnout = [min(len(roll), round(w * factor)) for w, (_p, _f, roll) in zip(wish, planned, strict=True)]
        short = self.target["ballots"] - sum(turnout)
        for index in sorted(range(len(planned)), key=lambda i: len(planned[i][2]) - turnout[i]):
            if short <= 0:
                break
            room = len(planned[index][2]) - turnout[index]
            take = min(room, short)
            turnout[index] += take
            short -= take
        for (place, fields, roll), voters_count in zip(planned, turnout, strict=True):
            pk = self.writer.add(Proposal, **fields)
            self.writer.add(
                ProposalVersion,
                proposal_id=pk,
                number=1,
                title=fields["title"],
                text=fields["text"],
                author_id=fields["author_id"],
                created_at=fields["created_at"],
            )
            options = []
            if fields["method"] in {"approval", "score", "dots", "ranked"}:
                for position in range(rng.randint(3, 5)):
                    label = f"Option {chr(65 + position)}"
                    options.append(self.writer.add(Option, proposal_id=pk, label=label, position=position))
            if not roll:
                continue
            self.writer.add(
                AuditEntry,
                institution_id=place.pk,
                actor_id=fields["author_id"],
                action="proposal.voting_opened",
                data={"title": fields["title"], "voters": len(roll)},
                created_at=fields["voting_opened_at"],
            )
            voters = set(rng.sample(roll, voters_count))
            for user_id in roll:
                self.writer.add(RollEntry, proposal_id=pk, user_id=user_id, has_voted=user_id in voters)
            # A secret ballot's rows carry no voter and no order: written in shuffled order.
            voting = sorted(voters) if not fields["secret"] else rng.sample(sorted(voters), len(voters))
            receipts = set()
            for user_id in voting:
                choice = ballot_choice(rng, fields["method"], options)
                if fields["secret"]:
                    receipt = f"{rng.getrandbits(40):010X}"
                    while receipt in receipts:
                        receipt = f"{rng.getrandbits(40):010X}"
                    receipts.add(receipt)
                    self.writer.add(SecretBallot, proposal_id=pk, receipt=receipt, choice=choice)
                else:
                    cast_at = between(rng, fields["voting_opened_at"], min(fields["deadline"], self.now))
                    self.writer.add(Ballot, proposal_id=pk, voter_id=user_id, choice=choice, cast_at=cast_at)
            if fields["status"] == "closed":
                self.closed_proposals.append((place.pk, pk))

    def results(self):
        """Closed proposals get the result the decisions selector counts from their ballots."""
        from decisions.models import Proposal
        from decisions.selectors import result_for
        from institutions.models import AuditEntry

        changed, audits = [], []
        for proposal in Proposal.objects.filter(pk__in=[pk for _i, pk in self.closed_proposals]).exclude(
            outcome="withdrawn"
        ):
            with scope(institution=proposal.institution_id):
                result = result_for(proposal, live=True)
            proposal.outcome, proposal.result = result.outcome, result.as_json()
            changed.append(proposal)
            audits.append(
                AuditEntry(
                    institution_id=proposal.institution_id,
                    actor_id=None,
                    action="proposal.closed",
                    data={"title": proposal.title, "outcome": proposal.outcome},
                    created_at=proposal.closed_at,
                )
            )
        Proposal.objects.bulk_update(changed, ["outcome", "result"], batch_size=1000)
        AuditEntry.objects.bulk_create(audits, batch_size=2000)
        self.writer.counts["institutions.AuditEntry"] += len(audits)

    # -- needs surveys -----------------------------------------------------------------------------

    def surveys(self):
        from institutions.models import Institution
        from needs.models import Answer, Need, Question, Response, Survey

        rng = self.rng
        for place in self.places:
            institution = Institution.objects.get(pk=place.pk)
            organizers = place.organizers()
            organizer_user = organizers[0].user_id
            from accounts.models import User

            with scope(institution=institution):
                survey = build_survey(institution, User.objects.get(pk=organizer_user))
                opened = place.created_at + (self.now - place.created_at) * 0.1
                Survey.objects.filter(pk=survey.pk).update(created_at=opened, opened_at=opened)
                Need.objects.filter(institution=institution).update(created_at=opened)
                place.needs = list(Need.objects.filter(institution=institution).values_list("pk", flat=True))
                questions = list(Question.objects.filter(survey=survey).prefetch_related("choices"))
            for question in questions:
                question.bench_choices = [choice.pk for choice in question.choices.all()]
            for _ in range(place.share["responses"]):
                paper = rng.random() < 0.2
                response = self.writer.add(
                    Response,
                    institution_id=place.pk,
                    survey_id=survey.pk,
                    language="es" if rng.random() < 0.3 else "en",
                    channel="paper" if paper else "web",
                    submitted_at=between(rng, opened, self.now),
                    entered_by_id=rng.choice(organizers).user_id if paper else None,
                )
                for row in answer_rows(rng, questions, {"institution_id": place.pk, "response_id": response}):
                    self.writer.add(Answer, **row)

    # -- meetings ----------------------------------------------------------------------------------

    def meetings(self):
        from meetings.models import RSVP, Attendance, Meeting

        rng = self.rng
        for place in self.places:
            organizers = [m.user_id for m in place.organizers()]
            for _ in range(place.share["meetings"]):
                upcoming = rng.random() < 0.05
                starts_at = (
                    self.now + timedelta(days=1 + 60 * rng.random())
                    if upcoming
                    else between(rng, place.created_at + timedelta(days=1), self.now - timedelta(days=1))
                )
                starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
                status = "planned" if upcoming else ("cancelled" if rng.random() < 0.04 else "held")
                public = rng.random() < 0.6
                pk = self.writer.add(
                    Meeting,
                    institution_id=place.pk,
                    title=rng.choice(MEETING_TITLES),
                    purpose="Hear from neighbours and decide the next steps.",
                    starts_at=starts_at,
                    place_name="Community hall",
                    address="12 Main Street",
                    is_public=public,
                    languages="English, Spanish",
                    facilitator_id=rng.choice(organizers),
                    status=status,
                    guests_count=rng.randint(0, 15) if status == "held" else 0,
                    minutes="We agreed to meet again next month." if status == "held" else "",
                    minutes_published=status == "held" and rng.random() < 0.7,
                    created_by_id=rng.choice(organizers),
                    created_at=starts_at - timedelta(days=14),
                )
                place.meetings.append(pk)
                present = place.members_at(starts_at) or place.members
                size = len(present)
                coming = rng.sample(present, min(size, max(1, round(rng.uniform(0.02, 0.1) * size) + 2)))
                for member in coming:
                    self.writer.add(
                        RSVP,
                        institution_id=place.pk,
                        meeting_id=pk,
                        user_id=member.user_id,
                        name="Member",
                        party_size=1,
                        created_at=starts_at - timedelta(days=rng.randint(1, 10)),
                    )
                if public:
                    for guest in range(rng.randint(0, 4)):
                        self.writer.add(
                            RSVP,
                            institution_id=place.pk,
                            meeting_id=pk,
                            name=f"Neighbour {guest + 1}",
                            email=f"guest{guest}@neighbours.example",
                            party_size=rng.randint(1, 3),
                            children=rng.choice([0, 0, 0, 1, 2]),
                            transport_from=rng.choice(["", "", "North side"]),
                            language=rng.choice(["en", "es"]),
                            created_at=starts_at - timedelta(days=rng.randint(1, 10)),
                        )
                if status == "held":
                    came = {m.user_id for m in coming if rng.random() < 0.8}
                    came |= {m.user_id for m in rng.sample(present, min(size, rng.randint(1, 6)))}
                    for user_id in came:
                        self.writer.add(Attendance, institution_id=place.pk, meeting_id=pk, user_id=user_id)

    # -- logistics ---------------------------------------------------------------------------------

    def tasks(self):
        from institutions.models import AuditEntry
        from logistics.models import Task

        rng = self.rng
        steps = ["needs", "consultation", "research", "meetings", "logistics", "evaluation", "followthrough", ""]
        for place in self.places:
            # A few busy people do most of the work.
            doers = sorted(place.members, key=lambda m: m.joined_at)
            doer_weights = [1 / (n + 1) for n in range(len(doers))]
            for _ in range(place.share["tasks"]):
                created_at = between(rng, place.created_at, self.now)
                owner = rng.choices(doers, weights=doer_weights)[0] if rng.random() < 0.85 else None
                due = (created_at + timedelta(days=rng.randint(3, 30))).date()
                old = due < self.now.date()
                status = rng.choices(
                    ["done", "dropped", "open", "in_progress"], weights=[80, 5, 10, 5] if old else [10, 2, 60, 28]
                )[0]
                if owner is None and status != "dropped":
                    status = "open"
                done_at = between(rng, created_at, self.now) if status == "done" else None
                pk = self.writer.add(
                    Task,
                    institution_id=place.pk,
                    title=rng.choice(TASK_TITLES),
                    owner_id=owner.user_id if owner else None,
                    due_on=due,
                    status=status,
                    effort=rng.choice([1, 1, 2, 3]),
                    step=rng.choice(steps),
                    meeting_id=rng.choice(place.meetings) if place.meetings and rng.random() < 0.1 else None,
                    need_id=rng.choice(place.needs) if place.needs and rng.random() < 0.2 else None,
                    created_by_id=rng.choice(place.organizers()).user_id,
                    created_at=created_at,
                    done_at=done_at,
                )
                if owner and rng.random() < 0.2:
                    self.writer.add(
                        AuditEntry,
                        institution_id=place.pk,
                        actor_id=owner.user_id,
                        action="task.claimed",
                        data={"task": pk},
                        created_at=created_at,
                    )

    def shifts(self):
        from institutions.models import Institution
        from logistics.models import Shift, ShiftOccurrence, ShiftSignup, VolunteerRole
        from logistics.shifts import SCHEDULE_WEEKS, scheduled_dates, shift_times

        rng = self.rng
        horizon = (self.now + timedelta(weeks=SCHEDULE_WEEKS)).date()
        for place in self.places:
            wanted = place.share["signups"]
            first_day = (place.created_at + timedelta(days=14)).date()
            weeks = max(1, (horizon - first_day).days // 7)
            count = max(1, math.ceil(wanted / (2.2 * weeks)))
            roles = [
                self.writer.add(VolunteerRole, institution_id=place.pk, name=name, description="Ask an organizer.")
                for name in ROLE_NAMES[: min(len(ROLE_NAMES), 1 + count // 2)]
            ]
            occurrences = []
            for number in range(count):
                lead = rng.choice(place.organizers())
                weekday = number % 7
                start = clock(8 + 2 * (number % 5))
                fields = dict(
                    institution_id=place.pk,
                    role_id=roles[number % len(roles)],
                    place="Front door",
                    repeat="weekly",
                    weekdays=str(weekday),
                    starts_on=first_day,
                    start_time=start,
                    end_time=clock(start.hour + 2),
                    min_people=2,
                    max_people=4,
                    lead_id=lead.user_id,
                    created_by_id=lead.user_id,
                    created_at=place.created_at,
                )
                pk = self.writer.add(Shift, **fields)
                plan = Shift(**{k: v for k, v in fields.items() if not k.endswith("_id")})
                plan.institution = Institution(pk=place.pk, time_zone=place.zone)  # what the schedule reads
                for day in scheduled_dates(plan, start=first_day, end=horizon):
                    starts_at, ends_at = shift_times(plan, day)
                    occurrence = self.writer.add(
                        ShiftOccurrence,
                        institution_id=place.pk,
                        shift_id=pk,
                        date=day,
                        starts_at=starts_at,
                        ends_at=ends_at,
                    )
                    occurrences.append((occurrence, starts_at, lead.user_id))
            place.occurrences = [(pk, starts_at) for pk, starts_at, _lead in occurrences if starts_at < self.now]
            per_date = split(wanted, [1 + rng.random() for _ in occurrences])
            spill = 0
            for (occurrence, starts_at, lead_id), people in zip(occurrences, per_date, strict=True):
                people += spill
                signing = place.sample_at(rng, starts_at, min(people, 4))
                spill = people - len(signing)
                past = starts_at < self.now
                for member in signing:
                    cancelled = rng.random() < 0.05
                    attendance = ""
                    if past and not cancelled:
                        attendance = rng.choices(["done", "missed", "excused"], weights=[90, 6, 4])[0]
                    self.writer.add(
                        ShiftSignup,
                        institution_id=place.pk,
                        occurrence_id=occurrence,
                        member_id=member.user_id,
                        status="cancelled" if cancelled else "active",
                        signed_up_at=starts_at - timedelta(days=rng.randint(1, 20)),
                        cancelled_at=starts_at - timedelta(days=1) if cancelled else None,
                        attendance=attendance,
                        attendance_by_id=lead_id if attendance else None,
                        attendance_at=starts_at + timedelta(hours=2) if attendance else None,
                    )
            if spill:
                self.writer.counts["unplaced sign-ups"] += spill

    # -- evaluation and money ----------------------------------------------------------------------

    def field_logs(self):
        from evaluation.models import LogEntry, LogForm, LogFormField, LogValue, Metric

        rng = self.rng
        for place in self.places:
            metrics = [
                (self.writer.add(Metric, institution_id=place.pk, name=name, kind=kind, unit=unit, goal=goal), kind)
                for name, kind, unit, goal in (
                    ("People served", "count", "people", Decimal(40)),
                    ("Hours volunteered", "number", "hours", None),
                    ("How it went", "rating", "", Decimal(4)),
                )
            ]
            form = self.writer.add(
                LogForm, institution_id=place.pk, name="After the shift", created_at=place.created_at
            )
            for position, (metric, _kind) in enumerate(metrics):
                self.writer.add(
                    LogFormField, institution_id=place.pk, form_id=form, metric_id=metric, position=position
                )
            doers = place.members
            for _ in range(place.share["log_entries"]):
                linked = rng.choice(place.occurrences) if place.occurrences and rng.random() < 0.5 else None
                happened = linked[1] if linked else between(rng, place.created_at, self.now)
                author = rng.choice(doers)
                entry = self.writer.add(
                    LogEntry,
                    institution_id=place.pk,
                    form_id=form,
                    author_id=author.user_id,
                    happened_on=happened.date(),
                    occurrence_id=linked[0] if linked else None,
                    notes="Quiet morning." if rng.random() < 0.1 else "",
                    created_at=happened,
                )
                for metric, kind in metrics:
                    if kind != "count" and rng.random() < 0.5:
                        continue
                    value = {"count": rng.randint(0, 60), "number": rng.randint(1, 16) / 2, "rating": rng.randint(1, 5)}
                    self.writer.add(
                        LogValue,
                        institution_id=place.pk,
                        entry_id=entry,
                        metric_id=metric,
                        value=Decimal(str(value[kind])),
                    )

    def money(self):
        from logistics.models import LedgerCategory, LedgerEntry

        rng = self.rng
        for place in self.places:
            categories = [
                self.writer.add(LedgerCategory, institution_id=place.pk, name=name)
                for name in ("Rent", "Food", "Printing", "Transport")
            ]
            recorders = [m.user_id for m in place.organizers()]
            for _ in range(place.share["ledger_entries"]):
                income = rng.random() < 0.4
                occurred = between(rng, place.created_at, self.now)
                source = rng.choices(["member_dues", "community_donation", "grant", "sales"], weights=[5, 4, 1, 2])[0]
                self.writer.add(
                    LedgerEntry,
                    institution_id=place.pk,
                    kind="income" if income else "expense",
                    occurred_on=occurred.date(),
                    amount=Decimal(rng.randint(500, 40000)) / 100,
                    category_id=None if income else rng.choice(categories),
                    description="Dues and donations" if income else "Supplies",
                    source=source if income else "",
                    recorded_by_id=rng.choice(recorders),
                    recorded_at=occurred,
                )

    # -- the whole run -----------------------------------------------------------------------------

    def run(self):
        steps = [
            ("institutions", self.institutions),
            ("people", self.people),
            ("proposals and ballots", self.proposals),
            ("surveys", self.surveys),
            ("meetings", self.meetings),
            ("tasks", self.tasks),
            ("shifts", self.shifts),
            ("field logs", self.field_logs),
            ("money", self.money),
        ]
        with scopes_disabled():
            for name, step in steps:
                started = time.perf_counter()
                step()
                if name in {"people", "proposals and ballots"}:
                    self.writer.write()  # the services and selectors below read these rows
                self.timings[name] = time.perf_counter() - started
            started = time.perf_counter()
            self.writer.finish()
            self.timings["writing the rest"] = time.perf_counter() - started
            started = time.perf_counter()
            self.results()
            self.timings["results of closed votes"] = time.perf_counter() - started
        if connection.vendor == "postgresql":
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.timings["ANALYZE"] = time.perf_counter() - started
        return self.writer.counts


PUBLIC_SECTIONS = (
    "show_meetings",
    "show_surveys",
    "show_decisions",
    "show_minutes",
    "show_money",
    "show_self_evaluation",
    "show_goals",
)


def ballot_choice(rng, method, options):
    """A valid ballot for the method (the shapes decisions.ballots.check_choice accepts)."""
    if method in {"majority", "supermajority"}:
        return {"choice": rng.choices(["yes", "no", "abstain"], weights=[6, 3, 1])[0]}
    if method in {"consent", "consensus"}:
        value = rng.choices(["agree", "stand_aside", "object" if method == "consent" else "block"], [8, 2, 1])[0]
        return {"choice": value, "reason": "" if value == "agree" else "We should wait until spring."}
    if method == "approval":
        return {"approve": sorted(rng.sample(options, rng.randint(1, len(options))))}
    if method == "score":
        return {"scores": {str(option): rng.randint(0, 5) for option in options}}
    if method == "dots":
        dots = {}
        for _ in range(rng.randint(1, 5)):
            key = str(rng.choice(options))
            dots[key] = dots.get(key, 0) + 1
        return {"dots": dict(sorted(dots.items()))}
    return {"ranking": rng.sample(options, rng.randint(1, len(options)))}


def seed(scale=1.0, seed=2026, trust_keys=False):
    """Empty the database, seed it at `scale`; return (seeder, counts, seconds)."""
    fresh_database()
    started = time.perf_counter()
    seeder = Seeder(scale=scale, seed=seed, trust_keys=trust_keys)
    counts = seeder.run()
    return seeder, counts, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 is the full dataset; 0.01 a tiny one")
    parser.add_argument("--seed", type=int, default=2026, help="random seed")
    parser.add_argument("--ready-file", help="write the slugs and logins to this file when done")
    parser.add_argument(
        "--trust-keys",
        action="store_true",
        help="PostgreSQL superuser only: skip the per-row foreign key checks while copying (faster; the "
        "seeder's keys are checked by tests/test_bench_dataset.py)",
    )
    arguments = parser.parse_args()
    print(f"Seeding {connection.vendor} database {connection.settings_dict['NAME']} at scale {arguments.scale}")
    seeder, counts, elapsed = seed(arguments.scale, arguments.seed, arguments.trust_keys)
    print(f"Seeded in {elapsed:.1f} s")
    for name, seconds in seeder.timings.items():
        print(f"  {name:<28} {seconds:7.1f} s")
    rows = table_counts()
    print(f"{'table':<34} {'rows':>10}")
    for label, count in rows.items():
        print(f"{label:<34} {count:>10,}")
    print(f"{'total':<34} {sum(rows.values()):>10,}")
    text = logins_text(seeder)
    print(text)
    if arguments.ready_file:
        database = connection.settings_dict
        where = f"Database: {database['NAME']} on {database.get('HOST') or 'localhost'}:{database.get('PORT') or ''}"
        Path(arguments.ready_file).write_text(f"{where} (seeded by bench/dataset.py, scale {arguments.scale})\n{text}")


def table_counts():
    """Rows in every table of the project's models that has any (what the seed and the services wrote)."""
    from django.apps import apps

    counts = {}
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            count = model._base_manager.count()
            if count:
                counts[model._meta.label] = count
    return dict(sorted(counts.items()))


def logins_text(seeder):
    lines = [f"Password for every account: {PASSWORD}", "slug | organizer | member"]
    for slug, (organizer, member) in seeder.logins.items():
        lines.append(f"{slug} | {organizer} | {member}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
