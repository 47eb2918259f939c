"""Field logs: metrics and log forms (organizers), log entries (members, after a shift or event), the
changes the institution made on purpose, and the numbers over time with the average before and after
each change. Writes first, then reads; the aggregates are computed in the database."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.db.models.functions import Trunc, TruncMonth, TruncWeek
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Membership
from institutions.services import audit_record

from .models import Change, LogEntry, LogForm, LogFormField, LogValue, Metric

MAX_VALUE = Decimal("1000000")
NOTES_MAX = 2000
EDIT_DAYS = 7  # the author may correct or delete their entry this long; organizers any time
CHANGE_WINDOW_WEEKS = 8  # before and after a change, the averages compare this many weeks
CHART_WEEKS = 26
CHART_MONTHS = 24
CHANGES_COMPARED = 12


def local_zone(institution):
    return ZoneInfo(institution.time_zone)


def local_today(institution):
    return timezone.localdate(timezone=local_zone(institution))


def _clean_text(value, *, limit):
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError(_("The text contains a character that cannot be saved."))
    return value[:limit]


# Metrics ----------------------------------------------------------------------------------------------


def check_value(metric, value):
    """The value as stored, or a ValidationError saying what the metric accepts."""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValidationError(_("“%(metric)s”: give a number.") % {"metric": metric.name}) from None
    if not value.is_finite() or abs(value) > MAX_VALUE:
        raise ValidationError(_("“%(metric)s”: give a number up to 1,000,000.") % {"metric": metric.name})
    if metric.kind == Metric.Kind.COUNT and (value < 0 or value != value.to_integral_value()):
        raise ValidationError(_("“%(metric)s”: give a whole number, 0 or more.") % {"metric": metric.name})
    if metric.kind == Metric.Kind.RATING and value not in {1, 2, 3, 4, 5}:
        raise ValidationError(_("“%(metric)s”: choose a rating from 1 to 5.") % {"metric": metric.name})
    if metric.kind == Metric.Kind.NUMBER and value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("“%(metric)s”: use at most two decimals.") % {"metric": metric.name})
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def metric_save(
    *, institution, actor, metric=None, name, kind, unit="", goal=None, direction=Metric.Direction.UP, description=""
) -> Metric:
    """Create a metric, or change one when `metric` is given. A metric with values keeps its kind (its
    values were counted that way)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Say what you count."))
    if kind not in Metric.Kind.values or direction not in Metric.Direction.values:
        raise ValidationError(_("Choose the kind of number and when it is better."))
    clash = Metric.objects.filter(institution=institution, name__iexact=name)
    if metric is not None:
        clash = clash.exclude(pk=metric.pk)
    if clash.exists():
        raise ValidationError(_("There is already a metric called “%(name)s”.") % {"name": name})
    if metric is not None and metric.kind != kind and LogValue.objects.filter(metric=metric).exists():
        raise ValidationError(_("This metric has values already: its kind cannot change. Make a new metric instead."))
    if goal is not None and (abs(goal) > MAX_VALUE or (kind == Metric.Kind.RATING and not 1 <= goal <= 5)):
        raise ValidationError(_("Give a goal the metric can reach (a rating goal is from 1 to 5)."))
    created = metric is None
    metric = metric or Metric(institution=institution)
    metric.name, metric.kind, metric.direction, metric.goal = name, kind, direction, goal
    metric.unit = _clean_text(unit, limit=40)
    metric.description = _clean_text(description, limit=500)
    metric.full_clean()
    metric.save()
    audit_record(
        institution=institution, actor=actor, action="metric.created" if created else "metric.changed", metric=name
    )
    return metric


@transaction.atomic
def metric_archive(*, metric, actor, archived=True) -> Metric:
    """An archived metric leaves the forms' new entries; its values and chart stay."""
    metric.archived_at = timezone.now() if archived else None
    metric.save(update_fields=["archived_at"])
    audit_record(
        institution=metric.institution,
        actor=actor,
        action="metric.archived" if archived else "metric.restored",
        metric=metric.name,
    )
    return metric


