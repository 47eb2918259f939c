"""The money ledger: writes (record, edit, void, approve or reject, pay back, categories) and reads
(balance and totals, income by source, lists, the CSV rows) of an institution's income and expenses.

Amounts are Decimal from the form to the page. The database adds them up in whole cents: SQLite keeps
decimals as binary floats, and integer cents add up exactly on SQLite and PostgreSQL alike.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Round, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dualpower import uploads
from institutions.models import AuditEntry, Membership
from institutions.services import audit_record

from .models import LedgerCategory, LedgerEntry, LedgerEntryVersion, LogisticsSettings
from .selectors import settings_for

Kind, Approval, Reimbursement = LedgerEntry.Kind, LedgerEntry.Approval, LedgerEntry.Reimbursement
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
EDITABLE_FIELDS = (
    "kind",
    "occurred_on",
    "amount",
    "category",
    "description",
    "source",
    "source_name",
    "paid_by",
)

AuditEntry.register_actions(
    {
        "ledger.recorded": gettext_lazy("%(actor)s recorded %(kind)s of %(amount)s: %(description)s"),
        "ledger.edited": gettext_lazy("%(actor)s edited the ledger entry “%(description)s”"),
        "ledger.voided": gettext_lazy("%(actor)s voided the ledger entry “%(description)s” (%(reason)s)"),
        "ledger.approved": gettext_lazy("%(actor)s approved the expense “%(description)s” (%(amount)s)"),
        "ledger.rejected": gettext_lazy("%(actor)s did not approve the expense “%(description)s” (%(amount)s)"),
        "ledger.reimbursed": gettext_lazy("%(actor)s marked “%(description)s” as paid back (%(amount)s)"),
    },
    value_labels={"kind": lambda value: Kind(value).label.lower() if value in Kind.values else value},
)


class LedgerConflict(ValidationError):
    """Someone changed the entry after the editor's page was loaded: saving would overwrite their change."""


# Who may do what -----------------------------------------------------------------------------------


def can_keep_ledger(membership):
    """Organizers record, edit, void, approve and pay back; every member reads the ledger."""
    return membership is not None and membership.is_organizer


def can_approve(membership, entry):
    """A second organizer, never the one who recorded the expense, decides on a pending one."""
    return (
        can_keep_ledger(membership)
        and entry.approval == Approval.PENDING
        and entry.voided_at is None
        and membership.user_id != entry.recorded_by_id
    )


def can_mark_paid_back(membership, entry):
    return can_keep_ledger(membership) and entry.reimbursement == Reimbursement.OWED and is_counted(entry)


def is_counted(entry):
    """Whether the entry counts in the balance and totals (mirrors LedgerEntry.COUNTED)."""
    return entry.voided_at is None and entry.approval in (Approval.NOT_NEEDED, Approval.APPROVED)


def needs_approval(options, kind, amount):
    """Expenses above the institution's threshold wait for a second organizer; income never does."""
    return kind == Kind.EXPENSE and amount > options.approval_threshold


# Checks ---------------------------------------------------------------------------------------------


def check_amount(amount):
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError(_("Write the amount as a number, e.g. 12.50."))
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero. Record money going out as an expense."))
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Use at most two decimal places for the amount (cents)."))
    if amount > MAX_AMOUNT:
        raise ValidationError(_("This amount is too large for the ledger."))


def _is_active_member(institution, user):
    return Membership.objects.filter(institution=institution, user=user, status=Membership.Status.ACTIVE).exists()


