"""Member check-ins: a short private answer each period about how a member feels about the group."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class CheckIn(models.Model):
    """One member's check-in for one period (the period's first day names it). Visible to the member
    and to organizers; everyone else sees only aggregates without names."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    period_start = models.DateField()
    feel = models.PositiveSmallIntegerField(_("how do you feel about the group?"), validators=ONE_TO_FIVE)
    energy = models.PositiveSmallIntegerField(_("how is your energy?"), validators=ONE_TO_FIVE)
    hours = models.PositiveSmallIntegerField(
        _("hours you can give next month"), validators=[MaxValueValidator(744)], null=True, blank=True
    )
    rather_doing = models.TextField(_("what would you rather be doing?"), max_length=2000, blank=True)
    suggestion = models.TextField(_("anything we should change?"), max_length=2000, blank=True)
    wants_follow_up = models.BooleanField(_("I would like someone to follow up with me"), default=False)
    follow_up_task = models.OneToOneField(
        "logistics.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="check_in"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "member", "period_start"], name="check_in_once_per_period"),
        ]
        indexes = [models.Index(fields=["institution", "period_start"])]

    def __str__(self):
        return f"{self.member_id} {self.period_start}"
