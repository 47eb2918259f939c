"""Which sections the institution shows on its public page. Every section is off until organizers
turn it on; nothing private can be shown whatever is on."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class PublicPage(models.Model):
    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, primary_key=True, related_name="public_page"
    )
    show_meetings = models.BooleanField(_("upcoming public meetings, with RSVP"), default=False)
    show_surveys = models.BooleanField(_("open surveys and consultation rounds"), default=False)
    show_decisions = models.BooleanField(_("decisions taken, with their results"), default=False)
    show_minutes = models.BooleanField(_("published minutes"), default=False)
    show_money = models.BooleanField(_("the money summary (when the ledger is public)"), default=False)
    show_self_evaluation = models.BooleanField(_("the latest self-evaluation summary"), default=False)
    show_goals = models.BooleanField(_("our goals and the milestones reached"), default=False)

    objects = ScopedManager(institution="institution")

    def __str__(self):
        return f"public page {self.institution_id}"