def _check(entry, *, category_changed=True):
    entry.description = entry.description.strip()
    entry.source_name = entry.source_name.strip()
    check_amount(entry.amount)
    if entry.kind not in Kind.values:
        raise ValidationError(_("Choose whether money came in or went out."))
    if not entry.description:
        raise ValidationError(_("Write what the money was for or where it came from."))
    category = entry.category
    if category is not None:
        if category.institution_id != entry.institution_id:
            raise ValidationError(_("Choose one of this institution's categories."))
        if category_changed and category.archived_at is not None:
            raise ValidationError(_("This category is archived: choose another one."))
    if entry.kind == Kind.INCOME:
        if entry.source not in LedgerEntry.Source.values:
            raise ValidationError(
                _("Say where the income came from: dues, a community donation, a grant, an organization…")
            )
        if entry.paid_by_id is not None:
            raise ValidationError(_("Only an expense can be paid by a member out of their own pocket."))
    else:
        entry.source, entry.source_name = "", ""
    if entry.paid_by_id is not None and not _is_active_member(entry.institution, entry.paid_by):
        raise ValidationError(_("The person who paid must be an active member of the institution."))
    today = timezone.localdate(timezone=ZoneInfo(entry.institution.time_zone))
    if entry.occurred_on > today:
        raise ValidationError(_("The date cannot be in the future: record money once it has moved."))
    entry.full_clean(exclude=["category", "recorded_by", "paid_by", "receipt", "approved_by", "reimbursed_by"])


def check_receipt(upload):
    """The content type the receipt's first bytes prove (a photo or a PDF), or ValidationError."""
    try:
        return uploads.proven_type(upload, max_bytes=settings.RECEIPT_MAX_BYTES)
    except uploads.UploadRefused as refused:
        raise ValidationError(str(refused)) from refused


def _store_receipt(entry, upload, content_type):
    entry.receipt_name = uploads.clean_file_name(upload.name)
    entry.receipt_type = content_type
    entry.receipt_size = upload.size
    entry.receipt.save(f"receipt{uploads.ACCEPTED_TYPES[content_type]}", File(upload), save=False)


def _forget_file(storage, name):
    if name:
        storage.delete(name)


# Writes ---------------------------------------------------------------------------------------------


def _audit(entry, actor, action, **data):
    audit_record(
        institution=entry.institution,
        actor=actor,
        action=action,
        entry=entry.pk,
        description=entry.description[:100],
        amount=f"{entry.amount} {settings_for(entry.institution).currency}",
        **data,
    )


def _ask_for_approval(entry):
    from .tasks_money import ask_for_approval

    ask_for_approval.enqueue(institution=entry.institution, entry_id=entry.pk, version=entry.version)


@transaction.atomic
def entry_record(
    *,
    institution,
    recorder,
    kind,
    occurred_on,
    amount,
    description,
    category=None,
    source="",
    source_name="",
    paid_by=None,
    receipt=None,
) -> LedgerEntry:
    """Write down money that came in or went out. An expense above the approval threshold waits for a
    second organizer; one a member paid out of pocket is owed back to them."""
    entry = LedgerEntry(
        institution=institution,
        recorded_by=recorder,
        kind=kind,
        occurred_on=occurred_on,
        amount=amount,
        description=description,
        category=category,
        source=source or "",
        source_name=source_name or "",
        paid_by=paid_by,
    )
    _check(entry)
    receipt_type = check_receipt(receipt) if receipt is not None else None
    waits = needs_approval(settings_for(institution), entry.kind, entry.amount)
    entry.approval = Approval.PENDING if waits else Approval.NOT_NEEDED
    entry.reimbursement = Reimbursement.OWED if paid_by is not None else Reimbursement.NONE
    if receipt is not None:
        _store_receipt(entry, receipt, receipt_type)
    try:
        entry.save()
        _audit(entry, recorder, "ledger.recorded", kind=entry.kind)
    except BaseException:
        _forget_file(entry.receipt.storage, entry.receipt.name)  # no row, so no file either
        raise
    if entry.approval == Approval.PENDING:
        _ask_for_approval(entry)
    return entry


