"""Deciding together, end to end, in a real Chromium at 360 px.

- An organizer drafts proposals through the real form (majority, ranked choice, secret dot
  voting), opens them for discussion, a member comments, the organizer opens voting with a
  deadline, members vote in their own browsers, the organizer closes voting and everyone can
  read the results: outcome, turnout, totals, the rounds of a ranked-choice count, who voted what
  (open votes) or the published receipt codes (secret votes).
- The ballot is swapped in place by htmx when JavaScript is on, and is a plain form post when it
  is off.
- A ranked ballot that uses a rank twice is refused with a clear message, the voter's choices are
  kept and nothing is counted.
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from decisions.models import Ballot, Proposal, RollEntry, SecretBallot
from tests.factories import MembershipFactory, OrganizerFactory, UserFactory, proposal_in_voting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "northside-tenants"
TIME_ZONE = "America/Chicago"
VOTE_URL = re.compile(r"/decisions/\d+/vote/$")


@pytest.fixture
def tenants(db):
    """Olga organizes the Northside Tenants Union (in Chicago's time zone); Mo, Nia and Pat are members."""
    olga = OrganizerFactory(
        institution__name="Northside Tenants Union",
        institution__slug=SLUG,
        institution__time_zone=TIME_ZONE,
        user=UserFactory(email="olga@example.org", name="Olga"),
    )
    people = {"olga": olga.user}
    for name in ["Mo", "Nia", "Pat"]:
        membership = MembershipFactory(
            institution=olga.institution, user=UserFactory(email=f"{name.lower()}@example.org", name=name)
        )
        people[name.lower()] = membership.user
    return olga.institution, people


def _go(page, locator):
    """Click something that loads a new page, and wait for it."""
    with page.expect_navigation():
        locator.click()


def _status(page):
    return page.locator("#messages[role=status]")


def _proposal(title):
    with scopes_disabled():
        return Proposal.objects.get(title=title)


def _deadline_in_three_days():
    """What a person types into the datetime-local field: three days ahead, in the institution's zone."""
    local = (timezone.now() + timedelta(days=3)).astimezone(ZoneInfo(TIME_ZONE)).replace(second=0, microsecond=0)
    return local.strftime("%Y-%m-%dT%H:%M"), local


def _facts(page):
    """The results page's facts list as {term: definition}."""
    terms = page.locator("dl.facts dt").all_inner_texts()
    values = page.locator("dl.facts dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def _table(page, heading):
    """The rows of the table under the h2 `heading`, as lists of cell texts."""
    table = page.locator(
        f"xpath=//h2[normalize-space()='{heading}']/following-sibling::div[contains(@class, 'table-wrap')][1]/table"
    )
    expect(table).to_have_count(1)
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


def _draft(page, base, *, title, text, method, options=(), secret=False, check=None):
    """From the list of proposals: New proposal → fill in → Save the draft."""
    page.goto(f"{base}/i/{SLUG}/decisions/")
    _go(page, page.get_by_role("main").get_by_role("link", name="New proposal"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New proposal")
    if check:
        check(page)  # the empty form
    form = page.locator("main form")
    form.get_by_label(re.compile(r"^Title\b")).fill(title)
    form.get_by_label(re.compile(r"^Text\b")).fill(text)
    form.get_by_role("group", name=re.compile(r"^How we decide")).get_by_role(
        "radio", name=re.compile(rf"^{method}\b")
    ).check()
    options_field = form.get_by_label(re.compile(r"^Options \(one per line\)"))
    if options:
        options_field.fill("\n".join(options))
    if secret:
        form.get_by_label(re.compile(r"^Secret ballot")).check()
    _go(page, form.get_by_role("button", name="Save the draft"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(_status(page)).to_contain_text("Your draft is saved.")
    expect(page.locator("#ballot")).to_contain_text("Voting has not opened yet.")
    return page.url


def _open_discussion(page):
    _go(page, page.get_by_role("button", name="Open for discussion"))
    expect(_status(page)).to_contain_text("Discussion is open: members can now comment.")
    expect(page.locator("main > p.muted").first).to_contain_text("In discussion")


def _comment(page, url, text, author_name, check=None):
    page.goto(url)
    discussion = page.get_by_role("region", name="Discussion")
    expect(discussion).to_contain_text("No comments yet.")
    discussion.get_by_label(re.compile(r"^Your comment")).fill(text)
    _go(page, discussion.get_by_role("button", name="Post comment"))
    expect(page).to_have_url(url + "#discussion")
    expect(_status(page)).to_contain_text("Your comment is posted.")
    comment = page.locator("#discussion li[id^=comment-]")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text(author_name)
    expect(comment).to_contain_text(text)
    if check:
        check(page)  # the discussion with a comment, as a member


def _open_voting(page, title, check=None):
    typed, local = _deadline_in_three_days()
    forward = page.get_by_role("region", name="Move this proposal forward")
    deadline = forward.get_by_label(re.compile(r"^Voting closes"))
    expect(deadline).to_have_attribute("type", "datetime-local")
    deadline.fill(typed)
    _go(page, forward.get_by_role("button", name="Open voting"))
    expect(_status(page)).to_contain_text("Voting is open. The voter roll is fixed from now on.")
    expect(page.locator("main")).to_contain_text("Voting closes: ")
    expect(forward.get_by_role("button", name="Close voting now")).to_be_visible()
    if check:
        check(page)  # in voting, as the organizer
    proposal = _proposal(title)
    assert proposal.status == Proposal.Status.VOTING
    # The typed time is read in the institution's time zone.
    assert proposal.deadline == local, (proposal.deadline, local)


def _cast(page, url, fill, *, message="Your vote is counted.", check=None):
    """Open the proposal, fill the ballot with `fill(ballot_section)`, cast it (htmx) and wait for the answer."""
    page.goto(url)
    page.wait_for_function("() => window.htmx !== undefined")
    ballot = page.get_by_role("region", name="Your vote")
    if check:
        check(page)  # this method's ballot, before voting
    fill(ballot)
    with page.expect_response(lambda r: VOTE_URL.search(r.url) and r.request.method == "POST") as info:
        ballot.get_by_role("button", name="Cast my vote").click()
    assert info.value.status == 200, info.value.text()
    expect(_status(page)).to_contain_text(message)
    return ballot


def _close_and_open_results(page, outcome, check=None, voted=True):
    _go(page, page.get_by_role("button", name="Close voting now"))
    expect(_status(page)).to_contain_text("Voting is closed and the result is recorded.")
    expect(page.locator("#ballot > p").first).to_have_text("You have voted." if voted else "Voting has closed.")
    expect(page.locator("main > p.muted").first).to_contain_text(f"Closed · {outcome}")
    expect(page.get_by_role("region", name="Move this proposal forward")).to_have_count(0)
    if check:
        check(page)  # a closed proposal
    _go(page, page.get_by_role("link", name="See the results"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results")
    expect(page.locator("main .lead")).to_contain_text(f"Outcome: {outcome}")


def test_three_ways_of_deciding_from_draft_to_results(live_server, new_context, axe_check, login, outbox, tenants):
    base = live_server.url
    _institution, people = tenants
    olga = new_context().new_page()
    login(olga, "olga@example.org")
    # Olga goes to Decisions from her institution's home; the list is empty.
    olga.goto(f"{base}/i/{SLUG}/")
    _go(olga, olga.get_by_role("navigation", name="Institution").get_by_role("link", name="Decisions"))
    expect(olga.get_by_role("heading", level=1)).to_have_text("Decisions")
    expect(olga.get_by_role("main")).to_contain_text("No proposals here yet.")
    axe_check(olga)  # the list of proposals
    voters = {}
    for name in ["mo", "nia", "pat"]:
        voters[name] = new_context().new_page()
        login(voters[name], f"{name}@example.org")
    mo, nia, pat = voters["mo"], voters["nia"], voters["pat"]

    # --- 1. Majority, open ballot: the whole way through ---------------------------------------
    title = "Hold a rent strike vote in March"
    url = _draft(
        olga,
        base,
        title=title,
        text="The landlord ignored 40 repair requests.\n\nThe full list: https://tenants.example.org/repairs.",
        method="Majority",
        check=axe_check,
    )
    link = olga.locator(".proposal-text").get_by_role("link", name="https://tenants.example.org/repairs")
    expect(link).to_have_attribute("href", "https://tenants.example.org/repairs")
    expect(olga.locator(".proposal-text p")).to_have_count(2)  # the blank line made two paragraphs
    expect(olga.get_by_role("region", name="Discussion")).to_contain_text("Comments open when the proposal is opened")
    axe_check(olga)  # a draft, as its author and organizer
    _open_discussion(olga)
    _comment(mo, url, "Yes, but let us talk to building C first.", "Mo", check=axe_check)
    _open_voting(olga, title, check=axe_check)

    def choose(answer):
        return lambda ballot: (
            ballot.get_by_role("group", name="Your answer").get_by_role("radio", name=answer, exact=True).check()
        )

    ballot = _cast(mo, url, choose("Yes"), check=axe_check)
    expect(ballot).to_contain_text("You have voted. You can change your vote until voting closes")
    expect(ballot.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(ballot.get_by_role("button", name="Change my vote")).to_be_visible()
    axe_check(mo)  # after voting, with the message and "Change my vote"
    _cast(nia, url, choose("Yes"))
    _cast(pat, url, choose("No"))
    with scopes_disabled():
        assert Ballot.objects.filter(proposal__title=title).count() == 3

    _close_and_open_results(olga, "Passed", check=axe_check, voted=False)
    assert _facts(olga) == {"Voter roll": "4", "Took part": "3 (75%)", "Quorum": "none required"}
    assert _table(olga, "Totals") == [["Yes", "2"], ["No", "1"], ["Abstain", "0"]]
    assert _table(olga, "Who voted what") == [["Mo", "Yes"], ["Nia", "Yes"], ["Pat", "No"]]
    expect(olga.get_by_role("link", name="Download the results (CSV)")).to_be_visible()
    axe_check(olga)  # results of a majority vote, as the organizer
    # A member sees the same results (without the CSV download).
    pat.goto(olga.url)
    expect(pat.locator("main .lead")).to_contain_text("Outcome: Passed")
    expect(pat.get_by_role("link", name="Download the results (CSV)")).to_have_count(0)
    assert _table(pat, "Who voted what") == [["Mo", "Yes"], ["Nia", "Yes"], ["Pat", "No"]]

    # --- 2. Ranked choice, open ballot: the organizer votes too, and it takes two rounds ---------
    title = "Which evening for the building meetings?"
    options = ["Tuesday", "Thursday", "Saturday"]
    url = _draft(
        olga,
        base,
        title=title,
        text="We keep missing people. Pick the evening.",
        method="Ranked choice",
        options=options,
    )
    expect(olga.locator("h3:text-is('Options') + ol > li")).to_have_text(options)
    _open_discussion(olga)
    _comment(nia, url, "Saturday is hard for parents.", "Nia")
    _open_voting(olga, title)

    def rank(*order):
        def fill(ballot):
            for place, label in enumerate(order, start=1):
                ballot.get_by_label(label, exact=True).select_option(str(place))

        return fill

    # Mo finds it in the list, marked as waiting for his vote.
    mo.goto(f"{base}/i/{SLUG}/decisions/")
    expect(mo.get_by_role("main")).to_contain_text("You have not voted on 1 proposal yet.")
    waiting = mo.get_by_role("main").get_by_role("listitem").filter(has_text=title)
    expect(waiting).to_contain_text("You haven't voted yet")
    expect(waiting).to_contain_text("Voting · Ranked choice")
    axe_check(mo)  # the list of proposals, with one waiting for a vote
    _cast(mo, url, rank("Tuesday", "Thursday"), check=axe_check)
    _cast(nia, url, rank("Thursday", "Tuesday"))
    _cast(pat, url, rank("Tuesday"))
    ballot = _cast(olga, url, rank("Saturday", "Tuesday", "Thursday"))
    for label, place in [("Saturday", "1"), ("Tuesday", "2"), ("Thursday", "3")]:
        expect(ballot.get_by_label(label, exact=True)).to_have_value(place)

    _close_and_open_results(olga, "Passed")
    expect(olga.locator("main .lead")).to_have_text("Outcome: Passed — Tuesday")
    assert _facts(olga) == {"Voter roll": "4", "Took part": "4 (100%)", "Quorum": "none required"}
    assert _table(olga, "Totals") == [["Tuesday", "2"], ["Thursday", "1"], ["Saturday", "1"]]
    round_1 = olga.get_by_role("region", name="Round 1")
    round_2 = olga.get_by_role("region", name="Round 2")
    expect(olga.get_by_role("region", name=re.compile(r"^Round \d"))).to_have_count(2)
    expect(round_1.get_by_role("listitem")).to_have_text(["Tuesday: 2", "Thursday: 1", "Saturday: 1"])
    expect(round_1).to_contain_text("Removed: Saturday")
    expect(round_1).to_contain_text("Several options tied for the fewest votes.")
    expect(round_2.get_by_role("listitem")).to_have_text(["Tuesday: 3", "Thursday: 1"])
    expect(round_2).not_to_contain_text("Removed:")
    assert _table(olga, "Who voted what") == [
        ["Mo", "1. Tuesday 2. Thursday"],
        ["Nia", "1. Thursday 2. Tuesday"],
        ["Olga", "1. Saturday 2. Tuesday 3. Thursday"],
        ["Pat", "1. Tuesday"],
    ]
    axe_check(olga)  # ranked-choice results with rounds

    # --- 3. Dot voting, secret ballot: receipts, then the published list ------------------------
    title = "Where should the repair fund go?"
    options = ["Fix the freezer", "Buy a van", "Rent storage"]
    url = _draft(
        olga, base, title=title, text="We have 2,000 dollars.", method="Dot voting", options=options, secret=True
    )
    expect(olga.get_by_role("main")).to_contain_text("Secret ballot: nobody can see how anyone voted.")
    _open_discussion(olga)
    _comment(pat, url, "The freezer first, it is losing food.", "Pat")
    _open_voting(olga, title)

    def place_dots(placed):
        def fill(ballot):
            expect(ballot.get_by_role("group", name="Spread your 5 dots over the options")).to_be_visible()
            for label, number in placed.items():
                ballot.get_by_label(label, exact=True).fill(str(number))

        return fill

    receipts = {}
    ballots = {
        "mo": {"Fix the freezer": 3, "Buy a van": 2},
        "nia": {"Fix the freezer": 5},
        "pat": {"Buy a van": 1, "Rent storage": 4},
    }
    for name, placed in ballots.items():
        page = voters[name]
        ballot = _cast(
            page,
            url,
            place_dots(placed),
            message="Your secret ballot is counted.",
            check=axe_check if name == "mo" else None,
        )
        receipt = ballot.locator(".message strong")
        expect(receipt).to_have_text(re.compile(r"^[0-9A-F]{10}$"))
        # The form is gone; focus moved to the receipt so it is read out and not lost.
        expect(ballot.locator("#receipt")).to_be_focused()
        receipts[name] = receipt.inner_text()
        expect(_status(page)).to_contain_text(f"Your receipt code is {receipts[name]}")
        expect(ballot).to_contain_text("You have voted.")
        expect(ballot.get_by_role("button")).to_have_count(0)  # a secret ballot cannot be changed
        if name == "mo":
            axe_check(page)  # the receipt
    with scopes_disabled():
        assert SecretBallot.objects.filter(proposal__title=title).count() == 3
        assert Ballot.objects.filter(proposal__title=title).count() == 0
        assert RollEntry.objects.filter(proposal__title=title, has_voted=True).count() == 3

    _close_and_open_results(olga, "Passed", voted=False)
    expect(olga.locator("main .lead")).to_have_text("Outcome: Passed — Fix the freezer")
    assert _facts(olga) == {"Voter roll": "4", "Took part": "3 (75%)", "Quorum": "none required"}
    assert _table(olga, "Totals") == [["Fix the freezer", "8"], ["Buy a van", "3"], ["Rent storage", "4"]]
    expect(olga.get_by_role("heading", name="Who voted what")).to_have_count(0)
    axe_check(olga)  # results of a secret vote

    # The published list has every ballot by receipt code, and nothing that names a voter.
    published = olga.locator(
        "xpath=//h2[normalize-space()='Published ballots']/following-sibling::div[contains(@class, 'table-wrap')][1]"
    )
    expect(published.locator("thead th")).to_have_text(["Receipt", "Ballot"])
    assert sorted(dict(_table(olga, "Published ballots"))) == sorted(receipts.values())
    # Each voter finds their own receipt there, with the ballot they cast.
    cast = {
        "mo": "Fix the freezer: 3; Buy a van: 2",
        "nia": "Fix the freezer: 5",
        "pat": "Buy a van: 1; Rent storage: 4",
    }
    for name, page in voters.items():
        page.goto(olga.url)
        mine = page.get_by_role("row").filter(has=page.locator("code", has_text=receipts[name]))
        expect(mine.get_by_role("cell")).to_have_text([receipts[name], cast[name]])

    # Every member was told each result by e-mail (tasks run in-process in tests).
    results_mail = [(message["To"], message["Subject"]) for message in outbox.messages()]
    for person in people.values():
        assert (person.email, f"Passed: {title}") in results_mail, results_mail


@pytest.fixture
def pantry(db):
    """Olga organizes the Eastside Pantry; Mo is a member. A majority vote and a ranked vote are open."""
    olga = OrganizerFactory(
        institution__name="Eastside Pantry",
        institution__slug="eastside-pantry",
        user=UserFactory(email="olga@example.org", name="Olga"),
    )
    mo = MembershipFactory(institution=olga.institution, user=UserFactory(email="mo@example.org", name="Mo")).user
    return olga.institution, olga.user, mo


def _saved_ballot(institution, proposal, voter):
    with scope(institution=institution):
        ballot = Ballot.objects.filter(proposal=proposal, voter=voter).first()
        voted = RollEntry.objects.get(proposal=proposal, user=voter).has_voted
    return (ballot.choice if ballot else None), voted


def test_casting_a_vote_with_htmx_swaps_only_the_ballot(live_server, page, axe_check, login, pantry):
    institution, olga, mo = pantry
    proposal = proposal_in_voting(institution, olga, title="Open the pantry on Sundays")
    url = f"{live_server.url}{proposal.get_absolute_url()}"
    login(page, mo.email)
    page.goto(url)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__stillTheSamePage = true; }")
    discussion_html = page.locator("#discussion").inner_html()
    axe_check(page)

    ballot = page.get_by_role("region", name="Your vote")
    ballot.get_by_role("radio", name="Yes", exact=True).check()
    with page.expect_response(lambda r: VOTE_URL.search(r.url) and r.request.method == "POST") as info:
        ballot.get_by_role("button", name="Cast my vote").click()
    response = info.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"
    # Only the ballot and the status region came back: no page around them.
    body = response.text()
    assert "<html" not in body and 'id="discussion"' not in body
    assert 'id="ballot"' in body and 'id="messages"' in body

    expect(_status(page)).to_contain_text("Your vote is counted.")
    expect(ballot).to_contain_text("You have voted. You can change your vote until voting closes")
    expect(ballot.get_by_role("radio", name="Yes", exact=True)).to_be_checked()
    expect(ballot.get_by_role("button", name="Change my vote")).to_be_focused()  # focus survived the swap
    expect(page.locator("#ballot")).to_have_count(1)
    assert page.evaluate("() => window.__stillTheSamePage") is True
    assert page.url == url
    assert page.locator("#discussion").inner_html() == discussion_html
    assert _saved_ballot(institution, proposal, mo) == ({"choice": "yes"}, True)
    axe_check(page)  # after the swap

    # Changing the vote works the same way; the last one counts.
    ballot.get_by_role("radio", name="No", exact=True).check()
    with page.expect_response(lambda r: VOTE_URL.search(r.url) and r.request.method == "POST"):
        ballot.get_by_role("button", name="Change my vote").click()
    expect(ballot.get_by_role("radio", name="No", exact=True)).to_be_checked()
    expect(_status(page).locator(".message")).to_have_count(1)
    assert page.evaluate("() => window.__stillTheSamePage") is True
    assert _saved_ballot(institution, proposal, mo) == ({"choice": "no"}, True)


def test_casting_a_vote_without_javascript_is_a_plain_form_post(live_server, new_context, axe_check, login, pantry):
    institution, olga, mo = pantry
    proposal = proposal_in_voting(institution, olga, title="Open the pantry on Sundays")
    url = f"{live_server.url}{proposal.get_absolute_url()}"
    page = new_context(java_script_enabled=False).new_page()
    login(page, mo.email)
    page.goto(url)

    ballot = page.get_by_role("region", name="Your vote")
    ballot.get_by_role("radio", name="Abstain", exact=True).check()
    with page.expect_navigation():
        ballot.get_by_role("button", name="Cast my vote").click()

    # The post redirected back to the proposal: a full page with the message and the saved vote.
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Open the pantry on Sundays")
    expect(page.locator(".messages[role=status]")).to_contain_text("Your vote is counted.")
    ballot = page.get_by_role("region", name="Your vote")
    expect(ballot.get_by_role("radio", name="Abstain", exact=True)).to_be_checked()
    expect(ballot.get_by_role("button", name="Change my vote")).to_be_visible()
    assert _saved_ballot(institution, proposal, mo) == ({"choice": "abstain"}, True)
    axe_check(page)  # the proposal after voting, as the voter


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_ranked_ballot_with_a_rank_used_twice_is_refused_and_kept(
    live_server, new_context, axe_check, login, pantry, javascript
):
    institution, olga, mo = pantry
    proposal = proposal_in_voting(
        institution, olga, title="Extra pantry day", method="ranked", options=["Saturday", "Sunday", "Wednesday"]
    )
    url = f"{live_server.url}{proposal.get_absolute_url()}"
    page = new_context(java_script_enabled=javascript).new_page()
    login(page, mo.email)
    page.goto(url)
    if javascript:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => { window.__stillTheSamePage = true; }")

    ballot = page.get_by_role("region", name="Your vote")
    ballot.get_by_label("Saturday", exact=True).select_option("1")
    ballot.get_by_label("Sunday", exact=True).select_option("1")
    ballot.get_by_label("Wednesday", exact=True).select_option("2")
    with page.expect_response(lambda r: VOTE_URL.search(r.url) and r.request.method == "POST") as info:
        ballot.get_by_role("button", name="Cast my vote").click()
    assert info.value.status == 400

    message = "Use each rank once, starting at 1 with no gaps (1, 2, 3 …)."
    expect(page.locator(".messages[role=status] .message-error")).to_have_text(message)
    ballot = page.get_by_role("region", name="Your vote")
    expect(ballot.get_by_label("Saturday", exact=True)).to_have_value("1")
    expect(ballot.get_by_label("Sunday", exact=True)).to_have_value("1")
    expect(ballot.get_by_label("Wednesday", exact=True)).to_have_value("2")
    expect(ballot.get_by_role("button", name="Cast my vote")).to_be_visible()  # still not voted
    expect(ballot).not_to_contain_text("You have voted")
    if javascript:
        assert page.evaluate("() => window.__stillTheSamePage") is True
        axe_check(page)  # the refused ballot, as swapped in
    else:
        # The answer to the post is the proposal page itself (it cannot be re-fetched for the
        # accessibility check, which needs JavaScript: see conftest).
        expect(page.get_by_role("heading", level=1)).to_have_text("Extra pantry day")
    assert _saved_ballot(institution, proposal, mo) == (None, False)

    # Fixing the ranks is accepted.
    ballot.get_by_label("Sunday", exact=True).select_option("3")
    ballot.get_by_label("Wednesday", exact=True).select_option("2")
    with page.expect_response(lambda r: VOTE_URL.search(r.url) and r.request.method == "POST") as info:
        ballot.get_by_role("button", name="Cast my vote").click()
    expect(page.locator(".messages[role=status]")).to_contain_text("Your vote is counted.")
    with scope(institution=institution):
        saturday, sunday, wednesday = (option.pk for option in proposal.options.all())
    assert _saved_ballot(institution, proposal, mo) == ({"ranking": [saturday, wednesday, sunday]}, True)


def test_closed_score_vote_shows_average_scores_as_decimals(live_server, page, axe_check, login, outbox, pantry):
    from decisions import services

    institution, olga, mo = pantry
    proposal = proposal_in_voting(
        institution, olga, title="What should we cook on Fridays?", method="score", options=["Soup", "Stew"]
    )
    with scope(institution=institution):
        soup, stew = (option.pk for option in proposal.options.all())
        services.vote_cast(proposal=proposal, member=olga, choice={"scores": {soup: 3, stew: 5}})
        services.vote_cast(proposal=proposal, member=mo, choice={"scores": {soup: 4, stew: 5}})
        services.voting_close(proposal=proposal, actor=olga)
    login(page, mo.email)
    page.goto(f"{live_server.url}{proposal.get_absolute_url()}results/")
    expect(page.locator("main .lead")).to_have_text("Outcome: Passed — Stew")
    axe_check(page)  # results of a score vote
    assert _table(page, "Totals") == [["Soup", "3.5"], ["Stew", "5"]]
