"""Step 5 pages for money: the ledger with its balance and filters, an entry with its history, recording
and editing (receipts included), approvals by a second organizer, what is owed back to members,
totals, categories, the CSV export and the optional public page for the community."""

import copy
import csv
import io
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope

from dualpower.forms import posted_data
from dualpower.uploads import SizeLimit, too_large_message
from institutions.tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access

from .. import money
from ..forms_money import CategoryForm, DecisionForm, EntryForm, LedgerFilterForm, VoidForm
from ..models import LedgerCategory, LedgerEntry
from ..selectors import settings_for
from .tasks import back, next_page

PER_PAGE = 50
LIST_LIMIT = 200
HISTORY_LIMIT = 50
# A downloaded receipt never runs as a page of ours: no scripts, no plugins, its own origin.
DOWNLOAD_CSP = {**settings.SECURE_CSP, "sandbox": True}


@tenant_access(MEMBER)
@require_safe
def ledger(request):
    """The balance, what waits for approval, and every entry (filtered, a page at a time)."""
    institution = request.institution
    form = LedgerFilterForm(request.GET or None, institution=institution, months=money.months_with_entries(institution))
    filters = form.filters()
    entries = money.ledger_entries(institution, **filters)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "logistics/money/ledger.html",
        {
            "options": settings_for(institution),
            "totals": money.totals(money.counted(institution)),
            "waiting": money.waiting_for_approval(institution),
            "owed_count": money.counted(institution).filter(reimbursement=LedgerEntry.Reimbursement.OWED).count(),
            "form": form,
            "filtered": any(value for value in filters.values()),
            "page": page,
            "can_keep_ledger": money.can_keep_ledger(request.membership),
        },
    )


