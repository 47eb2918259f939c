"""Step 2: asking around. The outreach log records conversations members have in the community."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class OutreachEntry(models.Model):
    """One round of asking around: where, when, how many people, what they said, which needs came up."""

    class Channel(models.TextChoices):
        DOOR = "door", _("Door-knocking")
        STREET = "street", _("Market or street stall")
        MEETING = "meeting", _("At a meeting or event")
        PHONE = "phone", _("Phone or messages")
        OTHER = "other", _("Somewhere else")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    happened_on = models.DateField(_("when"), default=timezone.localdate)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices, default=Channel.DOOR)
    place = models.CharField(_("where"), max_length=200, blank=True, help_text=_("e.g. “Tower B, floors 3 to 6”."))
    people_count = models.PositiveIntegerField(
        _("people you talked to"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    notes = models.TextField(_("what people said"), max_length=5000, blank=True)
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="outreach", verbose_name=_("needs that came up")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "outreach entries"

    def __str__(self):
        return f"{self.happened_on} {self.channel} ({self.people_count})"
