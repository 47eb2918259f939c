"""The weekly health digest on a real Celery worker process: the hourly beat fires twice in the same
hour and a duplicate fan-out task arrives, yet each recipient gets exactly one copy for the week.
(Worker, broker and mail folder: see test_worker.py.)"""

import pytest
from django.utils import timezone
from django_scopes import scope

from evaluation.digest import week_of
from evaluation.models import EvaluationSettings, HealthStatus
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_sends_each_digest_once_per_recipient_and_week(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="UTC")
    OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org"))
    OrganizerFactory(institution=institution, user=UserFactory(email="rosa@example.org", language="es"))
    MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org"))  # did not ask for it
    now = timezone.now()  # UTC, the institution's time zone
    EvaluationSettings.objects.create(institution=institution, digest_weekday=now.weekday(), digest_hour=0)
    from evaluation.tasks_digest import send_digest, send_weekly_digests

    week = week_of(institution).isoformat()
    send_weekly_digests.delay()
    send_weekly_digests.delay()
    send_digest.delay(institution.pk, week=week)
    keys = Delivery.objects.filter(key__startswith=f"digest:{institution.pk}:{week}:")
    wait_for(lambda: keys.filter(status=Delivery.Status.SENT).count() == 2, worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 3, worker)
    sent = messages_in(worker["mail_dir"])
    assert sorted(message["To"] for message in sent) == ["olga@example.org", "rosa@example.org"]
    assert keys.count() == 2
    with scope(institution=institution):
        assert HealthStatus.objects.filter(institution=institution, week=week).count() == 8


def test_a_worker_killed_mid_digest_and_the_job_run_again_leaves_each_recipient_one_copy(worker):  # noqa: F811
    """SIGKILL the worker while it sends a long batch, start a new one, fire the beat again: nobody is
    left without a copy, and nobody gets two — except, at most, the one person whose copy was in flight
    at the instant of the kill. That copy's claim is taken up again once stale (simulated here by ageing
    it, as the next hourly beat would find it): if the kill fell after the mail left but before it was
    marked sent, that person gets it twice. Mail cannot be both sent and recorded atomically; we choose
    never to skip anyone over never repeating that one in-flight copy."""
    from datetime import timedelta

    from notifications.services import STALE_CLAIM

    institution = InstitutionFactory(time_zone="UTC")
    people = 120
    for number in range(people):
        OrganizerFactory(institution=institution, user=UserFactory(email=f"o{number}@example.org"))
    EvaluationSettings.objects.create(institution=institution, digest_weekday=timezone.now().weekday(), digest_hour=0)
    from evaluation.tasks_digest import send_weekly_digests

    week = week_of(institution).isoformat()
    keys = Delivery.objects.filter(key__startswith=f"digest:{institution.pk}:{week}:")
    send_weekly_digests.delay()
    wait_for(lambda: keys.filter(status=Delivery.Status.SENT).exists(), worker)
    worker["restart"](kill=True)
    sent_before_kill = keys.filter(status=Delivery.Status.SENT).count()
    assert sent_before_kill < people, "the batch finished before the kill: nothing was proven"
    in_flight = set(keys.filter(status=Delivery.Status.SENDING).values_list("email", flat=True))
    assert len(in_flight) <= 1  # one task at a time (solo pool), one copy at a time
    # The claim the killed worker held (if any) is old by the time the next beat comes.
    keys.filter(status=Delivery.Status.SENDING).update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))
    send_weekly_digests.delay()
    wait_for(lambda: keys.filter(status=Delivery.Status.SENT).count() == people, worker, timeout=120)
    recipients = [message["To"] for message in messages_in(worker["mail_dir"])]
    assert len(set(recipients)) == people  # nobody skipped
    repeated = {address for address in recipients if recipients.count(address) > 1}
    assert repeated <= in_flight  # nobody else twice
    assert keys.count() == people
