"""Self-evaluation in the browser, at 360 px: an organizer opens a round, a member answers the seven
questions, someone of the community answers through the public link without an account, and the
results show both groups side by side with the gap in words; every page passes axe."""

import re

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from evaluation.models import SelfEvaluation, SelfEvaluationResponse
from evaluation.models.selfeval import QUESTION_KEYS
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all(page, rating, *, accountable, comment):
    """Pick `rating` for every question (and `accountable` for that one), and comment on accountability."""
    for key in QUESTION_KEYS:
        value = accountable if key == "accountable" else rating
        page.locator(f"#question-{key} input[type=radio][value='{value}']").check()
    page.locator("#question-accountable textarea").fill(comment)


def test_members_and_community_answer_and_the_results_show_both(
    live_server, page, new_context, login, axe_check, institution
):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo Member")).user
    base = f"{live_server.url}/i/{institution.slug}/evaluation"

    login(page, organizer.email)
    page.goto(f"{base}/self-evaluations/")
    axe_check(page)
    page.get_by_role("link", name="Open a self-evaluation").click()
    axe_check(page)
    page.get_by_label("Title").fill("Spring self-evaluation")
    with page.expect_navigation():
        page.get_by_role("button", name="Open it").click()
    expect(page.locator("#messages")).to_contain_text("The self-evaluation is open")
    axe_check(page)
    public_url = page.get_by_label("Public link").input_value()
    with scope(institution=institution):
        evaluation = SelfEvaluation.objects.get()
    assert public_url.endswith(f"/self-evaluations/p/{evaluation.public_token}/")

    member_page = new_context().new_page()
    login(member_page, member.email)
    member_page.goto(f"{base}/self-evaluations/{evaluation.pk}/")
    member_page.get_by_role("link", name="Answer the seven questions").click()
    axe_check(member_page)
    answer_all(member_page, 4, accountable=5, comment="We answer to the patients")
    with member_page.expect_navigation():
        member_page.get_by_role("button", name="Send my answers").click()
    expect(member_page.locator("#messages")).to_contain_text("Your answers are saved")

    visitor = new_context().new_page()
    visitor.goto(public_url)
    axe_check(visitor)
    visitor.get_by_role("button", name="Send my answer").click()
    expect(visitor.locator("[role=alert]").first).to_contain_text("Some answers need another look")
    axe_check(visitor)
    answer_all(visitor, 4, accountable=2, comment="Nobody asked the neighbours")
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Send my answer").click()
    expect(visitor.get_by_role("heading", name="Thank you!")).to_be_visible()
    axe_check(visitor)

    page.goto(f"{base}/self-evaluations/{evaluation.pk}/")
    row = page.get_by_role("row", name=re.compile("Do we answer only to the community"))
    expect(row).to_contain_text("5.0")
    expect(row).to_contain_text("2.0")
    expect(row).to_contain_text("Members see this more rosily than the community does.")
    expect(page.get_by_text("We answer to the patients")).to_be_visible()
    expect(page.get_by_text("Nobody asked the neighbours")).to_be_visible()
    expect(page.get_by_text("Mo Member")).to_have_count(0)
    axe_check(page)
    with scope(institution=institution):
        assert sorted(SelfEvaluationResponse.objects.values_list("respondent", flat=True)) == ["community", "member"]


def test_grievance_and_incident_pages_pass_axe_and_a_grievance_reaches_only_the_facilitator(
    live_server, page, new_context, login, axe_check, institution
):
    from evaluation import grievances

    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    facilitator = MembershipFactory(institution=institution, user=UserFactory(name="Fay")).user
    with scope(institution=institution):
        grievances.facilitator_name(institution=institution, actor=organizer, user=facilitator)
    base = f"{live_server.url}/i/{institution.slug}/evaluation"

    login(page, member.email)
    page.goto(f"{base}/grievances/")
    axe_check(page)
    page.get_by_role("link", name="File a grievance").click()
    expect(page.get_by_text("Fay")).to_be_visible()
    axe_check(page)
    page.get_by_label("In a few words").fill("Talked over at briefings")
    page.get_by_label("What happened").fill("Twice in a row.")
    with page.expect_navigation():
        page.get_by_role("button", name="File it").click()
    expect(page.locator("#messages")).to_contain_text("Your grievance is filed")
    axe_check(page)
    grievance_url = page.url

    facilitator_page = new_context().new_page()
    login(facilitator_page, facilitator.email)
    facilitator_page.goto(grievance_url)
    facilitator_page.get_by_label("New status").select_option("mediation")
    with facilitator_page.expect_navigation():
        facilitator_page.get_by_role("button", name="Set status").click()
    expect(facilitator_page.get_by_text("Status: In mediation")).to_be_visible()
    axe_check(facilitator_page)

    organizer_page = new_context().new_page()
    login(organizer_page, organizer.email)
    assert organizer_page.goto(grievance_url).status == 404
    organizer_page.goto(f"{base}/grievances/facilitators/")
    axe_check(organizer_page)

    page.goto(f"{base}/incidents/new/")
    axe_check(page)
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_label("Kind").select_option("police")
    page.get_by_label("What happened").fill("A patrol car by the door all morning.")
    page.get_by_label("What we changed to stay safe").fill("Nobody gives names.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record it").click()
    expect(page.locator("#messages")).to_contain_text("The incident is in the log")
    axe_check(page)
    page.goto(f"{base}/incidents/?kind=police")
    expect(page.get_by_text("A patrol car by the door")).to_be_visible()
    axe_check(page)
