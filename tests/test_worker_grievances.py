"""Grievance mail on a real Celery worker process: filing queues the job on commit, and each
facilitator gets one mail, without the grievance's content, even when the job runs twice.
(Worker, broker and mail folder: see test_worker.py.)"""

import pytest
from django_scopes import scope

from evaluation import grievances
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_tells_each_facilitator_once_without_the_content(worker):  # noqa: F811
    institution = InstitutionFactory(time_zone="UTC")
    organizer = OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org")).user
    member = MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org")).user
    fay = MembershipFactory(institution=institution, user=UserFactory(email="fay@example.org")).user
    with scope(institution=institution):
        grievances.facilitator_name(institution=institution, actor=organizer, user=fay)
        grievance = grievances.grievance_file(  # queued on commit (no test transaction here)
            institution=institution, filer=member, subject="Private words", description="Private details"
        )
    from evaluation.tasks_grievances import send_grievance_filed

    send_grievance_filed.delay(institution.pk, grievance_id=grievance.pk)  # a duplicate delivery of the job
    key = f"grievance-filed:{grievance.pk}:{fay.pk}"
    wait_for(lambda: Delivery.objects.filter(key=key, status=Delivery.Status.SENT).exists(), worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 2, worker)
    messages = messages_in(worker["mail_dir"])
    assert [message["To"] for message in messages] == ["fay@example.org"]
    parts = [part.get_payload(decode=True).decode() for part in messages[0].walk() if not part.is_multipart()]
    assert f"/evaluation/grievances/{grievance.pk}/" in parts[0]
    assert "Private" not in messages[0]["Subject"] + "".join(parts)
