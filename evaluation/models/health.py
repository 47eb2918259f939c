"""Evaluation settings (check-in rhythm, digest day and hour) and each week's indicator statuses, so
the digest can say which ones changed."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class EvaluationSettings(models.Model):
    class Rhythm(models.TextChoices):
        MONTHLY = "monthly", _("Every month")
        QUARTERLY = "quarterly", _("Every three months")
        OFF = "off", _("No check-ins")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, primary_key=True, related_name="evaluation_settings"
    )
    check_in_rhythm = models.CharField(
        _("member check-ins"), max_length=10, choices=Rhythm.choices, default=Rhythm.MONTHLY
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly health digest on"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("at (hour, local time)"), default=8, validators=[MaxValueValidator(23)]
    )

    objects = ScopedManager(institution="institution")

    def __str__(self):
        return f"evaluation settings {self.institution_id}"


class HealthStatus(models.Model):
    """An indicator's status in one week (the week's Monday), recorded when the digest is computed."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    indicator = models.CharField(max_length=40)
    status = models.CharField(max_length=10)
    value = models.CharField(max_length=100, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-week", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "week", "indicator"], name="health_status_once_a_week")
        ]

    def __str__(self):
        return f"{self.indicator} {self.week} {self.status}"
