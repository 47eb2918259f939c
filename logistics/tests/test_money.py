"""The money ledger: recording, approval by a second organizer, edits with history, voiding, paying
members back, exact totals, receipts recognised by content, the pages, the CSV and the public page."""

import csv
import io
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import RestrictedError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from institutions.models import AuditEntry
from logistics import money
from logistics.demo_money import seed_ledger
from logistics.models import LedgerCategory, LedgerEntry, LedgerEntryVersion, LogisticsSettings
from logistics.tasks_money import ask_for_approval
from notifications.models import Delivery
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
D = Decimal
Kind, Approval = LedgerEntry.Kind, LedgerEntry.Approval


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Receipts go to a folder of the test's own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


@pytest.fixture
def second_organizer(institution):
    return OrganizerFactory(institution=institution, user=UserFactory(email="sam@example.org", name="Sam")).user


def url(name, institution, **kwargs):
    return reverse(f"logistics:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


def record(institution, recorder, amount, kind=Kind.EXPENSE, **fields):
    defaults = {"occurred_on": timezone.localdate(), "description": "Printing flyers"}
    if kind == Kind.INCOME:
        defaults["source"] = LedgerEntry.Source.MEMBER_DUES
    return money.entry_record(
        institution=institution, recorder=recorder, kind=kind, amount=D(amount), **{**defaults, **fields}
    )


def edit(entry, editor, **fields):
    entry = LedgerEntry.objects.select_related("institution").get(pk=entry.pk)
    values = {name: getattr(entry, name) for name in money.EDITABLE_FIELDS}
    return money.entry_update(entry=entry, editor=editor, base_version=entry.version, **{**values, **fields})


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


# Recording and approval ------------------------------------------------------------------------------


def test_income_and_an_expense_under_the_threshold_count_at_once(scoped, organizer):
    record(scoped, organizer, "250.00", Kind.INCOME)
    expense = record(scoped, organizer, "40.50")
    assert expense.approval == Approval.NOT_NEEDED and expense.recorded_by == organizer
    assert money.balance(scoped) == D("209.50")
    assert AuditEntry.objects.filter(action="ledger.recorded").count() == 2


def test_an_expense_above_the_threshold_waits_and_does_not_count(scoped, organizer):
    at_threshold = record(scoped, organizer, "100.00")
    above = record(scoped, organizer, "100.01")
    assert (at_threshold.approval, above.approval) == (Approval.NOT_NEEDED, Approval.PENDING)
    assert money.balance(scoped) == D("-100.00")
    assert list(money.waiting_for_approval(scoped)) == [above]


def test_the_threshold_is_the_institutions_own(scoped, organizer):
    LogisticsSettings.objects.create(institution=scoped, approval_threshold=D("20"), currency="MXN")
    assert record(scoped, organizer, "20.01").approval == Approval.PENDING


def test_income_never_needs_approval(scoped, organizer):
    assert record(scoped, organizer, "50000.00", Kind.INCOME).approval == Approval.NOT_NEEDED


def test_the_organizer_who_recorded_an_expense_cannot_approve_it(scoped, organizer):
    entry = record(scoped, organizer, "300.00")
    with pytest.raises(ValidationError, match="another organizer has to approve it"):
        money.entry_approve(entry=entry, organizer=organizer)
    assert LedgerEntry.objects.get(pk=entry.pk).approval == Approval.PENDING
    assert not money.can_approve(scoped_membership(scoped, organizer), entry)


def scoped_membership(institution, user):
    from institutions.models import Membership

    return Membership.objects.get(institution=institution, user=user)


def test_a_second_organizer_approves_and_the_expense_counts(scoped, organizer, second_organizer):
    record(scoped, organizer, "500.00", Kind.INCOME)
    entry = record(scoped, organizer, "300.00")
    money.entry_approve(entry=entry, organizer=second_organizer, note="Agreed at the meeting")
    entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (entry.approval, entry.approved_by, entry.approval_note) == (
        Approval.APPROVED,
        second_organizer,
        "Agreed at the meeting",
    )
    assert money.balance(scoped) == D("200.00")
    assert AuditEntry.objects.filter(action="ledger.approved", actor=second_organizer).exists()


def test_a_member_who_is_not_an_organizer_cannot_approve(scoped, organizer, member):
    entry = record(scoped, organizer, "300.00")
    with pytest.raises(ValidationError, match="Only an organizer"):
        money.entry_approve(entry=entry, organizer=member)


def test_a_rejected_expense_stays_listed_and_never_counts(scoped, organizer, second_organizer):
    entry = record(scoped, organizer, "300.00")
    money.entry_reject(entry=entry, organizer=second_organizer, note="Too much for banners")
    assert LedgerEntry.objects.get(pk=entry.pk).approval == Approval.REJECTED
    assert money.balance(scoped) == D("0.00")
    assert list(money.ledger_entries(scoped, status="rejected")) == [entry]
    assert AuditEntry.objects.filter(action="ledger.rejected").exists()


def test_of_two_organizers_deciding_at_once_only_the_first_decides(scoped, organizer, second_organizer):
    third = OrganizerFactory(institution=scoped).user
    entry = record(scoped, organizer, "300.00")
    stale = LedgerEntry.objects.get(pk=entry.pk)  # what the third organizer's page still shows
    money.entry_approve(entry=entry, organizer=second_organizer)
    with pytest.raises(ValidationError, match="already decided"):
        money.entry_reject(entry=stale, organizer=third)
    assert LedgerEntry.objects.get(pk=entry.pk).approved_by == second_organizer


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads on separate connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_organizers_deciding_at_the_same_moment_one_decides(institution, organizer, second_organizer):
    third = OrganizerFactory(institution=institution).user
    with scope(institution=institution):
        entry = record(institution, organizer, "300.00")
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def decide(who, service):
        try:
            with scope(institution=institution):
                stale = LedgerEntry.objects.select_related("institution").get(pk=entry.pk)
                barrier.wait()
                results[who.pk] = service(entry=stale, organizer=who)
        except ValidationError as error:
            results[who.pk] = error
        finally:
            connection.close()

    workers = [
        threading.Thread(target=decide, args=(second_organizer, money.entry_approve)),
        threading.Thread(target=decide, args=(third, money.entry_reject)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    decided = [result for result in results.values() if isinstance(result, LedgerEntry)]
    refused = [result for result in results.values() if isinstance(result, ValidationError)]
    assert len(decided) == 1 and len(refused) == 1
    assert "already decided" in refused[0].messages[0]
    with scope(institution=institution):
        stored = LedgerEntry.objects.get(pk=entry.pk)
        assert (stored.approval, stored.approved_by) == (decided[0].approval, decided[0].approved_by)
        assert AuditEntry.objects.filter(action__in=["ledger.approved", "ledger.rejected"]).count() == 1


def test_a_decision_on_an_expense_changed_since_the_page_loaded_is_refused(scoped, organizer, second_organizer):
    entry = record(scoped, organizer, "300.00")
    shown = entry.version
    edit(entry, organizer, amount=D("900.00"))
    with pytest.raises(ValidationError, match="changed since you opened it"):
        money.entry_approve(entry=entry, organizer=second_organizer, base_version=shown)
    assert LedgerEntry.objects.get(pk=entry.pk).approval == Approval.PENDING


def test_raising_an_approved_expense_needs_approval_again_lowering_it_does_not(scoped, organizer, second_organizer):
    entry = record(scoped, organizer, "300.00")
    money.entry_approve(entry=entry, organizer=second_organizer)
    lowered = edit(entry, organizer, amount=D("250.00"))
    assert lowered.approval == Approval.APPROVED
    raised = edit(entry, organizer, amount=D("400.00"))
    assert (raised.approval, raised.approved_by, raised.approved_at) == (Approval.PENDING, None, None)
    assert money.balance(scoped) == D("0.00")
    money.entry_approve(entry=raised, organizer=second_organizer)
    assert money.balance(scoped) == D("-400.00")


def test_turning_income_into_an_expense_above_the_threshold_needs_approval(scoped, organizer):
    entry = record(scoped, organizer, "300.00", Kind.INCOME)
    changed = edit(entry, organizer, kind=Kind.EXPENSE, source="")
    assert (changed.approval, changed.source) == (Approval.PENDING, "")


def test_lowering_a_waiting_expense_under_the_threshold_makes_it_count(scoped, organizer):
    entry = record(scoped, organizer, "300.00")
    assert edit(entry, organizer, amount=D("80.00")).approval == Approval.NOT_NEEDED
    assert money.balance(scoped) == D("-80.00")


# Edits, history, voiding -----------------------------------------------------------------------------


def test_an_edit_from_an_older_page_is_refused_and_changes_nothing(scoped, organizer, second_organizer):
    entry = record(scoped, organizer, "30.00")
    old_page = LedgerEntry.objects.get(pk=entry.pk)
    edit(entry, second_organizer, description="Printing flyers (corrected)")
    with pytest.raises(money.LedgerConflict, match="Someone changed this entry"):
        money.entry_update(
            entry=old_page,
            editor=organizer,
            base_version=old_page.version,
            **{**{name: getattr(old_page, name) for name in money.EDITABLE_FIELDS}, "amount": D("35.00")},
        )
    current = LedgerEntry.objects.get(pk=entry.pk)
    assert (current.amount, current.description, current.version) == (D("30.00"), "Printing flyers (corrected)", 2)


def test_each_edit_keeps_the_earlier_values_exactly(scoped, organizer, member):
    category = money.category_create(institution=scoped, actor=organizer, name="Printing")
    entry = record(scoped, organizer, "12.10", category=category, paid_by=member)
    edit(entry, organizer, amount=D("12.20"))
    edit(entry, organizer, description="Flyers and posters", amount=D("0.30"))
    versions = list(LedgerEntryVersion.objects.filter(entry=entry).order_by("number"))
    assert [version.number for version in versions] == [1, 2]
    assert versions[0].values["amount"] == "12.10" and versions[1].values["amount"] == "12.20"
    assert versions[0].values["category_name"] == "Printing" and versions[0].values["paid_by_name"] == "Mo"
    assert versions[1].values["description"] == "Printing flyers" and versions[1].edited_by == organizer
    current = LedgerEntry.objects.get(pk=entry.pk)
    assert (current.version, current.amount) == (3, D("0.30"))
    assert ("Amount", "12.10") in money.version_lines(versions[0].values)
    assert AuditEntry.objects.filter(action="ledger.edited").count() == 2


def test_saving_without_a_change_keeps_the_version(scoped, organizer):
    entry = record(scoped, organizer, "30.00")
    assert edit(entry, organizer).version == 1
    assert not LedgerEntryVersion.objects.exists()


def test_voiding_needs_a_reason_and_takes_the_entry_out_of_every_total(scoped, organizer):
    record(scoped, organizer, "100.00", Kind.INCOME)
    entry = record(scoped, organizer, "30.00", paid_by=organizer)
    with pytest.raises(ValidationError, match="Write why"):
        money.entry_void(entry=entry, actor=organizer, reason="  ")
    money.entry_void(entry=entry, actor=organizer, reason="Recorded twice")
    assert money.balance(scoped) == D("100.00")
    assert money.totals_by_category(scoped)[0].expenses == D("0.00")
    entries, people = money.owed_reimbursements(scoped)
    assert list(entries) == [] and people == []
    with pytest.raises(ValidationError, match="already voided"):
        money.entry_void(entry=entry, actor=organizer, reason="Again")
    with pytest.raises(ValidationError, match="voided"):
        edit(entry, organizer, amount=D("31.00"))
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert AuditEntry.objects.filter(action="ledger.voided").count() == 1


# Paying members back ----------------------------------------------------------------------------------


def test_an_expense_a_member_paid_is_owed_until_an_organizer_marks_it_paid(scoped, organizer, member):
    entry = record(scoped, organizer, "45.00", paid_by=member, description="Water for the clinic")
    assert entry.reimbursement == LedgerEntry.Reimbursement.OWED
    entries, people = money.owed_reimbursements(scoped)
    assert list(entries) == [entry] and people == [{"name": "Mo", "total": D("45.00"), "entries": 1}]
    money.reimbursement_mark_paid(entry=entry, actor=organizer)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (entry.reimbursement, entry.reimbursed_by) == (LedgerEntry.Reimbursement.PAID, organizer)
    assert entry.reimbursed_at is not None
    assert list(money.owed_reimbursements(scoped)[0]) == []
    with pytest.raises(ValidationError, match="Nothing is owed"):
        money.reimbursement_mark_paid(entry=entry, actor=organizer)
    assert AuditEntry.objects.filter(action="ledger.reimbursed").count() == 1


def test_a_waiting_expense_is_not_paid_back_before_approval(scoped, organizer, member):
    entry = record(scoped, organizer, "450.00", paid_by=member)
    with pytest.raises(ValidationError, match="approve it first"):
        money.reimbursement_mark_paid(entry=entry, actor=organizer)


def test_only_members_can_be_owed_and_only_for_expenses(scoped, organizer, outsider, member):
    with pytest.raises(ValidationError, match="active member"):
        record(scoped, organizer, "10.00", paid_by=outsider)
    with pytest.raises(ValidationError, match="Only an expense"):
        record(scoped, organizer, "10.00", Kind.INCOME, paid_by=member)
    assert not LedgerEntry.objects.exists()


def test_who_paid_cannot_change_once_paid_back(scoped, organizer, member):
    entry = record(scoped, organizer, "45.00", paid_by=member)
    money.reimbursement_mark_paid(entry=entry, actor=organizer)
    with pytest.raises(ValidationError, match="already paid back"):
        edit(entry, organizer, paid_by=organizer)


# Checks on what is recorded ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (D("12.555"), "two decimal places"),
        (D("0"), "more than zero"),
        (D("-5.00"), "more than zero"),
        (D("10000000000.00"), "too large"),
        (D("NaN"), "as a number"),
        (12.5, "as a number"),
    ],
)
def test_amounts_are_exact_positive_decimals_with_cents_at_most(scoped, organizer, amount, message):
    with pytest.raises(ValidationError, match=message):
        money.entry_record(
            institution=scoped,
            recorder=organizer,
            kind=Kind.EXPENSE,
            amount=amount,
            occurred_on=timezone.localdate(),
            description="x",
        )
    assert not LedgerEntry.objects.exists()


def test_income_needs_a_source_and_expenses_carry_none(scoped, organizer):
    with pytest.raises(ValidationError, match="where the income came from"):
        record(scoped, organizer, "10.00", Kind.INCOME, source="")
    expense = record(scoped, organizer, "10.00", source="grant", source_name="Fund")
    assert (expense.source, expense.source_name) == ("", "")


def test_future_dates_and_foreign_or_archived_categories_are_refused(scoped, organizer, other_institution):
    with pytest.raises(ValidationError, match="future"):
        record(scoped, organizer, "10.00", occurred_on=timezone.localdate() + timedelta(days=2))
    with scope(institution=other_institution):
        theirs = LedgerCategory.objects.create(institution=other_institution, name="Rent")
    with pytest.raises(ValidationError, match="this institution's categories"):
        record(scoped, organizer, "10.00", category=theirs)
    archived = money.category_create(institution=scoped, actor=organizer, name="Old")
    money.category_archive(category=archived, actor=organizer, archived=True)
    with pytest.raises(ValidationError, match="archived"):
        record(scoped, organizer, "10.00", category=archived)
    assert not LedgerEntry.objects.exists()


def test_an_entry_keeps_its_archived_category_through_an_edit(scoped, organizer):
    category = money.category_create(institution=scoped, actor=organizer, name="Signs")
    entry = record(scoped, organizer, "10.00", category=category)
    money.category_archive(category=category, actor=organizer, archived=True)
    assert edit(entry, organizer, amount=D("11.00")).category == category


def test_categories_are_unique_and_with_entries_are_archived_not_deleted(scoped, organizer):
    category = money.category_create(institution=scoped, actor=organizer, name="Printing")
    with pytest.raises(ValidationError, match="already a category"):
        money.category_create(institution=scoped, actor=organizer, name=" printing ")
    record(scoped, organizer, "10.00", category=category)
    with pytest.raises(ValidationError, match="archive it instead"):
        money.category_delete(category=category, actor=organizer)
    with pytest.raises(RestrictedError):
        category.delete()
    unused = money.category_create(institution=scoped, actor=organizer, name="Unused")
    money.category_rename(category=unused, actor=organizer, name="Still unused")
    money.category_delete(category=unused, actor=organizer)
    assert list(LedgerCategory.objects.values_list("name", flat=True)) == ["Printing"]


# Exact totals ---------------------------------------------------------------------------------------------


def test_cents_add_up_exactly(scoped, organizer):
    for _round in range(3):
        record(scoped, organizer, "0.10", Kind.INCOME)
        record(scoped, organizer, "0.20", Kind.INCOME)
    record(scoped, organizer, "0.30")
    sums = money.totals(money.counted(scoped))
    assert (sums.income, sums.expenses, sums.balance) == (D("0.90"), D("0.30"), D("0.60"))
    assert str(sums.balance) == "0.60"


def test_totals_by_category_and_month_count_only_counted_entries(scoped, organizer):
    dues = money.category_create(institution=scoped, actor=organizer, name="Dues")
    water = money.category_create(institution=scoped, actor=organizer, name="Water")
    today = timezone.localdate()
    earlier = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    record(scoped, organizer, "60.00", Kind.INCOME, category=dues, occurred_on=earlier)
    record(scoped, organizer, "15.25", category=water, occurred_on=earlier)
    record(scoped, organizer, "4.75", category=water, occurred_on=today)
    record(scoped, organizer, "999.00", category=water, occurred_on=today)  # waiting: not counted
    rows = {row.label: (row.income, row.expenses) for row in money.totals_by_category(scoped)}
    assert rows == {"Dues": (D("60.00"), D("0.00")), "Water": (D("0.00"), D("20.00"))}
    months = money.totals_by_month(scoped)
    assert [(row.month, row.income, row.expenses, row.net) for row in months] == [
        (today.replace(day=1), D("0.00"), D("4.75"), D("-4.75")),
        (earlier.replace(day=1), D("60.00"), D("15.25"), D("44.75")),
    ]


def test_income_by_source_gives_each_sources_share(scoped, organizer, second_organizer):
    record(scoped, organizer, "300.00", Kind.INCOME, source="member_dues", occurred_on=date(2026, 1, 5))
    record(scoped, organizer, "100.00", Kind.INCOME, source="community_donation", occurred_on=date(2026, 3, 1))
    record(
        scoped, organizer, "100.00", Kind.INCOME, source="grant", source_name="City fund", occurred_on=date(2026, 3, 2)
    )
    voided = record(scoped, organizer, "1000.00", Kind.INCOME, source="grant", occurred_on=date(2026, 3, 3))
    money.entry_void(entry=voided, actor=organizer, reason="Bounced")
    record(scoped, organizer, "50.00")  # an expense: not income
    result = money.income_by_source(scoped)
    assert result.total == D("500.00")
    assert [(row.source, row.total, row.share, row.percent) for row in result.rows] == [
        ("member_dues", D("300.00"), D("0.6000"), D("60.0")),
        ("community_donation", D("100.00"), D("0.2000"), D("20.0")),
        ("grant", D("100.00"), D("0.2000"), D("20.0")),
    ]
    assert result.share_of("member_dues", "community_donation") == D("0.8000")
    since = money.income_by_source(scoped, since=date(2026, 3, 1))
    assert since.total == D("200.00") and {row.source for row in since.rows} == {"community_donation", "grant"}
    empty = money.income_by_source(scoped, since=date(2027, 1, 1))
    assert (empty.total, empty.rows) == (D("0.00"), [])


amounts = st.decimals(min_value=D("0.01"), max_value=D("9999999999.99"), places=2, allow_nan=False)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([Kind.INCOME, Kind.EXPENSE]), amounts), max_size=12))
def test_the_balance_is_the_exact_sum_of_the_counted_entries(scoped, organizer, member_client, lines):
    LedgerEntry.objects.all().delete()
    LogisticsSettings.objects.update_or_create(institution=scoped, defaults={"approval_threshold": D("9999999999.99")})
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            institution=scoped,
            kind=kind,
            amount=amount,
            occurred_on=date(2026, 1, 1),
            description="x",
            source="other" if kind == Kind.INCOME else "",
        )
        for kind, amount in lines
    )
    expected = sum((amount if kind == Kind.INCOME else -amount for kind, amount in lines), D("0"))
    assert money.balance(scoped) == expected
    page = member_client.get(url("ledger", scoped))
    assert page.context["totals"].balance == expected


