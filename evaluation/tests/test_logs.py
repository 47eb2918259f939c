"""Field logs: metrics and log forms, filling a log after a shift (linked, validated by kind), the
author's week to correct it, charts per week and month with the goal and the changes, before and after
each change, the CSV export, the selectors the health indicators read, and pages whose query counts do
not grow with two years of entries."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation import logs
from evaluation.demo_logs import seed_logs
from evaluation.models import Change, LogEntry, LogForm, LogValue, Metric
from institutions.models import AuditEntry, Membership
from logistics import shifts
from logistics.models import ShiftOccurrence
from tests.factories import MembershipFactory, one_off_shift


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


@pytest.fixture
def role(scoped, organizer):
    return shifts.role_save(institution=scoped, actor=organizer, name="Clinic escort")


def make_metric(institution, organizer, name, kind=Metric.Kind.COUNT, **fields):
    return logs.metric_save(institution=institution, actor=organizer, name=name, kind=kind, **fields)


@pytest.fixture
def metrics(scoped, organizer):
    return {
        "hostile": make_metric(scoped, organizer, "Hostile passers-by", direction=Metric.Direction.DOWN, goal=3),
        "escorted": make_metric(scoped, organizer, "Patients escorted", unit="people"),
        "calm": make_metric(scoped, organizer, "How calm it felt", kind=Metric.Kind.RATING),
        "hours": make_metric(scoped, organizer, "Hours on site", kind=Metric.Kind.NUMBER),
    }


@pytest.fixture
def log_form(scoped, organizer, metrics, role):
    fields = [(metrics["escorted"], True), (metrics["hostile"], False), (metrics["calm"], False)]
    fields.append((metrics["hours"], False))
    return logs.log_form_save(institution=scoped, actor=organizer, name="Saturday clinic log", role=role, fields=fields)


def started_occurrence(institution, organizer, role, *, hours_ago=3):
    """A shift date that started `hours_ago` hours ago (made ahead, then moved back: the schedule
    refuses past dates)."""
    occurrence = one_off_shift(institution, organizer, role, hours=2).occurrences.get()
    starts = timezone.now() - timedelta(hours=hours_ago)
    ShiftOccurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2), date=timezone.localdate(starts)
    )
    return ShiftOccurrence.objects.select_related("shift__role", "institution").get(pk=occurrence.pk)


def log(log_form, author, day, **values):
    """An entry with values by metric name key of the `metrics` fixture, e.g. escorted=4."""
    by_name = {field.metric.name: field.metric for field in logs.form_fields(log_form)}
    keys = {
        "escorted": "Patients escorted",
        "hostile": "Hostile passers-by",
        "calm": "How calm it felt",
        "hours": "Hours on site",
    }
    return logs.entry_create(
        log_form=log_form,
        author=author,
        happened_on=day,
        values={by_name[keys[key]].pk: value for key, value in values.items()},
    )


def url(institution, name, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


# Values, metrics and forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("count", "4", True),
        ("count", "0", True),
        ("count", "-1", False),
        ("count", "2.5", False),
        ("count", "1000001", False),
        ("rating", "5", True),
        ("rating", "0", False),
        ("rating", "6", False),
        ("number", "2.25", True),
        ("number", "-3.5", True),
        ("number", "2.255", False),
        ("number", "NaN", False),
        ("number", "Infinity", False),
        ("number", "not a number", False),
    ],
)
def test_values_are_checked_by_the_metrics_kind(kind, value, ok):
    metric = Metric(name="m", kind=kind)
    if ok:
        assert logs.check_value(metric, value) == Decimal(value)
    else:
        with pytest.raises(ValidationError):
            logs.check_value(metric, value)


def test_metric_names_are_unique_and_a_metric_with_values_keeps_its_kind(scoped, organizer, member, metrics, log_form):
    with pytest.raises(ValidationError, match="already a metric"):
        make_metric(scoped, organizer, "patients ESCORTED")
    log(log_form, member, timezone.localdate(), escorted=3)
    with pytest.raises(ValidationError, match="kind cannot change"):
        logs.metric_save(
            institution=scoped, actor=organizer, metric=metrics["escorted"], name="Patients escorted", kind="rating"
        )
    assert AuditEntry.objects.filter(action="metric.created").count() == 4


def test_log_form_keeps_the_chosen_order_and_required_fields(scoped, organizer, metrics, log_form):
    logs.log_form_save(
        institution=scoped,
        actor=organizer,
        log_form=log_form,
        name=log_form.name,
        fields=[(metrics["hostile"], True), (metrics["escorted"], False)],
    )
    fields = logs.form_fields(log_form)
    assert [(field.metric.name, field.required) for field in fields] == [
        ("Hostile passers-by", True),
        ("Patients escorted", False),
    ]
    assert log_form.role is None  # the edit left out the role


def test_log_form_refuses_foreign_roles_and_metrics_and_an_empty_list(
    scoped, organizer, metrics, other_institution, other_member
):
    with scope(institution=other_institution):
        foreign_role = shifts.role_save(institution=other_institution, actor=other_member, name="Driver")
        foreign_metric = make_metric(other_institution, other_member, "Elsewhere")
    for role, fields in (
        (foreign_role, [(metrics["hostile"], False)]),
        (None, [(foreign_metric, False)]),
        (None, []),
        (None, [(metrics["hostile"], False), (metrics["hostile"], True)]),
    ):
        with pytest.raises(ValidationError):
            logs.log_form_save(institution=scoped, actor=organizer, name="Bad", role=role, fields=fields)
    assert not LogForm.objects.exists()


# Entries ---------------------------------------------------------------------------------------------------


def test_entry_refuses_future_dates_missing_required_values_and_outsiders(scoped, member, outsider, log_form, metrics):
    today = logs.local_today(scoped)
    with pytest.raises(ValidationError, match="future"):
        log(log_form, member, today + timedelta(days=1), escorted=2)
    with pytest.raises(ValidationError, match="Patients escorted"):
        log(log_form, member, today, hostile=2)
    with pytest.raises(ValidationError, match="Only members"):
        log(log_form, outsider, today, escorted=2)
    with pytest.raises(ValidationError, match="not on this log form"):
        logs.entry_create(log_form=log_form, author=member, happened_on=today, values={999999: 1})
    assert not LogEntry.objects.exists()


def test_entry_links_only_to_a_started_shift_of_the_institution(scoped, organizer, member, log_form, role):
    future = one_off_shift(scoped, organizer, role, hours=5).occurrences.get()
    with pytest.raises(ValidationError, match="not started"):
        logs.entry_create(log_form=log_form, author=member, happened_on=future.date, values={}, occurrence=future)
    started = started_occurrence(scoped, organizer, role)
    # Skipping a date that has started is refused, so the skipped date is marked directly.
    ShiftOccurrence.objects.filter(pk=started.pk).update(cancelled_at=timezone.now())
    started.refresh_from_db()
    with pytest.raises(ValidationError, match="skipped"):
        log_entry_for(log_form, member, started)
    ShiftOccurrence.objects.filter(pk=started.pk).update(cancelled_at=None)
    started.refresh_from_db()
    entry = log_entry_for(log_form, member, started)
    assert entry.occurrence == started and entry.happened_on == started.date


def log_entry_for(log_form, member, occurrence):
    metric = logs.form_fields(log_form)[0].metric
    return logs.entry_create(
        log_form=log_form, author=member, happened_on=occurrence.date, values={metric.pk: 3}, occurrence=occurrence
    )


def test_author_corrects_their_entry_for_a_week_and_organizers_any_time(scoped, organizer, member, log_form):
    entry = log(log_form, member, logs.local_today(scoped), escorted=2, hostile=5)
    member_ship = Membership.objects.get(user=member)
    organizer_ship = Membership.objects.get(user=organizer)
    other = MembershipFactory(institution=scoped)
    assert logs.can_edit_entry(member_ship, entry)
    assert not logs.can_edit_entry(other, entry)
    escorted = logs.form_fields(log_form)[0].metric
    logs.entry_update(
        entry=entry, actor=member, membership=member_ship, happened_on=entry.happened_on, values={escorted.pk: 7}
    )
    assert dict(entry.values.values_list("metric__name", "value")) == {"Patients escorted": Decimal("7.00")}
    LogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    entry.refresh_from_db()
    assert not logs.can_edit_entry(member_ship, entry)
    with pytest.raises(ValidationError):
        logs.entry_delete(entry=entry, actor=member, membership=member_ship)
    assert logs.can_edit_entry(organizer_ship, entry)
    logs.entry_delete(entry=entry, actor=organizer, membership=organizer_ship)
    assert not LogEntry.objects.exists()
    assert AuditEntry.objects.filter(action="log_entry.deleted").exists()


def test_changes_are_recorded_corrected_and_deleted_with_an_audit_trail(scoped, organizer):
    change = logs.change_save(
        institution=scoped, actor=organizer, made_on=logs.local_today(scoped), title="  Calm   signs "
    )
    assert change.title == "Calm signs"
    logs.change_save(institution=scoped, actor=organizer, change=change, made_on=change.made_on, title="Calm")
    logs.change_delete(change=change, actor=organizer)
    actions = list(AuditEntry.objects.filter(action__startswith="change.").values_list("action", flat=True))
    assert sorted(actions) == ["change.corrected", "change.deleted", "change.recorded"]
    with pytest.raises(ValidationError):
        logs.change_save(institution=scoped, actor=organizer, made_on=change.made_on, title="   ")


# Charts and before/after ----------------------------------------------------------------------------------------


def monday(institution, weeks_ago):
    today = logs.local_today(institution)
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_ago)


def test_weekly_series_sums_counts_and_averages_ratings(scoped, member, organizer, log_form, metrics):
    week = monday(scoped, 2)
    log(log_form, member, week, escorted=3, calm=2)
    log(log_form, organizer, week + timedelta(days=5), escorted=4, calm=5)
    log(log_form, member, monday(scoped, 0), escorted=1)
    escorted = logs.metric_series(metrics["escorted"])
    calm = logs.metric_series(metrics["calm"])
    assert len(escorted) == logs.CHART_WEEKS and escorted[-3].starts_on == week
    assert (escorted[-3].value, escorted[-3].entries) == (Decimal("7.00"), 2)
    assert escorted[-1].value == Decimal("1.00") and escorted[-2].value is None
    assert calm[-3].value == Decimal("3.50")
    by_month = logs.metric_series(metrics["escorted"], period="month")
    assert len(by_month) == logs.CHART_MONTHS and sum(point.value or 0 for point in by_month) == Decimal("8.00")


def test_before_and_after_a_change_compares_eight_weeks_each_side(scoped, member, log_form, metrics, organizer):
    change_on = monday(scoped, 10)
    for weeks in range(1, 9):
        log(log_form, member, change_on - timedelta(weeks=weeks), escorted=1, hostile=9)
        log(log_form, member, change_on + timedelta(weeks=weeks - 1), escorted=1, hostile=3)
    log(log_form, member, change_on - timedelta(weeks=12), escorted=1, hostile=100)  # outside the window
    change = logs.change_save(institution=scoped, actor=organizer, made_on=change_on, title="Friendly signs")
    empty = logs.change_save(
        institution=scoped, actor=organizer, made_on=change_on - timedelta(weeks=40), title="Long ago"
    )
    hostile, missing = logs.before_and_after(metrics["hostile"], [change, empty])
    assert (hostile.before, hostile.after, hostile.difference) == (Decimal("9.00"), Decimal("3.00"), Decimal("-6.00"))
    assert (hostile.before_entries, hostile.after_entries) == (8, 8)
    assert hostile.better is True  # fewer hostile responses is better
    assert missing.before is None and missing.better is None
    (escorted,) = logs.before_and_after(metrics["escorted"], [change])
    assert escorted.difference == 0 and escorted.better is None


def test_metric_page_draws_the_chart_goal_and_changes_and_marks_the_metric_viewed(
    member_client, institution, organizer, member, log_form, metrics
):
    with scope(institution=institution):
        log(log_form, member, monday(institution, 3), escorted=2, hostile=8)
        log(log_form, member, monday(institution, 1), escorted=2, hostile=2)
        logs.change_save(institution=institution, actor=organizer, made_on=monday(institution, 2), title="Calm <b>")
    response = member_client.get(url(institution, "metric", pk=metrics["hostile"].pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="img"' in html and "<title>Hostile passers-by per week</title>" in html
    assert "goal 3" in html and 'stroke-dasharray="6 4"' in html  # the goal line
    assert "<title>Calm &lt;b&gt;</title>" in html  # the change's marker, escaped
    assert "Yes, better" in html and "<caption" in html
    with scope(institution=institution):
        viewed = Metric.objects.get(pk=metrics["hostile"].pk).last_viewed_at
    assert viewed is not None
    assert member_client.get(url(institution, "metric", pk=metrics["hostile"].pk) + "?period=month").status_code == 200
    with scope(institution=institution):
        assert Metric.objects.get(pk=metrics["hostile"].pk).last_viewed_at == viewed  # once a day


def test_metric_viewed_updates_at_most_once_a_day(scoped, metrics):
    metric = metrics["calm"]
    now = timezone.now()
    assert logs.metric_viewed(metric, now=now)
    assert not logs.metric_viewed(metric, now=now + timedelta(minutes=5))
    assert logs.metric_viewed(metric, now=now + timedelta(days=1, minutes=1))


# Selectors for the health indicators -------------------------------------------------------------------------------


def test_log_entries_by_author_counts_entries_since_in_one_query(scoped, member, organizer, log_form):
    today = logs.local_today(scoped)
    for _ in range(3):
        log(log_form, member, today, escorted=1)
    old = log(log_form, organizer, today, escorted=1)
    LogEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    log(log_form, organizer, today, escorted=1)
    with CaptureQueriesContext(connection) as queries:
        counts = logs.log_entries_by_author(scoped, timezone.now() - timedelta(days=7))
    assert counts == {member.pk: 3, organizer.pk: 1}
    assert len(queries) == 1


def test_metrics_never_viewed_are_those_logged_since_and_not_opened_after(scoped, member, log_form, metrics):
    since = timezone.now() - timedelta(days=7)
    log(log_form, member, logs.local_today(scoped), escorted=1, hostile=2, calm=3)
    Metric.objects.filter(pk=metrics["hostile"].pk).update(last_viewed_at=timezone.now() + timedelta(minutes=1))
    Metric.objects.filter(pk=metrics["calm"].pk).update(last_viewed_at=timezone.now() - timedelta(days=3))
    logs.metric_archive(metric=metrics["hours"], actor=None)
    with CaptureQueriesContext(connection) as queries:
        names = [metric.name for metric in logs.metrics_never_viewed(scoped, since)]
    assert names == ["How calm it felt", "Patients escorted"]  # hours: no values, and archived
    assert len(queries) == 1
    assert logs.metrics_never_viewed(scoped, timezone.now() + timedelta(minutes=5)) == []


def test_last_change_is_the_latest_by_date(scoped, organizer):
    assert logs.last_change(scoped) is None
    today = logs.local_today(scoped)
    logs.change_save(institution=scoped, actor=organizer, made_on=today, title="Newest")
    logs.change_save(institution=scoped, actor=organizer, made_on=today - timedelta(days=30), title="Older")
    assert logs.last_change(scoped).title == "Newest"


# Pages ---------------------------------------------------------------------------------------------------------------


def test_member_logs_a_shift_from_the_date_page_link(member_client, institution, organizer, member, log_form, role):
    with scope(institution=institution):
        occurrence = started_occurrence(institution, organizer, role)
        links = Template("{% load evaluation_logs %}{% log_links occurrence %}").render(
            Context({"occurrence": occurrence})
        )
        fields = logs.form_fields(log_form)
    assert "Log this shift" in links and f"?occurrence={occurrence.pk}" in links
    fill = url(institution, "log_fill", pk=log_form.pk) + f"?occurrence={occurrence.pk}"
    page = member_client.get(fill).content.decode()
    assert 'inputmode="numeric"' in page and f'value="{occurrence.date.isoformat()}"' in page
    data = {"happened_on": occurrence.date.isoformat(), "notes": "Quiet", f"value_{fields[0].metric_id}": "4"}
    data[f"value_{fields[2].metric_id}"] = "5"  # the rating
    response = member_client.post(fill, data, follow=True)
    assert response.status_code == 200 and "Logged. Thank you!" in response.content.decode()
    with scope(institution=institution):
        entry = LogEntry.objects.get()
        assert (entry.occurrence_id, entry.author, entry.notes) == (occurrence.pk, member, "Quiet")
        assert sorted(entry.values.values_list("value", flat=True)) == [Decimal("4.00"), Decimal("5.00")]


def test_optional_boxes_and_ratings_left_empty_save_no_value(member_client, institution, log_form, metrics):
    posted = {"happened_on": timezone.localdate().isoformat(), f"value_{metrics['escorted'].pk}": "0"}
    posted.update({f"value_{metrics[key].pk}": "" for key in ("hostile", "calm", "hours")})
    assert member_client.post(url(institution, "log_fill", pk=log_form.pk), posted).status_code == 302
    with scope(institution=institution):
        assert list(LogValue.objects.values_list("metric__name", "value")) == [("Patients escorted", Decimal("0.00"))]


def test_a_log_links_to_a_meeting_that_has_started(member_client, institution, organizer, log_form, metrics):
    from meetings import services as meeting_services
    from meetings.models import Meeting

    with scope(institution=institution):
        meeting = meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title="Assembly",
            starts_at=timezone.now() + timedelta(days=2),
            place_name="Hall",
        )
    fill = url(institution, "log_fill", pk=log_form.pk) + f"?meeting={meeting.pk}"
    posted = {"happened_on": timezone.localdate().isoformat(), f"value_{metrics['escorted'].pk}": "2"}
    assert member_client.post(fill, posted).status_code == 400  # not started yet
    with scope(institution=institution):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=1))
    assert "For “Assembly”" in member_client.get(fill).content.decode()
    assert member_client.post(fill, posted).status_code == 302
    with scope(institution=institution):
        assert LogEntry.objects.get().meeting_id == meeting.pk


def test_log_links_show_nothing_before_the_shift_starts(scoped, organizer, role, log_form):
    future = one_off_shift(scoped, organizer, role, hours=5).occurrences.select_related("shift", "institution").get()
    rendered = Template("{% load evaluation_logs %}{% log_links occurrence %}").render(Context({"occurrence": future}))
    assert rendered.strip() == ""


def test_fill_page_refuses_links_to_other_institutions_and_unstarted_shifts(
    member_client, institution, organizer, log_form, role, other_institution, other_member
):
    with scope(institution=other_institution):
        other_role = shifts.role_save(institution=other_institution, actor=other_member, name="Driver")
        foreign = started_occurrence(other_institution, other_member, other_role)
    with scope(institution=institution):
        future = one_off_shift(institution, organizer, role, hours=5).occurrences.get()
    fill = url(institution, "log_fill", pk=log_form.pk)
    assert member_client.get(f"{fill}?occurrence={foreign.pk}").status_code == 404
    assert member_client.get(f"{fill}?meeting=abc").status_code == 404
    response = member_client.post(f"{fill}?occurrence={future.pk}", {"happened_on": "2026-01-01"})
    assert response.status_code == 400 and "not started yet" in response.content.decode()
    with scope(institution=institution):
        assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"happened_on": ""},
        {"happened_on": "not a date"},
        {"happened_on": "2999-01-01"},
        {"escorted": ""},
        {"escorted": "-2"},
        {"escorted": "2.5"},
        {"escorted": "1000001"},
        {"escorted": "=1+1"},
        {"calm": "7"},
        {"hours": "1.234"},
        {"hours": "99999999999"},
        {"notes": "x" * (logs.NOTES_MAX + 1)},
        {"notes": "\x00"},
    ],
)
def test_bad_log_input_is_refused_with_a_message_and_nothing_saved(
    member_client, institution, log_form, metrics, changes
):
    data = {"happened_on": timezone.localdate().isoformat(), "notes": "", "escorted": "3", "calm": "4", "hours": "2"}
    data.update(changes)
    posted = {"happened_on": data["happened_on"], "notes": data["notes"]}
    for key in ("escorted", "calm", "hours"):
        posted[f"value_{metrics[key].pk}"] = data[key]
    response = member_client.post(url(institution, "log_fill", pk=log_form.pk), posted)
    assert response.status_code == 400
    assert b"errorlist" in response.content or b"message-error" in response.content
    with scope(institution=institution):
        assert not LogEntry.objects.exists() and not LogValue.objects.exists()


def test_an_archived_form_takes_no_new_logs(member_client, institution, organizer, log_form, metrics):
    with scope(institution=institution):
        logs.log_form_archive(log_form=log_form, actor=organizer)
    response = member_client.post(
        url(institution, "log_fill", pk=log_form.pk),
        {"happened_on": timezone.localdate().isoformat(), f"value_{metrics['escorted'].pk}": "3"},
    )
    assert response.status_code == 400
    with scope(institution=institution):
        assert not LogEntry.objects.exists()


def test_after_a_week_only_organizers_correct_a_log(member_client, organizer_client, institution, member, log_form):
    with scope(institution=institution):
        entry = log(log_form, member, timezone.localdate(), escorted=2)
        LogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    edit = url(institution, "log_entry_edit", pk=entry.pk)
    assert member_client.get(edit).status_code == 403
    assert member_client.post(url(institution, "log_entry_delete", pk=entry.pk)).status_code == 403
    assert "Correct it" not in member_client.get(url(institution, "log_entry", pk=entry.pk)).content.decode()
    assert organizer_client.get(edit).status_code == 200
    with scope(institution=institution):
        assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_organizer_builds_a_metric_and_a_form_members_cannot(
    organizer_client, member_client, institution, metrics, role
):
    new_metric = url(institution, "metric_new")
    payload = {
        "name": "Leaflets handed out",
        "kind": "count",
        "direction": "up",
        "unit": "",
        "goal": "",
        "description": "",
    }
    assert member_client.post(new_metric, payload).status_code == 403
    assert organizer_client.post(new_metric, payload).status_code == 302
    assert organizer_client.post(new_metric, payload).status_code == 400  # the same name again
    form_data = {
        "name": "Leafleting log",
        "description": "",
        "role": role.pk,
        f"metric_{metrics['hostile'].pk}": "on",
        f"position_{metrics['hostile'].pk}": "2",
        f"metric_{metrics['escorted'].pk}": "on",
        f"position_{metrics['escorted'].pk}": "1",
        f"required_{metrics['escorted'].pk}": "on",
    }
    assert member_client.post(url(institution, "log_form_new"), form_data).status_code == 403
    assert organizer_client.post(url(institution, "log_form_new"), form_data).status_code == 302
    with scope(institution=institution):
        log_form = LogForm.objects.get(name="Leafleting log")
        assert [(f.metric.name, f.required) for f in logs.form_fields(log_form)] == [
            ("Patients escorted", True),
            ("Hostile passers-by", False),
        ]
    no_metrics = {"name": "Empty", "description": "", "role": ""}
    assert organizer_client.post(url(institution, "log_form_new"), no_metrics).status_code == 400
    with scope(institution=institution):
        assert not LogForm.objects.filter(name="Empty").exists()


def test_csv_has_a_row_per_entry_a_column_per_metric_and_no_formulas(
    member_client, institution, member, organizer, log_form, metrics
):
    with scope(institution=institution):
        entry = log(log_form, member, timezone.localdate(), escorted=3, calm=4)
        LogEntry.objects.filter(pk=entry.pk).update(notes='=HYPERLINK("x")')
        log(log_form, organizer, timezone.localdate(), escorted=5, hours=Decimal("1.5"))
        logs.log_form_save(
            institution=institution,
            actor=organizer,
            log_form=log_form,
            name=log_form.name,
            fields=[(metrics["escorted"], True)],
        )
    response = member_client.get(url(institution, "log_form_csv", pk=log_form.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = rows[0]
    assert header[5:8] == ["Patients escorted (people)", "Hours on site", "How calm it felt"]  # taken off: kept
    assert len(rows) == 3
    first = dict(zip(header, rows[1], strict=True))
    assert first["Patients escorted (people)"] == "3.00" and first["How calm it felt"] == "4.00"
    assert first["notes"] == '\'=HYPERLINK("x")' and first["logged by"] == "Mo"


def test_change_pages_record_and_delete(organizer_client, member_client, institution):
    new = url(institution, "change_new")
    data = {"made_on": timezone.localdate().isoformat(), "title": "Friendly signs", "description": ""}
    assert member_client.post(new, data).status_code == 403
    assert organizer_client.post(new, {**data, "title": ""}).status_code == 400
    assert organizer_client.post(new, {**data, "made_on": "nope"}).status_code == 400
    assert organizer_client.post(new, data).status_code == 302
    with scope(institution=institution):
        change = Change.objects.get()
    assert "Friendly signs" in member_client.get(url(institution, "changes")).content.decode()
    assert organizer_client.post(url(institution, "change_delete", pk=change.pk)).status_code == 302
    with scope(institution=institution):
        assert not Change.objects.exists()


# Query counts do not grow with the data ----------------------------------------------------------------------------


def weekly_entries(institution, log_form, author, metrics, weeks):
    """One entry per week going back `weeks` weeks, written directly (fast), with every metric."""
    today = logs.local_today(institution)
    made = LogEntry.objects.bulk_create(
        LogEntry(institution=institution, form=log_form, author=author, happened_on=today - timedelta(weeks=week))
        for week in range(weeks)
    )
    LogValue.objects.bulk_create(
        LogValue(institution=institution, entry=entry, metric=metric, value=Decimal(index % 5 + 1))
        for index, entry in enumerate(made)
        for metric in metrics.values()
    )


def page_counts(client, institution, log_form, metrics):
    pages = [
        url(institution, "logs"),
        url(institution, "logs") + f"?form={log_form.pk}",
        url(institution, "metrics"),
        url(institution, "metric", pk=metrics["hostile"].pk),
        url(institution, "metric", pk=metrics["calm"].pk) + "?period=month",
        url(institution, "log_fill", pk=log_form.pk),
        url(institution, "log_form_edit", pk=log_form.pk),
        url(institution, "log_form_csv", pk=log_form.pk),
        url(institution, "changes"),
    ]
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, page
        counts[page] = len(queries)
    return counts


def test_query_counts_do_not_grow_from_one_year_to_two_years_of_weekly_logs(
    organizer_client, institution, organizer, member, log_form, metrics
):
    with scope(institution=institution):
        weekly_entries(institution, log_form, member, metrics, 52)
        for weeks in (3, 20, 40):
            logs.change_save(institution=institution, actor=organizer, made_on=monday(institution, weeks), title="c")
    organizer_client.get(url(institution, "logs"))  # warm per-process caches
    one_year = page_counts(organizer_client, institution, log_form, metrics)
    with scope(institution=institution):
        weekly_entries(institution, log_form, organizer, metrics, 104)
        for weeks in (60, 80, 100):
            logs.change_save(institution=institution, actor=organizer, made_on=monday(institution, weeks), title="c")
    assert page_counts(organizer_client, institution, log_form, metrics) == one_year


# Demo ----------------------------------------------------------------------------------------------------------------


def test_demo_shows_hostile_responses_dropping_after_the_recorded_change(scoped, organizer, member, role):
    people = [organizer, MembershipFactory(institution=scoped, role="organizer").user, member]
    seed_logs(scoped, people)
    seed_logs(scoped, people)  # the second time does nothing
    assert LogEntry.objects.count() == 26 and Change.objects.count() == 1
    assert LogForm.objects.get().role == role
    change = logs.last_change(scoped)
    assert change.title.startswith("Switched to calm")
    hostile = Metric.objects.get(name="Hostile passers-by")
    supportive = Metric.objects.get(name="Supportive passers-by")
    (drop,) = logs.before_and_after(hostile, [change])
    (rise,) = logs.before_and_after(supportive, [change])
    assert drop.better is True and drop.difference < -3
    assert rise.better is True and rise.difference > 3
    assert not LogEntry.objects.filter(happened_on__gt=logs.local_today(scoped)).exists()