def metric_viewed(metric, *, now=None) -> bool:
    """Note that someone looked at the metric's chart: one conditional UPDATE, which changes the row
    at most once per local day. True if it did."""
    now = now or timezone.now()
    midnight = datetime.combine(
        timezone.localdate(now, timezone=local_zone(metric.institution)), datetime.min.time()
    ).replace(tzinfo=local_zone(metric.institution))
    return bool(
        Metric.objects.filter(pk=metric.pk)
        .filter(Q(last_viewed_at__isnull=True) | Q(last_viewed_at__lt=midnight))
        .update(last_viewed_at=now)
    )


# Log forms --------------------------------------------------------------------------------------------


@transaction.atomic
def log_form_save(*, institution, actor, log_form=None, name, description="", role=None, fields) -> LogForm:
    """Create a log form, or change one. `fields` is the list of (metric, required) in the order members
    see them. Entries already made keep their values, even for metrics taken off the form."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the log form a name."))
    clash = LogForm.objects.filter(institution=institution, name__iexact=name)
    if log_form is not None:
        clash = clash.exclude(pk=log_form.pk)
    if clash.exists():
        raise ValidationError(_("There is already a log form called “%(name)s”.") % {"name": name})
    if role is not None and role.institution_id != institution.pk:
        raise ValidationError(_("Choose a role of this institution."))
    if not fields:
        raise ValidationError(_("Choose at least one thing to count on this form."))
    metric_ids = [metric.pk for metric, _required in fields]
    if len(set(metric_ids)) != len(metric_ids):
        raise ValidationError(_("Each metric can be on the form once."))
    kept = set()
    if log_form is not None:
        kept = set(LogFormField.objects.filter(form=log_form).values_list("metric_id", flat=True))
    for metric, _required in fields:
        if metric.institution_id != institution.pk:
            raise ValidationError(_("Choose metrics of this institution."))
        if metric.archived_at is not None and metric.pk not in kept:
            raise ValidationError(_("“%(metric)s” is archived: restore it first.") % {"metric": metric.name})
    created = log_form is None
    log_form = log_form or LogForm(institution=institution)
    log_form.name, log_form.role = name, role
    log_form.description = _clean_text(description, limit=500)
    log_form.full_clean()
    log_form.save()
    LogFormField.objects.filter(form=log_form).exclude(metric_id__in=metric_ids).delete()
    existing = {field.metric_id: field for field in LogFormField.objects.filter(form=log_form)}
    for position, (metric, required) in enumerate(fields):
        field = existing.get(metric.pk) or LogFormField(institution=institution, form=log_form, metric=metric)
        field.position, field.required = position, bool(required)
        field.save()
    audit_record(
        institution=institution,
        actor=actor,
        action="log_form.created" if created else "log_form.changed",
        form=name,
        metrics=[metric.name for metric, _required in fields],
    )
    return log_form


@transaction.atomic
def log_form_archive(*, log_form, actor, archived=True) -> LogForm:
    log_form.archived_at = timezone.now() if archived else None
    log_form.save(update_fields=["archived_at"])
    audit_record(
        institution=log_form.institution,
        actor=actor,
        action="log_form.archived" if archived else "log_form.restored",
        form=log_form.name,
    )
    return log_form


# Entries ----------------------------------------------------------------------------------------------


def has_started(starts_at, *, now=None):
    return starts_at <= (now or timezone.now())


def check_link(institution, *, occurrence=None, meeting=None):
    """A shift date or a meeting an entry may be linked to: of this institution, already started, and
    not both at once."""
    if occurrence is not None and meeting is not None:
        raise ValidationError(_("Link the log to a shift or a meeting, not both."))
    if occurrence is not None:
        if occurrence.institution_id != institution.pk:
            raise ValidationError(_("Choose a shift of this institution."))
        if occurrence.cancelled_at is not None:
            raise ValidationError(_("This shift date did not happen (it was skipped)."))
        if not has_started(occurrence.starts_at):
            raise ValidationError(_("This shift has not started yet: log it once it has."))
    if meeting is not None:
        if meeting.institution_id != institution.pk:
            raise ValidationError(_("Choose a meeting of this institution."))
        if not has_started(meeting.starts_at):
            raise ValidationError(_("This meeting has not started yet: log it once it has."))


def link_date(institution, *, occurrence=None, meeting=None):
    """The local date of the linked shift or meeting, else today."""
    if occurrence is not None:
        return occurrence.date
    if meeting is not None:
        return timezone.localtime(meeting.starts_at, local_zone(institution)).date()
    return local_today(institution)


def _check_entry(institution, log_form, *, happened_on, values, fields):
    if happened_on > local_today(institution):
        raise ValidationError(_("The date cannot be in the future: log what already happened."))
    if happened_on < date(2000, 1, 1):
        raise ValidationError(_("Give a date from 2000 on."))
    by_metric = {field.metric_id: field for field in fields}
    if set(values) - set(by_metric):
        raise ValidationError(_("Some of these values are not on this log form."))
    missing = [field.metric.name for field in fields if field.required and values.get(field.metric_id) is None]
    if missing:
        raise ValidationError(_("Fill in: %(names)s.") % {"names": ", ".join(missing)})
    cleaned = {
        metric_id: check_value(by_metric[metric_id].metric, value)
        for metric_id, value in values.items()
        if value is not None
    }
    if not cleaned:
        raise ValidationError(_("Fill in at least one number."))
    return cleaned


def form_fields(log_form):
    """The form's fields in order, with their metrics; archived metrics are left out of new entries."""
    return list(
        LogFormField.objects.filter(form=log_form, metric__archived_at__isnull=True)
        .select_related("metric")
        .order_by("position", "pk")
    )


