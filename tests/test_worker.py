"""A real Celery worker process runs tenant tasks end to end.

The worker is started as a separate process against the test database and the project's
broker: Redis when REDIS_URL is set (as in CI), else the embedded filesystem broker.
No eager mode, no mocks.
"""

import email
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_scopes import scope

from dualpower.celery import app as celery_app
from institutions import services
from notifications.models import Delivery
from tests.factories import InstitutionFactory, OrganizerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def database_env():
    """Point the worker at the test database this process is using."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"SQLITE_PATH": db["NAME"], "DATABASE_URL": ""}
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return {
        "DATABASE_URL": f"postgres://{user}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    }


def start_worker(env, log_path):
    """Start a worker process appending to `log_path`; wait until it says it is ready."""
    ready_before = log_path.read_text().count("ready.") if log_path.exists() else 0
    log = open(log_path, "a+")  # noqa: SIM115  (closed by stop_worker)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dualpower",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-Q",
            env["CELERY_QUEUE"],
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while log_path.read_text().count("ready.") <= ready_before:
        assert process.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, "worker did not start:\n" + log_path.read_text()
        time.sleep(0.2)
    return process, log


def stop_worker(process, log, *, kill=False):
    if kill:
        process.send_signal(signal.SIGKILL)
    else:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture
def worker(tmp_path, django_db_setup):
    """A worker process on a queue of its own. `worker["restart"](kill=True)` kills it (SIGKILL, as a
    crash would) and starts a new one on the same queue, database and mail folder."""
    queue = f"test-{secrets.token_hex(4)}"
    mail_dir = tmp_path / "mail"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DUALPOWER_TESTING", "PYTEST_CURRENT_TEST"}},
        **database_env(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MAIL_DIR": str(mail_dir),
    }
    log_path = tmp_path / "worker.log"
    state = {}
    state["process"], state["log"] = start_worker(env, log_path)
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    handle = {"mail_dir": mail_dir, "log": log_path, "process": state["process"]}

    def restart(*, kill=True):
        stop_worker(state["process"], state["log"], kill=kill)
        state["process"], state["log"] = start_worker(env, log_path)
        handle["process"] = state["process"]

    handle["restart"] = restart
    try:
        yield handle
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        stop_worker(state["process"], state["log"])


def wait_for(predicate, worker, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert worker["process"].poll() is None, worker["log"].read_text()
        assert time.monotonic() < deadline, "timed out; worker log:\n" + worker["log"].read_text()
        time.sleep(0.25)


def messages_in(folder):
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip()))
    return found


def test_worker_sends_invitation_once_even_when_queued_twice(worker):
    institution = InstitutionFactory()
    organizer = OrganizerFactory(institution=institution).user
    with scope(institution=institution):
        invitation = services.invitation_create(institution=institution, actor=organizer, email="sam@example.org")
    # A duplicate of the same job (a retry, a second beat): it must not send again.
    from institutions.tasks import send_invitation

    send_invitation.delay(institution.pk, invitation_id=invitation.pk)

    wait_for(
        lambda: Delivery.objects.filter(key=f"invitation:{invitation.pk}", status=Delivery.Status.SENT).exists(), worker
    )
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 2, worker)
    sent = messages_in(worker["mail_dir"])
    assert len(sent) == 1
    assert sent[0]["To"] == "sam@example.org"
    assert (
        f"/i/{institution.slug}/invite/{invitation.token}/" in sent[0].get_payload(0).get_payload(decode=True).decode()
    )
    assert Delivery.objects.filter(key__startswith="invitation:").count() == 1
