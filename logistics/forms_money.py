"""Forms of the money ledger: an entry (new or edited), a decision on an expense, voiding, categories
and the filters of the list."""

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dualpower.uploads import ACCEPTED_TYPES
from meetings.forms import members_field

from .models import LedgerCategory, LedgerEntry
from .money import MAX_AMOUNT, STATUSES

AMOUNT_ERRORS = {
    "required": _("Write the amount, e.g. 12.50."),
    "invalid": _("Write the amount as a number, e.g. 12.50 (a point before the cents, no currency sign)."),
    "min_value": _("The amount must be more than zero."),
    "max_value": _("This amount is too large for the ledger."),
    "max_decimal_places": _("Use at most two decimal places for the amount (cents)."),
    "max_digits": _("This amount is too large for the ledger."),
    "max_whole_digits": _("This amount is too large for the ledger."),
}


class EntryForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        error_messages=AMOUNT_ERRORS,
    )
    # Declared here: a scoped model's queryset cannot be read when the class is built.
    category = forms.ModelChoiceField(
        queryset=LedgerCategory.objects.none(), required=False, label=_("Category"), empty_label=_("No category")
    )
    receipt_file = forms.FileField(label=_("Receipt"), required=False)
    # The version the page showed: an edit over a newer one is refused, not lost.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LedgerEntry
        fields = ["kind", "occurred_on", "amount", "category", "description", "source", "source_name"]
        widgets = {
            "kind": forms.RadioSelect,
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "kind": {"required": _("Choose whether money came in or went out.")},
            "occurred_on": {"required": _("Write the date the money moved."), "invalid": _("Write a real date.")},
            "description": {"required": _("Write what the money was for or where it came from.")},
        }

    def __init__(self, *args, institution, currency, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.category_id if self.instance.pk else None
        # Archived categories are not offered, except the one the entry already has.
        self.fields["category"].queryset = LedgerCategory.objects.filter(
            Q(archived_at__isnull=True) | Q(pk=current), institution=institution
        )
        self.fields["kind"].choices = LedgerEntry.Kind.choices
        self.fields["amount"].help_text = _("In %(currency)s, e.g. 12.50.") % {"currency": currency}
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["source"].label = _("Where the income came from")
        self.fields["source"].help_text = _("For income only. Shows how much of the money comes from the community.")
        self.fields["source"].choices = [("", _("Not income")), *LedgerEntry.Source.choices]
        self.fields["description"].widget.attrs["maxlength"] = 300
        self.fields["paid_by"] = members_field(institution, _("Paid by a member out of their own pocket"))
        self.fields["paid_by"].empty_label = _("Nobody: the institution paid")
        self.fields["paid_by"].help_text = _("For expenses only: they are owed this money until it is paid back.")
        if self.instance.pk:
            self.fields["paid_by"].initial = self.instance.paid_by_id
        limit_mb = f"{settings.RECEIPT_MAX_BYTES / 1_000_000:g}"
        self.fields["receipt_file"].help_text = _(
            "Optional: a photo (JPEG, PNG, WebP or GIF) or a PDF, up to %(limit)s MB. Members can see it; the "
            "public page never shows it."
        ) % {"limit": limit_mb}
        self.fields["receipt_file"].widget.attrs["accept"] = ",".join(ACCEPTED_TYPES)
        if self.instance.pk and self.instance.receipt_name:
            self.fields["receipt_file"].label = _("Replace the receipt")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == LedgerEntry.Kind.INCOME:
            if not cleaned.get("source"):
                self.add_error("source", _("Say where the income came from."))
            if cleaned.get("paid_by"):
                self.add_error("paid_by", _("Only an expense can be paid by a member out of their own pocket."))
        elif kind == LedgerEntry.Kind.EXPENSE:
            cleaned["source"], cleaned["source_name"] = "", ""
        return cleaned

    def entry_fields(self):
        names = ["kind", "occurred_on", "amount", "category", "description", "source", "source_name", "paid_by"]
        return {name: self.cleaned_data[name] for name in names}


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("Keep the note under 300 characters.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is voided"),
        max_length=300,
        help_text=_("e.g. “recorded twice” or “the purchase was returned”."),
        error_messages={
            "required": _("Write why the entry is voided, e.g. “recorded twice”."),
            "max_length": _("Keep the reason under 300 characters."),
        },
    )


class CategoryForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        error_messages={
            "required": _("Write a name for the category, e.g. “printing” or “rent”."),
            "max_length": _("Keep the category name under 80 characters."),
        },
    )


class LedgerFilterForm(forms.Form):
    """The list's filters, read from the query string; anything unreadable is simply not applied."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    category = forms.ModelChoiceField(
        queryset=LedgerCategory.objects.none(), required=False, label=_("Category"), empty_label=_("All categories")
    )
    kind = forms.ChoiceField(label=_("In or out"), required=False, choices=[("", _("Both")), *LedgerEntry.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, institution, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = LedgerCategory.objects.filter(institution=institution)
        self.fields["month"].choices = [("", _("All months"))] + [
            (month.strftime("%Y-%m"), month.strftime("%Y-%m")) for month in months
        ]
        labels = {
            "counted": _("Counted"),
            "pending": _("Waiting for approval"),
            "rejected": _("Not approved"),
            "voided": _("Voided"),
        }
        self.fields["status"].choices = [("", _("Any status")), *((value, labels[value]) for value in STATUSES)]

    def filters(self):
        """The valid filters as keyword arguments for `ledger_entries` (invalid ones are dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        month = data.get("month")
        return {
            "month": date.fromisoformat(f"{month}-01") if month else None,
            "category": data.get("category"),
            "kind": data.get("kind") or None,
            "status": data.get("status") or None,
        }