@transaction.atomic
def entry_create(
    *, log_form, author, happened_on, values, notes="", occurrence=None, meeting=None, fields=None
) -> LogEntry:
    """A member's log: `values` maps metric ids to numbers (None for "not counted")."""
    institution = log_form.institution
    if not Membership.objects.filter(institution=institution, user=author, status=Membership.Status.ACTIVE).exists():
        raise ValidationError(_("Only members can fill in logs."))
    if log_form.archived_at is not None:
        raise ValidationError(_("This log form is archived: it takes no new entries."))
    check_link(institution, occurrence=occurrence, meeting=meeting)
    fields = form_fields(log_form) if fields is None else fields
    cleaned = _check_entry(institution, log_form, happened_on=happened_on, values=values, fields=fields)
    entry = LogEntry.objects.create(
        institution=institution,
        form=log_form,
        author=author,
        happened_on=happened_on,
        occurrence=occurrence,
        meeting=meeting,
        notes=_clean_text(notes, limit=NOTES_MAX),
    )
    LogValue.objects.bulk_create(
        LogValue(institution=institution, entry=entry, metric_id=metric_id, value=value)
        for metric_id, value in cleaned.items()
    )
    return entry


def can_edit_entry(membership, entry, *, now=None):
    """Organizers any time; the author for EDIT_DAYS after writing it."""
    if membership is None or not membership.is_active:
        return False
    if membership.is_organizer:
        return True
    return entry.author_id == membership.user_id and entry.created_at > (now or timezone.now()) - timedelta(
        days=EDIT_DAYS
    )


def entry_fields(entry):
    """The fields an entry is edited with: its form's current fields, plus any metric it has a value for
    that has left the form since (so correcting an entry never drops a number)."""
    fields = list(
        LogFormField.objects.filter(form_id=entry.form_id)
        .filter(Q(metric__archived_at__isnull=True) | Q(metric__values__entry=entry))
        .select_related("metric")
        .distinct()
        .order_by("position", "pk")
    )
    present = {field.metric_id for field in fields}
    for value in entry.values.select_related("metric").exclude(metric_id__in=present):
        fields.append(LogFormField(institution_id=entry.institution_id, form_id=entry.form_id, metric=value.metric))
    return fields


