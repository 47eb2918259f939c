"""One member, one vote, under real concurrency.

Each vote runs in a pool thread with its own database connection (Django keeps one per
thread), so on PostgreSQL the transactions of `vote_cast` really overlap: the same member's
attempts race for the unique ballot row (open votes) or for the roll entry (secret votes).
A start gate (an Event) holds every thread until all of them have a connection open, so
the first wave of calls starts at the same moment.

On SQLite (the settings use IMMEDIATE transactions and a busy timeout) writers take turns,
so the same code checks the result, not the race; the tests still run there, with fewer
members to stay fast (see MEMBERS).
"""

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from decisions import services
from decisions.ballots import BallotError
from decisions.models import Ballot, RollEntry, SecretBallot
from decisions.selectors import result_for
from institutions.models import Membership

ON_SQLITE = connection.vendor == "sqlite"
# SQLite serializes every vote behind one write lock, so 200 members prove nothing more than
# 80 do there and only make the run slower; PostgreSQL (what CI uses) gets the full 200.
MEMBERS = 80 if ON_SQLITE else 200
THREADS = 24
CHOICES = ("yes", "no", "abstain")
GATE_TIMEOUT = 30
TIMES = {}


def _members(institution, count):
    """`count` users, all active members of `institution`, created in two bulk inserts."""
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"voter{n}@example.org", name=f"Voter {n}", password="!") for n in range(count)
    )
    with scopes_disabled():
        Membership.objects.bulk_create(Membership(institution=institution, user=user) for user in users)
    return users


def _open_vote(institution, author, *, secret):
    """A majority proposal in voting, its roll frozen with every member."""
    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution,
            author=author,
            title="Open the pantry on Sundays",
            text="We have enough volunteers now.",
            method="majority",
            secret=secret,
            hide_results_until_closed=False,
        )
        return services.voting_open(proposal=proposal, actor=author, deadline=timezone.now() + timedelta(days=3))


class Crowd:
    """A thread pool whose calls each run in the institution's scope on the thread's own
    connection, closed again afterwards, behind a gate that opens once every thread is ready."""

    def __init__(self, institution, threads=THREADS):
        self.institution = institution
        self.threads = threads
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="voter")
        self.ready = threading.Semaphore(0)
        self.go = threading.Event()
        self.submitted = 0

    def submit(self, fn, *, after=()):
        """Run `fn()` in the pool; with `after`, only once those futures are done."""
        self.submitted += 1
        return self.pool.submit(self._run, fn, after)

    def _run(self, fn, after):
        try:
            t0 = time.monotonic()
            connection.ensure_connection()
            TIMES.setdefault("connect", []).append(time.monotonic() - t0)
            self.ready.release()
            if not self.go.wait(GATE_TIMEOUT):
                raise TimeoutError("the start gate never opened")
            # Futures are queued first-in first-out and every `after` future was submitted earlier,
            # so it is already running on another thread: waiting here cannot deadlock the pool.
            wait(after)
            t0 = time.monotonic()
            with scope(institution=self.institution):
                r = fn()
            TIMES.setdefault("call", []).append(time.monotonic() - t0)
            return r
        finally:
            connections.close_all()  # this thread's connections only; none may outlive the test

    def run(self):
        """Open the gate once the first wave holds a connection, then wait for everything."""
        start = time.monotonic()
        try:
            for _ in range(min(self.threads, self.submitted)):
                assert self.ready.acquire(timeout=GATE_TIMEOUT), "the pool threads never got ready"
        finally:
            self.go.set()
            self.pool.shutdown(wait=True)
        return time.monotonic() - start


