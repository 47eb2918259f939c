"""Member check-ins: periods, answering with a follow-up task, the private answers and the nameless
results, the reminders and their nudge, the evaluation settings, and the reads for the health indicators."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation import checkins
from evaluation import tasks_checkins as tasks
from evaluation.models import CheckIn, EvaluationSettings
from institutions.models import AuditEntry, Membership
from logistics.models import Task
from notifications.models import Delivery
from notifications.services import mail_preference_set
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

ANSWER = {"feel": 4, "energy": 3, "hours": 6, "rather_doing": "", "suggestion": "", "wants_follow_up": False}


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def set_rhythm(institution, rhythm):
    EvaluationSettings.objects.update_or_create(institution=institution, defaults={"check_in_rhythm": rhythm})


def answer(institution, member, period, **fields):
    """A check-in written straight into a period (the service only writes the current one)."""
    return CheckIn.objects.create(
        institution=institution, member=member, period_start=period, **{**{"feel": 3, "energy": 3}, **fields}
    )


def url(institution, name, **kwargs):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug, **kwargs})


# Periods ----------------------------------------------------------------------------------------------------


def test_monthly_periods_start_on_the_first_and_quarterly_on_the_first_of_each_quarter(scoped):
    assert checkins.current_period(scoped, date(2026, 5, 17)) == date(2026, 5, 1)
    set_rhythm(scoped, "quarterly")
    assert checkins.current_period(scoped, date(2026, 5, 17)) == date(2026, 4, 1)
    assert checkins.current_period(scoped, date(2026, 12, 31)) == date(2026, 10, 1)
    assert checkins.period_after(date(2026, 10, 1), "quarterly") == date(2027, 1, 1)
    assert checkins.period_before(date(2026, 1, 1), "monthly") == date(2025, 12, 1)
    assert checkins.period_end(date(2028, 2, 1), "monthly") == date(2028, 2, 29)
    assert checkins.periods_up_to(date(2026, 2, 1), "monthly", 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_current_period_follows_the_institutions_local_date(db):
    far_east = InstitutionFactory(time_zone="Pacific/Kiritimati")  # UTC+14
    with scope(institution=far_east):
        local = timezone.localdate(timezone=ZoneInfo("Pacific/Kiritimati"))
        assert checkins.current_period(far_east) == local.replace(day=1)


def test_no_period_and_nobody_due_when_check_ins_are_off(scoped, member):
    set_rhythm(scoped, "off")
    assert checkins.current_period(scoped) is None
    assert checkins.due_members(scoped) == []
    with pytest.raises(ValidationError, match="switched off"):
        checkins.check_in_save(institution=scoped, member=member, **ANSWER)


def test_due_members_are_the_active_members_who_have_not_answered(scoped, organizer, member):
    gone = MembershipFactory(institution=scoped, status=Membership.Status.LEFT).user
    assert set(checkins.due_members(scoped)) == {organizer, member}
    checkins.check_in_save(institution=scoped, member=member, **ANSWER)
    assert checkins.due_members(scoped) == [organizer]
    assert gone not in checkins.due_members(scoped)


# Answering --------------------------------------------------------------------------------------------------


def test_a_second_save_in_the_same_period_edits_the_same_check_in(scoped, member):
    first = checkins.check_in_save(institution=scoped, member=member, **ANSWER)
    second = checkins.check_in_save(institution=scoped, member=member, **{**ANSWER, "feel": 2, "suggestion": " More "})
    assert first.pk == second.pk
    saved = CheckIn.objects.get()
    assert (saved.feel, saved.suggestion, saved.period_start) == (2, "More", checkins.current_period(scoped))


def test_out_of_range_answers_are_refused_and_nothing_is_saved(scoped, member):
    with pytest.raises(ValidationError):
        checkins.check_in_save(institution=scoped, member=member, **{**ANSWER, "feel": 6})
    assert not CheckIn.objects.exists()


def test_only_an_active_member_checks_in(scoped, outsider):
    with pytest.raises(ValidationError, match="active member"):
        checkins.check_in_save(institution=scoped, member=outsider, **ANSWER)


def test_wanting_follow_up_makes_one_unclaimed_task_that_stays_when_unticked(scoped, member):
    check_in = checkins.check_in_save(
        institution=scoped, member=member, **{**ANSWER, "wants_follow_up": True, "suggestion": "Secret worry"}
    )
    task = Task.objects.get()
    assert check_in.follow_up_task == task
    assert (task.title, task.owner, task.step, task.status) == (
        "Follow up with Mo after their check-in",
        None,
        "evaluation",
        "open",
    )
    assert task.due_on == checkins.local_today(scoped) + timedelta(days=7)
    assert "Secret worry" not in task.description  # members read the task board
    checkins.check_in_save(institution=scoped, member=member, **{**ANSWER, "wants_follow_up": True})
    checkins.check_in_save(institution=scoped, member=member, **ANSWER)
    assert Task.objects.count() == 1
    assert CheckIn.objects.get().follow_up_task == task


# Pages ------------------------------------------------------------------------------------------------------


def test_member_answers_and_sees_the_form_prefilled(institution, member, member_client):
    response = member_client.post(
        url(institution, "checkins"),
        {"feel": "2", "energy": "1", "hours": "4", "rather_doing": "Cooking", "suggestion": "", "wants_follow_up": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Thank you" in response.text
    with scope(institution=institution):
        saved = CheckIn.objects.get()
    assert (saved.member, saved.feel, saved.energy, saved.hours, saved.rather_doing) == (member, 2, 1, 4, "Cooking")
    page = member_client.get(url(institution, "checkins"))
    assert page.context["form"].initial["feel"] == 2
    assert "Save my changes" in page.text
    assert page["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"feel": "0"},
        {"feel": "6"},
        {"energy": "three"},
        {"hours": "-1"},
        {"hours": "745"},
        {"hours": "99999999999999999999"},
        {"hours": "2.5"},
        {"rather_doing": "x" * 2001},
        {"feel": "<script>alert(1)</script>"},
    ],
)
def test_bad_check_in_input_shows_the_form_again_with_400_and_saves_nothing(institution, member_client, bad):
    data = {"feel": "3", "energy": "3", "hours": "2", **bad} if bad else {}
    response = member_client.post(url(institution, "checkins"), data)
    assert response.status_code == 400
    assert "Nothing was saved yet" in response.text
    with scope(institution=institution):
        assert not CheckIn.objects.exists()


def test_group_results_are_hidden_below_three_answers_and_never_name_anyone(institution, organizer, member, client_for):
    third = MembershipFactory(institution=institution, user=UserFactory(name="Tariq")).user
    with scope(institution=institution):
        period = checkins.current_period(institution)
        earlier = checkins.period_before(period, "monthly")
        answer(institution, organizer, earlier, feel=5, energy=4, suggestion="Olga's private idea")
        answer(institution, third, earlier, feel=2, energy=1, rather_doing="Tariq's secret")
        answer(institution, organizer, period, feel=4, energy=4)
        answer(institution, third, period, feel=3, energy=2)
        answer(institution, member, period, feel=2, energy=3, suggestion="Mo's own note")
    page = client_for(member).get(url(institution, "checkins"))
    results = {result.start: result for result in page.context["results"]}
    assert (results[earlier].answered, results[earlier].feel, results[earlier].hidden) == (2, None, True)
    assert (results[period].answered, results[period].feel, results[period].energy) == (
        3,
        Decimal("3.0"),
        Decimal("3.0"),
    )
    assert results[period].members == 3
    assert "Hidden: fewer than 3 answers" in page.text
    assert 'role="img"' in page.text  # the trend chart, with its table
    for private in ("Olga", "Tariq", "Olga&#x27;s private idea", "Tariq&#x27;s secret"):
        assert private not in page.text.split("<main", 1)[1].split("</main>")[0], private
    assert "Mo&#x27;s own note</textarea>" in page.text  # the member's own answer, in their form


def test_member_sees_their_own_earlier_answers_only(institution, organizer, member, member_client):
    with scope(institution=institution):
        earlier = checkins.period_before(checkins.current_period(institution), "monthly")
        answer(institution, member, earlier, feel=1, rather_doing="Gardening instead")
        answer(institution, organizer, earlier, feel=5, rather_doing="Organizer text")
    page = member_client.get(url(institution, "checkins"))
    assert "Gardening instead" in page.text
    assert "Organizer text" not in page.text


def test_organizers_read_every_answer_with_names_and_who_is_missing(institution, organizer, member, organizer_client):
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=member, **{**ANSWER, "suggestion": "Shorter meetings"})
    page = organizer_client.get(url(institution, "checkin_answers"))
    assert page.status_code == 200
    assert [a.member for a in page.context["answers"]] == [member]
    assert page.context["missing"] == [organizer]
    assert "Shorter meetings" in page.text and "Mo" in page.text
    assert organizer_client.get(url(institution, "checkin_answers") + "?period=2001-99-01").status_code == 200
    assert organizer_client.get(url(institution, "checkin_answers") + "?period=" + "9" * 500).status_code == 200


def test_organizer_reads_one_members_history_but_not_another_institutions(
    institution, member, organizer_client, other_member
):
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=member, **{**ANSWER, "rather_doing": "Childcare"})
    page = organizer_client.get(url(institution, "checkin_member", pk=member.pk))
    assert page.status_code == 200 and "Childcare" in page.text
    assert organizer_client.get(url(institution, "checkin_member", pk=other_member.pk)).status_code == 404


def test_a_member_id_beyond_any_database_integer_is_404_not_a_crash(institution, organizer_client):
    """Found by tests/test_fuzz.py: the foreign-key lookup overflowed (OverflowError on SQLite)."""
    assert organizer_client.get(url(institution, "checkin_member", pk=10**40)).status_code == 404


def test_pages_say_when_check_ins_are_off(institution, member_client, organizer_client):
    with scope(institution=institution):
        set_rhythm(institution, "off")
    assert "switched off" in member_client.get(url(institution, "checkins")).text
    assert "switched off" in organizer_client.get(url(institution, "checkin_answers")).text
    refused = member_client.post(url(institution, "checkins"), {"feel": "3", "energy": "3"})
    assert refused.status_code == 400
    with scope(institution=institution):
        assert not CheckIn.objects.exists()


def test_organizer_sets_the_rhythm_and_digest_time_and_it_is_audited(institution, organizer_client):
    response = organizer_client.post(
        url(institution, "settings"), {"check_in_rhythm": "quarterly", "digest_weekday": "4", "digest_hour": "18"}
    )
    assert response.status_code == 302
    with scope(institution=institution):
        saved = EvaluationSettings.objects.get()
        entry = AuditEntry.objects.get(action="evaluation.settings_changed")
    assert (saved.check_in_rhythm, saved.digest_weekday, saved.digest_hour) == ("quarterly", 4, 18)
    assert entry.describe() == "Olga changed the evaluation settings (check-ins: Every three months)"


@pytest.mark.parametrize(
    "bad",
    [
        {"digest_hour": "24"},
        {"digest_hour": "-1"},
        {"digest_hour": "x"},
        {"check_in_rhythm": "weekly"},
        {"digest_weekday": "9"},
    ],
)
def test_bad_settings_are_refused_with_400_and_nothing_changes(institution, organizer_client, bad):
    data = {"check_in_rhythm": "monthly", "digest_weekday": "0", "digest_hour": "8", **bad}
    assert organizer_client.post(url(institution, "settings"), data).status_code == 400
    with scope(institution=institution):
        assert not EvaluationSettings.objects.exists()
        assert not AuditEntry.objects.filter(action="evaluation.settings_changed").exists()


# Reminders --------------------------------------------------------------------------------------------------


@pytest.fixture
def on_day(monkeypatch):
    """Pretend the institution's local date is the given day."""

    def set_day(day):
        monkeypatch.setattr(checkins, "local_today", lambda institution: day)

    return set_day


