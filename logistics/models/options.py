"""What each institution sets for its logistics: money's currency and approval threshold, how close to
a shift a cancellation counts as late, and whether the community may see the money."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class LogisticsSettings(models.Model):
    institution = models.OneToOneField(
        "institutions.Institution", on_delete=models.CASCADE, primary_key=True, related_name="logistics_settings"
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use the three-letter code of the currency, e.g. USD or MXN."))],
        help_text=_("The three-letter code, e.g. USD, EUR or MXN."),
    )
    approval_threshold = models.DecimalField(
        _("expenses above this need a second organizer's approval"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    late_cancel_hours = models.PositiveSmallIntegerField(
        _("a cancellation is late within this many hours of the shift"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    ledger_public = models.BooleanField(
        _("show the money to the community"),
        default=False,
        help_text=_("A public page with totals and each line, without members' names."),
    )

    objects = ScopedManager(institution="institution")

    def __str__(self):
        return f"logistics settings {self.institution_id}"
