"""The weekly health digest, sent on each institution's chosen weekday from its chosen local hour.

An hourly beat job finds the institutions whose digest time has come this week and queues one task
per institution. That task records the week's indicator statuses and sends each recipient their copy
through notifications.notify_once under the key (institution, week, recipient): a duplicated beat, a
retry, or a worker killed halfway and the job run again sends each copy once and skips nobody.
"""

from zoneinfo import ZoneInfo

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from institutions.models import Institution
from institutions.tenancy import tenant_task
from notifications.models import Delivery
from notifications.services import notify_once

from .digest import digest_for, in_language, recipients, record_week, week_of
from .models import EvaluationSettings


def digest_key(institution, week, user):
    return f"digest:{institution.pk}:{week.isoformat()}:{user.pk}"


def is_due(institution, settings, now):
    """The digest's weekday has come this week and its hour has passed (local time)."""
    local = timezone.localtime(now, ZoneInfo(institution.time_zone))
    return (local.weekday(), local.hour) >= (settings.digest_weekday, settings.digest_hour)


@shared_task
def send_weekly_digests():
    """Hourly: queue the digest of each institution whose time has come and which still has recipients
    without this week's copy. Cheap when there is nothing to do: one query per institution."""
    now = timezone.now()
    with scopes_disabled():  # a scan across institutions; each digest runs in its own scope
        chosen = {settings.institution_id: settings for settings in EvaluationSettings.objects.all()}
    queued = 0
    for institution in Institution.objects.order_by("pk"):
        settings = chosen.get(institution.pk) or EvaluationSettings(institution=institution)
        if not is_due(institution, settings, now):
            continue
        week = week_of(institution, now)
        prefix = f"digest:{institution.pk}:{week.isoformat()}:"
        finished = Delivery.objects.filter(
            key__startswith=prefix, status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED]
        ).count()
        if finished and finished >= len(recipients_of(institution)):
            continue
        send_digest.delay(institution.pk, week=week.isoformat())
        queued += 1
    return queued


def recipients_of(institution):
    from django_scopes import scope

    with scope(institution=institution):
        return recipients(institution)


@tenant_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5, acks_late=True)
def send_digest(institution, *, week):
    """Compute this week's digest and send each recipient's copy once."""
    digest = digest_for(institution)
    if digest.week.isoformat() != week:
        return 0  # queued last week and run only now: that week is over, this week's beat sends anew
    record_week(institution, digest)
    people = recipients(institution)
    done = set(
        Delivery.objects.filter(
            key__in=[digest_key(institution, digest.week, person) for person in people],
            status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED],
        ).values_list("key", flat=True)
    )
    path = reverse("evaluation:health", kwargs={"institution_slug": institution.slug})
    copies = {}  # one wording per language
    sent = 0
    for person in people:
        key = digest_key(institution, digest.week, person)
        if key in done:
            continue
        language = person.language or institution.default_language
        if language not in copies:
            copies[language] = in_language(digest, language)
        delivery = notify_once(
            key=key,
            kind=Delivery.Kind.DIGEST,
            template="evaluation/email/digest",
            recipient=person,
            institution=institution,
            language=language,
            context={
                "institution": institution,
                "digest": copies[language],
                "name": person.display_name,
                "path": path,
            },
        )
        sent += delivery.status == Delivery.Status.SENT
    return sent