@transaction.atomic
def entry_update(*, entry, actor, membership, happened_on, values, notes="", fields=None) -> LogEntry:
    """Correct an entry: its date, numbers and notes (its shift or meeting stays)."""
    entry = LogEntry.objects.select_for_update(of=("self",)).select_related("form", "institution").get(pk=entry.pk)
    if not can_edit_entry(membership, entry):
        raise ValidationError(_("Only organizers can change a log after %(days)s days.") % {"days": EDIT_DAYS})
    fields = entry_fields(entry) if fields is None else fields
    cleaned = _check_entry(entry.institution, entry.form, happened_on=happened_on, values=values, fields=fields)
    entry.happened_on, entry.notes = happened_on, _clean_text(notes, limit=NOTES_MAX)
    entry.save(update_fields=["happened_on", "notes"])
    LogValue.objects.filter(entry=entry).exclude(metric_id__in=list(cleaned)).delete()
    for metric_id, value in cleaned.items():
        LogValue.objects.update_or_create(
            entry=entry, metric_id=metric_id, defaults={"institution": entry.institution, "value": value}
        )
    if entry.author_id != actor.pk:
        audit_record(
            institution=entry.institution,
            actor=actor,
            action="log_entry.changed",
            form=entry.form.name,
            date=happened_on.isoformat(),
        )
    return entry


@transaction.atomic
def entry_delete(*, entry, actor, membership) -> None:
    if not can_edit_entry(membership, entry):
        raise ValidationError(_("Only organizers can delete a log after %(days)s days.") % {"days": EDIT_DAYS})
    audit_record(
        institution=entry.institution,
        actor=actor,
        action="log_entry.deleted",
        form=entry.form.name,
        date=entry.happened_on.isoformat(),
        author=entry.author.display_name if entry.author else "",
    )
    entry.delete()


# Changes ----------------------------------------------------------------------------------------------


