"""The incident log: outside hostility the institution met, and what it changed to stay safe."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Incident(models.Model):
    class Kind(models.TextChoices):
        HOSTILE_MEDIA = "hostile_media", _("Hostile media or social media")
        COUNTER_PROTEST = "counter_protest", _("Counter-protest")
        POLICE = "police", _("Police presence")
        LOSS_OF_SUPPORT = "loss_of_support", _("Loss of support (a space, money, an ally)")
        OTHER = "other", _("Other")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what happened"), max_length=5000)
    safety_changes = models.TextField(_("what we changed to stay safe"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["institution", "happened_on"])]

    def __str__(self):
        return f"{self.kind} {self.happened_on}"