def snapshot(entry):
    """The entry's values as JSON: amounts as exact strings, people and categories by id and name."""
    return {
        "kind": entry.kind,
        "occurred_on": entry.occurred_on.isoformat(),
        "amount": str(entry.amount),
        "category": entry.category_id,
        "category_name": entry.category.name if entry.category else "",
        "description": entry.description,
        "source": entry.source,
        "source_name": entry.source_name,
        "paid_by": entry.paid_by_id,
        "paid_by_name": entry.paid_by.display_name if entry.paid_by else "",
        "receipt_name": entry.receipt_name,
        "approval": entry.approval,
        "reimbursement": entry.reimbursement,
    }


def version_lines(values):
    """An earlier version's values as (label, text) pairs for people, in the reader's language."""
    kinds, sources = dict(Kind.choices), dict(LedgerEntry.Source.choices)
    approvals, paybacks = dict(Approval.choices), dict(Reimbursement.choices)
    lines = [
        (_("Money in or out"), kinds.get(values.get("kind"), values.get("kind"))),
        (_("Date"), values.get("occurred_on", "")),
        (_("Amount"), values.get("amount", "")),
        (_("Category"), values.get("category_name") or _("No category")),
        (_("What it was"), values.get("description", "")),
    ]
    if values.get("source"):
        source = sources.get(values["source"], values["source"])
        lines.append(
            (_("Where it came from"), f"{source} ({values['source_name']})" if values.get("source_name") else source)
        )
    if values.get("paid_by_name"):
        lines.append((_("Paid by a member"), values["paid_by_name"]))
    if values.get("receipt_name"):
        lines.append((_("Receipt"), values["receipt_name"]))
    lines.append((_("Approval"), approvals.get(values.get("approval"), values.get("approval"))))
    if values.get("reimbursement"):
        lines.append((_("Paying back"), paybacks.get(values["reimbursement"], values["reimbursement"])))
    return [(label, str(text)) for label, text in lines]


def _lock(entry):
    return (
        LedgerEntry.objects.with_scope(institution=entry.institution)
        .select_for_update(of=("self",))  # the entry's row only: category and payer may be missing
        .select_related("institution", "category", "paid_by")
        .get(pk=entry.pk)
    )


@transaction.atomic
def entry_update(*, entry, editor, base_version, receipt=None, **fields) -> LedgerEntry:
    """Change what an entry says, keeping the values it had as a LedgerEntryVersion.

    `base_version` is the version the editor's page showed: if the entry changed since, LedgerConflict
    is raised and nothing changes. A change of amount or kind that needs (new) approval puts the
    expense back to waiting; a receipt replaced is deleted once the change is committed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"entry_update() got unexpected fields {sorted(unknown)}")
    current = _lock(entry)
    if current.version != base_version:
        raise LedgerConflict(
            _(
                "Someone changed this entry while you were editing it. What you typed is still in the form: "
                "compare it with the entry as it is now, then save again."
            )
        )
    if current.voided_at is not None:
        raise ValidationError(_("This entry is voided: it can no longer be changed."))
    before = snapshot(current)
    old_kind, old_amount, old_category, old_paid_by = current.kind, current.amount, current.category, current.paid_by
    for name, value in fields.items():
        setattr(current, name, value)
    if current.paid_by_id != (old_paid_by.pk if old_paid_by else None):
        if current.reimbursement == Reimbursement.PAID:
            raise ValidationError(_("This expense was already paid back: who paid it can no longer change."))
        current.reimbursement = Reimbursement.OWED if current.paid_by_id else Reimbursement.NONE
    _check(current, category_changed=current.category != old_category)
    receipt_type = check_receipt(receipt) if receipt is not None else None
    if (current.kind, current.amount) != (old_kind, old_amount):
        if not needs_approval(settings_for(current.institution), current.kind, current.amount):
            if current.approval in (Approval.PENDING, Approval.REJECTED):
                current.approval = Approval.NOT_NEEDED
                current.approved_by, current.approved_at, current.approval_note = None, None, ""
        elif not (current.approval == Approval.APPROVED and current.kind == old_kind and current.amount <= old_amount):
            # An approval covers the amount approved: more (or money now going out) needs a new one.
            current.approval = Approval.PENDING
            current.approved_by, current.approved_at, current.approval_note = None, None, ""
    old_receipt = (current.receipt.storage, current.receipt.name)
    if receipt is not None:
        _store_receipt(current, receipt, receipt_type)
    after = snapshot(current)
    if after == before and receipt is None:
        return current
    try:
        LedgerEntryVersion.objects.with_scope(institution=current.institution).create(
            institution=current.institution,
            entry=current,
            number=current.version,
            values=before,
            edited_by=editor,
        )
        current.version += 1
        current.save()
        changed = sorted(name for name in after if after[name] != before[name])
        _audit(current, editor, "ledger.edited", changed=changed)
    except BaseException:
        if receipt is not None:
            _forget_file(current.receipt.storage, current.receipt.name)
        raise
    if receipt is not None and old_receipt[1]:
        transaction.on_commit(lambda: _forget_file(*old_receipt))
    if current.approval == Approval.PENDING and before["approval"] != Approval.PENDING:
        _ask_for_approval(current)
    return current


@transaction.atomic
def entry_void(*, entry, actor, reason) -> LedgerEntry:
    """Take an entry out of the books, with the reason; it stays listed, struck out, and never counts."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write why the entry is voided, e.g. “recorded twice”."))
    if len(reason) > 300:
        raise ValidationError(_("Keep the reason under 300 characters."))
    now = timezone.now()
    voided = LedgerEntry.objects.filter(pk=entry.pk, voided_at__isnull=True).update(
        voided_at=now, voided_by=actor, void_reason=reason
    )
    if not voided:
        raise ValidationError(_("This entry is already voided."))
    entry.voided_at, entry.voided_by, entry.void_reason = now, actor, reason
    _audit(entry, actor, "ledger.voided", reason=reason)
    return entry