# Receipts ----------------------------------------------------------------------------------------------


def test_a_pdf_named_jpg_is_kept_as_a_pdf(scoped, organizer, _media_in_tmp):
    entry = record(scoped, organizer, "10.00", receipt=SimpleUploadedFile("receipt.jpg", PDF, "image/jpeg"))
    assert (entry.receipt_type, entry.receipt_name, entry.receipt_size) == ("application/pdf", "receipt.jpg", len(PDF))
    assert entry.receipt.name.startswith(f"receipts/{scoped.pk}/") and entry.receipt.name.endswith(".pdf")
    assert stored_files(_media_in_tmp) == [_media_in_tmp / entry.receipt.name]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (HTML, "receipt.pdf", "Only PDF documents and photos"),
        (EXE, "receipt.pdf", "Only PDF documents and photos"),
        (EXE, "setup.exe", "Only PDF documents and photos"),
        (b"", "empty.pdf", "empty"),
        (PDF + b"0" * 2000, "big.pdf", "too large"),
    ],
)
def test_receipts_are_refused_by_content_size_or_emptiness(
    scoped, organizer, settings, _media_in_tmp, content, name, message
):
    settings.RECEIPT_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match=message):
        record(scoped, organizer, "10.00", receipt=SimpleUploadedFile(name, content))
    assert not LedgerEntry.objects.exists()
    assert stored_files(_media_in_tmp) == []


