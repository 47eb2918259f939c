"""Supplies the institution needs and the spaces it uses, with bookings that cannot overlap."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class SupplyItem(models.Model):
    """Something the institution needs on hand (markers, posterboard, food), how many, and who is
    getting more by when."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("item"), max_length=120, help_text=_("e.g. “Posterboard” or “Rice (5 kg bags)”."))
    unit = models.CharField(_("counted in"), max_length=40, blank=True, help_text=_("e.g. “boxes”. Optional."))
    needed = models.PositiveIntegerField(_("how many we need"), default=0)
    on_hand = models.PositiveIntegerField(_("how many we have"), default=0)
    low_at = models.PositiveIntegerField(
        _("warn when we have this many or fewer"),
        null=True,
        blank=True,
        help_text=_("Leave empty to warn only when we have fewer than we need."),
    )
    getter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who is getting more"),
    )
    get_by = models.DateField(_("by when"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="supply_item_unique_name")]

    def __str__(self):
        return self.name

    @property
    def shortfall(self):
        return max(self.needed - self.on_hand, 0)

    @property
    def is_low(self):
        return self.on_hand < self.needed or (self.low_at is not None and self.on_hand <= self.low_at)

    @classmethod
    def low_condition(cls):
        """The same rule as `is_low`, for the database."""
        return Q(on_hand__lt=F("needed")) | Q(low_at__isnull=False, on_hand__lte=F("low_at"))


class Space(models.Model):
    """A room or storage the institution uses. How to get in is for members only."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Meeting room")
        STORAGE = "storage", _("Storage")
        OTHER = "other", _("Other")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROOM)
    address = models.CharField(_("where it is"), max_length=300, blank=True)
    access_details = models.TextField(
        _("how to get in"),
        max_length=2000,
        blank=True,
        help_text=_("Key holder, door code, who to call. Only members see this."),
    )
    capacity = models.PositiveIntegerField(_("how many people fit"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="space_unique_name")]

    def __str__(self):
        return self.name


class SpaceBooking(models.Model):
    """A space held for a time. Two bookings of one space never overlap: the database refuses it (an
    exclusion constraint on PostgreSQL, triggers on SQLite; see migration 0004)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    purpose = models.CharField(_("what for"), max_length=200)
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="space_booking_ends_after_start"),
        ]
        indexes = [models.Index(fields=["space", "starts_at"])]

    def __str__(self):
        return f"{self.space_id} {self.starts_at:%Y-%m-%d %H:%M}"
