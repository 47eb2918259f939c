"""Check-in reminders on a real Celery worker process: the hourly beat runs twice and each member who
has not checked in gets one reminder; the member who answered gets none.
(Worker, broker and mail folder: see test_worker.py.)"""

import pytest
from django_scopes import scope

from evaluation import checkins
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_sends_each_due_member_one_check_in_reminder_when_the_beat_runs_twice(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="UTC")
    organizer = OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org")).user
    MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org"))
    MembershipFactory(institution=institution, user=UserFactory(email="sam@example.org"))
    with scope(institution=institution):
        checkins.check_in_save(
            institution=institution,
            member=organizer,
            feel=4,
            energy=4,
            hours=10,
            rather_doing="",
            suggestion="",
            wants_follow_up=False,
        )
    from evaluation.tasks_checkins import send_check_in_reminders

    send_check_in_reminders.delay()
    send_check_in_reminders.delay()
    sent = Delivery.objects.filter(key__startswith=f"check-in:{institution.pk}:", status=Delivery.Status.SENT)
    wait_for(lambda: sent.count() == 2, worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 4, worker)
    messages = messages_in(worker["mail_dir"])
    assert sorted(message["To"] for message in messages) == ["mo@example.org", "sam@example.org"]
    assert Delivery.objects.filter(key__startswith="check-in:").count() == 2
    body = messages[0].get_payload(0).get_payload(decode=True).decode()
    assert f"/i/{institution.slug}/evaluation/check-ins/" in body