def test_a_failed_save_leaves_no_receipt_behind(scoped, organizer, _media_in_tmp, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(money, "audit_record", broken)
    with pytest.raises(RuntimeError):
        record(scoped, organizer, "10.00", receipt=SimpleUploadedFile("a.pdf", PDF))
    assert stored_files(_media_in_tmp) == []


def test_replacing_a_receipt_deletes_the_old_file_once_committed(
    scoped, organizer, _media_in_tmp, django_capture_on_commit_callbacks
):
    entry = record(scoped, organizer, "10.00", receipt=SimpleUploadedFile("first.pdf", PDF))
    old_name = entry.receipt.name
    with django_capture_on_commit_callbacks(execute=True):
        entry = money.entry_update(
            entry=entry,
            editor=organizer,
            base_version=1,
            receipt=SimpleUploadedFile("second.png", PNG),
            **{name: getattr(entry, name) for name in money.EDITABLE_FIELDS},
        )
    assert entry.receipt.name != old_name and entry.receipt_type == "image/png"
    assert stored_files(_media_in_tmp) == [_media_in_tmp / entry.receipt.name]
    assert LedgerEntryVersion.objects.get(entry=entry).values["receipt_name"] == "first.pdf"


# Mail to the other organizers ---------------------------------------------------------------------------


def test_other_organizers_hear_once_that_an_expense_waits(
    scoped, organizer, second_organizer, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = record(scoped, organizer, "300.00", description="Banner for the clinic door")
        record(scoped, organizer, "20.00")  # needs no approval: no mail
    assert [message.to for message in mailoutbox] == [[second_organizer.email]]
    assert "Banner for the clinic door" in mailoutbox[0].subject
    assert f"/logistics/money/{entry.pk}/" in mailoutbox[0].body
    ask_for_approval(scoped.pk, entry_id=entry.pk, version=entry.version)  # a retry or a duplicate
    assert len(mailoutbox) == 1
    assert Delivery.objects.filter(key__startswith=f"ledger-approval:{entry.pk}:").count() == 1


def test_an_approved_expense_raised_again_is_announced_again(
    scoped, organizer, second_organizer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = record(scoped, organizer, "300.00")
    money.entry_approve(entry=entry, organizer=second_organizer)
    with django_capture_on_commit_callbacks(execute=True):
        edit(entry, organizer, amount=D("600.00"))
    assert len(mailoutbox) == 2


def test_no_mail_for_an_expense_decided_before_the_mail_went_out(scoped, organizer, second_organizer, mailoutbox):
    entry = record(scoped, organizer, "300.00")  # the on-commit send never ran (test transaction)
    money.entry_approve(entry=entry, organizer=second_organizer)
    assert ask_for_approval(scoped.pk, entry_id=entry.pk, version=entry.version) == 0
    assert mailoutbox == []


# Pages --------------------------------------------------------------------------------------------------


def entry_data(**overrides):
    data = {
        "kind": "expense",
        "occurred_on": timezone.localdate().isoformat(),
        "amount": "12.50",
        "category": "",
        "description": "Water for the waiting room",
        "source": "",
        "source_name": "",
        "paid_by": "",
    }
    data.update(overrides)
    return data


def test_an_organizer_records_an_expense_with_a_receipt(organizer_client, institution, _media_in_tmp):
    response = organizer_client.post(
        url("ledger_entry_new", institution),
        {**entry_data(amount="1234.50"), "receipt_file": SimpleUploadedFile("r.jpg", PDF)},
    )
    assert response.status_code == 302
    with scope(institution=institution):
        entry = LedgerEntry.objects.get()
    assert (entry.amount, entry.approval, entry.receipt_type) == (D("1234.50"), Approval.PENDING, "application/pdf")
    page = organizer_client.get(response["Location"]).content.decode()
    assert "waits for another organizer" in page and "Water for the waiting room" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "12.555"}, "two decimal places"),
        ({"amount": "abc"}, "as a number"),
        ({"amount": "0"}, "more than zero"),
        ({"amount": "-3"}, "more than zero"),
        ({"amount": "99999999999"}, "too large"),
        ({"description": ""}, "Write what the money was for"),
        ({"kind": "gift"}, "valid choice"),
        ({"kind": "income"}, "Say where the income came from"),
        ({"occurred_on": "2026-02-30"}, "real date"),
        ({"category": "999999"}, "valid choice"),
    ],
)
def test_bad_input_shows_the_form_again_with_why_and_records_nothing(organizer_client, institution, overrides, message):
    response = organizer_client.post(url("ledger_entry_new", institution), entry_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    with scope(institution=institution):
        assert not LedgerEntry.objects.exists()


def test_an_oversized_receipt_is_refused_before_it_is_stored(organizer_client, institution, settings, _media_in_tmp):
    settings.RECEIPT_MAX_BYTES = 1000
    response = organizer_client.post(
        url("ledger_entry_new", institution),
        {**entry_data(), "receipt_file": SimpleUploadedFile("big.pdf", PDF + b"0" * 5000)},
    )
    assert response.status_code == 400
    assert "This file is too large: files can be up to 0.001 MB." in response.content.decode()
    with scope(institution=institution):
        assert not LedgerEntry.objects.exists()
    assert stored_files(_media_in_tmp) == []


def test_an_html_file_named_pdf_is_refused_on_the_form(organizer_client, institution, _media_in_tmp):
    response = organizer_client.post(
        url("ledger_entry_new", institution), {**entry_data(), "receipt_file": SimpleUploadedFile("r.pdf", HTML)}
    )
    assert response.status_code == 400 and "Only PDF documents and photos" in response.content.decode()
    assert stored_files(_media_in_tmp) == []


@pytest.fixture
def entry(institution, organizer):
    with scope(institution=institution):
        return record(institution, organizer, "300.00", receipt=SimpleUploadedFile("receipt.pdf", PDF))


def test_members_read_the_ledger_but_cannot_write_it(member_client, institution, entry):
    assert member_client.get(url("ledger", institution)).status_code == 200
    assert member_client.get(url("ledger_entry", institution, pk=entry.pk)).status_code == 200
    assert member_client.post(url("ledger_entry_new", institution), entry_data()).status_code == 403
    writes = ["ledger_entry_edit", "ledger_entry_approve", "ledger_entry_reject", "ledger_entry_void"]
    for name in writes:
        assert member_client.post(url(name, institution, pk=entry.pk), {"reason": "x"}).status_code == 403
    with scope(institution=institution):
        assert LedgerEntry.objects.get().approval == Approval.PENDING and LedgerEntry.objects.count() == 1


def test_a_stale_edit_comes_back_with_what_was_typed(organizer_client, institution, organizer, entry):
    with scope(institution=institution):
        edit(entry, organizer, description="Changed meanwhile")
    response = organizer_client.post(
        url("ledger_entry_edit", institution, pk=entry.pk),
        entry_data(amount="310.00", description="My careful correction", version="1"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone changed this entry" in page and "My careful correction" in page
    assert 'name="version" value="2"' in page
    with scope(institution=institution):
        current = LedgerEntry.objects.get(pk=entry.pk)
    assert (current.description, current.amount) == ("Changed meanwhile", D("300.00"))


def test_an_edit_through_the_page_keeps_history_shown_on_the_entry(organizer_client, institution, entry):
    response = organizer_client.post(
        url("ledger_entry_edit", institution, pk=entry.pk), entry_data(amount="95.00", version="1")
    )
    assert response.status_code == 302
    page = organizer_client.get(url("ledger_entry", institution, pk=entry.pk)).content.decode()
    assert "Version 1" in page and "300.00" in page and "95.00" in page


def test_a_second_organizer_approves_on_the_page_and_the_recorder_cannot(
    organizer_client, institution, second_organizer, client_for, entry
):
    approve = url("ledger_entry_approve", institution, pk=entry.pk)
    response = organizer_client.post(approve, {"version": "1"})
    assert response.status_code == 400 and "another organizer has to approve it" in response.content.decode()
    assert 'formaction="' not in organizer_client.get(url("ledger_entry", institution, pk=entry.pk)).content.decode()
    assert client_for(second_organizer).post(approve, {"version": "1", "note": "Fine"}).status_code == 302
    with scope(institution=institution):
        assert LedgerEntry.objects.get().approval == Approval.APPROVED


def test_voiding_on_the_page_needs_a_reason(organizer_client, institution, entry):
    void = url("ledger_entry_void", institution, pk=entry.pk)
    response = organizer_client.post(void, {"reason": ""})
    assert response.status_code == 400 and "Write why the entry is voided" in response.content.decode()
    assert organizer_client.post(void, {"reason": "Duplicate"}).status_code == 302
    page = organizer_client.get(url("ledger", institution)).content.decode()
    assert "<del>Printing flyers</del>" in page


def test_members_download_receipts_as_attachments_that_never_run(member_client, institution, entry):
    response = member_client.get(url("ledger_receipt", institution, pk=entry.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;") and "receipt.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_receipt_of_another_institution_is_not_found(client_for, other_member, other_institution, entry):
    response = client_for(other_member).get(url("ledger_receipt", other_institution, pk=entry.pk))
    assert response.status_code == 404


def test_the_owed_list_lets_organizers_mark_paid_back(organizer_client, institution, organizer, member):
    with scope(institution=institution):
        entry = record(institution, organizer, "45.00", paid_by=member, description="Gas for the van")
    page = organizer_client.get(url("ledger_owed", institution)).content.decode()
    assert "Gas for the van" in page and "Mo" in page
    owed_url = url("ledger_owed", institution)
    response = organizer_client.post(url("ledger_entry_paid_back", institution, pk=entry.pk), {"next": owed_url})
    assert response.status_code == 302 and response["Location"] == owed_url
    assert "Nobody is owed anything" in organizer_client.get(owed_url).content.decode()


def test_the_ledger_filters_by_month_kind_and_status(member_client, institution, organizer):
    with scope(institution=institution):
        record(institution, organizer, "5.00", description="Old stamps", occurred_on=date(2025, 3, 3))
        record(institution, organizer, "7.00", Kind.INCOME, description="March dues", occurred_on=date(2026, 3, 3))
        record(institution, organizer, "700.00", description="Big banner", occurred_on=date(2026, 3, 4))
    page = member_client.get(url("ledger", institution), {"month": "2026-03", "kind": "expense"}).content.decode()
    assert "Big banner" in page and "March dues" not in page and "Old stamps" not in page
    page = member_client.get(url("ledger", institution), {"status": "pending", "month": "nonsense"}).content.decode()
    assert "Big banner" in page and "Old stamps" not in page


def test_categories_page_adds_and_refuses_duplicates(organizer_client, institution):
    categories = url("ledger_categories", institution)
    assert organizer_client.post(categories, {"name": "Printing"}).status_code == 302
    response = organizer_client.post(categories, {"name": "printing"})
    assert response.status_code == 400 and "already a category" in response.content.decode()


def test_the_home_page_shows_organizers_what_waits_for_approval(organizer_client, member_client, institution, entry):
    home = url("index", institution)
    assert "Expenses waiting for approval" in organizer_client.get(home).content.decode()
    assert "Expenses waiting for approval" not in member_client.get(home).content.decode()


# CSV ------------------------------------------------------------------------------------------------------


def test_csv_has_every_entry_exact_amounts_and_no_formulas(member_client, institution, organizer, second_organizer):
    with scope(institution=institution):
        LogisticsSettings.objects.create(institution=institution, currency="MXN")
        record(institution, organizer, "0.10", Kind.INCOME, description='=HYPERLINK("http://evil")')
        waiting = record(institution, organizer, "1234.56", description="+1 banner")
        voided = record(institution, organizer, "3.30", description="@SUM(A1)")
        money.entry_void(entry=voided, actor=second_organizer, reason="-duplicate")
    response = member_client.get(url("ledger_csv", institution))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, *lines = rows
    cells = {line[header.index("id")]: dict(zip(header, line, strict=True)) for line in lines}
    assert len(lines) == 3
    first = cells[str(lines[0][0])]
    assert first["amount"] == "0.10" and first["currency"] == "MXN" and first["description"].startswith("'=")
    assert cells[str(waiting.pk)]["status"] == "pending" and cells[str(waiting.pk)]["amount"] == "1234.56"
    assert cells[str(waiting.pk)]["description"] == "'+1 banner"
    assert cells[str(voided.pk)]["status"] == "voided" and cells[str(voided.pk)]["void reason"] == "'-duplicate"
    assert not any(cell[:1] in "=+-@" for line in lines for cell in line if cell)


# The public page ------------------------------------------------------------------------------------------


def test_the_public_page_is_not_found_unless_the_institution_shows_it(client, institution, entry):
    assert client.get(url("ledger_public", institution)).status_code == 404


def test_the_public_page_shows_counted_lines_without_names_or_receipts(client, institution):
    recorder = OrganizerFactory(institution=institution, user=UserFactory(name="Rosalind Treasurer")).user
    approver = OrganizerFactory(institution=institution, user=UserFactory(name="Bartholomew Approver")).user
    payer = MembershipFactory(institution=institution, user=UserFactory(name="Zelda Payer")).user
    with scope(institution=institution):
        LogisticsSettings.objects.create(institution=institution, ledger_public=True)
        record(institution, recorder, "120.00", Kind.INCOME, source="grant", source_name="Neighbourhood Fund")
        record(institution, recorder, "5.00", Kind.INCOME, source="community_donation", source_name="Ana Vecina")
        shown = record(
            institution,
            recorder,
            "250.00",
            description="Clinic door signs",
            paid_by=payer,
            receipt=SimpleUploadedFile("receipt.pdf", PDF),
        )
        money.entry_approve(entry=shown, organizer=approver, note="Secret approval note")
        record(institution, recorder, "900.00", description="Waiting banner")
        voided = record(institution, recorder, "9.00", description="Mistaken line")
        money.entry_void(entry=voided, actor=recorder, reason="typo")
    response = client.get(url("ledger_public", institution))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Clinic door signs" in page and "Neighbourhood Fund" in page and "-125.00" in page
    hidden = ["Rosalind", "Bartholomew", "Zelda", "Ana Vecina", "Secret approval note", "Waiting banner"]
    for text in [*hidden, "Mistaken line", "/receipt/", "receipt.pdf"]:
        assert text not in page, text


# Demo -----------------------------------------------------------------------------------------------------


def test_the_demo_ledger_is_seeded_once(scoped, organizer, second_organizer, member):
    seed_ledger(scoped, [organizer, second_organizer, member])
    count = LedgerEntry.objects.count()
    assert count > 10
    assert LedgerEntry.objects.filter(approval=Approval.PENDING).count() == 1
    assert LedgerEntry.objects.filter(reimbursement=LedgerEntry.Reimbursement.OWED).count() == 1
    assert money.income_by_source(scoped).total > 0 and money.balance(scoped) > 0
    seed_ledger(scoped, [organizer, second_organizer, member])
    assert LedgerEntry.objects.count() == count
