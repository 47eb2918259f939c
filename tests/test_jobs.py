"""Celery configuration and the tenant-task base (in-process; the real worker is in test_worker.py)."""

import pytest
from django.conf import settings
from django.db import transaction
from django_scopes import get_scope

from dualpower.celery import app as celery_app
from institutions.tenancy import tenant_task

calls = []


@tenant_task()
def record_scope(institution, *, note):
    calls.append((institution.pk, get_scope().get("institution"), note))
    return note


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


@pytest.fixture(autouse=True, scope="module")
def _discover_tasks():
    # What a worker does at start: import every app's tasks module.
    celery_app.autodiscover_tasks(force=True)


def test_every_beat_job_names_a_registered_task():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, f"beat job {name} points at unknown task {entry['task']}"


def test_beat_jobs_run_and_are_safe_to_repeat(db):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timezone.timedelta(days=1)
    )
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        # This is the test, not a task: after the threads of tests/test_concurrency.py ran eager tasks in
        # this process, Celery's process-wide "a join would block" flag may be left set.
        celery_app.tasks[entry["task"]].apply().get(disable_sync_subtasks=False)
        celery_app.tasks[entry["task"]].apply().get(disable_sync_subtasks=False)
    assert not Session.objects.filter(session_key="x" * 32).exists()


def test_tenant_task_runs_inside_the_institutions_scope(institution):
    assert record_scope(institution.pk, note="hello") == "hello"
    assert calls == [(institution.pk, institution, "hello")]


def test_tenant_task_for_a_deleted_institution_does_nothing(db):
    assert record_scope(987654, note="gone") is None
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_tenant_task_is_queued_only_when_the_transaction_commits(institution):
    with transaction.atomic():
        record_scope.enqueue(institution=institution, note="committed")
        assert calls == []  # not before the commit
    assert [note for *_, note in calls] == ["committed"]

    with pytest.raises(RuntimeError), transaction.atomic():
        record_scope.enqueue(institution=institution, note="rolled back")
        raise RuntimeError
    assert [note for *_, note in calls] == ["committed"]