def test_each_due_member_gets_one_reminder_a_period_in_their_language(institution, organizer, member, mailoutbox):
    member.language = "es"
    member.save(update_fields=["language"])
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=organizer, **ANSWER)
    assert tasks.remind_check_ins(institution.pk) == 1
    assert tasks.remind_check_ins(institution.pk) == 0
    assert [message.to for message in mailoutbox] == [[member.email]]
    delivery = Delivery.objects.get()
    with scope(institution=institution):
        period = checkins.current_period(institution)
    assert delivery.key == f"check-in:{institution.pk}:{period.isoformat()}:{member.pk}:first"
    assert delivery.language == "es"
    assert f"/i/{institution.slug}/evaluation/check-ins/" in mailoutbox[0].body


def test_the_nudge_goes_once_a_week_after_the_first_reminder_if_still_missing(
    institution, organizer, member, mailoutbox, on_day
):
    on_day(date(2026, 3, 3))
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=organizer, **ANSWER)  # only mo is due
    assert tasks.remind_check_ins(institution.pk) == 1
    on_day(date(2026, 3, 12))  # the period began 11 days ago, but the first went out just now
    assert tasks.remind_check_ins(institution.pk) == 0
    Delivery.objects.update(sent_at=timezone.now() - timedelta(days=7, minutes=1))
    assert tasks.remind_check_ins(institution.pk) == 1
    assert tasks.remind_check_ins(institution.pk) == 0
    assert Delivery.objects.filter(key__endswith=":nudge").count() == 1
    assert "second reminder" in mailoutbox[-1].body


