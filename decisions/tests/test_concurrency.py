"""One member, one vote, under real concurrency.

Each vote runs in a worker thread with its own database connection (Django keeps one per
thread), so on PostgreSQL the transactions of `vote_cast` really overlap: the same member's
attempts race for the unique ballot row (open votes) or for the roll entry (secret votes).
A barrier holds every thread until all of them have a connection open, so the first wave
of calls starts at the same moment.

On SQLite (the settings use IMMEDIATE transactions) writers take turns, so nothing races
there and the same code checks only the bookkeeping; the tests still run on SQLite, with
fewer members and threads to stay fast (see MEMBERS and THREADS).
"""

import queue
import random
import threading
from collections import Counter
from concurrent.futures import Future, wait
from datetime import timedelta
from functools import partial

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
# PostgreSQL (what CI uses) gets the full 200 members and 24 threads. SQLite serializes every
# vote behind one write lock, so more members and threads there only make the run slower.
MEMBERS = 100 if ON_SQLITE else 200
THREADS = 8 if ON_SQLITE else 24
CHOICES = ("yes", "no", "abstain")
TIMEOUT = 30


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


def _vote(proposal, user, choice):
    """A call that casts `user`'s ballot for `choice`."""
    return partial(services.vote_cast, proposal=proposal, member=user, choice={"choice": choice})


class Crowd:
    """`threads` worker threads, each with its own database connection (opened before the start
    and closed when the thread ends), that run the submitted calls in the institution's scope.
    All threads wait at a barrier with their connection open, so the first calls start together."""

    def __init__(self, institution, threads=THREADS):
        self.institution = institution
        self.threads = threads
        self.queue = queue.SimpleQueue()
        self.thread_errors = []

    def submit(self, fn, *, after=()):
        """Queue `fn()`; with `after`, it starts only once those futures are done."""
        future = Future()
        self.queue.put((future, fn, after))
        return future

    def _work(self, barrier):
        try:
            connection.ensure_connection()
            if ON_SQLITE:
                # SQLite's busy handler is not fair: a waiting writer polls while the others keep
                # handing the lock on, so one thread can wait for most of the run, longer than the
                # 5 s busy timeout of the settings. Wait as long as the test may run instead.
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA busy_timeout = {TIMEOUT * 1000}")
            barrier.wait()
            while True:
                try:
                    future, fn, after = self.queue.get_nowait()
                except queue.Empty:
                    return
                future.set_running_or_notify_cancel()
                try:
                    # The queue is first-in first-out and `after` futures were queued earlier, so they
                    # are already running on other threads (or done): waiting here cannot deadlock.
                    if wait(after, timeout=TIMEOUT).not_done:
                        raise TimeoutError("an earlier attempt never finished")
                    with scope(institution=self.institution):
                        future.set_result(fn())
                except Exception as error:
                    future.set_exception(error)
        except Exception as error:
            self.thread_errors.append(error)
        finally:
            connections.close_all()  # this thread's connections: none may outlive the test

    def run(self):
        """Start the threads, release them together, wait for all (a hung call fails after TIMEOUT)."""
        barrier = threading.Barrier(self.threads + 1, timeout=TIMEOUT)
        workers = [threading.Thread(target=self._work, args=(barrier,), name=f"voter-{n}") for n in range(self.threads)]
        for worker in workers:
            worker.start()
        try:
            barrier.wait()
        finally:
            for worker in workers:
                worker.join()
        assert self.thread_errors == [], f"worker threads failed: {self.thread_errors!r}"


def _outcome(future):
    """("ok", value) or ("error", exception) for a finished future (a TimeoutError if it never ran)."""
    error = future.exception(timeout=0)
    return ("error", error) if error is not None else ("ok", future.result())


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_count_every_member_exactly_once(institution):
    users = _members(institution, MEMBERS)
    proposal = _open_vote(institution, users[0], secret=False)
    rng = random.Random(20240611)

    # Three kinds of voters, whose own attempts run at the same time on different threads:
    # - the first half change their mind: one or two earlier attempts, then a final one, started
    #   only once the earlier ones are committed, so that final choice is the one that must count;
    # - a quarter send the same ballot twice at once: one ballot, and the later one replaced it
    #   (changed_at), also when both tried to create the member's first ballot at the same time;
    # - the last quarter vote once: one ballot, never changed.
    final = {user.pk: CHOICES[n % 3] for n, user in enumerate(users)}
    changers, doublers = users[: MEMBERS // 2], users[MEMBERS // 2 : MEMBERS * 3 // 4]
    earlier = {user.pk: [c for c in CHOICES if c != final[user.pk]][: 1 + n % 2] for n, user in enumerate(changers)}
    earlier |= {user.pk: [final[user.pk]] * 2 for user in doublers}
    replaced = {user.pk for user in changers + doublers}

    # First wave, in random member order, each member's attempts side by side in the queue.
    blocks = [[(user, choice) for choice in earlier.get(user.pk, [final[user.pk]])] for user in users]
    rng.shuffle(blocks)
    crowd = Crowd(institution)
    first_wave = {}
    for block in blocks:
        for user, choice in block:
            first_wave.setdefault(user.pk, []).append(crowd.submit(_vote(proposal, user, choice)))
    finals = {
        user.pk: crowd.submit(_vote(proposal, user, final[user.pk]), after=first_wave[user.pk]) for user in changers
    }
    crowd.run()

    futures = [f for fs in first_wave.values() for f in fs] + list(finals.values())
    errors = [error for kind, error in map(_outcome, futures) if kind == "error"]
    assert errors == [], f"{len(errors)} of {len(futures)} votes failed: {errors[:5]!r}"

    with scope(institution=institution):
        ballots = list(Ballot.objects.filter(proposal=proposal).values_list("voter_id", "choice", "changed_at"))
        roll = list(RollEntry.objects.filter(proposal=proposal).values_list("user_id", "has_voted"))
        result = result_for(proposal, live=True)

    assert len(ballots) == MEMBERS
    assert Counter(voter for voter, _, _ in ballots) == Counter({user.pk: 1 for user in users})
    assert {voter: choice["choice"] for voter, choice, _ in ballots} == final
    # A second ballot replaced the first in place (changed_at), never landed beside it or got lost.
    assert {voter for voter, _, changed_at in ballots if changed_at is not None} == replaced
    assert len(roll) == MEMBERS and all(has_voted for _, has_voted in roll)
    expected = Counter(final.values())
    assert result.totals == {choice: expected[choice] for choice in CHOICES}
    assert result.turnout == result.roll_size == MEMBERS


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
            submitted.append((user, choice, crowd.submit(_vote(proposal, user, choice))))
    crowd.run()

    won, refused, errors = {}, Counter(), []
    for user, choice, future in submitted:
        kind, value = _outcome(future)
        if kind == "ok":
            won.setdefault(user.pk, []).append((choice, value))
        elif isinstance(value, BallotError) and "already cast" in str(value):
            refused[user.pk] += 1
        else:
            errors.append(value)
    assert errors == [], f"{len(errors)} of {len(submitted)} votes failed: {errors[:5]!r}"
    twice = sorted(pk for pk, receipts in won.items() if len(receipts) > 1)
    assert twice == [], f"{len(twice)} of {MEMBERS} members cast two secret ballots"
    won = {pk: receipts[0] for pk, receipts in won.items()}
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
