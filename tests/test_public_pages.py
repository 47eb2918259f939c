"""Public pages kept rendered for anonymous visitors (dualpower/public_pages.py): served from the
cache while nothing changes, stale at once after any change, never to anyone signed in."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from dualpower import public_pages
from dualpower.public_pages import _version_key
from evaluation.indicators import evaluate
from institutions.forms import InstitutionSettingsForm
from needs.models import Response
from needs.selectors import public_survey_or_404
from needs.services import survey_close
from needs.tests.test_survey_answer import first_page, questions
from tests.factories import proposal_in_voting, survey_example

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_page_cache():
    cache.clear()
    with override_settings(INSTITUTION_CACHE_SECONDS=60):
        yield
    cache.clear()


def home_url(institution):
    return reverse("institutions:home", kwargs={"institution_slug": institution.slug})


def settings_data(institution, **changes):
    data = {name: getattr(institution, name) for name in InstitutionSettingsForm.Meta.fields}
    return {**data, **changes}


def test_a_second_anonymous_visit_is_served_from_the_cache(institution, django_assert_max_num_queries):
    first = Client().get(home_url(institution))
    with django_assert_max_num_queries(0):
        second = Client().get(home_url(institution))
    assert second.status_code == 200
    # The same page, each with its own CSRF token (in the forms and in htmx's headers).
    assert ANY_TOKEN.sub("", second.content.decode()) == ANY_TOKEN.sub("", first.content.decode())
    assert set(ANY_TOKEN.findall(second.content.decode())).isdisjoint(ANY_TOKEN.findall(first.content.decode()))


def test_an_organizer_change_shows_on_the_public_page_at_once(institution, organizer_client):
    assert "Seeds for everyone" not in Client().get(home_url(institution)).content.decode()
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, description="Seeds for everyone"),
    )
    assert response.status_code == 302
    assert "Seeds for everyone" in Client().get(home_url(institution)).content.decode()


def test_a_refused_change_keeps_the_cached_page(institution, organizer_client, django_assert_max_num_queries):
    Client().get(home_url(institution))
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, name=""),
    )
    assert response.status_code == 400
    with django_assert_max_num_queries(0):
        assert Client().get(home_url(institution)).status_code == 200


def test_a_change_outside_any_request_shows_at_once(institution, django_capture_on_commit_callbacks):
    Client().get(home_url(institution))
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        institution.description = "Written by a job"
        institution.save()
    assert "Written by a job" in Client().get(home_url(institution)).content.decode()


def test_a_service_called_outside_any_request_makes_the_pages_stale(
    institution, organizer, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    assert "survey-form" in Client().get(survey.public_path()).content.decode()
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        survey_close(survey=survey, actor=organizer)
    assert "survey-form" not in Client().get(survey.public_path()).content.decode()


def test_closing_a_survey_shows_on_its_public_page_at_once(institution, organizer, organizer_client):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    assert "survey-form" in Client().get(url).content.decode()
    organizer_client.post(
        reverse("needs:survey_status", kwargs={"institution_slug": institution.slug, "pk": survey.pk}),
        {"action": "close"},
    )
    assert "survey-form" not in Client().get(url).content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_can_answer(institution, organizer):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    Client().get(url)  # stores the page
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    token = TOKEN.search(page.content.decode()).group(1)
    assert "__public_page_csrf_token__" not in page.content.decode()
    assert page.cookies["csrftoken"].value
    assert page.cookies["survey_language"].value == "en"
    answered = visitor.post(url, {"csrfmiddlewaretoken": token, "page": "0", "lang": "en"})
    assert answered.status_code != 403


def test_the_page_is_stored_per_language(institution, organizer):
    survey = survey_example(institution, organizer)
    url = survey.public_path()
    assert "What do you need?" in Client().get(url).content.decode()
    assert "¿Qué necesitas?" in Client().get(f"{url}?lang=es").content.decode()
    assert "¿Qué necesitas?" in Client(HTTP_ACCEPT_LANGUAGE="es").get(url).content.decode()
    assert "What do you need?" in Client().get(url).content.decode()


def test_signed_in_people_never_get_the_anonymous_page(institution, member_client):
    Client().get(home_url(institution))
    html = member_client.get(home_url(institution)).content.decode()
    assert 'aria-label="Institution"' in html


@pytest.mark.parametrize("query", ["?utm=1", "?lang=xx", "?lang=es&x=1"])
def test_other_query_strings_are_never_served_from_the_cache(institution, query, monkeypatch):
    from institutions import views

    rendered, render = [], views._institution_home
    monkeypatch.setattr(views, "_institution_home", lambda request: rendered.append(1) or render(request))
    url = home_url(institution) + query
    Client().get(url)
    assert Client().get(url).status_code == 200
    assert len(rendered) == 2  # rendered for each visitor, never given from the stored pages
    Client().get(home_url(institution))
    Client().get(home_url(institution))
    assert len(rendered) == 3  # while the plain address is stored once and served after


def test_members_share_the_health_results_per_language_until_something_changes(
    institution, member, member_client, organizer_client, monkeypatch
):
    from evaluation.views import health

    evaluations = []
    monkeypatch.setattr(health, "evaluate", lambda snapshot: evaluations.append(snapshot) or evaluate(snapshot))
    url = reverse("evaluation:health", kwargs={"institution_slug": institution.slug})
    assert "Cooptation" in member_client.get(url).content.decode()
    assert "Cooptation" in organizer_client.get(url).content.decode()
    assert len(evaluations) == 1
    member.language = "es"
    member.save()
    assert "Cooptación" in member_client.get(url).content.decode()
    assert len(evaluations) == 2  # Spanish is its own copy, from the same kept snapshot
    assert evaluations[1] is not evaluations[0] and evaluations[1] == evaluations[0]
    changed = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, description="New week"),
    )
    assert changed.status_code == 302
    assert "Cooptación" in member_client.get(url).content.decode()
    assert len(evaluations) == 3


def test_the_kept_health_list_leaves_what_only_organizers_see_to_each_page(
    institution, member_client, organizer_client
):
    url = reverse("evaluation:health", kwargs={"institution_slug": institution.slug})
    preview = reverse("evaluation:digest_preview", kwargs={"institution_slug": institution.slug})
    as_member = member_client.get(url).content.decode()
    as_organizer = organizer_client.get(url).content.decode()
    assert preview not in as_member and preview in as_organizer
    assert 'id="indicator-cooptation"' in as_member and 'id="indicator-cooptation"' in as_organizer
    assert preview not in member_client.get(url).content.decode()


def test_answers_keep_the_survey_and_its_page_but_make_everything_else_stale(
    institution, organizer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    url, qs = survey.public_path(), questions(survey)
    Client().get(url)
    Client().get(home_url(institution))
    for _person in range(2):
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            assert Client().post(url, first_page(qs, page="1")).status_code == 302
        # The questions were read once, before the first answer; each answer only writes.
        assert not [q["sql"][:300] for q in queries.captured_queries if "needs_question" in q["sql"]]
    with scope(institution=institution):
        assert Response.objects.filter(survey=survey).count() == 2
    with django_assert_max_num_queries(0):
        assert "survey-form" in Client().get(url).content.decode()
    # What may count answers (the seven steps' progress, the health page…) is read again.
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(home_url(institution)).status_code == 200
    assert len(queries) > 0


def test_an_edited_question_shows_at_once_while_people_answer(
    institution, organizer, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    url, qs = survey.public_path(), questions(survey)
    Client().get(url)
    assert Client().post(url, first_page(qs, page="1")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        question = qs["What is hardest?"]
        question.text = "What is hardest this winter?"
        question.save()
    assert "What is hardest this winter?" in Client().get(url).content.decode()
    second_page = Client().post(url, first_page(qs, page="0"))
    assert "What is hardest this winter?" not in second_page.content.decode()  # on the next page now
    assert Client().post(url, first_page(qs, page="1")).status_code == 302


def proposal_url(proposal, name="detail"):
    return reverse(f"decisions:{name}", kwargs={"institution_slug": proposal.institution.slug, "pk": proposal.pk})


def test_votes_keep_the_proposal_but_make_what_counts_them_stale(
    institution, organizer, member, organizer_client, member_client, monkeypatch
):
    from evaluation.views import health

    evaluations = []
    monkeypatch.setattr(health, "evaluate", lambda snapshot: evaluations.append(snapshot) or evaluate(snapshot))
    proposal = proposal_in_voting(institution, organizer)
    member_client.get(proposal_url(proposal))
    member_client.get(reverse("evaluation:health", kwargs={"institution_slug": institution.slug}))
    for client, choice in ((organizer_client, "yes"), (member_client, "no")):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(proposal_url(proposal, "vote"), {"choice": choice}).status_code == 302
        # The proposal and its options were read once for everybody; a vote only checks and writes.
        assert not [q["sql"] for q in queries.captured_queries if 'FROM "decisions_option"' in q["sql"]]
        with CaptureQueriesContext(connection) as queries:
            page = client.get(proposal_url(proposal)).content.decode()
        assert "You have voted." in page
        assert not [q["sql"] for q in queries.captured_queries if 'FROM "decisions_comment"' in q["sql"]]
    with scope(institution=institution):
        assert proposal.ballots.count() == 2
    # The health page may count votes: read again after them.
    member_client.get(reverse("evaluation:health", kwargs={"institution_slug": institution.slug}))
    assert len(evaluations) == 2


def test_a_comment_shows_at_once_on_the_kept_proposal(institution, organizer, member_client):
    proposal = proposal_in_voting(institution, organizer)
    assert "Sundays work for me" not in member_client.get(proposal_url(proposal)).content.decode()
    posted = member_client.post(proposal_url(proposal, "comment_add"), {"text": "Sundays work for me"})
    assert posted.status_code == 302
    assert "Sundays work for me" in member_client.get(proposal_url(proposal)).content.decode()


def test_the_kept_proposal_head_is_per_language_and_follows_the_vote_closing(
    institution, organizer, member, member_client, organizer_client
):
    proposal = proposal_in_voting(institution, organizer)
    english = member_client.get(proposal_url(proposal)).content.decode()
    assert "How we decide" in english and "Voting closes" in english
    member.language = "es"
    member.save()
    assert "Cómo decidimos" in member_client.get(proposal_url(proposal)).content.decode()
    closed = organizer_client.post(proposal_url(proposal, "transition"), {"action": "close"})
    assert closed.status_code == 302
    member.language = "en"
    member.save()
    after = member_client.get(proposal_url(proposal)).content.decode()
    assert "How we decide" in after and "Voting closes" not in after


def test_the_tenant_lookup_is_kept_until_the_institution_changes(institution, member_client, organizer_client):
    home = home_url(institution)
    member_client.get(home)
    with CaptureQueriesContext(connection) as queries:
        assert member_client.get(home).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if 'FROM "institutions_institution"' in q["sql"]]
    renamed = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        settings_data(institution, name="Eastside Seed Library"),
    )
    assert renamed.status_code == 302
    assert "Eastside Seed Library" in member_client.get(home).content.decode()


def test_an_unknown_slug_leaves_nothing_in_the_cache(member_client):
    assert member_client.get("/i/no-such-place/").status_code == 404
    assert Client().get("/i/no-such-place-either/").status_code == 404
    assert cache.get_many([_version_key("no-such-place"), "institution-data:no-such-place:institution:1:"]) == {}


def test_a_survey_stays_unpickled_in_the_process_while_it_is_current(
    institution, organizer, monkeypatch, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    with scope(institution=institution):
        first = public_survey_or_404(institution, survey.token)
        asked = []
        get_many = cache.get_many
        monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(list(keys)) or get_many(keys))
        again = public_survey_or_404(institution, survey.token)
    # The same objects, and the shared cache was asked only whether they are still current.
    assert again is first
    assert asked == [[_version_key(institution.slug), _version_key(institution.slug, True)]]

    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        question = first[1][0]
        Response.objects.create(institution=institution, survey=survey, language="en")  # an answer: still current
        assert public_survey_or_404(institution, survey.token) is first
        renamed = type(question).objects.get(pk=question.pk)
        renamed.text = "What is hardest this winter?"
        renamed.save()  # an organizer's edit: read again
    with scope(institution=institution):
        edited = public_survey_or_404(institution, survey.token)
    assert edited is not first
    assert edited[1][0].text == "What is hardest this winter?"

    # No copy outlives the shared cache's lifetime, whatever the versions say.
    later = public_pages.time.time() + 61
    monkeypatch.setattr(public_pages.time, "time", lambda: later)
    with scope(institution=institution):
        assert public_survey_or_404(institution, survey.token) is not edited


def test_an_answer_reads_the_versions_once_with_the_tenant_lookup(institution, organizer, monkeypatch):
    survey = survey_example(institution, organizer)
    url, qs = survey.public_path(), questions(survey)
    assert Client().get(url).status_code == 200  # the survey is now kept, and kept in this process
    asked = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: asked.append(list(keys)) or get_many(keys))
    assert Client().post(url, first_page(qs, page="1")).status_code == 302
    # The tenant lookup read the versions with the institution; the kept survey used what it read.
    version = _version_key(institution.slug)
    assert [keys for keys in asked if version in keys] == [
        [f"institution-data:{institution.slug}:institution:1:", version, _version_key(institution.slug, True)]
    ]


def test_a_request_that_changes_the_institution_reads_the_versions_again(institution, organizer):
    survey = survey_example(institution, organizer)
    seen = {}

    def view(request):
        public_pages.institution_by_slug(institution.slug, lambda: institution)
        with scope(institution=institution):
            seen["first"] = public_survey_or_404(institution, survey.token)
            assert public_survey_or_404(institution, survey.token) is seen["first"]
            public_pages.mark_changed(institution.slug)  # what committing an edit does, in the same request
            seen["after"] = public_survey_or_404(institution, survey.token)
        return public_pages.HttpResponse("ok")

    public_pages.PublicPages(view)(RequestFactory().post(survey.public_path()))
    assert seen["after"] is not seen["first"]
    assert public_pages._request_versions.get() is None  # nothing outlives the request


def test_the_copies_kept_in_the_process_are_bounded(institution, monkeypatch):
    monkeypatch.setattr(public_pages, "IN_PROCESS_LIMIT", 2)
    monkeypatch.setattr(public_pages, "_IN_PROCESS", {})
    for name in ("first", "second", "third"):
        assert public_pages.cached_for(institution, name, lambda name=name: [name], in_process=True) == [name]
    assert len(public_pages._IN_PROCESS) == 2
    assert not [key for key in public_pages._IN_PROCESS if ":first:" in key]  # the oldest went first
    assert public_pages.cached_for(institution, "third", lambda: ["read again"], in_process=True) == ["third"]


def test_an_answer_marks_the_participation_once(
    institution, organizer, monkeypatch, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    url, qs = survey.public_path(), questions(survey)
    marks = []
    mark = public_pages.mark_changed
    monkeypatch.setattr(public_pages, "mark_changed", lambda slug, **kw: marks.append((slug, kw)) or mark(slug, **kw))
    before = cache.get(_version_key(institution.slug, True))
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(url, first_page(qs, page="1")).status_code == 302
    # The saved response and the answering view's POST make one mark, when the response leaves.
    assert marks == [(institution.slug, {"participation_only": True})]
    assert cache.get(_version_key(institution.slug, True)) != before


def test_answers_saved_by_a_request_that_then_fails_still_mark_the_participation(
    institution, organizer, monkeypatch, django_capture_on_commit_callbacks
):
    survey = survey_example(institution, organizer)
    marks = []
    monkeypatch.setattr(public_pages, "mark_changed", lambda slug, **kw: marks.append((slug, kw)))

    def view(request):
        public_pages.only_participation_changes(request)
        with scope(institution=institution):
            Response.objects.create(institution=institution, survey=survey, language="en")
        assert marks == []  # not yet: once, when the response leaves
        raise RuntimeError("the view broke after saving")

    request = RequestFactory().post(survey.public_path())
    with pytest.raises(RuntimeError):
        public_pages.PublicPages(view)(request)
    assert marks == [(institution.slug, {"participation_only": True})]
    # Outside a request (a job, a command), the saved row marks when it is committed.
    with django_capture_on_commit_callbacks(execute=True), scope(institution=institution):
        Response.objects.create(institution=institution, survey=survey, language="en")
    assert marks[-1] == (institution.slug, {"participation_only": True}) and len(marks) == 2