def test_no_nudge_before_the_period_is_a_week_old(institution, member, mailoutbox, on_day):
    on_day(date(2026, 4, 6))
    tasks.remind_check_ins(institution.pk)
    Delivery.objects.update(sent_at=timezone.now() - timedelta(days=30))  # however old the first
    assert tasks.remind_check_ins(institution.pk) == 0
    assert not Delivery.objects.filter(key__endswith=":nudge").exists()


def test_members_who_answered_get_no_nudge(institution, organizer, member, mailoutbox, on_day):
    on_day(date(2026, 3, 2))
    assert tasks.remind_check_ins(institution.pk) == 2
    with scope(institution=institution):
        checkins.check_in_save(institution=institution, member=member, **ANSWER)
    Delivery.objects.update(sent_at=timezone.now() - timedelta(days=8))
    on_day(date(2026, 3, 20))
    assert tasks.remind_check_ins(institution.pk) == 1
    assert mailoutbox[-1].to == [organizer.email]


def test_a_member_who_turned_reminders_off_gets_none(institution, organizer, member, mailoutbox):
    mail_preference_set(user=member, institution=institution, kind="reminder", enabled=False)
    tasks.remind_check_ins(institution.pk)
    assert [message.to for message in mailoutbox] == [[organizer.email]]
    assert Delivery.objects.get(recipient=member).status == Delivery.Status.SKIPPED


