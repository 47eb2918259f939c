"""Role rotation (organizer terms with an end date) and the yearly independence self-check."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class OrganizerTerm(models.Model):
    """A member's term as organizer. Near its end, the institution is reminded to hold a new election
    through a proposal."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    election = models.ForeignKey(
        "decisions.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the proposal that elected them"),
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-ends_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start")
        ]

    def __str__(self):
        return f"term {self.member_id} {self.starts_on}–{self.ends_on}"


class IndependenceCheck(models.Model):
    """The yearly self-check: is anyone outside the community steering us? Answers by the organizers
    (or the assembly) with notes."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    done_on = models.DateField(_("date"))
    answers = models.JSONField(default=dict)  # question key -> {"answer": "yes"|"no"|"unsure", "note": str}
    summary = models.TextField(_("what we concluded"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-done_on", "-pk"]

    def __str__(self):
        return f"independence check {self.done_on}"