def _decide(entry, organizer, note, base_version, decision, action):
    if not Membership.objects.filter(
        institution=entry.institution, user=organizer, role=Membership.Role.ORGANIZER, status=Membership.Status.ACTIVE
    ).exists():
        raise ValidationError(_("Only an organizer can approve expenses."))
    if organizer.pk == entry.recorded_by_id:
        raise ValidationError(
            _("You recorded this expense, so another organizer has to approve it: that is the point of a second look.")
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError(_("Keep the note under 300 characters."))
    now = timezone.now()
    pending = LedgerEntry.objects.filter(pk=entry.pk, approval=Approval.PENDING, voided_at__isnull=True)
    if base_version is not None:
        pending = pending.filter(version=base_version)
    # A conditional update: of two organizers deciding at once, one decides; the other is told.
    decided = pending.exclude(recorded_by=organizer).update(
        approval=decision, approved_by=organizer, approved_at=now, approval_note=note
    )
    if not decided:
        current = LedgerEntry.objects.filter(pk=entry.pk).values("approval", "version", "voided_at").first()
        if current and current["voided_at"] is not None:
            raise ValidationError(_("This entry was voided: there is nothing to approve."))
        if current and current["approval"] == Approval.PENDING:
            raise ValidationError(_("This expense changed since you opened it: check it again before deciding."))
        raise ValidationError(_("Another organizer already decided on this expense."))
    entry.approval, entry.approved_by, entry.approved_at, entry.approval_note = decision, organizer, now, note
    _audit(entry, organizer, action)
    return entry


@transaction.atomic
def entry_approve(*, entry, organizer, note="", base_version=None) -> LedgerEntry:
    """A second organizer approves a waiting expense: from now on it counts."""
    return _decide(entry, organizer, note, base_version, Approval.APPROVED, "ledger.approved")


@transaction.atomic
def entry_reject(*, entry, organizer, note="", base_version=None) -> LedgerEntry:
    """A second organizer does not approve a waiting expense: it stays listed and never counts."""
    return _decide(entry, organizer, note, base_version, Approval.REJECTED, "ledger.rejected")


@transaction.atomic
def reimbursement_mark_paid(*, entry, actor) -> LedgerEntry:
    """The member who paid out of pocket has been paid back."""
    if not is_counted(entry):
        raise ValidationError(_("Only a counted expense is paid back: approve it first (or it was voided)."))
    now = timezone.now()
    paid = LedgerEntry.objects.filter(LedgerEntry.COUNTED, pk=entry.pk, reimbursement=Reimbursement.OWED).update(
        reimbursement=Reimbursement.PAID, reimbursed_at=now, reimbursed_by=actor
    )
    if not paid:
        raise ValidationError(_("Nothing is owed on this entry: it was already paid back, or changed."))
    entry.reimbursement, entry.reimbursed_at, entry.reimbursed_by = Reimbursement.PAID, now, actor
    _audit(entry, actor, "ledger.reimbursed")
    return entry


# Categories -----------------------------------------------------------------------------------------


def _check_category_name(institution, name, *, exclude=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Write a name for the category, e.g. “printing” or “rent”."))
    if len(name) > 80:
        raise ValidationError(_("Keep the category name under 80 characters."))
    same = LedgerCategory.objects.filter(institution=institution, name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ValidationError(_("There is already a category called “%(name)s”.") % {"name": name})
    return name


@transaction.atomic
def category_create(*, institution, actor, name) -> LedgerCategory:
    name = _check_category_name(institution, name)
    return LedgerCategory.objects.create(institution=institution, name=name)


@transaction.atomic
def category_rename(*, category, actor, name) -> LedgerCategory:
    category.name = _check_category_name(category.institution, name, exclude=category)
    category.save(update_fields=["name"])
    return category


@transaction.atomic
def category_archive(*, category, actor, archived) -> LedgerCategory:
    """An archived category keeps its entries and totals but is no longer offered for new ones."""
    category.archived_at = timezone.now() if archived else None
    category.save(update_fields=["archived_at"])
    return category


@transaction.atomic
def category_delete(*, category, actor) -> None:
    """Only a category nothing was recorded under can go; one with entries is archived instead."""
    if LedgerEntry.objects.filter(category=category).exists():
        raise ValidationError(_("Money was recorded under this category, so it stays: archive it instead."))
    category.delete()


# Reads ----------------------------------------------------------------------------------------------

# The amount in whole cents, exact whatever the database keeps decimals as.
CENTS = Cast(Round(F("amount") * 100), BigIntegerField())
SIGNED_CENTS = Case(When(kind=Kind.INCOME, then=CENTS), default=-CENTS, output_field=BigIntegerField())


def _cents_sum(expression, **condition):
    zero = Value(0, output_field=BigIntegerField())
    total = Sum(expression, filter=Q(**condition)) if condition else Sum(expression)
    return Coalesce(total, zero, output_field=BigIntegerField())


def from_cents(cents):
    return Decimal(int(cents or 0)).scaleb(-2)


def get_entry_or_404(institution, pk):
    return get_object_or_404(
        LedgerEntry.objects.select_related(
            "institution", "category", "recorded_by", "approved_by", "paid_by", "reimbursed_by", "voided_by"
        ),
        institution=institution,
        pk=pk,
    )


def get_category_or_404(institution, pk):
    return get_object_or_404(LedgerCategory.objects.select_related("institution"), institution=institution, pk=pk)


def counted(institution):
    return LedgerEntry.objects.filter(LedgerEntry.COUNTED, institution=institution)


@dataclass
class Totals:
    income: Decimal
    expenses: Decimal

    @property
    def balance(self):
        return self.income - self.expenses


def totals(entries):
    """Income and expenses of the (already counted) entries, exact, in one query."""
    sums = entries.aggregate(income=_cents_sum(CENTS, kind=Kind.INCOME), expenses=_cents_sum(CENTS, kind=Kind.EXPENSE))
    return Totals(income=from_cents(sums["income"]), expenses=from_cents(sums["expenses"]))


def balance(institution):
    """Counted income minus counted expenses."""
    return totals(counted(institution)).balance


@dataclass
class Row:
    label: str
    income: Decimal
    expenses: Decimal

    @property
    def net(self):
        return self.income - self.expenses


def _income_and_expenses(entries, *group_by):
    return entries.values(*group_by).annotate(
        income=_cents_sum(CENTS, kind=Kind.INCOME), expenses=_cents_sum(CENTS, kind=Kind.EXPENSE)
    )


def totals_by_category(institution):
    """Income and expenses per category (uncategorised last), biggest movement first. One query."""
    grouped = _income_and_expenses(counted(institution), "category", "category__name").order_by()
    rows = [
        Row(values["category__name"] or "", from_cents(values["income"]), from_cents(values["expenses"]))
        for values in grouped
    ]
    rows.sort(key=lambda row: (row.label == "", -(row.income + row.expenses), row.label.lower()))
    return rows


@dataclass
class Month:
    month: date
    income: Decimal
    expenses: Decimal

    @property
    def net(self):
        return self.income - self.expenses


def totals_by_month(institution, months=12):
    """Income and expenses of the last `months` months that had counted entries, newest first. One query."""
    grouped = (
        _income_and_expenses(counted(institution).annotate(month=TruncMonth("occurred_on")), "month")
        .order_by("-month")
        .values_list("month", "income", "expenses")[:months]
    )
    return [Month(month, from_cents(income), from_cents(expenses)) for month, income, expenses in grouped]


@dataclass
class SourceShare:
    source: str
    label: str
    total: Decimal
    # Of all counted income in the period, 0 to 1 (exact Decimal, four places).
    share: Decimal

    @property
    def percent(self):
        return (self.share * 100).quantize(Decimal("0.1"))


@dataclass
class IncomeBySource:
    total: Decimal
    rows: list

    def share_of(self, *sources):
        """The part of all income that came from these sources, 0 to 1."""
        return sum((row.share for row in self.rows if row.source in sources), Decimal(0))


def income_by_source(institution, since=None):
    """Counted income per source type (member dues, community donations, grants, outside organizations…)
    since the given date (inclusive), biggest first, with each one's share of the total. Follow-through
    reads the institution's independence from it. One query."""
    income = counted(institution).filter(kind=Kind.INCOME)
    if since is not None:
        income = income.filter(occurred_on__gte=since)
    grouped = income.values("source").annotate(cents=_cents_sum(CENTS)).order_by()
    cents = {row["source"]: int(row["cents"]) for row in grouped}
    total = sum(cents.values())
    labels = dict(LedgerEntry.Source.choices)
    rows = [
        SourceShare(
            source=source,
            label=str(labels.get(source, source)),
            total=from_cents(amount),
            share=(Decimal(amount) / Decimal(total)).quantize(Decimal("0.0001")) if total else Decimal(0),
        )
        for source, amount in cents.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.label))
    return IncomeBySource(total=from_cents(total), rows=rows)


STATUSES = ("counted", "pending", "rejected", "voided")


def ledger_entries(institution, *, month=None, category=None, kind=None, status=None):
    """The entries, newest first, filtered by month (a date in it), category, kind and status."""
    entries = LedgerEntry.objects.filter(institution=institution).select_related("category", "paid_by")
    if month is not None:
        start = month.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
        entries = entries.filter(occurred_on__gte=start, occurred_on__lt=end)
    if category is not None:
        entries = entries.filter(category=category)
    if kind:
        entries = entries.filter(kind=kind)
    if status == "counted":
        entries = entries.filter(LedgerEntry.COUNTED)
    elif status == "pending":
        entries = entries.filter(approval=Approval.PENDING, voided_at__isnull=True)
    elif status == "rejected":
        entries = entries.filter(approval=Approval.REJECTED, voided_at__isnull=True)
    elif status == "voided":
        entries = entries.filter(voided_at__isnull=False)
    return entries


def waiting_for_approval(institution, limit=20):
    """Expenses waiting for a second organizer, oldest first (one query)."""
    return (
        LedgerEntry.objects.filter(institution=institution, approval=Approval.PENDING, voided_at__isnull=True)
        .select_related("recorded_by", "category", "institution__logistics_settings")
        .order_by("recorded_at", "pk")[:limit]
    )


def currency_of(entry):
    """The currency of the entry's institution, without a query when the entry was read with
    `institution__logistics_settings` (as `waiting_for_approval` reads them)."""
    try:
        return entry.institution.logistics_settings.currency
    except LogisticsSettings.DoesNotExist:
        return LogisticsSettings(institution=entry.institution).currency


def owed_reimbursements(institution):
    """Counted expenses members paid out of pocket and are still owed, oldest first, with who is owed how
    much in all (two queries whatever the size)."""
    owed = LedgerEntry.objects.filter(LedgerEntry.COUNTED, institution=institution, reimbursement=Reimbursement.OWED)
    entries = owed.select_related("paid_by", "category").order_by("occurred_on", "pk")
    per_person = (
        owed.values("paid_by", "paid_by__name", "paid_by__email")
        .annotate(cents=_cents_sum(CENTS), entries=Count("pk"))
        .order_by("-cents", "paid_by")
    )
    return entries, [
        {
            "name": row["paid_by__name"] or (row["paid_by__email"] or "").split("@", 1)[0],
            "total": from_cents(row["cents"]),
            "entries": row["entries"],
        }
        for row in per_person
    ]


def months_with_entries(institution, limit=36):
    """The months that have entries, newest first, for the filter (one query)."""
    return list(
        LedgerEntry.objects.filter(institution=institution)
        .annotate(month=TruncMonth("occurred_on"))
        .values_list("month", flat=True)
        .order_by("-month")
        .distinct()[:limit]
    )


def status_of(entry):
    """One word for the entry's standing, as the CSV and the pages say it."""
    if entry.voided_at is not None:
        return "voided"
    if entry.approval == Approval.PENDING:
        return "pending"
    if entry.approval == Approval.REJECTED:
        return "rejected"
    return "counted"


def csv_rows(institution, *, chunk_size=1000):
    """The header, then one row per entry (voided and waiting ones too, with their status), oldest first.
    Amounts are plain decimals with the currency beside them; text cells are safe from spreadsheet
    formulas. Reads the entries in chunks so memory stays flat."""
    from needs.results import csv_safe

    currency = settings_for(institution).currency
    yield [
        "id",
        "date",
        "kind",
        "amount",
        "currency",
        "category",
        "description",
        "source",
        "source organization",
        "status",
        "approval",
        "recorded by",
        "approved by",
        "paid by member",
        "reimbursement",
        "receipt",
        "void reason",
        "version",
    ]
    entries = (
        LedgerEntry.objects.filter(institution=institution)
        .select_related("category", "recorded_by", "approved_by", "paid_by")
        .order_by("occurred_on", "pk")
    )
    for entry in entries.iterator(chunk_size=chunk_size):
        yield [
            entry.pk,
            entry.occurred_on.isoformat(),
            entry.kind,
            entry.amount,
            currency,
            csv_safe(entry.category.name if entry.category else ""),
            csv_safe(entry.description),
            entry.source,
            csv_safe(entry.source_name),
            status_of(entry),
            entry.approval,
            csv_safe(entry.recorded_by.display_name if entry.recorded_by else ""),
            csv_safe(entry.approved_by.display_name if entry.approved_by else ""),
            csv_safe(entry.paid_by.display_name if entry.paid_by else ""),
            entry.reimbursement,
            csv_safe(entry.receipt_name),
            csv_safe(entry.void_reason),
            entry.version,
        ]