def entry_page(request, entry, *, status=200, decision_form=None, void_form=None):
    membership = request.membership
    return render(
        request,
        "logistics/money/entry.html",
        {
            "entry": entry,
            "options": settings_for(request.institution),
            "counted": money.is_counted(entry),
            "status": money.status_of(entry),
            "history": [
                (version, money.version_lines(version.values))
                for version in entry.versions.select_related("edited_by")[:HISTORY_LIMIT]
            ],
            "can_keep_ledger": money.can_keep_ledger(membership),
            "can_approve": money.can_approve(membership, entry),
            "can_mark_paid_back": money.can_mark_paid_back(membership, entry),
            "decision_form": decision_form or DecisionForm(initial={"version": entry.version}),
            "void_form": void_form or VoidForm(),
        },
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def entry_detail(request, pk):
    """One entry: what, how much, who recorded and approved it, its receipt and its history."""
    return entry_page(request, money.get_entry_or_404(request.institution, pk))


def _with_size_limit(request):
    limit = SizeLimit(request, settings.RECEIPT_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return limit


def _form_page(request, form, options, entry=None, *, status=200):
    return render(
        request, "logistics/money/entry_form.html", {"form": form, "entry": entry, "options": options}, status=status
    )


def _receipt_too_large(form, limit):
    form.errors.pop("receipt_file", None)
    form.add_error("receipt_file", too_large_message(limit.limit))


@tenant_access(ORGANIZER)
@csrf_exempt  # checked by csrf_protect below, once the size limit is in place (Django's documented way)
def entry_new(request):
    return _entry_new(request, _with_size_limit(request))


@csrf_protect
def _entry_new(request, limit):
    institution = request.institution
    options = settings_for(institution)
    initial = {"occurred_on": timezone.localdate(), "kind": LedgerEntry.Kind.EXPENSE}
    form = EntryForm(
        posted_data(request), request.FILES or None, institution=institution, currency=options.currency, initial=initial
    )
    if request.method != "POST":
        return _form_page(request, form, options)
    valid = form.is_valid()
    if limit.too_large:
        _receipt_too_large(form, limit)
    elif valid:
        try:
            entry = money.entry_record(
                institution=institution,
                recorder=request.user,
                receipt=form.cleaned_data["receipt_file"],
                **form.entry_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if entry.approval == LedgerEntry.Approval.PENDING:
                messages.success(
                    request,
                    _(
                        "The expense is recorded. It is above %(threshold)s %(currency)s, so it waits for "
                        "another organizer's approval before it counts; they have been told."
                    )
                    % {"threshold": options.approval_threshold, "currency": options.currency},
                )
            else:
                messages.success(request, _("The entry is recorded."))
            return redirect(entry.get_absolute_url())
    return _form_page(request, form, options, status=400)


@tenant_access(ORGANIZER)
@csrf_exempt  # checked by csrf_protect below, once the size limit is in place
def entry_edit(request, pk):
    return _entry_edit(request, pk, _with_size_limit(request))


@csrf_protect
def _entry_edit(request, pk, limit):
    institution = request.institution
    entry = money.get_entry_or_404(institution, pk)
    options = settings_for(institution)
    currency = options.currency
    if entry.voided_at is not None:
        messages.error(request, _("This entry is voided: it can no longer be changed."))
        return entry_page(request, entry, status=400 if request.method == "POST" else 200)
    if request.method != "POST":
        form = EntryForm(instance=entry, institution=institution, currency=currency, initial={"version": entry.version})
        return _form_page(request, form, options, entry)
    # The form works on a copy: a refused edit must leave the entry (and its page) as they are.
    form = EntryForm(request.POST, request.FILES, instance=copy.copy(entry), institution=institution, currency=currency)
    valid = form.is_valid()
    if limit.too_large:
        _receipt_too_large(form, limit)
        return _form_page(request, form, options, entry, status=400)
    if not valid:
        return _form_page(request, form, options, entry, status=400)
    base_version = form.cleaned_data["version"]
    try:
        money.entry_update(
            entry=entry,
            editor=request.user,
            base_version=base_version,
            receipt=form.cleaned_data["receipt_file"],
            **form.entry_fields(),
        )
    except money.LedgerConflict as conflict:
        entry = money.get_entry_or_404(institution, pk)
        data = request.POST.copy()
        data["version"] = entry.version  # saving again, after comparing, is then taken as meant
        form = EntryForm(data, instance=copy.copy(entry), institution=institution, currency=currency)
        form.is_valid()
        form.add_error(None, conflict)
        if request.FILES:
            form.add_error("receipt_file", _("Choose the receipt file again."))
        return _form_page(request, form, options, entry, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _form_page(request, form, options, entry, status=400)
    messages.success(request, _("The entry is saved; its earlier values are kept in its history."))
    return redirect(entry.get_absolute_url())


def _refused(request, entry, error, **forms):
    messages.error(request, " ".join(error.messages))
    return entry_page(request, entry, status=400, **forms)


def _decide(request, pk, service, done):
    entry = money.get_entry_or_404(request.institution, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        problems = [message for errors in form.errors.values() for message in errors]
        return _refused(request, entry, ValidationError(problems), decision_form=form)
    try:
        service(
            entry=entry,
            organizer=request.user,
            note=form.cleaned_data["note"],
            base_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, entry, error, decision_form=form)
    messages.success(request, done)
    return redirect(entry.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def entry_approve(request, pk):
    return _decide(request, pk, money.entry_approve, _("The expense is approved: it now counts in the balance."))


@tenant_access(ORGANIZER)
@require_POST
def entry_reject(request, pk):
    return _decide(request, pk, money.entry_reject, _("The expense is not approved: it stays listed but never counts."))


@tenant_access(ORGANIZER)
@require_POST
def entry_void(request, pk):
    entry = money.get_entry_or_404(request.institution, pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        return _refused(request, entry, ValidationError(list(form.errors["reason"])), void_form=form)
    try:
        money.entry_void(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _refused(request, entry, error, void_form=form)
    messages.success(request, _("The entry is voided: it stays listed, struck out, and no longer counts."))
    return redirect(entry.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def entry_paid_back(request, pk):
    entry = money.get_entry_or_404(request.institution, pk)
    target = next_page(request)  # read before acting: a body refused as too large changes nothing
    try:
        money.reimbursement_mark_paid(entry=entry, actor=request.user)
    except ValidationError as error:
        return _refused(request, entry, error)
    name = entry.paid_by.display_name if entry.paid_by else _("the member")
    messages.success(
        request,
        _("Marked as paid back to %(name)s: %(amount)s %(currency)s.")
        % {"name": name, "amount": entry.amount, "currency": settings_for(request.institution).currency},
    )
    return back(target, entry)


@tenant_access(MEMBER)
@require_safe
@csp_override(DOWNLOAD_CSP)
def receipt_download(request, pk):
    """The receipt, for members only: always as a download, of the type its content proved, never sniffed."""
    institution = request.institution
    entry = money.get_entry_or_404(institution, pk)
    if not entry.receipt or not entry.receipt.name.startswith(f"receipts/{institution.pk}/"):
        raise Http404("No receipt of this institution's.")
    try:
        handle = entry.receipt.storage.open(entry.receipt.name, "rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    response = FileResponse(
        handle, as_attachment=True, filename=entry.receipt_name or "receipt", content_type=entry.receipt_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_access(MEMBER)
@require_safe
def owed(request):
    """What members paid out of pocket and are still owed, per person and entry by entry."""
    entries, people = money.owed_reimbursements(request.institution)
    return render(
        request,
        "logistics/money/owed.html",
        {
            "entries": entries[:LIST_LIMIT],
            "people": people[:LIST_LIMIT],
            "options": settings_for(request.institution),
            "can_keep_ledger": money.can_keep_ledger(request.membership),
        },
    )


def _totals_context(institution, period):
    since = None if period == "all" else timezone.localdate() - timedelta(days=365)
    return {
        "options": settings_for(institution),
        "totals": money.totals(money.counted(institution)),
        "categories": money.totals_by_category(institution),
        "months": money.totals_by_month(institution),
        "sources": money.income_by_source(institution, since=since),
        "period": "all" if since is None else "year",
    }


@tenant_access(MEMBER)
@require_safe
def totals(request):
    """Totals by category and by month, and where the income comes from."""
    context = _totals_context(request.institution, request.GET.get("period"))
    return render(request, "logistics/money/totals.html", context)


@tenant_access(MEMBER)
@require_safe
def export_csv(request):
    """Every entry as CSV (voided and waiting ones too, with their status), streamed."""
    institution = request.institution

    def pieces():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # The body is read after the view returned: enter the institution's scope here.
        with scope(institution=institution):
            for number, row in enumerate(money.csv_rows(institution), start=1):
                writer.writerow(row)
                if number % 200 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(pieces(), content_type="text/csv; charset=utf-8")
    filename = f"ledger-{institution.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_access(ORGANIZER)
def categories(request):
    """The categories, with how many entries each has; organizers add, rename, archive and delete them."""
    institution = request.institution
    form = CategoryForm(posted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                category = money.category_create(
                    institution=institution, actor=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                messages.success(request, _("The category “%(name)s” is added.") % {"name": category.name})
                return redirect("logistics:ledger_categories", institution_slug=institution.slug)
        status = 400
    return _categories_page(request, form, status=status)


def _categories_page(request, form=None, *, status=200):
    rows = (
        LedgerCategory.objects.filter(institution=request.institution)
        .annotate(entry_count=Count("entries"))
        .order_by("archived_at", "name", "pk")
    )
    return render(
        request,
        "logistics/money/categories.html",
        {"form": form or CategoryForm(), "categories": rows[:LIST_LIMIT]},
        status=status,
    )


def _category_action(request, category, action, done):
    try:
        action(category)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _categories_page(request, status=400)
    messages.success(request, done % {"name": category.name})
    return redirect("logistics:ledger_categories", institution_slug=request.institution.slug)


@tenant_access(ORGANIZER)
@require_POST
def category_rename(request, pk):
    category = money.get_category_or_404(request.institution, pk)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["name"]))
        return _categories_page(request, status=400)
    return _category_action(
        request,
        category,
        lambda category: money.category_rename(category=category, actor=request.user, name=form.cleaned_data["name"]),
        _("The category is now called “%(name)s”."),
    )


@tenant_access(ORGANIZER)
@require_POST
def category_archive(request, pk):
    category = money.get_category_or_404(request.institution, pk)
    archived = request.POST.get("archived")
    if archived not in ("yes", "no"):
        messages.error(request, _("Choose whether to archive the category or bring it back."))
        return _categories_page(request, status=400)
    return _category_action(
        request,
        category,
        lambda category: money.category_archive(category=category, actor=request.user, archived=archived == "yes"),
        _("“%(name)s” is archived: it is no longer offered for new entries.")
        if archived == "yes"
        else _("“%(name)s” is offered for new entries again."),
    )


@tenant_access(ORGANIZER)
@require_POST
def category_delete(request, pk):
    category = money.get_category_or_404(request.institution, pk)
    return _category_action(
        request,
        category,
        lambda category: money.category_delete(category=category, actor=request.user),
        _("The category “%(name)s” is deleted."),
    )


@tenant_access(PUBLIC)
@require_safe
def public(request):
    """For the community, when the institution chose to show it: totals and each counted line, without
    anyone's name, receipts or approval notes. 404 otherwise."""
    institution = request.institution
    context = _totals_context(institution, request.GET.get("period"))
    if not context["options"].ledger_public:
        raise Http404("This institution does not show its money publicly.")
    lines = (
        money.counted(institution)
        .select_related("category")
        .only("occurred_on", "kind", "amount", "description", "source", "source_name", "category__name")
    )
    context["page"] = Paginator(lines, PER_PAGE).get_page(request.GET.get("page"))
    context["named_sources"] = (LedgerEntry.Source.GRANT, LedgerEntry.Source.OUTSIDE_ORGANIZATION)
    return render(request, "logistics/money/public.html", context)
