"""The public page: organizers choose its sections (all off until chosen), anyone reads them without an
account, and nothing private ever appears there, whatever is on."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from consultation.services import round_answer, round_create, round_open
from decisions import services as decisions
from decisions.models import Option, SecretBallot
from evaluation import checkins, grievances, selfeval
from evaluation.models.selfeval import QUESTION_KEYS
from followthrough import public
from followthrough.models import Goal, Milestone, PublicPage
from institutions.models import AuditEntry
from logistics import money
from logistics.models import LogisticsSettings
from meetings import services as meetings
from meetings.models import Meeting
from needs import services as needs_services
from needs.models import Question
from needs.services import need_create
from tests.factories import MembershipFactory, UserFactory, proposal_in_voting, survey_example

ALL_ON = dict.fromkeys(public.SECTIONS, True)


@pytest.fixture(autouse=True)
def scoped(institution):
    with scope(institution=institution):
        yield institution


def settings_url(institution):
    return reverse("followthrough:public_page", kwargs={"institution_slug": institution.slug})


def show(institution, **sections):
    PublicPage.objects.update_or_create(institution=institution, defaults=sections)


def home(client, institution):
    response = client.get(institution.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def closed_vote(institution, organizer, ballots, *, title, secret=False, method="majority", options=(), voters=None):
    """A proposal voted on by (new) members, one ballot each (choices built from the option ids), and closed."""
    voters = voters or [MembershipFactory(institution=institution).user for _ in ballots]
    proposal = proposal_in_voting(institution, organizer, title=title, secret=secret, method=method, options=options)
    with scope(institution=institution):
        ids = list(Option.objects.filter(proposal=proposal).values_list("pk", flat=True))
        for voter, ballot in zip(voters, ballots, strict=True):
            choice = ballot(ids) if callable(ballot) else {"choice": ballot}
            decisions.vote_cast(proposal=proposal, member=voter, choice=choice)
        decisions.voting_close(proposal=proposal)
    return proposal, voters


def fill(institution, organizer, member):
    """One of everything each section shows: a public meeting, an open survey and consultation round, a
    closed open-ballot vote, published minutes, counted money, a closed self-evaluation and a goal."""
    LogisticsSettings.objects.update_or_create(institution=institution, defaults={"ledger_public": True})
    closed_vote(institution, organizer, ["yes", "yes", "no"], title="Open on Sundays")
    with scope(institution=institution):
        meeting = meetings.meeting_create(
            institution=institution,
            author=organizer,
            title="Spring assembly",
            starts_at=timezone.now() + timedelta(days=5),
            place_name="Library",
            is_public=True,
        )
        minuted = meetings.meeting_create(
            institution=institution,
            author=organizer,
            title="Winter assembly",
            starts_at=timezone.now() + timedelta(days=6),
            is_public=True,
        )
        meetings.minutes_save(meeting=minuted, actor=organizer, minutes="We met.", records={}, publish=True)
        Meeting.objects.filter(pk=minuted.pk).update(starts_at=timezone.now() - timedelta(days=30))
        need = need_create(institution=institution, author=member, title="Food runs out")
        other_need = need_create(institution=institution, author=member, title="Repairs take months")
        consultation = round_create(
            institution=institution, author=organizer, title="What should we do first?", needs=[need, other_need]
        )
        round_open(consultation_round=consultation, actor=organizer)
        money.entry_record(
            institution=institution,
            recorder=organizer,
            kind="income",
            occurred_on=timezone.localdate(),
            amount=Decimal("120.00"),
            description="Dues",
            source="member_dues",
        )
        money.entry_record(
            institution=institution,
            recorder=organizer,
            kind="expense",
            occurred_on=timezone.localdate(),
            amount=Decimal("20.50"),
            description="Soap",
        )
        evaluation = selfeval.round_open(institution=institution, actor=organizer, title="Autumn self-evaluation")
        selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (4, "")), member=member)
        selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (2, "")))
        selfeval.round_close(evaluation=evaluation, actor=organizer)
        goal = Goal.objects.create(institution=institution, title="Open every week", owner=member)
        Milestone.objects.create(
            institution=institution, goal=goal, title="Ten volunteers trained", reached_on=timezone.localdate()
        )
    survey_example(institution, organizer)
    return meeting, minuted


# What each section shows, as (flag, a text only that section shows).
SECTION_TEXTS = [
    ("show_meetings", "Spring assembly"),
    ("show_surveys", "What do you need?"),
    ("show_surveys", "What should we do first?"),
    ("show_decisions", "Open on Sundays"),
    ("show_minutes", "Published minutes"),
    ("show_minutes", "Winter assembly"),
    ("show_money", "99.50"),  # 120.00 in, 20.50 out
    ("show_self_evaluation", "Autumn self-evaluation"),
    ("show_goals", "Ten volunteers trained"),
]


def test_every_section_is_hidden_until_organizers_turn_it_on(client, institution, organizer, member):
    fill(institution, organizer, member)
    page = home(client, institution)
    assert institution.name in page and institution.need_statement in page
    for _flag, text in SECTION_TEXTS:
        assert text not in page


@pytest.mark.parametrize(("flag", "text"), SECTION_TEXTS)
def test_a_section_turned_on_is_shown_to_anyone_and_the_others_stay_hidden(
    client, institution, organizer, member, flag, text
):
    fill(institution, organizer, member)
    show(institution, **{flag: True})
    page = home(client, institution)
    assert text in page
    for other_flag, other_text in SECTION_TEXTS:
        if other_flag != flag:
            assert other_text not in page


def test_sections_link_to_the_public_pages_anyone_can_use(client, institution, organizer, member):
    meeting, minuted = fill(institution, organizer, member)
    show(institution, **ALL_ON)
    page = home(client, institution)
    slug = institution.slug
    assert reverse("meetings:public", kwargs={"institution_slug": slug, "pk": meeting.pk}) + "#rsvp-heading" in page
    assert reverse("meetings:minutes_public", kwargs={"institution_slug": slug, "pk": minuted.pk}) in page
    assert reverse("logistics:ledger_public", kwargs={"institution_slug": slug}) in page
    with scope(institution=institution):
        survey = institution.surveys.get()
        consultation = institution.consultation_rounds.get()
    assert survey.public_path() in page and consultation.get_public_url() in page


def test_open_ballot_decision_shows_the_count_for_each_answer_and_option(client, institution, organizer):
    show(institution, show_decisions=True)
    closed_vote(institution, organizer, ["yes", "yes", "no", "abstain"], title="Open on Sundays")
    closed_vote(
        institution,
        organizer,
        [lambda ids: {"approve": [ids[0], ids[1]]}, lambda ids: {"approve": [ids[1]]}],
        title="Which day?",
        method="approval",
        options=["Saturday", "Sunday"],
    )
    page = home(client, institution)
    assert "Open on Sundays" in page and "Passed" in page
    assert "<td>Yes</td><td>2</td>" in page and "<td>No</td><td>1</td>" in page
    assert "<td>Abstain</td><td>1</td>" in page
    assert "<td>Saturday</td><td>1</td>" in page and "<td>Sunday</td><td>2</td>" in page


def test_secret_ballot_decision_shows_only_how_many_voted(client, institution, organizer):
    show(institution, show_decisions=True)
    proposal, voters = closed_vote(institution, organizer, ["yes", "yes", "no"], title="Hire a cook", secret=True)
    page = home(client, institution)
    assert "Hire a cook" in page and "Passed" in page
    assert "3 of 4 members voted." in page  # the organizer was on the roll too
    assert "<td>Yes</td>" not in page and "<td>No</td>" not in page
    with scope(institution=institution):
        receipts = list(SecretBallot.objects.filter(proposal=proposal).values_list("receipt", flat=True))
    assert len(receipts) == 3
    for receipt in receipts:
        assert receipt not in page
    for voter in voters:
        assert voter.display_name not in page and voter.email not in page


def test_money_summary_needs_the_ledger_public_too(client, institution, organizer, member):
    fill(institution, organizer, member)
    LogisticsSettings.objects.filter(institution=institution).update(ledger_public=False)
    show(institution, show_money=True)
    assert "Our money" not in home(client, institution)
    LogisticsSettings.objects.filter(institution=institution).update(ledger_public=True)
    page = home(client, institution)
    assert "Our money" in page and "120.00" in page and "20.50" in page and "Member dues" in page


def test_self_evaluation_shows_the_latest_closed_round_averages_without_comments(client, institution, organizer):
    show(institution, show_self_evaluation=True)
    member = MembershipFactory(institution=institution, user=UserFactory(name="Rosa Quiet")).user
    with scope(institution=institution):
        older = selfeval.round_open(institution=institution, actor=organizer, title="Older round")
        selfeval.round_close(evaluation=older, actor=organizer)
        latest = selfeval.round_open(institution=institution, actor=organizer, title="Latest round")
        answers = dict.fromkeys(QUESTION_KEYS, (5, "Rosa says the meetings run late"))
        selfeval.answers_submit(evaluation=latest, answers=answers, member=member)
        selfeval.answers_submit(evaluation=latest, answers=dict.fromkeys(QUESTION_KEYS, (3, "Too few hours")))
        selfeval.round_close(evaluation=latest, actor=organizer)
        selfeval.round_open(institution=institution, actor=organizer, title="Still open round")
    page = home(client, institution)
    assert "Latest round" in page and "Older round" not in page and "Still open round" not in page
    assert "<td>5.0</td><td>3.0</td>" in page
    assert "Rosa" not in page and "Too few hours" not in page


def test_nothing_private_appears_on_the_public_page_whatever_is_shown(client, institution, organizer, member):
    """Members' names and e-mails, RSVP and survey contacts, check-ins, grievances, who recorded or paid
    money, and who voted what: none of it reaches the page, with every section on."""
    meeting, _minuted = fill(institution, organizer, member)
    show(institution, **ALL_ON)
    private = [organizer.email, member.email]
    secretive = MembershipFactory(
        institution=institution, user=UserFactory(name="Zelda Hiddenname", email="zelda.hidden@example.org")
    ).user
    private += ["Zelda Hiddenname", "zelda.hidden@example.org"]
    voters = [
        MembershipFactory(institution=institution, user=UserFactory(name=name, email=email)).user
        for name, email in (("Vera Voterone", "vera.voter@example.org"), ("Victor Votertwo", "victor@example.org"))
    ]
    closed_vote(institution, organizer, ["yes", "no"], title="Paint the door", voters=voters)
    private += ["Vera Voterone", "vera.voter@example.org", "Victor Votertwo", "victor@example.org"]
    with scope(institution=institution):
        meetings.rsvp_create(meeting=meeting, name="Rafaela Rsvpname", email="rafaela.rsvp@example.org")
        private += ["Rafaela Rsvpname", "rafaela.rsvp@example.org"]
        survey = institution.surveys.get()
        question = Question.objects.get(survey=survey, text="Tell us more")
        needs_services.response_submit(
            survey=survey,
            language="en",
            answers={question: {"text": "Answered in private"}},
            contact=("Sofia Surveycontact", "555-0142"),
        )
        private += ["Sofia Surveycontact", "555-0142", "Answered in private"]
        checkins.check_in_save(
            institution=institution,
            member=secretive,
            feel=1,
            energy=1,
            hours=2,
            rather_doing="Checkinsecret sleeping in",
            suggestion="Checkinsecret fewer meetings",
            wants_follow_up=True,
        )
        private += ["Checkinsecret"]
        grievances.facilitator_name(
            institution=institution, actor=organizer, user=MembershipFactory(institution=institution).user
        )
        grievances.grievance_file(
            institution=institution, filer=secretive, subject="Grievancesecret subject", description="Grievancetext"
        )
        private += ["Grievancesecret", "Grievancetext"]
        Goal.objects.filter(institution=institution).update(owner=secretive)
        money.entry_record(
            institution=institution,
            recorder=secretive,
            kind="expense",
            occurred_on=timezone.localdate(),
            amount=Decimal("7.25"),
            description="Tape",
            paid_by=secretive,
        )
        round_answer(
            consultation_round=institution.consultation_rounds.get(),
            ratings={
                need.pk: {"urgency": 4, "rank": rank}
                for rank, need in enumerate(institution.consultation_rounds.get().needs.all(), start=1)
            },
            member=secretive,
        )
    page = home(client, institution)
    assert "Paint the door" in page and "Spring assembly" in page  # the sections are really on
    for text in private:
        assert text not in page, text


def test_organizer_chooses_the_sections_and_the_choice_is_audited(organizer_client, institution, organizer):
    response = organizer_client.get(settings_url(institution))
    assert response.status_code == 200
    assert 'type="checkbox"' in response.content.decode()
    response = organizer_client.post(settings_url(institution), {"show_decisions": "on", "show_money": "on"})
    assert response.status_code == 302
    with scope(institution=institution):
        page = PublicPage.objects.get(institution=institution)
        entry = AuditEntry.objects.get(action="followthrough.public_page_changed")
    assert (page.show_decisions, page.show_money, page.show_meetings, page.show_minutes) == (True, True, False, False)
    assert entry.actor == organizer and entry.data["shown"] == "decisions, money"
    assert entry.describe() == "Olga changed what the public page shows (now shown: decisions, money)"
    organizer_client.post(settings_url(institution), {})
    with scope(institution=institution):
        assert not any(getattr(PublicPage.objects.get(institution=institution), name) for name in public.SECTIONS)


def test_settings_say_the_money_summary_also_needs_the_ledger_public(organizer_client, institution):
    assert "also shown to the public" in organizer_client.get(settings_url(institution)).content.decode()
    LogisticsSettings.objects.create(institution=institution, ledger_public=True)
    assert "also shown to the public" not in organizer_client.get(settings_url(institution)).content.decode()


def test_members_cannot_choose_the_sections(member_client, institution):
    assert member_client.post(settings_url(institution), {"show_money": "on"}).status_code == 403
    assert not PublicPage.objects.filter(institution=institution).exists()


def test_only_organizers_see_the_link_to_choose_what_the_public_page_shows(
    client, member_client, organizer_client, institution, organizer, member
):
    link = settings_url(institution)
    assert link in home(organizer_client, institution)
    assert link not in home(member_client, institution)
    assert link not in home(client, institution)


def test_public_page_queries_do_not_grow_with_decisions_meetings_and_money(
    client, institution, organizer, member, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fill(institution, organizer, member)
    show(institution, **ALL_ON)
    home(client, institution)  # warm per-process caches
    with CaptureQueriesContext(connection) as few:
        home(client, institution)
    for index in range(12):
        closed_vote(institution, organizer, ["yes", "no"], title=f"Vote {index}", secret=index % 2 == 0)
    with scope(institution=institution):
        for index in range(8):
            meeting = meetings.meeting_create(
                institution=institution,
                author=organizer,
                title=f"Meeting {index}",
                starts_at=timezone.now() + timedelta(days=index + 1),
                is_public=True,
            )
            meetings.minutes_save(meeting=meeting, actor=organizer, minutes="Met.", records={}, publish=True)
            money.entry_record(
                institution=institution,
                recorder=organizer,
                kind="income",
                occurred_on=timezone.localdate() - timedelta(days=40 * index),
                amount=Decimal("5.00"),
                description=f"Gift {index}",
                source="community_donation",
            )
            Goal.objects.create(institution=institution, title=f"Goal {index}")
        survey_example(institution, organizer)
    with django_assert_num_queries(len(few)):
        home(client, institution)
