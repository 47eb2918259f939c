"""Daily: a month before an organizer's term ends, each organizer is e-mailed once to hold a new election
through a proposal. Sends go through notifications.notify_once under a key naming the term and the
person, and the term is marked reminded, so running again sends nothing."""

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from institutions.models import Membership
from notifications.models import Delivery
from notifications.services import notify_once

from .governance import terms_ending_soon
from .models import OrganizerTerm


def term_ending_key(term, person):
    return f"organizer-term-ending:{term.pk}:{person.pk}"


@shared_task(name="followthrough.tasks_governance.send_term_end_reminders")
def send_term_end_reminders():
    """Remind the organizers of every term ending within 30 days. Idempotent."""
    sent = 0
    with scopes_disabled():
        terms = list(terms_ending_soon())
    for term in terms:
        institution = term.institution
        with scope(institution=institution):
            organizers = Membership.objects.filter(
                institution=institution, status=Membership.Status.ACTIVE, role=Membership.Role.ORGANIZER
            ).select_related("user")
            path = reverse("decisions:new", kwargs={"institution_slug": institution.slug})
            for membership in organizers:
                person = membership.user
                delivery = notify_once(
                    key=term_ending_key(term, person),
                    kind=Delivery.Kind.REMINDER,
                    template="followthrough/governance/email/term_ending",
                    recipient=person,
                    institution=institution,
                    context={
                        "institution": institution,
                        "name": person.display_name,
                        "organizer": term.member.display_name,
                        "ends_on": term.ends_on,
                        "path": path,
                    },
                )
                sent += delivery.status == Delivery.Status.SENT
            OrganizerTerm.objects.filter(pk=term.pk).update(reminded_at=timezone.now())
    return sent
