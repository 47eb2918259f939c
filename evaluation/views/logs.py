"""Field log pages: the logs (fill one, recent entries, one entry), metrics and their charts, log forms,
recorded changes, and the CSV export."""

import csv
import io
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from logistics.models import ShiftOccurrence
from meetings.models import Meeting

from .. import logs as service
from ..charts_logs import line_chart
from ..forms_logs import ChangeForm, EntryFilterForm, EntryForm, LogFormForm, MetricForm
from ..models import LogValue, Metric

PAGE_SIZE = 30
CHANGES_LIMIT = 200


def _url(request, name, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": request.institution.slug, **kwargs})


def _status(form):
    return 400 if form.errors else 200


# Logs: the list, filling one, one entry ------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def logs_home(request):
    """The forms to fill, then recent entries (filtered by form and month)."""
    institution = request.institution
    forms_list = list(service.log_forms(institution))
    filter_form = EntryFilterForm(request.GET or None, forms_list=forms_list, months=service.entry_months(institution))
    log_form, month = filter_form.filters(forms_list)
    found = service.entries(institution, log_form=log_form, month=month).prefetch_related(
        Prefetch("values", queryset=LogValue.objects.select_related("metric").order_by("metric__name", "pk"))
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/logs/index.html",
        {
            "forms_in_use": [item for item in forms_list if item.archived_at is None],
            "archived_forms": [item for item in forms_list if item.archived_at is not None],
            "filter_form": filter_form,
            "filtered": log_form is not None or month is not None,
            "page": page,
        },
    )


def _link(request):
    """The shift date or meeting named in the address (`?occurrence=` or `?meeting=`), if any; one of
    another institution, or none at all, is a 404."""
    occurrence = meeting = None
    for name, model in (("occurrence", ShiftOccurrence), ("meeting", Meeting)):
        raw = request.GET.get(name, "")
        if not raw:
            continue
        if not raw.isdigit() or len(raw) > 12:
            raise Http404("No such shift date or meeting.")
        related = ("shift__role", "institution") if model is ShiftOccurrence else ("institution",)
        found = model.objects.filter(institution=request.institution, pk=int(raw)).select_related(*related).first()
        if found is None:
            raise Http404("No such shift date or meeting.")
        if model is ShiftOccurrence:
            occurrence = found
        else:
            meeting = found
    return occurrence, meeting


@tenant_access(MEMBER)
def log_fill(request, pk):
    """Fill a log: one short page, the date prefilled, one box per metric. Linked to a shift date or a
    meeting when the address names one."""
    institution = request.institution
    log_form = service.get_log_form_or_404(institution, pk)
    occurrence, meeting = _link(request)
    fields = service.form_fields(log_form)
    link_error = None
    try:
        service.check_link(institution, occurrence=occurrence, meeting=meeting)
    except ValidationError as error:
        link_error = " ".join(error.messages)
    initial = {"happened_on": service.link_date(institution, occurrence=occurrence, meeting=meeting)}
    form = EntryForm(posted_data(request), fields=fields, initial=initial)
    if log_form.archived_at is not None:
        link_error = _("This log form is archived: it takes no new entries.")
    if link_error:
        if form.is_bound:
            form.is_valid()  # show the field errors too, if any
        messages.error(request, link_error)
    elif request.method == "POST" and form.is_valid():
        try:
            entry = service.entry_create(
                log_form=log_form,
                author=request.user,
                happened_on=form.cleaned_data["happened_on"],
                values=form.values(),
                notes=form.cleaned_data["notes"],
                occurrence=occurrence,
                meeting=meeting,
                fields=fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Logged. Thank you!"))
            return redirect(_url(request, "log_entry", pk=entry.pk))
    status = 400 if link_error or form.errors else 200
    return render(
        request,
        "evaluation/logs/fill.html",
        {
            "log_form": log_form,
            "form": form,
            "occurrence": occurrence,
            "meeting": meeting,
            "blocked": bool(link_error),
            "query": request.GET.urlencode(),
        },
        status=status,
    )


def _entry_context(request, entry):
    return {
        "entry": entry,
        "values": service.entry_values(entry),
        "can_edit": service.can_edit_entry(request.membership, entry),
        "edit_until": entry.created_at + timedelta(days=service.EDIT_DAYS),
        "author_window": not request.membership.is_organizer,
    }


@tenant_access(MEMBER)
@require_safe
def log_entry(request, pk):
    entry = service.get_entry_or_404(request.institution, pk)
    return render(request, "evaluation/logs/entry.html", _entry_context(request, entry))


@tenant_access(MEMBER)
def log_entry_edit(request, pk):
    entry = service.get_entry_or_404(request.institution, pk)
    if not service.can_edit_entry(request.membership, entry):
        raise PermissionDenied("Only the author (for a week) and organizers change a log.")
    fields = service.entry_fields(entry)
    current = {value.metric_id: value.value for value in entry.values.all()}
    form = EntryForm(
        posted_data(request),
        fields=fields,
        values=current,
        initial={"happened_on": entry.happened_on, "notes": entry.notes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.entry_update(
                entry=entry,
                actor=request.user,
                membership=request.membership,
                happened_on=form.cleaned_data["happened_on"],
                values=form.values(),
                notes=form.cleaned_data["notes"],
                fields=fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The log is corrected."))
            return redirect(_url(request, "log_entry", pk=entry.pk))
    return render(request, "evaluation/logs/entry_form.html", {"entry": entry, "form": form}, status=_status(form))


@tenant_access(MEMBER)
@require_POST
def log_entry_delete(request, pk):
    entry = service.get_entry_or_404(request.institution, pk)
    if not service.can_edit_entry(request.membership, entry):
        raise PermissionDenied("Only the author (for a week) and organizers delete a log.")
    service.entry_delete(entry=entry, actor=request.user, membership=request.membership)
    messages.success(request, _("The log is deleted."))
    return redirect(_url(request, "logs"))


@tenant_access(MEMBER)
@require_safe
def log_form_csv(request, pk):
    """The form's entries as CSV, one row per entry and a column per metric, streamed."""
    institution = request.institution
    log_form = service.get_log_form_or_404(institution, pk)
    language = request.LANGUAGE_CODE

    def pieces():
        from django.utils import translation

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # The body is read after the view returned: enter the institution's scope here.
        with scope(institution=institution), translation.override(language):
            for number, row in enumerate(service.csv_rows(log_form), start=1):
                writer.writerow(row)
                if number % 200 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(pieces(), content_type="text/csv; charset=utf-8")
    filename = f"log-{institution.slug}-{log_form.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# Log forms -------------------------------------------------------------------------------------------------


def _form_metrics(institution, log_form=None):
    """Metrics to offer: those in use, plus archived ones already on this form."""
    keep = Q(archived_at__isnull=True)
    if log_form is not None:
        keep |= Q(pk__in=[field.metric_id for field in log_form.ordered_fields])
    return list(Metric.objects.filter(keep, institution=institution).order_by("name", "pk"))


def _save_log_form(request, form, log_form=None):
    try:
        return service.log_form_save(
            institution=request.institution,
            actor=request.user,
            log_form=log_form,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            role=form.cleaned_data["role"],
            fields=form.cleaned_data["chosen"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@tenant_access(ORGANIZER)
def log_form_new(request):
    metrics = _form_metrics(request.institution)
    form = LogFormForm(posted_data(request), institution=request.institution, metrics=metrics)
    if request.method == "POST" and form.is_valid() and _save_log_form(request, form) is not None:
        messages.success(request, _("The log form is ready: members can fill it now."))
        return redirect(_url(request, "logs"))
    return render(
        request, "evaluation/logs/log_form_form.html", {"form": form, "metrics": metrics}, status=_status(form)
    )


@tenant_access(ORGANIZER)
def log_form_edit(request, pk):
    from django.shortcuts import get_object_or_404

    log_form = get_object_or_404(service.log_forms(request.institution), pk=pk)
    metrics = _form_metrics(request.institution, log_form)
    form = LogFormForm(posted_data(request), instance=log_form, institution=request.institution, metrics=metrics)
    if request.method == "POST" and form.is_valid() and _save_log_form(request, form, log_form) is not None:
        messages.success(request, _("The log form is updated. Entries already made keep their numbers."))
        return redirect(_url(request, "logs"))
    return render(
        request,
        "evaluation/logs/log_form_form.html",
        {"form": form, "log_form": log_form, "metrics": metrics},
        status=_status(form),
    )


@tenant_access(ORGANIZER)
@require_POST
def log_form_archive(request, pk):
    log_form = service.get_log_form_or_404(request.institution, pk)
    archived = log_form.archived_at is None
    service.log_form_archive(log_form=log_form, actor=request.user, archived=archived)
    messages.success(request, _("The log form is archived.") if archived else _("The log form is back in use."))
    return redirect(_url(request, "logs"))


# Metrics -----------------------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def metric_list(request):
    return render(request, "evaluation/logs/metrics.html", {"metrics": service.metrics(request.institution)})


def _metric_fields(form):
    return {name: form.cleaned_data[name] for name in MetricForm.Meta.fields}


@tenant_access(ORGANIZER)
def metric_new(request):
    form = MetricForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            metric = service.metric_save(institution=request.institution, actor=request.user, **_metric_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The metric is added. Put it on a log form so members can fill it."))
            return redirect(_url(request, "metric", pk=metric.pk))
    return render(request, "evaluation/logs/metric_form.html", {"form": form}, status=_status(form))


@tenant_access(ORGANIZER)
def metric_edit(request, pk):
    metric = service.get_metric_or_404(request.institution, pk)
    form = MetricForm(posted_data(request), instance=metric)  # the form leaves its instance as it is
    if request.method == "POST" and form.is_valid():
        try:
            service.metric_save(
                institution=request.institution, actor=request.user, metric=metric, **_metric_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The metric is updated."))
            return redirect(_url(request, "metric", pk=metric.pk))
    return render(request, "evaluation/logs/metric_form.html", {"form": form, "metric": metric}, status=_status(form))


@tenant_access(ORGANIZER)
@require_POST
def metric_archive(request, pk):
    metric = service.get_metric_or_404(request.institution, pk)
    archived = metric.archived_at is None
    service.metric_archive(metric=metric, actor=request.user, archived=archived)
    messages.success(request, _("The metric is archived.") if archived else _("The metric is back in use."))
    return redirect(_url(request, "metric", pk=metric.pk))


def _period_label(start, period):
    if period == "month":
        return date_format(start, "F Y")
    return _("week of %(date)s") % {"date": date_format(start, "j M Y")}


@tenant_access(MEMBER)
@require_safe
def metric_detail(request, pk):
    """The metric over time (weekly, or monthly), its goal, the changes made, and the average per entry
    in the weeks before and after each change."""
    institution = request.institution
    metric = service.get_metric_or_404(institution, pk)
    period = "month" if request.GET.get("period") == "month" else "week"
    series = service.metric_series(metric, period=period)
    today = service.local_today(institution)
    shown = service.changes_for_chart(institution, since=today - timedelta(days=2 * 366))
    comparisons = service.before_and_after(metric, shown)
    span_start = series[0].starts_on
    index_of = {point.starts_on: index for index, point in enumerate(series)}
    markers = []
    for number, change in enumerate(shown, start=1):
        made_on = change.made_on
        start = made_on.replace(day=1) if period == "month" else made_on - timedelta(days=made_on.weekday())
        if start >= span_start and start in index_of:
            markers.append((index_of[start], number, change.title))
    rows = [(_period_label(point.starts_on, period), point) for point in series]
    kind_total = _("sum") if metric.kind == Metric.Kind.COUNT else _("average")
    chart = line_chart(
        chart_id=f"metric-{metric.pk}",
        title=(_("%(metric)s per month") if period == "month" else _("%(metric)s per week")) % {"metric": metric.name},
        description=_("%(total)s periods with entries; the table below has the numbers.")
        % {"total": sum(1 for point in series if point.value is not None)},
        points=[(label, point.value) for label, point in rows],
        goal=metric.goal,
        markers=markers,
        first_label=date_format(series[0].starts_on, "M Y"),
        last_label=date_format(series[-1].starts_on, "M Y"),
    )
    service.metric_viewed(metric)
    return render(
        request,
        "evaluation/logs/metric.html",
        {
            "metric": metric,
            "period": period,
            "chart": chart,
            "rows": rows,
            "has_values": any(point.value is not None for point in series),
            "kind_total": kind_total,
            "comparisons": list(zip(range(1, len(shown) + 1), comparisons, strict=True)),
            "window_weeks": service.CHANGE_WINDOW_WEEKS,
        },
    )


# Changes -------------------------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def change_list(request):
    return render(
        request,
        "evaluation/logs/changes.html",
        {"changes": service.changes(request.institution)[:CHANGES_LIMIT], "limit": CHANGES_LIMIT},
    )


@tenant_access(ORGANIZER)
def change_new(request):
    form = ChangeForm(posted_data(request), initial={"made_on": service.local_today(request.institution)})
    if request.method == "POST" and form.is_valid():
        try:
            service.change_save(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The change is recorded: the charts mark it from now on."))
            return redirect(_url(request, "changes"))
    return render(request, "evaluation/logs/change_form.html", {"form": form}, status=_status(form))


@tenant_access(ORGANIZER)
def change_edit(request, pk):
    change = service.get_change_or_404(request.institution, pk)
    form = ChangeForm(posted_data(request), instance=change)  # the form leaves its instance as it is
    if request.method == "POST" and form.is_valid():
        try:
            service.change_save(institution=request.institution, actor=request.user, change=change, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The change is corrected."))
            return redirect(_url(request, "changes"))
    return render(request, "evaluation/logs/change_form.html", {"form": form, "change": change}, status=_status(form))


@tenant_access(ORGANIZER)
@require_POST
def change_delete(request, pk):
    change = service.get_change_or_404(request.institution, pk)
    service.change_delete(change=change, actor=request.user)
    messages.success(request, _("The change is deleted."))
    return redirect(_url(request, "changes"))
