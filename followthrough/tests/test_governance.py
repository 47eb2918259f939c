"""Organizer terms and their reminder, role rotation, independence and the yearly self-check."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from followthrough import governance
from followthrough.models import IndependenceCheck, OrganizerTerm
from followthrough.tasks_governance import send_term_end_reminders
from institutions.models import Institution, Membership
from institutions.services import member_change_role
from logistics import money
from logistics import services as task_services
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

TODAY = timezone.localdate


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def add_term(institution, organizer, *, ends_in_days, starts_ago_days=300):
    today = TODAY()
    return governance.term_add(
        institution=institution,
        actor=organizer,
        member=organizer,
        starts_on=today - timedelta(days=starts_ago_days),
        ends_on=today + timedelta(days=ends_in_days),
    )


def test_terms_are_for_organizers_and_end_after_they_start(scoped, organizer, member):
    today = TODAY()
    with pytest.raises(ValidationError):
        governance.term_add(institution=scoped, actor=organizer, member=member, starts_on=today, ends_on=today)
    with pytest.raises(ValidationError):
        governance.term_add(institution=scoped, actor=organizer, member=organizer, starts_on=today, ends_on=today)
    term = add_term(scoped, organizer, ends_in_days=100)
    current, upcoming, past = governance.terms_of(scoped)
    assert (current, upcoming, past) == ([term], [], [])


def test_organizers_are_mailed_once_a_month_before_a_term_ends(institution, organizer, member, mailoutbox):
    with scope(institution=institution):
        second = OrganizerFactory(institution=institution, user=UserFactory(email="ana@example.org")).user
        ending = add_term(institution, organizer, ends_in_days=20)
        add_term(institution, second, ends_in_days=45)  # too early to remind
    assert send_term_end_reminders() == 2
    assert sorted(message.to[0] for message in mailoutbox) == ["ana@example.org", "olga@example.org"]
    assert "election" in mailoutbox[0].body and reverse("decisions:new", args=[institution.slug]) in mailoutbox[0].body
    assert send_term_end_reminders() == 0
    assert len(mailoutbox) == 2
    with scope(institution=institution):
        assert OrganizerTerm.objects.get(pk=ending.pk).reminded_at is not None


def test_the_reminder_key_stops_a_second_mail_even_if_the_term_was_not_marked(institution, organizer, mailoutbox):
    with scope(institution=institution):
        term = add_term(institution, organizer, ends_in_days=10)
    send_term_end_reminders()
    with scope(institution=institution):
        OrganizerTerm.objects.filter(pk=term.pk).update(reminded_at=None)
    send_term_end_reminders()
    assert len(mailoutbox) == 1


def test_ended_terms_are_not_reminded(institution, organizer, mailoutbox):
    with scope(institution=institution):
        add_term(institution, organizer, ends_in_days=-1)
    assert send_term_end_reminders() == 0
    assert mailoutbox == []


def test_rotation_splits_work_done_by_founders_and_later_members(institution, organizer, django_assert_num_queries):
    Institution.objects.filter(pk=institution.pk).update(created_at=timezone.now() - timedelta(days=400))
    institution.refresh_from_db()
    with scope(institution=institution):
        Membership.objects.filter(user=organizer).update(joined_at=institution.created_at)
        newcomer = MembershipFactory(institution=institution).user
        for owner in (organizer, newcomer, newcomer, newcomer):
            task = task_services.task_create(institution=institution, author=organizer, owner=owner, title="Fold")
            task_services.task_set_status(task=task, actor=owner, status="done")
        with django_assert_num_queries(2):
            quarters = governance.rotation(institution)
    assert len(quarters) == 8
    this = quarters[-1]
    assert (this.tasks_founders, this.tasks_others, this.tasks_founders_percent) == (1, 3, 25)
    assert this.shifts_founders_percent is None


def test_organizers_ever_counts_past_and_current_organizers_once(scoped, organizer, member):
    membership = Membership.objects.get(user=member)
    member_change_role(membership=membership, role=Membership.Role.ORGANIZER, actor=organizer)
    member_change_role(membership=Membership.objects.get(user=member), role=Membership.Role.MEMBER, actor=organizer)
    assert governance.organizers_ever(scoped) == 2


def record_income(institution, organizer, amount, source, source_name=""):
    return money.entry_record(
        institution=institution,
        recorder=organizer,
        kind="income",
        occurred_on=TODAY() - timedelta(days=10),
        amount=Decimal(amount),
        description="in",
        source=source,
        source_name=source_name,
    )


def test_an_outside_organization_above_a_quarter_of_income_is_flagged(scoped, organizer):
    record_income(scoped, organizer, "600.00", "member_dues")
    record_income(scoped, organizer, "150.00", "grant", "City Fund")
    record_income(scoped, organizer, "150.00", "outside_organization", "City Fund")
    record_income(scoped, organizer, "100.00", "outside_organization", "Church")
    found = governance.independence(scoped)
    assert [(giver.name, giver.share) for giver in found["too_big"]] == [("City Fund", Decimal("0.3000"))]
    assert [giver.name for giver in found["outside"]] == ["City Fund", "Church"]
    assert found["income"].rows[0].source == "member_dues"


def test_exactly_a_quarter_is_not_flagged(scoped, organizer):
    record_income(scoped, organizer, "300.00", "member_dues")
    record_income(scoped, organizer, "100.00", "grant", "City Fund")
    assert governance.independence(scoped)["too_big"] == []


def test_declared_affiliations_are_counted(scoped, organizer, member):
    Membership.objects.filter(user=member).update(affiliations="Tenants Union, Green Party")
    Membership.objects.filter(user=organizer).update(affiliations="tenants  union")
    assert governance.independence(scoped)["affiliations"] == [("tenants union", 2), ("green party", 1)]


def all_answers(answer="no"):
    return {key: (answer, "") for key in governance.QUESTION_KEYS}


def test_self_check_needs_every_answer_and_is_due_again_after_a_year(scoped, organizer):
    with pytest.raises(ValidationError):
        governance.independence_check_record(
            institution=scoped, actor=organizer, done_on=TODAY(), answers={"veto": ("no", "")}
        )
    with pytest.raises(ValidationError):
        governance.independence_check_record(
            institution=scoped, actor=organizer, done_on=TODAY(), answers=all_answers("maybe")
        )
    assert governance.check_is_due(governance.latest_check(scoped))
    governance.independence_check_record(
        institution=scoped, actor=organizer, done_on=TODAY() - timedelta(days=364), answers=all_answers()
    )
    assert not governance.check_is_due(governance.latest_check(scoped))
    IndependenceCheck.objects.update(done_on=TODAY() - timedelta(days=366))
    assert governance.check_is_due(governance.latest_check(scoped))


def url(institution, name):
    return reverse(f"followthrough:{name}", args=[institution.slug])


def test_organizer_records_the_self_check_through_the_form(institution, organizer_client):
    data = {"done_on": TODAY().isoformat(), "summary": "We are fine."}
    data.update({f"answer_{key}": "unsure" for key in governance.QUESTION_KEYS})
    data["note_veto"] = "The landlord?"
    assert organizer_client.post(url(institution, "independence_check"), data).status_code == 302
    page = organizer_client.get(url(institution, "independence"))
    assert "The landlord?" in page.text and "We are fine." in page.text


@pytest.mark.parametrize(
    "change",
    [
        {"answer_veto": ""},
        {"answer_veto": "maybe"},
        {"done_on": "tomorrow"},
        {"done_on": "2999-01-01"},
        {"note_veto": "x" * 2001},
    ],
)
def test_bad_self_check_input_is_refused_with_400(institution, organizer_client, change):
    data = {"done_on": TODAY().isoformat()}
    data.update({f"answer_{key}": "no" for key in governance.QUESTION_KEYS})
    data.update(change)
    assert organizer_client.post(url(institution, "independence_check"), data).status_code == 400
    with scope(institution=institution):
        assert not IndependenceCheck.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"member": "999999", "starts_on": "2025-01-01", "ends_on": "2026-01-01"},
        {"starts_on": "2026-01-01", "ends_on": "2025-01-01"},
    ],
)
def test_bad_term_input_is_refused_with_400(institution, organizer, organizer_client, data):
    data = {"member": organizer.pk, **data} if "member" not in data and data else data
    assert organizer_client.post(url(institution, "term_new"), data).status_code == 400
    with scope(institution=institution):
        assert not OrganizerTerm.objects.exists()


def test_organizer_records_a_term_and_members_see_it(institution, organizer, organizer_client, member_client):
    data = {"member": organizer.pk, "starts_on": "2025-01-01", "ends_on": (TODAY() + timedelta(days=90)).isoformat()}
    assert organizer_client.post(url(institution, "term_new"), data).status_code == 302
    page = member_client.get(url(institution, "sustainability"))
    assert page.status_code == 200 and "Olga" in page.text
    assert "Record an organizer" not in page.text


def test_members_do_not_see_affiliations(institution, member, member_client):
    with scope(institution=institution):
        Membership.objects.filter(user=member).update(affiliations="Secret Society")
    assert "secret society" not in member_client.get(url(institution, "independence")).text


@pytest.mark.django_db
def test_a_term_ending_today_or_within_a_month_offers_the_election_proposal(
    institution, organizer, organizer_client, member_client
):
    with scope(institution=institution):
        second = OrganizerFactory(institution=institution, user=UserFactory(name="Ana Ending")).user
        add_term(institution, organizer, ends_in_days=0)  # ends today: still current, election due
        add_term(institution, second, ends_in_days=200)
        current, _upcoming, _past = governance.terms_of(institution)
    assert [term.ends_soon for term in current] == [True, False]
    new_proposal = reverse("decisions:new", args=[institution.slug])
    for client in (organizer_client, member_client):  # any member may start the proposal
        page = client.get(reverse("followthrough:sustainability", args=[institution.slug])).content.decode()
        assert page.count("term ends soon") == 1
        assert f'href="{new_proposal}"' in page


@pytest.mark.django_db
def test_organizers_ever_counts_the_creator_and_those_who_joined_as_organizers_after_they_step_down():
    from institutions.services import institution_create, member_add

    creator = UserFactory(name="Founding Fran")
    institution = institution_create(
        creator=creator, name="Fran's Pantry", slug="frans-pantry", kind="alternative", need_statement="Food"
    )
    with scope(institution=institution):
        second = UserFactory(name="Invited Ines")
        member_add(institution=institution, user=second, role=Membership.Role.ORGANIZER, actor=creator)
        assert governance.organizers_ever(institution) == 2
        newcomer = MembershipFactory(institution=institution, user=UserFactory(name="New Nia")).user
        member_change_role(
            membership=Membership.objects.get(user=newcomer), role=Membership.Role.ORGANIZER, actor=creator
        )
        for user in (creator, second):  # both hand the role on to the newcomer
            member_change_role(
                membership=Membership.objects.get(user=user), role=Membership.Role.MEMBER, actor=newcomer
            )
        assert governance.organizers_ever(institution) == 3
