"""The health page and the weekly digest: the indicators read from real records, the digest sent once
per recipient and week in their language, members only when they ask for it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from evaluation.digest import digest_for, recipients
from evaluation.models import EvaluationSettings, HealthStatus
from evaluation.snapshot import take_snapshot
from evaluation.tasks_digest import send_digest, send_weekly_digests
from logistics import services as logistics
from notifications.models import Delivery, MailPreference
from notifications.services import mail_preference_set
from tests.factories import MembershipFactory, UserFactory


def url(institution, name):
    return reverse(f"evaluation:{name}", kwargs={"institution_slug": institution.slug})


def test_health_page_shows_every_indicator_with_its_reasons(member_client, institution):
    page = member_client.get(url(institution, "health")).content.decode()
    for title in ("Slow momentum", "Burnout", "Inadequate logistics", "Unwillingness to change", "Cooptation"):
        assert title in page
    assert "How it is judged" in page and "What groups do about it" in page


def test_burnout_goes_to_watch_when_one_member_does_most_of_the_work(member_client, institution, organizer, member):
    others = [MembershipFactory(institution=institution).user for _ in range(8)]
    with scope(institution=institution):
        for index, owner in enumerate([member] * 12 + others):
            task = logistics.task_create(institution=institution, author=organizer, title=f"job {index}", owner=owner)
            logistics.task_set_status(task=task, actor=owner, status="done")
    page = member_client.get(url(institution, "health")).content.decode()
    burnout = page.split('id="indicator-burnout"')[1].split("</li>")[0]
    # The busiest 2 of 10 members did 13 of the 20 tasks.
    assert "Watch" in burnout and "did 65 % of the work" in burnout


def test_overdue_and_unclaimed_tasks_raise_the_logistics_sign(institution, organizer):
    with scope(institution=institution):
        for index in range(5):
            logistics.task_create(
                institution=institution,
                author=organizer,
                title=f"late {index}",
                due_on=timezone.localdate() - timedelta(days=2),
            )
        snapshot = take_snapshot(institution)
    assert (snapshot.unclaimed_tasks, snapshot.overdue_tasks) == (5, 5)


def test_digest_goes_to_organizers_and_to_members_who_ask(institution, organizer, member):
    with scope(institution=institution):
        assert recipients(institution) == [organizer]
        mail_preference_set(user=member, institution=institution, kind=MailPreference.Kind.DIGEST, enabled=True)
        mail_preference_set(user=organizer, institution=institution, kind=MailPreference.Kind.DIGEST, enabled=False)
        assert recipients(institution) == [member]


def test_digest_is_sent_once_per_recipient_and_week_in_their_language(institution, organizer, mailoutbox):
    spanish = MembershipFactory(institution=institution, role="organizer", user=UserFactory(language="es")).user
    with scope(institution=institution):
        week = digest_for(institution).week.isoformat()
        assert send_digest.run(institution.pk, week=week) == 2
        assert send_digest.run(institution.pk, week=week) == 0
        assert HealthStatus.objects.filter(institution=institution).count() == 8
    assert Delivery.objects.filter(key__startswith=f"digest:{institution.pk}:{week}:").count() == 2
    by_person = {mail.to[0]: mail for mail in mailoutbox}
    assert "weekly health digest" in by_person[organizer.email].subject
    assert "The week in numbers" in by_person[organizer.email].body
    assert by_person[spanish.email].body.startswith("Hola")


def test_a_digest_queued_for_a_past_week_sends_nothing(institution, organizer, mailoutbox):
    with scope(institution=institution):
        assert send_digest.run(institution.pk, week="2020-01-06") == 0
    assert mailoutbox == []


def test_the_beat_queues_institutions_whose_digest_time_has_come(institution, organizer, mailoutbox):
    now = timezone.now()
    local = timezone.localtime(now)
    EvaluationSettings.objects.create(institution=institution, digest_weekday=local.weekday(), digest_hour=0)
    assert send_weekly_digests() == 1
    assert len(mailoutbox) == 1
    assert send_weekly_digests() == 0  # everyone has this week's copy
    later = (local.weekday() + 1) % 7
    with scope(institution=institution):
        EvaluationSettings.objects.filter(institution=institution).update(digest_weekday=later, digest_hour=23)
    if later != 0:
        assert send_weekly_digests() == 0


def test_digest_preview_is_for_organizers(organizer_client, member_client, institution):
    page = organizer_client.get(url(institution, "digest_preview"))
    assert page.status_code == 200 and "The week in numbers" in page.content.decode()
    assert member_client.get(url(institution, "digest_preview")).status_code == 403


@pytest.mark.parametrize("weeks", [1, 104])
def test_health_page_query_count_does_not_depend_on_history(
    weeks, member_client, institution, organizer, django_assert_max_num_queries
):
    with scope(institution=institution):
        for index in range(weeks):
            task = logistics.task_create(institution=institution, author=organizer, title=f"t{index}", owner=organizer)
            logistics.task_set_status(task=task, actor=organizer, status="done")
    with django_assert_max_num_queries(45):
        assert member_client.get(url(institution, "health")).status_code == 200


def test_cooptation_counts_outside_organization_proposals_and_declared_affiliations(institution, organizer, member):
    from decisions import services as decisions
    from institutions.models import Membership
    from institutions.services import membership_affiliations_set

    with scope(institution=institution):
        decisions.proposal_create(
            institution=institution,
            author=member,
            title="Join the city coalition",
            text="Work under their banner.",
            method="majority",
            about_outside_organization=True,
        )
        for user in (organizer, member):
            membership_affiliations_set(membership=Membership.objects.get(user=user), affiliations="City Coalition")
        snapshot = take_snapshot(institution)
    assert snapshot.outside_org_proposals == 1
    assert snapshot.affiliations == {"city coalition": 2}


def test_health_page_shows_each_signs_past_weekly_statuses(member_client, institution):
    from datetime import timedelta

    from evaluation.digest import week_of

    with scope(institution=institution):
        this_week = week_of(institution)
        for weeks_ago, status in ((2, "ok"), (1, "watch")):
            HealthStatus.objects.create(
                institution=institution, week=this_week - timedelta(weeks=weeks_ago), indicator="burnout", status=status
            )
    page = member_client.get(url(institution, "health")).content.decode()
    burnout = page.split('id="indicator-burnout"')[1].split("</li>")[0]
    assert "Past weeks:" in burnout and burnout.index(">OK<") < burnout.index(">Watch<")
