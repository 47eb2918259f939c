"""The money ledger: income and expenses in the institution's currency, approvals, reimbursements,
and every edit's earlier values."""

import secrets
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class LedgerCategory(models.Model):
    """What money is for or from ("rent", "food", "printing", "dues"), for totals."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("category"), max_length=80)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="ledger_category_unique_name")]

    def __str__(self):
        return self.name


def receipt_path(entry, filename):
    # The stored name is random; the uploaded name is kept only as text, for the download.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"receipts/{entry.institution_id}/{secrets.token_urlsafe(18)}{suffix}"


# RESTRICT, not PROTECT, on links inside the institution: a row still in use cannot be deleted on its own,
# yet deleting the whole institution (everything cascades from it) is allowed.


class LedgerEntry(models.Model):
    """One movement of money. Amounts are Decimal, always positive; `kind` says which way it went.
    Entries are voided, never deleted; each edit keeps the earlier values in LedgerEntryVersion."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Source(models.TextChoices):
        # Where income comes from: follow-through measures the institution's independence by it.
        MEMBER_DUES = "member_dues", _("Member dues")
        COMMUNITY_DONATION = "community_donation", _("Community donation")
        GRANT = "grant", _("Grant")
        OUTSIDE_ORGANIZATION = "outside_organization", _("Outside organization")
        SALES = "sales", _("Sales and events")
        OTHER = "other", _("Other")

    class Approval(models.TextChoices):
        NOT_NEEDED = "not_needed", _("No approval needed")
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    class Reimbursement(models.TextChoices):
        NONE = "", _("Not paid by a member")
        OWED = "owed", _("To pay back")
        PAID = "paid", _("Paid back")

    # Entries that count in the balance and totals.
    COUNTED = Q(voided_at__isnull=True) & Q(approval__in=[Approval.NOT_NEEDED, Approval.APPROVED])

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("money in or out"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    category = models.ForeignKey(
        LedgerCategory,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("category"),
    )
    description = models.CharField(
        _("what it was"),
        max_length=300,
        help_text=_("Shown on the public money page if you enable it: no names or personal details."),
    )
    source = models.CharField(_("where it came from"), max_length=30, choices=Source.choices, blank=True)
    source_name = models.CharField(
        _("which organization"),
        max_length=200,
        blank=True,
        help_text=_("For grants and outside organizations: who gave it."),
    )
    receipt = models.FileField(_("receipt"), upload_to=receipt_path, max_length=200, blank=True)
    receipt_name = models.CharField(max_length=200, blank=True)
    receipt_type = models.CharField(max_length=100, blank=True)
    receipt_size = models.PositiveBigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    approval = models.CharField(max_length=12, choices=Approval.choices, default=Approval.NOT_NEEDED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.CharField(max_length=300, blank=True)
    # A member who paid out of their own pocket, and whether they have been paid back.
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paid by a member"),
    )
    reimbursement = models.CharField(max_length=10, choices=Reimbursement.choices, blank=True)
    reimbursed_at = models.DateTimeField(null=True, blank=True)
    reimbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)
    # Bumped by each edit: an edit made from an older copy is refused rather than lost.
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(condition=Q(kind="income") | Q(source=""), name="ledger_source_only_for_income"),
        ]
        indexes = [
            models.Index(fields=["institution", "occurred_on"]),
            models.Index(fields=["institution", "approval"]),
        ]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return reverse("logistics:ledger_entry", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    @property
    def signed_amount(self):
        return self.amount if self.kind == self.Kind.INCOME else -self.amount


class LedgerEntryVersion(models.Model):
    """The values an entry had before an edit (amounts as strings, exact), who changed them and when."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    values = models.JSONField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="ledger_version_unique")]

    def __str__(self):
        return f"{self.entry_id} v{self.number}"
