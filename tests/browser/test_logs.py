"""Field logs in the browser, at 360 px: a member logs a shift on a phone in one short page (from the
logs page and from a shift date's "Log this shift" link), then reads the metric's chart; every page
passes axe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from evaluation import logs
from evaluation.models import LogEntry
from logistics import shifts
from logistics.models import ShiftOccurrence
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory, one_off_shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def clinic_log(institution, organizer):
    """Three counts (two required) and a rating on the "Clinic escort" role's log form, a started
    shift date of that role, and a change recorded three weeks ago."""
    role = shifts.role_save(institution=institution, actor=organizer, name="Clinic escort")
    metric = {
        name: logs.metric_save(institution=institution, actor=organizer, name=name, kind=kind, **extra)
        for name, kind, extra in (
            ("Protesters present", "count", {"direction": "down"}),
            ("Patients escorted", "count", {"unit": "people"}),
            ("Hostile passers-by", "count", {"direction": "down", "goal": Decimal("3")}),
            ("How calm it felt", "rating", {}),
        )
    }
    log_form = logs.log_form_save(
        institution=institution,
        actor=organizer,
        name="Saturday clinic log",
        role=role,
        fields=[
            (metric["Protesters present"], True),
            (metric["Patients escorted"], True),
            (metric["Hostile passers-by"], False),
            (metric["How calm it felt"], False),
        ],
    )
    occurrence = one_off_shift(institution, organizer, role, hours=2).occurrences.get()
    starts = timezone.now() - timedelta(hours=3)
    ShiftOccurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2), date=timezone.localdate(starts)
    )
    today = logs.local_today(institution)
    logs.change_save(institution=institution, actor=organizer, made_on=today - timedelta(weeks=3), title="Calm signs")
    for weeks in range(1, 7):
        logs.entry_create(
            log_form=log_form,
            author=organizer,
            happened_on=today - timedelta(weeks=weeks),
            values={
                metric["Protesters present"].pk: 10,
                metric["Patients escorted"].pk: 11,
                metric["Hostile passers-by"].pk: 8 if weeks > 3 else 2,
            },
        )
    return log_form, occurrence, metric


def test_member_logs_a_shift_on_a_phone_in_one_short_page(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        log_form, occurrence, metric = clinic_log(institution, organizer)
    base = f"{live_server.url}/i/{institution.slug}/evaluation"
    login(page, member.email)
    page.goto(f"{base}/logs/")
    axe_check(page)
    page.get_by_role("link", name="Fill: Saturday clinic log").click()
    expect(page.get_by_role("heading", name="Saturday clinic log")).to_be_visible()
    axe_check(page)
    protesters = page.get_by_label("Protesters present")
    expect(protesters).to_have_attribute("inputmode", "numeric")
    protesters.fill("7")
    page.get_by_label("Patients escorted (people)").fill("12")
    page.get_by_label("Hostile passers-by").fill("1")
    page.get_by_role("group", name="How calm it felt").get_by_text("4", exact=True).click()  # the rating, one tap
    with page.expect_navigation():
        page.get_by_role("button", name="Save the log").click()
    expect(page.locator("#messages")).to_contain_text("Logged. Thank you!")
    expect(page.get_by_text("Patients escorted")).to_be_visible()
    axe_check(page)

    # From the shift date: the link names the shift and prefills its date; a missing count is explained.
    page.goto(f"{base}/logs/forms/{log_form.pk}/fill/?occurrence={occurrence.pk}")
    expect(page.get_by_text("For the Clinic escort shift of")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the log").click()
    expect(page.get_by_text("Fill this in: 0 if there were none.").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Protesters present").fill("5")
    page.get_by_label("Patients escorted (people)").fill("9")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the log").click()
    expect(page.locator("#messages")).to_contain_text("Logged. Thank you!")
    expect(page.get_by_role("link", name="The Clinic escort shift of")).to_be_visible()

    with scope(institution=institution):
        mine = list(LogEntry.objects.filter(author=member).order_by("pk"))
        assert [entry.occurrence_id for entry in mine] == [None, occurrence.pk]
        assert dict(mine[0].values.values_list("metric__name", "value")) == {
            "Protesters present": Decimal("7.00"),
            "Patients escorted": Decimal("12.00"),
            "Hostile passers-by": Decimal("1.00"),
            "How calm it felt": Decimal("4.00"),
        }

    page.goto(f"{base}/logs/metrics/{metric['Hostile passers-by'].pk}/")
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.get_by_role("table", name="“Hostile passers-by” before and after each change")).to_contain_text(
        "Yes, better"
    )
    axe_check(page)
    page.get_by_role("link", name="By month").click()
    expect(page.get_by_role("table", name="Per month (sum of the entries)")).to_be_visible()
    axe_check(page)


def test_organizer_pages_pass_axe(live_server, page, login, axe_check, institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    with scope(institution=institution):
        log_form, _occurrence, metric = clinic_log(institution, organizer)
    base = f"{live_server.url}/i/{institution.slug}/evaluation/logs"
    login(page, organizer.email)
    for path in (
        "/metrics/",
        "/metrics/new/",
        f"/metrics/{metric['Patients escorted'].pk}/edit/",
        "/forms/new/",
        f"/forms/{log_form.pk}/edit/",
        "/changes/",
        "/changes/new/",
    ):
        page.goto(base + path)
        axe_check(page)
