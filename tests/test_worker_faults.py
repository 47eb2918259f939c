"""Background jobs under faults: a worker killed mid-batch, Redis gone for a moment, every beat job
run twice, and the Celery settings that make those survivable.

Worker tests start a real worker process (see test_worker.py). The one that stops Redis starts its
own redis-server on a free port for the worker and for the messages this test sends, and never
touches the shared one. The others use the project's broker (Redis in CI, files without REDIS_URL).
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, timedelta
from datetime import time as clock

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dualpower.celery import app as celery_app
from meetings import services as meetings
from meetings.models import RSVP
from notifications.models import Delivery
from notifications.services import STALE_CLAIM
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory, proposal_in_voting
from tests.test_worker import ROOT, database_env, messages_in, start_worker, stop_worker, wait_for, worker  # noqa: F401

# --- The settings ----------------------------------------------------------------------------------

CONFIGURATION = """
import json
import django

django.setup()
from django.conf import settings
from dualpower.celery import app

app.autodiscover_tasks(force=True)
conf = app.conf
print(json.dumps({
    "acks_late": conf.task_acks_late,
    "reject_on_worker_lost": conf.task_reject_on_worker_lost,
    "prefetch": conf.worker_prefetch_multiplier,
    "transport_options": conf.broker_transport_options,
    "smtp_timeout": settings.MAILERS["default"]["OPTIONS"].get("timeout"),
    "tasks": {
        name: {
            "acks_late": task.acks_late,
            "time_limit": task.time_limit or conf.task_time_limit,
            "soft_time_limit": task.soft_time_limit or conf.task_soft_time_limit,
            "autoretry": bool(getattr(task, "autoretry_for", ())),
            "retry_backoff": getattr(task, "retry_backoff", False),
            "retry_backoff_max": getattr(task, "retry_backoff_max", 600),
            "max_retries": task.max_retries,
            "default_retry_delay": task.default_retry_delay,
        }
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    },
}))
"""


def production_celery_settings():
    """The Celery configuration as the scale setup loads it (REDIS_URL and SMTP set), read by a fresh
    interpreter so that this test run's own settings do not matter. Nothing is connected to."""
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "EMAIL_HOST": "smtp.example.org",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", CONFIGURATION], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def longest_retry_delay(task):
    """How long a task may wait for its next try (Redis counts that wait against the visibility timeout)."""
    if not task["autoretry"]:
        return 0
    if task["retry_backoff"]:
        backoff = 1 if task["retry_backoff"] is True else task["retry_backoff"]
        return min(backoff * 2 ** (task["max_retries"] - 1), task["retry_backoff_max"])
    return task["default_retry_delay"]


def test_a_lost_worker_loses_no_task_and_redis_never_hands_a_running_task_to_a_second_one():
    conf = production_celery_settings()
    # Acknowledged only when done, so a worker that dies mid-task leaves it for another; one at a time.
    assert conf["acks_late"] is True
    assert conf["reject_on_worker_lost"] is True
    assert conf["prefetch"] == 1
    visibility = conf["transport_options"]["visibility_timeout"]
    assert conf["tasks"], "no task was registered"
    for name, task in conf["tasks"].items():
        assert task["acks_late"] is True, f"{name} acknowledges early"
        assert task["time_limit"], f"{name} may run forever"
        assert task["soft_time_limit"] < task["time_limit"], name
        # Longer than the longest run plus its longest wait for a retry: otherwise Redis would give a
        # task that is still running (or waiting to retry) to a second worker.
        assert visibility > task["time_limit"] + longest_retry_delay(task), name
    # A delivery's claim is taken up again after STALE_CLAIM: one SMTP send must end well before that.
    assert conf["smtp_timeout"] and conf["smtp_timeout"] * 3 < STALE_CLAIM.total_seconds()


# --- Every beat job, twice -------------------------------------------------------------------------


def snapshot():
    """Every row of every table (and the mail sent so far), to tell whether a job changed anything."""
    rows = {}
    with scopes_disabled():
        for model in apps.get_models():
            rows[model._meta.label] = sorted(map(repr, model._base_manager.values_list()))
    rows["mail sent"] = len(mail.outbox)
    return rows


def changed(before, after):
    return sorted(label for label in after if before.get(label) != after[label])