@transaction.atomic
def change_save(*, institution, actor, change=None, made_on, title, description="") -> Change:
    """Record what the institution changed and from when (or correct it)."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("Say what you changed."))
    if made_on > local_today(institution) + timedelta(days=366):
        raise ValidationError(_("Give a date within the next year."))
    if made_on < date(2000, 1, 1):
        raise ValidationError(_("Give a date from 2000 on."))
    created = change is None
    change = change or Change(institution=institution, recorded_by=actor)
    change.made_on, change.title = made_on, title[:200]
    change.description = _clean_text(description, limit=3000)
    change.full_clean()
    change.save()
    audit_record(
        institution=institution,
        actor=actor,
        action="change.recorded" if created else "change.corrected",
        change=change.title,
        date=made_on.isoformat(),
    )
    return change


@transaction.atomic
def change_delete(*, change, actor) -> None:
    audit_record(
        institution=change.institution,
        actor=actor,
        action="change.deleted",
        change=change.title,
        date=change.made_on.isoformat(),
    )
    change.delete()


# Reads ------------------------------------------------------------------------------------------------


def get_metric_or_404(institution, pk):
    return get_object_or_404(Metric.objects.select_related("institution"), institution=institution, pk=pk)


def get_log_form_or_404(institution, pk):
    return get_object_or_404(LogForm.objects.select_related("institution", "role"), institution=institution, pk=pk)


def get_entry_or_404(institution, pk):
    return get_object_or_404(
        LogEntry.objects.select_related("institution", "form", "author", "occurrence__shift__role", "meeting"),
        institution=institution,
        pk=pk,
    )


def get_change_or_404(institution, pk):
    return get_object_or_404(Change.objects.select_related("institution"), institution=institution, pk=pk)


def metrics(institution):
    """Every metric, in use first, with how many values it has and the last date one was logged."""
    return (
        Metric.objects.filter(institution=institution)
        .annotate(value_count=Count("values"), last_logged=Max("values__entry__happened_on"))
        .order_by(F("archived_at").asc(nulls_first=True), "name", "pk")
    )


def log_forms(institution):
    """Forms in use first; each with `ordered_fields` (its fields and metrics, in order)."""
    from django.db.models import Prefetch

    return (
        LogForm.objects.filter(institution=institution)
        .select_related("role")
        .prefetch_related(
            Prefetch(
                "fields",
                queryset=LogFormField.objects.select_related("metric").order_by("position", "pk"),
                to_attr="ordered_fields",
            )
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name", "pk")
    )


def entries(institution, *, log_form=None, month=None):
    """Entries, newest first, with their form, author and link; `month` is its first day."""
    found = LogEntry.objects.filter(institution=institution)
    if log_form is not None:
        found = found.filter(form=log_form)
    if month is not None:
        following = (month + timedelta(days=32)).replace(day=1)
        found = found.filter(happened_on__gte=month, happened_on__lt=following)
    return found.select_related("form", "author", "occurrence__shift__role", "meeting").order_by("-happened_on", "-pk")


def entry_months(institution, *, limit=36):
    """The months that have entries, newest first (for the filter)."""
    return list(
        LogEntry.objects.filter(institution=institution)
        .annotate(month=TruncMonth("happened_on"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")[:limit]
    )


def entry_values(entry):
    return list(entry.values.select_related("metric").order_by("metric__name", "pk"))


def changes(institution):
    return Change.objects.filter(institution=institution).select_related("recorded_by").order_by("-made_on", "-pk")


@dataclass
class Period:
    starts_on: date
    value: Decimal | None  # the sum (counts) or average (numbers, ratings) of the period; None: nothing logged
    entries: int


def period_starts(institution, period, *, today=None):
    """The first days of the weeks (Mondays) or months the chart covers, oldest first."""
    today = today or local_today(institution)
    if period == "month":
        first = today.replace(day=1)
        starts = [first]
        for _index in range(CHART_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
            starts.append(first)
        return starts[::-1]
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks) for weeks in range(CHART_WEEKS - 1, -1, -1)]


def metric_series(metric, *, period="week", today=None):
    """The metric per week (or month) over the chart's span: one aggregate query. Counts add up over
    the period; numbers and ratings are averaged. Entry dates are already the institution's local days,
    so weeks and months are cut on them directly."""
    starts = period_starts(metric.institution, period, today=today)
    trunc = TruncMonth("entry__happened_on") if period == "month" else TruncWeek("entry__happened_on")
    total = Sum("value") if metric.kind == Metric.Kind.COUNT else Avg("value")
    rows = (
        LogValue.objects.filter(metric=metric, entry__happened_on__gte=starts[0])
        .annotate(period=trunc)
        .values("period")
        .annotate(total=total, entries=Count("entry_id", distinct=True))
        .order_by("period")
    )
    found = {_as_date(row["period"]): row for row in rows}
    return [
        Period(
            starts_on=start,
            value=_round(found[start]["total"]) if start in found else None,
            entries=found[start]["entries"] if start in found else 0,
        )
        for start in starts
    ]


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


def _round(value):
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


@dataclass
class BeforeAfter:
    change: Change
    before: Decimal | None
    after: Decimal | None
    before_entries: int
    after_entries: int
    difference: Decimal | None
    better: bool | None  # None: not enough to say, or no difference


def before_and_after(metric, changes_shown):
    """For each change, the average value per entry in the CHANGE_WINDOW_WEEKS before it and after it:
    one query, whatever the number of changes (two filtered averages per change)."""
    if not changes_shown:
        return []
    window = timedelta(weeks=CHANGE_WINDOW_WEEKS)
    aggregates = {}
    for index, change in enumerate(changes_shown):
        before = Q(entry__happened_on__gte=change.made_on - window, entry__happened_on__lt=change.made_on)
        after = Q(entry__happened_on__gte=change.made_on, entry__happened_on__lt=change.made_on + window)
        aggregates[f"before_{index}"] = Avg("value", filter=before)
        aggregates[f"after_{index}"] = Avg("value", filter=after)
        aggregates[f"before_n_{index}"] = Count("pk", filter=before)
        aggregates[f"after_n_{index}"] = Count("pk", filter=after)
    totals = LogValue.objects.filter(metric=metric).aggregate(**aggregates)
    results = []
    for index, change in enumerate(changes_shown):
        before, after = _round(totals[f"before_{index}"]), _round(totals[f"after_{index}"])
        difference = after - before if before is not None and after is not None else None
        better = None
        if difference:
            better = difference > 0 if metric.direction == Metric.Direction.UP else difference < 0
        results.append(
            BeforeAfter(
                change=change,
                before=before,
                after=after,
                before_entries=totals[f"before_n_{index}"],
                after_entries=totals[f"after_n_{index}"],
                difference=difference,
                better=better,
            )
        )
    return results


def changes_for_chart(institution, since):
    """The changes to mark and compare: the latest CHANGES_COMPARED made since `since`, oldest first."""
    latest = list(
        Change.objects.filter(institution=institution, made_on__gte=since).order_by("-made_on", "-pk")[
            :CHANGES_COMPARED
        ]
    )
    return latest[::-1]


def forms_for_role(institution, role_id):
    return list(
        LogForm.objects.filter(institution=institution, role_id=role_id, archived_at__isnull=True).order_by(
            "name", "pk"
        )
    )


# For the health indicators and the weekly digest ------------------------------------------------------------


def log_entries_by_author(institution, since):
    """{user id: entries they logged (created) at or after `since`, an aware datetime}. One query."""
    rows = (
        LogEntry.objects.filter(institution=institution, created_at__gte=since, author__isnull=False)
        .values("author_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return {row["author_id"]: row["total"] for row in rows}


def metrics_never_viewed(institution, since):
    """Metrics in use with values logged (created) at or after `since` whose chart nobody opened since
    their latest value was logged: `last_viewed_at` empty, or on an earlier local day than that value
    (the chart's "viewed" mark moves once a day). One query."""
    zone = local_zone(institution)
    return list(
        Metric.objects.filter(institution=institution, archived_at__isnull=True)
        .annotate(latest_logged=Max("values__entry__created_at", filter=Q(values__entry__created_at__gte=since)))
        .filter(latest_logged__isnull=False)
        .filter(Q(last_viewed_at__isnull=True) | Q(last_viewed_at__lt=Trunc("latest_logged", "day", tzinfo=zone)))
        .order_by("name", "pk")
    )


def last_change(institution):
    """The latest change the institution recorded (by its date), or None."""
    return Change.objects.filter(institution=institution).order_by("-made_on", "-pk").first()


# CSV export -------------------------------------------------------------------------------------------


def csv_columns(log_form):
    """The metrics that get a column: the form's, in order, then any other metric its entries have
    values for (taken off the form since). Two queries."""
    columns = [field.metric for field in LogFormField.objects.filter(form=log_form).select_related("metric")]
    present = {metric.pk for metric in columns}
    columns += list(
        Metric.objects.filter(values__entry__form=log_form).exclude(pk__in=present).distinct().order_by("name", "pk")
    )
    return columns


def csv_rows(log_form, *, chunk_size=1000):
    """The header, then one row per entry, oldest first: its date, who logged it, the shift or meeting,
    a column per metric (empty when not counted), the notes. Text cells are safe from spreadsheet
    formulas. Entries and values are read in two chunked queries, merged as they go."""
    from needs.results import csv_safe

    columns = csv_columns(log_form)
    position = {metric.pk: index for index, metric in enumerate(columns)}
    yield [
        "id",
        "date",
        "logged by",
        "shift",
        "meeting",
        *[csv_safe(f"{metric.name} ({metric.unit})" if metric.unit else metric.name) for metric in columns],
        "notes",
        "logged at",
    ]
    rows = (
        LogEntry.objects.filter(form=log_form)
        .select_related("author", "occurrence__shift__role", "meeting")
        .order_by("pk")
        .iterator(chunk_size=chunk_size)
    )
    values = (
        LogValue.objects.filter(entry__form=log_form)
        .order_by("entry_id", "pk")
        .values_list("entry_id", "metric_id", "value")
        .iterator(chunk_size=chunk_size)
    )
    pending = next(values, None)
    zone = local_zone(log_form.institution)
    for entry in rows:
        cells = [""] * len(columns)
        while pending is not None and pending[0] <= entry.pk:
            if pending[0] == entry.pk:
                cells[position[pending[1]]] = pending[2]
            pending = next(values, None)
        occurrence = entry.occurrence
        yield [
            entry.pk,
            entry.happened_on.isoformat(),
            csv_safe(entry.author.display_name if entry.author else ""),
            csv_safe(f"{occurrence.shift.role.name} {occurrence.date.isoformat()}" if occurrence else ""),
            csv_safe(entry.meeting.title if entry.meeting else ""),
            *cells,
            csv_safe(entry.notes),
            timezone.localtime(entry.created_at, zone).isoformat(timespec="minutes"),
        ]
