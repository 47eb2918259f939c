"""Shift jobs on a real Celery worker process: the day-before reminder beat runs twice and each
person gets one reminder; a late cancellation's stand-in alert goes once to each person to tell.
(Worker, broker and mail folder: see test_worker.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from logistics import shifts
from logistics.models import ShiftOccurrence, ShiftSignup
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory, one_off_shift
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def one_off(institution, organizer, *, hours):
    role = shifts.role_save(institution=institution, actor=organizer, name=f"Escort {hours}")
    return one_off_shift(institution, organizer, role, hours=hours, max_people=3).occurrences.get()


def test_worker_sends_each_shift_reminder_once_even_when_the_beat_runs_twice(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="UTC")
    organizer = OrganizerFactory(institution=institution).user
    member = MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org")).user
    with scope(institution=institution):
        occurrence = one_off(institution, organizer, hours=48)
        shifts.signup_take(occurrence=occurrence, member=member)
        ShiftOccurrence.objects.filter(pk=occurrence.pk).update(starts_at=timezone.now() + timedelta(hours=20))
        ShiftSignup.objects.update(signed_up_at=timezone.now() - timedelta(days=2))
    from logistics.tasks_shifts import send_shift_reminders

    send_shift_reminders.delay()
    send_shift_reminders.delay()
    key = f"shift-reminder:{occurrence.pk}:{member.pk}"
    wait_for(lambda: Delivery.objects.filter(key=key, status=Delivery.Status.SENT).exists(), worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 4, worker)
    assert [message["To"] for message in messages_in(worker["mail_dir"])] == ["mo@example.org"]
    assert Delivery.objects.filter(key__startswith="shift-reminder:").count() == 1


def test_worker_alerts_the_shift_once_when_someone_cancels_late(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="UTC")
    organizer = OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org")).user
    leaver = MembershipFactory(institution=institution, user=UserFactory(email="lee@example.org")).user
    staying = MembershipFactory(institution=institution, user=UserFactory(email="sam@example.org")).user
    with scope(institution=institution):
        occurrence = one_off(institution, organizer, hours=5)
        signup = shifts.signup_take(occurrence=occurrence, member=leaver)
        shifts.signup_take(occurrence=occurrence, member=staying)
        shifts.signup_cancel(signup=signup, actor=leaver)  # queued on commit (no test transaction here)
        stand_in = occurrence.stand_in_requests.get()
    from logistics.tasks_shifts import send_stand_in_alert

    send_stand_in_alert.delay(institution.pk, stand_in_id=stand_in.pk)  # a duplicate delivery of the job
    wait_for(
        lambda: Delivery.objects.filter(key__startswith="shift-stand-in:", status=Delivery.Status.SENT).count() == 2,
        worker,
    )
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 2, worker)
    assert sorted(message["To"] for message in messages_in(worker["mail_dir"])) == [
        "olga@example.org",
        "sam@example.org",
    ]