def world():
    """Representative data for each beat job, in one place: {beat entry: what its first run must do}."""
    now = timezone.now()
    home = InstitutionFactory(time_zone="UTC", slug="beat-home")
    olga = OrganizerFactory(institution=home, user=UserFactory(email="olga@example.org")).user
    mo = MembershipFactory(institution=home, user=UserFactory(email="mo@example.org")).user
    from decisions.models import Proposal
    from evaluation.models import EvaluationSettings
    from followthrough import governance
    from followthrough.models import ExportJob
    from institutions import services as institutions
    from institutions.models import ClientThrottle, Institution
    from logistics import services as logistics
    from logistics import shifts
    from logistics.models import ShiftOccurrence, ShiftSignup, SupportLine

    with scope(institution=home):
        closing = proposal_in_voting(home, olga, title="Close me")
        Proposal.objects.filter(pk=closing.pk).update(deadline=now - timedelta(minutes=1))
        reminding = proposal_in_voting(home, olga, title="Remind about me")
        Proposal.objects.filter(pk=reminding.pk).update(deadline=now + timedelta(hours=12))
        soon = meetings.meeting_create(
            institution=home,
            author=olga,
            title="Assembly in 90 minutes",
            starts_at=now + timedelta(minutes=90),
            place_name="Community room",
            is_public=True,
        )
        RSVP.objects.create(institution=home, meeting=soon, name="Ana", email="ana@example.org")
        meetings.meeting_create(  # no RSVP yet: the hourly sync gives it its setup and cleanup lines
            institution=home,
            author=olga,
            title="Assembly next week",
            starts_at=now + timedelta(days=7),
            place_name="Community room",
            is_public=True,
        )
        today = timezone.localdate(timezone=UTC)
        logistics.task_create(
            institution=home, author=olga, title="Due tomorrow", owner=mo, due_on=today + timedelta(1)
        )
        logistics.task_create(institution=home, author=olga, title="Overdue", due_on=today - timedelta(days=2))
        role = shifts.role_save(institution=home, actor=olga, name="Escort")
        start = (now + timedelta(hours=48)).replace(second=0, microsecond=0)
        tomorrow = shifts.shift_create(
            institution=home,
            actor=olga,
            role=role,
            place="Clinic door",
            repeat="once",
            weekdays="",
            starts_on=start.date(),
            until=None,
            start_time=start.time(),
            end_time=(start + timedelta(hours=2)).time(),
            min_people=1,
            max_people=3,
            lead=None,
            notes="",
        ).occurrences.get()
        shifts.signup_take(occurrence=tomorrow, member=mo)
        ShiftOccurrence.objects.filter(pk=tomorrow.pk).update(starts_at=now + timedelta(hours=20))
        ShiftSignup.objects.filter(occurrence=tomorrow).update(signed_up_at=now - timedelta(days=2))
        weekly = shifts.shift_create(
            institution=home,
            actor=olga,
            role=role,
            place="Clinic door",
            repeat="weekly",
            weekdays="0123456",
            starts_on=today,
            until=None,
            start_time=clock(8, 0),
            end_time=clock(10, 0),
            min_people=1,
            max_people=3,
            lead=None,
            notes="",
        )
        # The schedule's far end, as if a week had passed since it was last extended.
        ShiftOccurrence.objects.filter(shift=weekly, date__gt=today + timedelta(days=40)).delete()
        EvaluationSettings.objects.create(institution=home, digest_weekday=now.weekday(), digest_hour=0)
        governance.term_add(
            institution=home,
            actor=olga,
            member=olga,
            starts_on=today - timedelta(days=300),
            ends_on=today + timedelta(days=20),
        )
        ExportJob.objects.create(institution=home, status="running", requested_at=now - timedelta(hours=7))
        name = default_storage.save(f"exports/{home.pk}/old.zip", ContentFile(b"PK"))
        ExportJob.objects.create(
            institution=home, status="ready", file=name, finished_at=now - timedelta(days=3), expires_at=now
        )
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=now - timedelta(days=1))
    ClientThrottle.objects.create(bucket="survey:1", client="c" * 64, window_start=now - timedelta(days=3), hits=3)
    doomed = InstitutionFactory(slug="beat-doomed")
    doomed_organizer = OrganizerFactory(institution=doomed).user
    with scope(institution=doomed):
        institutions.deletion_request(institution=doomed, actor=doomed_organizer, confirm_name=doomed.name)
    Institution.objects.filter(pk=doomed.pk).update(deletion_due_at=now - timedelta(minutes=1))
    return {
        "close-due-proposals": lambda: Proposal.objects.get(pk=closing.pk).status == Proposal.Status.CLOSED,
        "send-vote-reminders": lambda: Delivery.objects.filter(key__startswith=f"vote-reminder:{reminding.pk}:"),
        "send-meeting-reminders": lambda: Delivery.objects.filter(key__startswith=f"meeting-reminder:{soon.pk}:"),
        "send-task-reminders": lambda: (
            Delivery.objects.filter(key__startswith="task-due:").exists()
            and Delivery.objects.filter(key__startswith="task-overdue:").exists()
        ),
        "sync-upcoming-support-lines": lambda: SupportLine.objects.filter(meeting__title="Assembly next week"),
        "send-weekly-digests": lambda: Delivery.objects.filter(key__startswith=f"digest:{home.pk}:"),
        "send-shift-reminders": lambda: Delivery.objects.filter(key__startswith=f"shift-reminder:{tomorrow.pk}:"),
        "extend-shift-schedules-daily": lambda: ShiftOccurrence.objects.filter(
            shift=weekly, date__gt=today + timedelta(days=40)
        ),
        "send-check-in-reminders": lambda: Delivery.objects.filter(key__startswith=f"check-in:{home.pk}:"),
        "send-term-end-reminders-daily": lambda: Delivery.objects.filter(key__startswith="organizer-term-ending:"),
        "clear-expired-sessions-daily": lambda: not Session.objects.filter(session_key="x" * 32).exists(),
        "purge-deleted-institutions-daily": lambda: not Institution.objects.filter(pk=doomed.pk).exists(),
        "forget-old-throttle-windows-daily": lambda: not ClientThrottle.objects.exists(),
        "forget-old-exports-daily": lambda: (
            not default_storage.exists(name) and not ExportJob.objects.filter(status="running").exists()
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_every_beat_job_does_its_work_once_and_nothing_more_when_run_again(settings, tmp_path):
    """Each entry of the beat schedule runs (in-process, as the worker would) on data that gives it
    work, then again at once, as a duplicate beat would: the second run sends nothing and writes
    nothing. A new beat entry without data here fails the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    celery_app.autodiscover_tasks(force=True)
    mail.outbox = []
    did_its_work = world()
    assert set(did_its_work) == set(settings.CELERY_BEAT_SCHEDULE), "give every beat job data here"

    def run(job):
        # This is the test, not a task; after tests/test_concurrency.py, Celery's process-wide "a join
        # would block" flag is found set, and a plain .get() would refuse to run.
        job.apply().get(disable_sync_subtasks=False)

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        job = celery_app.tasks[entry["task"]]
        before = snapshot()
        run(job)
        after = snapshot()
        with scopes_disabled():
            assert did_its_work[name](), f"{name} had work and did not do it"
        assert changed(before, after), f"{name} changed nothing on its first run"
        run(job)
        assert changed(after, snapshot()) == [], f"{name} run again changed these"


# --- A worker killed in the middle of a reminder batch ---------------------------------------------


def first_sent(deliveries, handle, timeout=60):
    """Wait, looking often (a batch takes about a second), until the first of `deliveries` was sent by
    the worker of `handle`."""
    deadline = time.monotonic() + timeout
    while not deliveries.filter(status=Delivery.Status.SENT).exists():
        assert handle["process"].poll() is None, handle["log"].read_text()
        assert time.monotonic() < deadline, "nothing was sent; worker log:\n" + handle["log"].read_text()
        time.sleep(0.01)


PEOPLE = 150


def meeting_with_rsvps(institution, *, people, title="Tenants' assembly"):
    """A public meeting in 90 minutes (its two-hour reminder is due) with `people` RSVPs by e-mail."""
    organizer = OrganizerFactory(institution=institution).user
    with scope(institution=institution):
        meeting = meetings.meeting_create(
            institution=institution,
            author=organizer,
            title=title,
            starts_at=timezone.now() + timedelta(minutes=90),
            place_name="Community room",
            is_public=True,
        )
        RSVP.objects.bulk_create(
            RSVP(
                institution=institution,
                meeting=meeting,
                name=f"Person {n}",
                email=f"m{meeting.pk}-p{n}@example.org",
                token=secrets.token_urlsafe(18),
            )
            for n in range(people)
        )
    return meeting


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_reminder_batch_then_two_beats_leave_each_person_one_reminder(worker):  # noqa: F811
    """SIGKILL the worker while it sends a meeting's reminders, start a new one, let the beat fire
    twice: everybody is reminded, and nobody twice — except, at most, the one person whose reminder was
    in flight at the instant of the kill (the digest test explains why: mail cannot be sent and
    recorded atomically, and we choose never to skip over never repeating that one copy)."""
    institution = InstitutionFactory(time_zone="UTC")
    meeting = meeting_with_rsvps(institution, people=PEOPLE)
    from meetings.tasks import send_meeting_reminders

    keys = Delivery.objects.filter(key__startswith=f"meeting-reminder:{meeting.pk}:")
    send_meeting_reminders.delay()
    first_sent(keys, worker)
    worker["restart"](kill=True)
    sent_before_kill = keys.filter(status=Delivery.Status.SENT).count()
    assert sent_before_kill < PEOPLE, "the batch finished before the kill: nothing was proven"
    in_flight = set(keys.filter(status=Delivery.Status.SENDING).values_list("email", flat=True))
    assert len(in_flight) <= 1  # one task at a time (solo pool), one mail at a time
    # The claim the killed worker held (if any) is old by the time a later beat comes.
    keys.filter(status=Delivery.Status.SENDING).update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))
    send_meeting_reminders.delay()
    send_meeting_reminders.delay()
    wait_for(lambda: keys.filter(status=Delivery.Status.SENT).count() == PEOPLE, worker)
    # The first scan (before the kill), then both scans and both batches on the new worker.
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 5, worker)
    recipients = Counter(message["To"] for message in messages_in(worker["mail_dir"]))
    with scope(institution=institution):
        everyone = set(RSVP.objects.filter(meeting=meeting).values_list("email", flat=True))
    assert set(recipients) == everyone  # nobody skipped
    assert {address for address, copies in recipients.items() if copies > 1} <= in_flight  # nobody else twice
    assert keys.count() == PEOPLE


# --- Redis gone for a moment -------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, on a free port, without persistence: stopping it loses
    whatever was queued in it, as a crashed Redis without a disk would."""

    def __init__(self, folder):
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not self.answers():
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def worker_on_own_redis(tmp_path, own_redis, django_db_setup):
    """A worker whose broker (and cache) is `own_redis`; messages from this test go there too."""
    queue = f"test-{secrets.token_hex(4)}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DUALPOWER_TESTING", "PYTEST_CURRENT_TEST"}},
        **database_env(),
        "REDIS_URL": own_redis.url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MAIL_DIR": str(tmp_path / "mail"),
    }
    log_path = tmp_path / "worker.log"
    process, log = start_worker(env, log_path)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield {"mail_dir": tmp_path / "mail", "log": log_path, "process": process, "queue": queue}
    finally:
        celery_app.conf.task_always_eager = eager
        stop_worker(process, log)


