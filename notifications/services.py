"""Every e-mail the app sends goes through here.

`notify_once` is for mail caused by something in an institution (invitations, and later
reminders, results and digests): it records a Delivery under a unique key, claims it with a
conditional update, then sends. `send_account_mail` is for allauth's account mail
(verification, codes, password reset), which must be sent every time it is asked for.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Delivery, MailPreference

UNSUBSCRIBE_SALT = "dualpower.notifications.unsubscribe"
OPTIONAL_KINDS = set(MailPreference.Kind.values)


def wanted_by_default(kind, *, is_organizer):
    """Without a choice of their own, everyone gets every optional kind except the weekly health
    digest, which organizers get and members ask for."""
    return is_organizer if kind == MailPreference.Kind.DIGEST else True


def wants_mail(user, institution, kind):
    if kind not in OPTIONAL_KINDS:
        return True
    choice = MailPreference.objects.filter(user=user, institution=institution, kind=kind).values_list(
        "enabled", flat=True
    )
    for enabled in choice:
        return enabled
    from institutions.models import Membership

    is_organizer = Membership.objects.filter(
        institution=institution, user=user, status=Membership.Status.ACTIVE, role=Membership.Role.ORGANIZER
    ).exists()
    return wanted_by_default(kind, is_organizer=is_organizer)


def mail_preference_set(*, user, institution, kind, enabled):
    MailPreference.objects.update_or_create(
        user=user, institution=institution, kind=kind, defaults={"enabled": enabled}
    )


def unsubscribe_token(user, institution, kind):
    return signing.dumps({"u": user.pk, "i": institution.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_target(token):
    """(user_id, institution_id, kind) from a token, or None if it was tampered with."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), int(data["i"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


logger = logging.getLogger(__name__)

# A delivery claimed longer ago than this was lost with its worker and may be claimed again.
STALE_CLAIM = timedelta(minutes=10)


def render_message(*, template, context, language):
    """Render `<template>_subject.txt`, `<template>.txt` and `<template>.html` in `language`."""
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return subject, text, html


def _send(*, email, subject, text, html, headers=None, attachments=()):
    message = EmailMultiAlternatives(subject=subject, body=text, to=[email], headers=headers or {})
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


def notify_once(
    *, key, kind, template, context, email=None, recipient=None, institution=None, language=None, attachments=()
) -> Delivery:
    """Send one e-mail at most once for `key`; safe to call again after any failure.

    `attachments` are (filename, content, mimetype) triples, e.g. a calendar file.
    """
    email = email or recipient.email
    language = language or getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            delivery, _created = Delivery.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "email": email,
                    "recipient": recipient,
                    "institution": institution,
                    "language": language,
                },
            )
    except IntegrityError:
        delivery = Delivery.objects.get(key=key)

    now = timezone.now()
    claimable = Q(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=delivery.attempts + 1
    )
    if not claimed:
        delivery.refresh_from_db()
        return delivery  # sent already, or another worker is sending it right now

    headers = {}
    if kind in OPTIONAL_KINDS and recipient is not None and institution is not None:
        if not wants_mail(recipient, institution, kind):
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
            delivery.refresh_from_db()
            return delivery
        path = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(recipient, institution, kind)})
        unsubscribe_url = settings.SITE_URL + path
        context = {
            **context,
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        }
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject, text, html = render_message(template=template, context=context, language=language)
    try:
        _send(email=email, subject=subject, text=text, html=html, headers=headers, attachments=attachments)
    except Exception as error:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=str(error)[:2000])
        raise
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), subject=subject[:300]
    )
    delivery.refresh_from_db()
    return delivery


def send_account_mail(*, message, recipient=None, language=None) -> Delivery:
    """Send account mail now and record it. The person asked for it (a code, a reset link), so
    every request is sent; there is no deduplication key to honour."""
    delivery = Delivery.objects.create(
        key=f"account:{uuid.uuid4()}",
        kind=Delivery.Kind.ACCOUNT,
        email=message.to[0],
        recipient=recipient,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        subject=str(message.subject)[:300],
        status=Delivery.Status.SENDING,
        attempts=1,
        claimed_at=timezone.now(),
    )
    try:
        message.send()
    except Exception as error:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=str(error)[:2000])
        raise
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
    return delivery
