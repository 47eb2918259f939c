"""The "read it again" mail on a real Celery worker process: a revision queues it once its transaction
commits, a duplicate job sends nothing more. (Worker, broker and mail folder: see test_worker.py.)"""

import pytest
from django_scopes import scope

from logistics import procedures
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_asks_earlier_readers_once_to_read_a_revised_procedure(worker):  # noqa: F811
    institution = InstitutionFactory()
    organizer = OrganizerFactory(institution=institution).user
    reader = MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org")).user
    MembershipFactory(institution=institution, user=UserFactory(email="never@example.org"))
    with scope(institution=institution):
        procedure = procedures.procedure_create(
            institution=institution, author=organizer, title="Escort protocol", body="Stay calm."
        )
        procedures.procedure_acknowledge(procedure=procedure, member=reader, version_number=1)
        procedures.procedure_revise(
            procedure=procedure,
            author=organizer,
            title=procedure.title,
            body="Stay calm. Walk street side.",
            change_note="Street side",
        )
    from logistics.tasks_procedures import tell_procedure_changed

    tell_procedure_changed.delay(institution.pk, version_id=procedure.current_id)  # a duplicate job

    key = f"procedure-changed:{procedure.current_id}:{reader.pk}"
    wait_for(lambda: Delivery.objects.filter(key=key, status=Delivery.Status.SENT).exists(), worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 2, worker)
    sent = messages_in(worker["mail_dir"])
    assert [message["To"] for message in sent] == ["mo@example.org"]
    assert Delivery.objects.filter(key__startswith="procedure-changed:").count() == 1