def send_to(redis, queue, task):
    """Queue `task` on the worker's own Redis (what beat would do there)."""
    with celery_app.connection_for_write(redis.url) as connection:
        task.apply_async(connection=connection, queue=queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_batch_and_started_again_loses_no_reminder_and_sends_none_twice(
    worker_on_own_redis, own_redis
):
    """Three meetings' reminders are queued; Redis stops while the first batch is being sent and comes
    back empty (the other two batches were lost with it). The running batch finishes, the worker
    reconnects, the beat fires twice: everyone gets exactly one reminder."""
    institution = InstitutionFactory(time_zone="UTC")
    batch = [meeting_with_rsvps(institution, people=50, title=f"Assembly {n}") for n in range(3)]
    from meetings.tasks import send_meeting_reminders

    on_own = worker_on_own_redis
    keys = Delivery.objects.filter(key__startswith="meeting-reminder:")
    send_to(own_redis, on_own["queue"], send_meeting_reminders)
    first_sent(keys, on_own)
    own_redis.stop()
    sent_when_stopped = keys.filter(status=Delivery.Status.SENT).count()
    assert sent_when_stopped < 150, "the batches finished before Redis stopped: nothing was proven"
    # Redis stays away until the worker has run into its absence (when the running batch ends and it
    # tries to acknowledge it); the batch goes on meanwhile, since sending needs only the database.
    wait_for(lambda: "Connection to broker lost" in on_own["log"].read_text(), on_own)
    own_redis.start()
    send_to(own_redis, on_own["queue"], send_meeting_reminders)
    send_to(own_redis, on_own["queue"], send_meeting_reminders)
    wait_for(lambda: keys.filter(status=Delivery.Status.SENT).count() == 150, on_own)
    # Before the outage a scan and a batch; after it two scans and their three batches each.
    wait_for(lambda: on_own["log"].read_text().count("succeeded") >= 10, on_own)
    recipients = Counter(message["To"] for message in messages_in(on_own["mail_dir"]))
    with scope(institution=institution):
        everyone = set(RSVP.objects.filter(meeting__in=batch).values_list("email", flat=True))
    assert len(everyone) == 150
    assert recipients == Counter({address: 1 for address in everyone})  # nobody skipped, nobody twice
    assert keys.count() == 150
