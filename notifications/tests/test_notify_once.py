"""notify_once: recorded before sending, sent at most once per key, retried after a failure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import notify_once

TEMPLATE = "institutions/email/invitation"


def send(institution, key="k1", **extra):
    context = {
        "institution": institution,
        "invitation": type("I", (), {"expires_at": timezone.now()})(),
        "inviter": "Olga",
        "path": "/i/x/invite/abc/",
    }
    return notify_once(
        key=key,
        kind=Delivery.Kind.INVITATION,
        template=TEMPLATE,
        email="sam@example.org",
        institution=institution,
        context=context,
        **extra,
    )


def test_same_key_sends_once(institution, mailoutbox):
    first = send(institution)
    second = send(institution)
    assert first.pk == second.pk and second.status == Delivery.Status.SENT
    assert len(mailoutbox) == 1


def test_message_has_text_and_html_in_the_requested_language(institution, mailoutbox):
    send(institution, language="es")
    message = mailoutbox[0]
    assert message.alternatives and message.alternatives[0].mimetype == "text/html"
    assert Delivery.objects.get().language == "es"


def test_failed_send_is_retried_by_the_next_attempt(institution, mailoutbox, monkeypatch):
    from notifications import services

    real_send = services._send

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "_send", broken)
    with pytest.raises(OSError):
        send(institution)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "mail server down" in delivery.last_error

    monkeypatch.setattr(services, "_send", real_send)
    delivery = send(institution)
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(mailoutbox) == 1


def test_send_in_progress_elsewhere_is_not_repeated(institution, mailoutbox):
    Delivery.objects.create(
        key="k1",
        kind="invitation",
        email="sam@example.org",
        language="en",
        status=Delivery.Status.SENDING,
        claimed_at=timezone.now(),
    )
    assert send(institution).status == Delivery.Status.SENDING
    assert mailoutbox == []


def test_claim_lost_with_its_worker_is_taken_over(institution, mailoutbox):
    Delivery.objects.create(
        key="k1",
        kind="invitation",
        email="sam@example.org",
        language="en",
        status=Delivery.Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert send(institution).status == Delivery.Status.SENT
    assert len(mailoutbox) == 1
