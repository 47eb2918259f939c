"""Step 2 in the browser: a neighbor answers a consultation round in Spanish from its public link
(no account, no JavaScript, a 360 px phone); an organizer reads the results and starts the focus
proposal from them."""

import os

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from consultation import services
from consultation.models import ConsultationResponse, NeedRating
from decisions.models import Proposal
from needs.services import need_create
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set to a folder to keep screenshots of each page (for looking at the layout by eye).
SCREENSHOTS = os.environ.get("DUALPOWER_SCREENSHOTS")


def snap(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"consultation-{name}.png"), full_page=True)


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def round_with_needs(institution):
    organizer = OrganizerFactory(institution=institution, user=UserFactory(name="Olga")).user
    with scope(institution=institution):
        needs = [
            need_create(institution=institution, author=organizer, title=title)
            for title in ("Food runs out before payday", "Repairs take months", "No childcare at meetings")
        ]
        consultation_round = services.round_create(
            institution=institution,
            author=organizer,
            title="What should we work on first?",
            intro="Tell us what matters most to you.",
            needs=needs,
        )
        consultation_round = services.round_open(consultation_round=consultation_round, actor=organizer)
    return organizer, consultation_round, needs


def test_a_neighbor_answers_in_spanish_without_an_account(live_server, new_context, axe_check, round_with_needs):
    _organizer, consultation_round, needs = round_with_needs
    food, repairs, childcare = needs
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + consultation_round.get_public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("What should we work on first?")
    axe_check(page)

    # The page switches to Spanish from its own language links.
    with page.expect_navigation():
        page.get_by_role("link", name="español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith("?lang=es")
    assert fits_the_screen(page)
    snap(page, "public-es")
    axe_check(page)

    def answer(places):
        for need, (place, urgency) in zip(needs, places):
            page.locator(f'input[name="urgency-{need.pk}"][value="{urgency}"]').check()
            page.locator(f'select[name="rank-{need.pk}"]').select_option(str(place))
        with page.expect_navigation():
            page.locator("form.answer-form button[type=submit]").click()

    # Two needs in the same place: refused with the reason, the choices still there, still in Spanish.
    answer([(1, 5), (1, 3), (3, 2)])
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(f'input[name="urgency-{food.pk}"][value="5"]')).to_be_checked()
    expect(page.locator(f'select[name="rank-{childcare.pk}"]')).to_have_value("3")
    snap(page, "public-es-error")
    with scope(institution=consultation_round.institution):
        assert not ConsultationResponse.objects.exists()

    answer([(1, 5), (3, 3), (2, 4)])
    assert "/thanks/?lang=es" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "es")
    snap(page, "public-es-thanks")
    axe_check(page)
    with scope(institution=consultation_round.institution):
        response = ConsultationResponse.objects.get()
        assert (response.group, response.member_id, response.language) == ("community", None, "es")
        assert dict(NeedRating.objects.values_list("need_id", "rank")) == {food.pk: 1, repairs.pk: 3, childcare.pk: 2}


def test_organizer_reads_the_results_and_starts_the_focus_proposal(
    live_server, page, login, axe_check, institution, round_with_needs
):
    organizer, consultation_round, (food, repairs, childcare) = round_with_needs
    member = MembershipFactory(institution=institution, user=UserFactory(name="Mo")).user
    with scope(institution=institution):
        for who, places in (
            (member, ((2, 4), (1, 5), (3, 2))),
            (None, ((2, 3), (1, 5), (3, 1))),
            (None, ((1, 5), (2, 4), (3, 3))),
        ):
            ratings = {
                need.pk: {"rank": rank, "urgency": urgency}
                for need, (rank, urgency) in zip((food, repairs, childcare), places)
            }
            services.round_answer(consultation_round=consultation_round, ratings=ratings, member=who)

    login(page, organizer.email)
    page.goto(f"{live_server.url}/i/{institution.slug}/consultation/")
    with page.expect_navigation():
        page.get_by_role("link", name="Consultation rounds").click()
    with page.expect_navigation():
        page.get_by_role("link", name="What should we work on first?").click()
    expect(page.get_by_text("1 member and 2 people from the community have answered.")).to_be_visible()
    together = page.locator("section", has=page.get_by_role("heading", name="Everyone together"))
    # Repairs: 3 + 3 + 2 = 8 points (first place earns 3), the most.
    expect(together.get_by_role("row").nth(1)).to_contain_text("Repairs take months")
    expect(together.get_by_role("row").nth(1)).to_contain_text("8")
    expect(together.get_by_role("img")).to_be_visible()
    assert fits_the_screen(page)
    snap(page, "results")
    axe_check(page)

    with page.expect_navigation():
        page.get_by_role("listitem").filter(has_text="Repairs take months").get_by_role(
            "button", name="Propose this as our focus"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make “Repairs take months” our focus")
    with scope(institution=institution):
        proposal = Proposal.objects.get()
    assert proposal.concerns == repairs and proposal.status == "draft"
    axe_check(page)
