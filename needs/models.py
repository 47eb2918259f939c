"""Step 1: the needs an institution has identified, with the evidence behind each."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Need(models.Model):
    """Something going unmet in the community that the institution might work on."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        FOCUS = "focus", _("Chosen focus")
        IN_PROGRESS = "in_progress", _("Being worked on")
        MET = "met", _("Met")
        SET_ASIDE = "set_aside", _("Set aside")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(
        _("need"), max_length=200, help_text=_("In a few words, e.g. “food runs out before payday”.")
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    evidence = models.TextField(
        _("evidence"),
        max_length=5000,
        blank=True,
        help_text=_("What shows this need is real: what people said, numbers, where you heard it."),
    )
    people_count = models.PositiveIntegerField(
        _("people who raised it"), default=0, help_text=_("How many people named this need, as far as you know.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    focus_chosen_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-people_count", "title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("needs:detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})