def test_the_beat_skips_institutions_with_check_ins_off(
    institution, other_institution, member, other_member, mailoutbox
):
    with scope(institution=other_institution):
        set_rhythm(other_institution, "off")
    assert tasks.send_check_in_reminders() == 1  # eager in tests: the job ran for the institution
    assert {message.to[0] for message in mailoutbox} == {member.email}


def test_a_new_period_sends_a_new_reminder(institution, member, mailoutbox, on_day):
    on_day(date(2026, 5, 9))
    tasks.remind_check_ins(institution.pk)
    on_day(date(2026, 6, 1))
    tasks.remind_check_ins(institution.pk)
    assert len(mailoutbox) == 2
    assert sorted(Delivery.objects.values_list("key", flat=True)) == [
        f"check-in:{institution.pk}:2026-05-01:{member.pk}:first",
        f"check-in:{institution.pk}:2026-06-01:{member.pk}:first",
    ]


# Reads for the health indicators ----------------------------------------------------------------------------


def test_check_in_averages_lists_recent_periods_oldest_first_in_one_query(
    scoped, organizer, member, django_assert_num_queries
):
    today = date(2026, 6, 15)
    for person, feel, energy in ((organizer, 5, 4), (member, 2, 1)):
        answer(scoped, person, date(2026, 6, 1), feel=feel, energy=energy)
    answer(scoped, member, date(2026, 4, 1), feel=4, energy=4)
    answer(scoped, member, date(2025, 1, 1), feel=1, energy=1)  # too old to be listed
    with django_assert_num_queries(1):
        averages = checkins.check_in_averages(scoped, 3, today=today, rhythm="monthly")
    assert averages == [
        (date(2026, 4, 1), 1, Decimal("4.0"), Decimal("4.0")),
        (date(2026, 5, 1), 0, None, None),
        (date(2026, 6, 1), 2, Decimal("3.5"), Decimal("2.5")),
    ]
    assert checkins.check_in_averages(scoped, 6, today=today) == checkins.check_in_averages(
        scoped, 6, today=today, rhythm="monthly"
    )


