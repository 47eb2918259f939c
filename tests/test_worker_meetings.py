"""Meeting reminders on a real Celery worker process: the beat job runs twice, each person gets one
reminder, with the calendar file attached. (Worker, broker and mail folder: see test_worker.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from meetings import services
from meetings.models import RSVP
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_sends_each_meeting_reminder_once_even_when_the_job_runs_twice(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="America/Chicago")
    organizer = OrganizerFactory(institution=institution).user
    member = MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org", language="es")).user
    with scope(institution=institution):
        meeting = services.meeting_create(
            institution=institution,
            author=organizer,
            title="Tenants' assembly",
            starts_at=timezone.now() + timedelta(minutes=90),
            place_name="Community room",
            is_public=True,
        )
        services.agenda_item_add(meeting=meeting, actor=organizer, title="Repairs")
        services.member_rsvp(meeting=meeting, user=member)
        RSVP.objects.create(institution=institution, meeting=meeting, name="Ana", email="ana@example.org")
    from meetings.tasks import send_meeting_reminders

    # Two beats (or a beat and a retry): the scan and its fan-out both run on the worker.
    send_meeting_reminders.delay()
    send_meeting_reminders.delay()

    keys = {f"meeting-reminder:{meeting.pk}:0:2h:{email}" for email in ("mo@example.org", "ana@example.org")}
    wait_for(lambda: Delivery.objects.filter(key__in=keys, status=Delivery.Status.SENT).count() == 2, worker)
    # Both scans and both reminder tasks have finished.
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 4, worker)
    sent = messages_in(worker["mail_dir"])
    assert sorted(message["To"] for message in sent) == ["ana@example.org", "mo@example.org"]
    assert set(Delivery.objects.filter(key__startswith="meeting-reminder:").values_list("key", flat=True)) == keys
    assert Delivery.objects.get(email="mo@example.org").language == "es"
    for message in sent:
        (attachment,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
        event = Calendar.from_ical(attachment.get_payload(decode=True)).events[0]
        assert str(event["SUMMARY"]) == "Tenants' assembly"
        assert str(event["DTSTART"].params["TZID"]) == "America/Chicago"