def _outcome(future):
    """("ok", value) or ("error", exception) for a finished future."""
    error = future.exception()
    return ("error", error) if error is not None else ("ok", future.result())


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_count_every_member_exactly_once(institution):
    users = _members(institution, MEMBERS)
    proposal = _open_vote(institution, users[0], secret=False)
    rng = random.Random(20240611)

    # The first half change their mind: one or two earlier attempts (the same member's attempts run
    # at the same time, on different threads) and then a final one, started only after the earlier
    # ones are committed, so it is the one that must count. The other half vote once.
    final = {user.pk: CHOICES[n % 3] for n, user in enumerate(users)}
    changers = users[: MEMBERS // 2]
    earlier = {user.pk: [c for c in CHOICES if c != final[user.pk]][: 1 + n % 2] for n, user in enumerate(changers)}

    def cast(user, choice):
        return lambda: services.vote_cast(proposal=proposal, member=user, choice={"choice": choice})

    # First wave, in random member order, each member's attempts side by side in the queue.
    blocks = [[(user, c) for c in earlier.get(user.pk, [final[user.pk]])] for user in users]
    rng.shuffle(blocks)
    crowd = Crowd(institution)
    first_wave = {}
    for block in blocks:
        for user, choice in block:
            first_wave.setdefault(user.pk, []).append(crowd.submit(cast(user, choice)))
    finals = {user.pk: crowd.submit(cast(user, final[user.pk]), after=first_wave[user.pk]) for user in changers}
    elapsed = crowd.run()
    print("ELAPSED", elapsed, {k: (len(v), sum(v)/len(v), max(v)) for k, v in TIMES.items()})

    futures = [f for fs in first_wave.values() for f in fs] + list(finals.values())
    assert len(futures) == MEMBERS + sum(len(c) for c in earlier.values())
    errors = [error for kind, error in map(_outcome, futures) if kind == "error"]
    assert errors == [], f"{len(errors)} of {len(futures)} votes failed: {errors[:5]!r}"

    with scope(institution=institution):
        ballots = list(Ballot.objects.filter(proposal=proposal).values_list("voter_id", "choice", "changed_at"))
        roll = list(RollEntry.objects.filter(proposal=proposal).values_list("user_id", "has_voted"))
        result = result_for(proposal, live=True)

    assert len(ballots) == MEMBERS
    assert Counter(voter for voter, _, _ in ballots) == Counter({user.pk: 1 for user in users})
    assert {voter: choice["choice"] for voter, choice, _ in ballots} == final
    # A changed ballot was replaced in place (changed_at), never added beside the first one.
    assert {voter for voter, _, changed_at in ballots if changed_at is not None} >= set(earlier)
    assert len(roll) == MEMBERS and all(has_voted for _, has_voted in roll)
    expected = Counter(final.values())
    assert result.totals == {choice: expected[choice] for choice in CHOICES}
    assert result.turnout == result.roll_size == MEMBERS
    assert elapsed < 30, f"{len(futures)} concurrent votes took {elapsed:.1f}s"


@pytest.mark.django_db(transaction=True)
def test_concurrent_secret_votes_count_every_member_exactly_once(institution):
    users = _members(institution, MEMBERS)
    proposal = _open_vote(institution, users[0], secret=True)
    rng = random.Random(20240612)

    # Every member tries twice with different choices; the two attempts sit side by side in the
    # queue, so they run at the same time on two threads. Exactly one may win, whichever it is.
    attempts = []
    for n, user in enumerate(users):
        first, second = CHOICES[n % 3], CHOICES[(n + 1) % 3]
        attempts.append([(user, first), (user, second)])
    rng.shuffle(attempts)
    crowd = Crowd(institution)
    submitted = []
    for pair in attempts:
        for user, choice in pair:
            vote = lambda user=user, choice=choice: services.vote_cast(  # noqa: E731
                proposal=proposal, member=user, choice={"choice": choice}
            )
            submitted.append((user, choice, crowd.submit(vote)))
    elapsed = crowd.run()

    won, refused, errors = {}, Counter(), []
    for user, choice, future in submitted:
        kind, value = _outcome(future)
        if kind == "ok":
            assert user.pk not in won, f"member {user.pk} got two receipts"
            won[user.pk] = (choice, value)
        elif isinstance(value, BallotError) and "already cast" in str(value):
            refused[user.pk] += 1
        else:
            errors.append(value)
    assert errors == [], f"{len(errors)} of {len(submitted)} votes failed: {errors[:5]!r}"
    assert set(won) == {user.pk for user in users}
    assert refused == Counter({user.pk: 1 for user in users})

    with scope(institution=institution):
        stored = list(SecretBallot.objects.filter(proposal=proposal).values_list("receipt", "choice"))
        roll = list(RollEntry.objects.filter(proposal=proposal).values_list("has_voted", flat=True))
        result = result_for(proposal, live=True)

    receipts = {receipt: choice for choice, receipt in won.values()}
    assert len(stored) == MEMBERS
    assert len(receipts) == MEMBERS, "two voters were handed the same receipt"
    assert {receipt: choice["choice"] for receipt, choice in stored} == receipts
    assert len(roll) == MEMBERS and all(roll)
    expected = Counter(choice for choice, _ in won.values())
    assert result.totals == {choice: expected[choice] for choice in CHOICES}
    assert result.turnout == result.roll_size == MEMBERS
    assert elapsed < 30, f"{len(submitted)} concurrent votes took {elapsed:.1f}s"