def test_low_energy_count_counts_active_members_at_two_or_less(scoped, organizer, member):
    gone = MembershipFactory(institution=scoped, status=Membership.Status.LEFT).user
    period = checkins.current_period(scoped)
    answer(scoped, organizer, period, energy=2)
    answer(scoped, member, period, energy=3)
    answer(scoped, gone, period, energy=1)
    answer(scoped, member, checkins.period_before(period, "monthly"), energy=1)
    assert checkins.low_energy_count(scoped) == 1
    assert checkins.low_energy_count(scoped, checkins.period_before(period, "monthly")) == 1


def test_stated_hours_come_from_each_members_latest_check_in_with_hours(scoped, organizer, member):
    answer(scoped, member, date(2026, 1, 1), hours=10)
    answer(scoped, member, date(2026, 2, 1), hours=3)
    answer(scoped, member, date(2026, 3, 1), hours=None)
    answer(scoped, organizer, date(2026, 1, 1), hours=None)
    assert checkins.stated_hours(scoped) == {member.pk: 3}


def test_not_consulted_lists_members_without_a_check_in_in_the_last_two_periods(scoped, organizer, member):
    long_ago = timezone.now() - timedelta(days=200)
    Membership.objects.filter(institution=scoped).update(joined_at=long_ago)
    newcomer = MembershipFactory(institution=scoped).user  # joined today: not two chances yet
    quiet = MembershipFactory(institution=scoped, joined_at=long_ago).user
    period = checkins.current_period(scoped)
    previous = checkins.period_before(period, "monthly")
    answer(scoped, member, previous)
    answer(scoped, organizer, period)
    answer(scoped, quiet, checkins.period_before(previous, "monthly"))
    assert checkins.not_consulted(scoped) == [quiet]
    assert newcomer not in checkins.not_consulted(scoped)
    set_rhythm(scoped, "off")
    assert checkins.not_consulted(scoped) == []


# Demo -------------------------------------------------------------------------------------------------------


def test_demo_check_ins_show_feel_falling_and_one_tired_member_stating_few_hours(db):
    from evaluation.demo_checkins import seed_checkins
    from tests.factories import OrganizerFactory

    institution = InstitutionFactory(name="Riverside Clinic Defense")
    people = [OrganizerFactory(institution=institution).user for _ in range(2)]
    people += [MembershipFactory(institution=institution).user for _ in range(6)]
    with scope(institution=institution):
        Membership.objects.filter(institution=institution).update(joined_at=timezone.now() - timedelta(days=400))
        seed_checkins(institution, people)
        seed_checkins(institution, people)  # a second run adds nothing
        averages = checkins.check_in_averages(institution, 7)
        feel = [row[2] for row in averages[:-1]]
        assert len(feel) == 6 and all(value is not None for value in feel)
        assert feel[0] - feel[-1] >= Decimal("0.8")
        assert checkins.low_energy_count(institution) == 1
        assert checkins.stated_hours(institution)[people[2].pk] == 2
        assert CheckIn.objects.get(member=people[2], period_start=checkins.current_period(institution)).follow_up_task
        assert CheckIn.objects.count() == averages[-1][1] + sum(row[1] for row in averages[:-1])
