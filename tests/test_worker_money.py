"""The ledger's approval mail on a real Celery worker process: an expense above the threshold is
announced once to each other organizer, even when the job is delivered twice. (Worker, broker and
mail folder: see test_worker.py.)"""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from logistics import money
from notifications.models import Delivery
from tests.factories import InstitutionFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.test_worker import messages_in, wait_for, worker  # noqa: F401  (worker is a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_asks_each_other_organizer_once_to_approve_an_expense(worker):  # noqa: F811
    institution = InstitutionFactory()
    recorder = OrganizerFactory(institution=institution, user=UserFactory(email="olga@example.org")).user
    OrganizerFactory(institution=institution, user=UserFactory(email="sam@example.org"))
    MembershipFactory(institution=institution, user=UserFactory(email="mo@example.org"))
    with scope(institution=institution):
        entry = money.entry_record(
            institution=institution,
            recorder=recorder,
            kind="expense",
            occurred_on=date.today(),
            amount=Decimal("180.00"),
            description="Folding tables",
        )  # queues the job on commit (no test transaction here)
    assert entry.approval == "pending"
    from logistics.tasks_money import ask_for_approval

    ask_for_approval.delay(institution.pk, entry_id=entry.pk, version=entry.version)  # delivered twice
    wait_for(lambda: Delivery.objects.filter(key__startswith="ledger-approval:", status="sent").count() == 1, worker)
    wait_for(lambda: worker["log"].read_text().count("succeeded") >= 2, worker)
    assert [message["To"] for message in messages_in(worker["mail_dir"])] == ["sam@example.org"]
