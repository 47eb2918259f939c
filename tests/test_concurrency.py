"""Public forms and claims under real concurrency: exact counts, no lost writes.

Each call runs on a worker thread with its own database connection (`Crowd` from the voting
concurrency tests: a barrier releases every thread at once, and each thread closes its connections
when it ends). On PostgreSQL the transactions really overlap; on SQLite (IMMEDIATE transactions)
writers take turns, so there the same tests check the bookkeeping with fewer threads.

Covered elsewhere, not repeated here: 200 concurrent voters (`decisions/tests/test_concurrency.py`),
two members taking a shift's last place at once (`logistics/tests/test_shift_views.py`), two
overlapping space bookings (`logistics/tests/test_spaces.py`) and two organizers deciding on one
expense (`logistics/tests/test_money.py`).
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from decisions.tests.test_concurrency import Crowd, _outcome
from institutions.models import AuditEntry, ClientThrottle
from logistics import services as logistics
from logistics.models import SupportLine, Task
from meetings import services as meetings
from meetings.models import RSVP
from needs.models import Answer, Response
from needs.tests.test_survey_answer import answer_url, choice, first_page, questions
from tests.factories import MembershipFactory, survey_example

pytestmark = pytest.mark.django_db(transaction=True)

ON_SQLITE = connection.vendor == "sqlite"
THREADS = 6 if ON_SQLITE else 16  # PostgreSQL is shared: stay well below its 100 connections
RSVPS = 40 if ON_SQLITE else 120
SURVEYS = 100
# One address for everybody (a community centre's wifi); the per-client limit is raised above the
# number of posts so that every one of them must be stored, and the counter must count each.
SHARED_ADDRESS = "198.51.100.7"


def _meeting(institution, organizer):
    with scope(institution=institution):
        return meetings.meeting_create(
            institution=institution,
            author=organizer,
            title="Tenants' assembly",
            starts_at=timezone.now() + timedelta(days=3),
            place_name="Community room",
            is_public=True,
        )


def _post(url, data):
    def call():
        response = Client(REMOTE_ADDR=SHARED_ADDRESS).post(url, data)
        return response.status_code

    return call


def _errors(futures):
    return [value for kind, value in map(_outcome, futures) if kind == "error"]


def test_concurrent_public_rsvps_are_all_kept_with_their_party_and_their_own_link(institution, organizer, settings):
    settings.PUBLIC_FORM_LIMIT = RSVPS * 2
    meeting = _meeting(institution, organizer)
    url = reverse("meetings:public", kwargs={"institution_slug": institution.slug, "pk": meeting.pk})
    people = {
        f"Person {n}": {
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "party_size": str(1 + n % 4),
            "children": str(n % 3),
            "food": "on" if n % 2 else "",
            "transport_from": f"Tower {n}" if n % 10 == 0 else "",
        }
        for n in range(RSVPS)
    }
    mail.outbox = []
    crowd = Crowd(institution, threads=THREADS)
    futures = [crowd.submit(_post(url, data)) for data in people.values()]
    crowd.run()

    assert _errors(futures) == []
    assert [future.result() for future in futures] == [200] * RSVPS
    with scope(institution=institution):
        rsvps = {rsvp.name: rsvp for rsvp in RSVP.objects.filter(meeting=meeting)}
        summary = meetings.meeting_support_summary(meeting)
        lines = {line.key: line.description for line in SupportLine.objects.filter(meeting=meeting, active=True)}
        wanted = {key: description for key, (_kind, description) in logistics.support_lines_for(meeting).items()}
    assert set(rsvps) == set(people)  # nobody lost, nobody twice
    for name, data in people.items():
        rsvp = rsvps[name]
        expected = (data["email"], int(data["party_size"]), int(data["children"]))
        assert (rsvp.email, rsvp.party_size, rsvp.children) == expected
    assert summary.rsvps == RSVPS
    assert summary.people == sum(int(data["party_size"]) for data in people.values())
    assert summary.children == sum(int(data["children"]) for data in people.values())
    assert summary.eating == sum(int(data["party_size"]) for data in people.values() if data["food"])
    # Each RSVP's change re-synced the logistics checklist: the last sync saw every RSVP.
    assert lines == wanted
    # Each person got one e-mail, with the private link of their own RSVP (and nobody else's).
    tokens = {rsvp.token for rsvp in rsvps.values()}
    assert len(tokens) == RSVPS
    assert Counter(message.to[0] for message in mail.outbox) == Counter({data["email"]: 1 for data in people.values()})
    for message in mail.outbox:
        (rsvp,) = [rsvp for rsvp in rsvps.values() if rsvp.email == message.to[0]]
        assert set(re.findall(r"/rsvp/([A-Za-z0-9_-]+)/", message.body)) == {rsvp.token}


def test_one_member_tapping_rsvp_on_many_devices_at_once_has_one_rsvp(institution, organizer, member):
    meeting = _meeting(institution, organizer)
    others = [MembershipFactory(institution=institution).user for _ in range(3)]
    crowd = Crowd(institution, threads=THREADS)
    taps = []
    # Mo taps on every thread at once; three others tap twice each, side by side in the queue.
    for person in [member] * THREADS + [person for person in others for _ in range(2)]:
        taps.append(crowd.submit(lambda person=person: meetings.member_rsvp(meeting=meeting, user=person)))
    crowd.run()

    assert _errors(taps) == []
    with scope(institution=institution):
        rows = Counter(RSVP.objects.filter(meeting=meeting).values_list("user_id", flat=True))
        statuses = set(RSVP.objects.filter(meeting=meeting).values_list("status", flat=True))
    assert rows == Counter({person.pk: 1 for person in [member, *others]})
    assert statuses == {RSVP.Status.GOING}


def test_a_hundred_survey_answers_sent_at_once_are_all_stored_whole(institution, organizer, settings):
    settings.PUBLIC_FORM_LIMIT = SURVEYS * 2
    survey = survey_example(institution, organizer)
    qs = questions(survey)
    hardest, story = qs["What is hardest?"], qs["Tell us more"]
    kinds = ["Rent", "Food", "Childcare"]

    def submission(n):
        data = first_page(qs, page="1", **{f"q{hardest.pk}": choice(hardest, kinds[n % 3])})
        data[f"q{qs['How hard is it?'].pk}"] = str(1 + n % 5)
        data[f"q{story.pk}"] = f"Answer number {n}"
        return data

    crowd = Crowd(institution, threads=THREADS)
    futures = [crowd.submit(_post(answer_url(survey), submission(n))) for n in range(SURVEYS)]
    crowd.run()

    assert _errors(futures) == []
    assert [future.result() for future in futures] == [302] * SURVEYS
    with scope(institution=institution):
        responses = list(Response.objects.filter(survey=survey).values_list("pk", flat=True))
        stories = dict(Answer.objects.filter(question=story).values_list("text", "response_id"))
        by_response = {}
        for response_id, question_id, choice_text, number, text in Answer.objects.filter(
            response__survey=survey
        ).values_list("response_id", "question_id", "choice__text", "number", "text"):
            by_response.setdefault(response_id, set()).add((question_id, choice_text, number, text))
    assert len(responses) == SURVEYS
    assert set(stories) == {f"Answer number {n}" for n in range(SURVEYS)}  # each person's own text, once
    for n in range(SURVEYS):
        # Every answer of submission n sits on the one response that carries its text, none elsewhere.
        assert by_response[stories[f"Answer number {n}"]] == {
            (hardest.pk, kinds[n % 3], None, ""),
            (qs["What would help?"].pk, "A pantry", None, ""),
            (qs["Do you rent?"].pk, "Yes", None, ""),
            (qs["How hard is it?"].pk, None, 1 + n % 5, ""),
            (story.pk, None, None, f"Answer number {n}"),
        }
    # The per-client counter counted every submission (no increment lost between two requests).
    assert sum(ClientThrottle.objects.filter(bucket=f"survey:{survey.pk}").values_list("hits", flat=True)) == SURVEYS


@pytest.mark.parametrize("in_cache", [False, True], ids=["database", "cache"])
def test_a_flood_from_one_address_at_once_never_gets_past_the_limit(institution, organizer, settings, in_cache):
    settings.THROTTLE_IN_CACHE = in_cache
    cache.clear()
    limit = 10
    settings.PUBLIC_FORM_LIMIT = limit
    settings.PUBLIC_FORM_WINDOW = 24 * 60 * 60  # one window for the whole test
    survey = survey_example(institution, organizer)
    qs = questions(survey)
    crowd = Crowd(institution, threads=THREADS)
    futures = [crowd.submit(_post(answer_url(survey), first_page(qs, page="1"))) for _ in range(limit * 3)]
    crowd.run()

    assert _errors(futures) == []
    codes = Counter(future.result() for future in futures)
    assert set(codes) <= {302, 429}
    with scope(institution=institution):
        stored = Response.objects.filter(survey=survey).count()
    # A refused post stored nothing; never more than the limit got through. (Fewer may: each request
    # reads the counter after its own increment, and may already see later ones.)
    assert stored == codes[302] <= limit
    if in_cache:
        # Each request gets its own place from one atomic increment: exactly the limit gets through.
        assert stored == limit and not ClientThrottle.objects.exists()
        cache.clear()
    else:
        hits = ClientThrottle.objects.filter(bucket=f"survey:{survey.pk}").values_list("hits", flat=True)
        assert sum(hits) == limit * 3


def test_members_claiming_the_same_tasks_at_once_get_one_owner_each(institution, organizer):
    claimers = [MembershipFactory(institution=institution).user for _ in range(6)]
    with scope(institution=institution):
        tasks = [
            logistics.task_create(institution=institution, author=organizer, title=f"Pick up crates {n}")
            for n in range(12)
        ]
    crowd = Crowd(institution, threads=THREADS)
    attempts = [
        (task, person, crowd.submit(lambda task=task, person=person: logistics.task_claim(task=task, member=person)))
        for task in tasks
        for person in claimers
    ]
    crowd.run()

    winners = {}
    for task, person, future in attempts:
        kind, value = _outcome(future)
        if kind == "ok":
            winners.setdefault(task.pk, []).append(person.pk)
        else:
            assert isinstance(value, ValidationError) and "took this task" in str(value), value
    assert {pk: len(people) for pk, people in winners.items()} == {task.pk: 1 for task in tasks}
    with scope(institution=institution):
        owners = dict(Task.objects.filter(pk__in=[task.pk for task in tasks]).values_list("pk", "owner_id"))
        claims = Counter(
            entry["task_id"]
            for entry in AuditEntry.objects.filter(institution=institution, action="task.claimed").values_list(
                "data", flat=True
            )
        )
    assert owners == {pk: people[0] for pk, people in winners.items()}
    assert claims == Counter({task.pk: 1 for task in tasks})  # the audit names the one who got it, once


def test_a_checklist_sync_that_read_before_a_newer_rsvp_does_not_write_its_older_counts(
    institution, organizer, monkeypatch
):
    """The interleaving behind the first test's checklist check, forced step by step on one thread:
    sync A reads the RSVPs, then another RSVP lands and its own sync B writes the new counts, then A
    goes on to write. A must not put back what it read (it read again under the meeting's lock)."""
    meeting = _meeting(institution, organizer)
    with scope(institution=institution):
        meetings.rsvp_create(meeting=meeting, name="Ana", food=True)  # its sync writes "Food for 1 person"
        assert logistics.support_lines_for(meeting)["food"][1] == "Food for 1 person"
        original = logistics.support_lines_for
        reads = []

        def read_then_let_another_rsvp_land(meeting, summary=None):
            wanted = original(meeting, summary)
            reads.append(wanted["food"][1])
            if len(reads) == 1:  # sync A's first read; the RSVP's commit runs sync B right away
                meetings.rsvp_create(meeting=meeting, name="Bo", party_size=2, food=True)
            return wanted

        monkeypatch.setattr(logistics, "support_lines_for", read_then_let_another_rsvp_land)
        logistics.support_lines_sync(meeting=meeting)  # sync A: read 1 eater, then B wrote 3
        food = SupportLine.objects.get(meeting=meeting, key="food").description
    assert reads[:2] == ["Food for 1 person", "Food for 3 people"]  # A read first, B read after Bo
    assert food == "Food for 3 people"
