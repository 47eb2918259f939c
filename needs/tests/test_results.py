"""Survey results: exact tallies, filters, cross-tab, responses over time, and the CSV export."""

import csv
import datetime
import io
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django_scopes import scope

from needs import results, services
from needs.models import Question, Response
from needs.selectors import questions_of

UTC = datetime.UTC


def url(name, institution, survey, **query):
    path = reverse(f"needs:{name}", kwargs={"institution_slug": institution.slug, "pk": survey.pk})
    if query:
        path += "?" + urlencode(query)
    return path


class Pantry:
    """A survey in English and Spanish with one question of each kind, and its choices by name."""

    def __init__(self, institution, organizer):
        self.institution = institution
        self.survey = services.survey_create(
            institution=institution, author=organizer, title="Neighbourhood needs", languages=["es"]
        )
        add = self.add
        self.where = add(
            "single",
            "Where do you live?",
            [("North", {"es": {"text": "Norte"}}), ("South", {"es": {"text": "Sur"}})],
            allow_other=True,
        )
        self.needs = add("multiple", "What do you need?", [("Food", {"es": {"text": "Comida"}}), ("Rent", {})])
        self.hard = add("scale", "How hard is it to get by?")
        self.people = add("number", "How many people live with you?")
        self.rank = add("ranking", "Rank these", [("Bus", {}), ("Clinic", {}), ("Park", {})])
        self.note = add("short_text", "Anything else?")
        self.kids = add("yes_no", "Do you have children?")
        self.choice = {
            choice.text: choice.pk
            for question in questions_of(self.survey)
            for choice in question.choices.all()
            if question.kind != "yes_no"
        }
        yes, no = self.kids.choices.all()
        self.choice["Yes"], self.choice["No"] = yes.pk, no.pk

    def add(self, kind, text, choices=(), **fields):
        return services.question_add(survey=self.survey, actor=None, kind=kind, text=text, choices=choices, **fields)

    def respond(self, *, language="en", channel="web", when=None, **answers):
        """Answers by short name: where/needs/kids = choice names, hard/people = numbers, rank = names in
        order, note = text, other = the "other" text of `where`."""
        given = {}
        if "where" in answers or "other" in answers:
            given[self.where] = {"choices": [self.choice[name] for name in answers.get("where", [])]}
            if "other" in answers:
                given[self.where]["other"] = answers["other"]
        if "needs" in answers:
            given[self.needs] = {"choices": [self.choice[name] for name in answers["needs"]]}
        if "kids" in answers:
            given[self.kids] = {"choices": [self.choice[answers["kids"]]]}
        if "hard" in answers:
            given[self.hard] = {"number": answers["hard"]}
        if "people" in answers:
            given[self.people] = {"number": answers["people"]}
        if "rank" in answers:
            given[self.rank] = {"ranks": [(self.choice[name], place) for place, name in enumerate(answers["rank"], 1)]}
        if "note" in answers:
            given[self.note] = {"text": answers["note"]}
        response = services.response_submit(survey=self.survey, language=language, answers=given, channel=channel)
        if when is not None:
            Response.objects.filter(pk=response.pk).update(submitted_at=when)
        return response


@pytest.fixture
def pantry(institution, organizer):
    with scope(institution=institution):
        return Pantry(institution, organizer)


@pytest.fixture
def answered(pantry, institution):
    """Four responses with known answers (two online in English, one online and one on paper in Spanish)."""
    with scope(institution=institution):
        pantry.respond(
            where=["North"],
            needs=["Food", "Rent"],
            hard=5,
            people=3,
            rank=["Clinic", "Bus"],
            note="More buses",
            kids="Yes",
        )
        pantry.respond(where=["South"], needs=["Food"], hard=4, people=1, rank=["Bus", "Clinic", "Park"], kids="No")
        pantry.respond(language="es", where=["North"], needs=["Rent"], hard=5, rank=["Clinic"], note="=1+1", kids="Yes")
        pantry.respond(language="es", channel="paper", other="East side", people=-2, kids="No")
    return pantry


def answers_url(institution, survey):
    try:
        return reverse("needs:survey_answers", args=[institution.slug, survey.pk])
    except NoReverseMatch:
        return None


def results_of(pantry, **filters):
    questions = questions_of(pantry.survey)
    return {
        result.question.pk: result for result in results.question_results(questions, results.ResultsFilter(**filters))
    }


def tally(result):
    return {item.label: (item.count, item.percent) for item in result.choices}


def test_choice_tallies_count_people_and_share_of_those_who_answered(answered, institution):
    with scope(institution=institution):
        by_question = results_of(answered)
    where = by_question[answered.where.pk]
    assert where.answered == 4  # three picked, one only wrote "other"
    assert tally(where) == {"North": (2, 50.0), "South": (1, 25.0)}
    assert (where.other_count, where.other_percent) == (1, 25.0)
    needs = by_question[answered.needs.pk]
    assert needs.answered == 3 and needs.many_picks
    assert tally(needs) == {"Food": (2, 66.7), "Rent": (2, 66.7)}
    assert tally(by_question[answered.kids.pk]) == {"Yes": (2, 50.0), "No": (2, 50.0)}


def test_numbers_scale_ranking_and_text_results(answered, institution):
    with scope(institution=institution):
        by_question = results_of(answered)
    hard = by_question[answered.hard.pk]
    assert (hard.count, round(hard.average, 3), hard.low, hard.high) == (3, 4.667, 4, 5)
    assert hard.distribution == [(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 1, 33.3), (5, 2, 66.7)]
    people = by_question[answered.people.pk]
    assert (people.count, people.average, people.low, people.high) == (3, pytest.approx(2 / 3), -2, 3)
    rank = by_question[answered.rank.pk]
    assert [(item.label, item.average_rank, item.first_places, item.count) for item in rank.choices] == [
        ("Clinic", pytest.approx(4 / 3), 2, 3),
        ("Bus", 1.5, 1, 2),
        ("Park", 3.0, 0, 1),
    ]
    assert by_question[answered.note.pk].text_count == 2


def test_filters_count_one_channel_or_language(answered, institution):
    with scope(institution=institution):
        paper = results_of(answered, channel="paper")
        spanish = results_of(answered, language="es")
        spanish_online = results_of(answered, channel="web", language="es")
        counts = results.response_counts(answered.survey, results.ResultsFilter(language="es"))
    assert tally(paper[answered.where.pk]) == {"North": (0, 0), "South": (0, 0)}
    assert paper[answered.where.pk].other_count == 1
    assert tally(spanish[answered.kids.pk]) == {"Yes": (1, 50.0), "No": (1, 50.0)}
    assert tally(spanish_online[answered.where.pk]) == {"North": (1, 100.0), "South": (0, 0)}
    assert (counts.overall, counts.total) == (4, 2)
    assert [(code, n) for code, _name, n in counts.by_channel] == [("web", 1), ("paper", 1)]
    assert [(code, n) for code, _name, n in counts.by_language] == [("en", 0), ("es", 2)]


def test_unknown_filter_values_are_ignored():
    assert results.ResultsFilter.from_query({"channel": "fax", "language": "fr"}) == results.ResultsFilter()
    assert results.ResultsFilter.from_query({"channel": "paper", "language": "es"}) == results.ResultsFilter(
        channel="paper", language="es"
    )


def test_crosstab_counts_pairs_with_people_totals(answered, institution):
    with scope(institution=institution):
        questions = {question.pk: question for question in questions_of(answered.survey)}
        table = results.crosstab(questions[answered.where.pk], questions[answered.needs.pk])
        spanish = results.crosstab(
            questions[answered.where.pk], questions[answered.needs.pk], results.ResultsFilter(language="es")
        )
    assert table.columns == ["Food", "Rent"]
    # North: one person picked Food and Rent, one Rent only; South: Food.
    assert [(label, [count for count, _share in cells], total) for label, cells, total in table.rows] == [
        ("North", [1, 2], 2),
        ("South", [1, 0], 1),
    ]
    assert table.rows[0][1] == [(1, 50.0), (2, 100.0)]
    assert (table.column_totals, table.total) == ([2, 2], 3)
    assert [[count for count, _share in cells] for _label, cells, _total in spanish.rows] == [[0, 1], [0, 0]]
    assert spanish.total == 1


def test_crosstab_totals_count_people_when_the_row_question_allows_many_picks(answered, institution):
    with scope(institution=institution):
        questions = {question.pk: question for question in questions_of(answered.survey)}
        table = results.crosstab(questions[answered.needs.pk], questions[answered.kids.pk])
        single = results.crosstab(questions[answered.kids.pk], questions[answered.where.pk])
    assert [(label, [count for count, _share in cells], total) for label, cells, total in table.rows] == [
        ("Food", [1, 1], 2),
        ("Rent", [2, 0], 2),
    ]
    assert (table.column_totals, table.total) == ([2, 1], 3)  # the person who picked both counts once
    assert [[count for count, _share in cells] for _label, cells, _total in single.rows] == [[2, 0], [0, 1]]
    assert (single.column_totals, single.total) == ([2, 1], 3)


def test_responses_over_time_by_day_in_the_institutions_time_zone(pantry, institution):
    institution.time_zone = "America/Mexico_City"  # UTC-6
    institution.save()
    with scope(institution=institution):
        pantry.survey.refresh_from_db()
        # 03:00 UTC on the 3rd is the evening of the 2nd in Mexico City.
        pantry.respond(when=datetime.datetime(2026, 3, 3, 3, 0, tzinfo=UTC))
        pantry.respond(when=datetime.datetime(2026, 3, 2, 18, 0, tzinfo=UTC))
        pantry.respond(when=datetime.datetime(2026, 3, 5, 18, 0, tzinfo=UTC), channel="paper")
        counts = results.response_counts(pantry.survey)
        series = results.responses_over_time(pantry.survey, counts)
        paper = results.ResultsFilter(channel="paper")
        paper_series = results.responses_over_time(pantry.survey, counts, paper)
    day = datetime.date
    assert series.period == "day"
    assert series.points == [(day(2026, 3, 2), 2), (day(2026, 3, 3), 0), (day(2026, 3, 4), 0), (day(2026, 3, 5), 1)]
    assert [count for _day, count in paper_series.points] == [0, 0, 0, 1]


def test_long_surveys_count_by_week_then_by_month(pantry, institution):
    with scope(institution=institution):
        pantry.respond(when=datetime.datetime(2026, 1, 7, 12, tzinfo=UTC))  # a Wednesday
        pantry.respond(when=datetime.datetime(2026, 3, 30, 12, tzinfo=UTC))
        series = results.responses_over_time(pantry.survey, results.response_counts(pantry.survey))
        assert series.period == "week"
        assert series.points[0] == (datetime.date(2026, 1, 5), 1)
        assert series.points[-1] == (datetime.date(2026, 3, 30), 1)
        assert sum(count for _week, count in series.points) == 2 and len(series.points) == 13
        pantry.respond(when=datetime.datetime(2028, 6, 1, 12, tzinfo=UTC))
        series = results.responses_over_time(pantry.survey, results.response_counts(pantry.survey))
    assert series.period == "month"
    assert series.points[0] == (datetime.date(2026, 1, 1), 1)
    assert series.points[-1] == (datetime.date(2028, 6, 1), 1)
    assert len(series.points) == 30


def test_results_page_shows_charts_tables_and_filters(answered, member_client, institution):
    page = member_client.get(url("survey_results", institution, answered.survey)).content.decode()
    assert "4 responses in all." in page
    assert page.count('role="img"') == 6  # over time, where, needs, scale, ranking, yes/no
    assert '<th scope="row">North</th><td class="number">2</td><td class="number">50%</td>' in page
    assert ("Read them and tag themes" in page) == (answers_url(institution, answered.survey) is not None)
    filtered = member_client.get(url("survey_results", institution, answered.survey, channel="paper", language="es"))
    assert "1 response of 4 matches the filter." in filtered.content.decode()


def test_results_page_escapes_what_people_wrote_in_labels(pantry, member_client, institution):
    with scope(institution=institution):
        pantry.add("single", "<b>Bold?</b>", [('<script>alert("x")</script>', {})])
        pantry.respond()
    page = member_client.get(url("survey_results", institution, pantry.survey)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>Bold?</b>" not in page


def test_results_page_without_responses_says_so(pantry, member_client, institution):
    response = member_client.get(url("survey_results", institution, pantry.survey))
    assert response.status_code == 200
    assert "No responses yet" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"row": "abc", "col": "1"}, "Choose two questions of this survey"),
        ({"row": ""}, "Choose two questions of this survey"),
        ({"row": "text", "col": "where"}, "Choose two questions of this survey"),
        ({"row": "999999", "col": "where"}, "Choose two questions of this survey"),
        ({"row": "where", "col": "where"}, "Choose two different questions"),
        ({"row": "where", "col": "needs", "channel": "<x>", "language": "zz"}, "answered both"),
    ],
)
def test_bad_crosstab_and_filter_parameters_get_a_message_never_a_500(
    answered, member_client, institution, query, message
):
    ids = {"where": answered.where.pk, "needs": answered.needs.pk, "text": answered.note.pk}
    query = {key: ids.get(value, value) for key, value in query.items()}
    response = member_client.get(url("survey_results", institution, answered.survey, **query))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_crosstab_does_not_accept_another_surveys_question(answered, organizer, member_client, institution):
    with scope(institution=institution):
        other = Pantry(institution, organizer)
    response = member_client.get(
        url("survey_results", institution, answered.survey, row=other.where.pk, col=answered.needs.pk)
    )
    assert response.status_code == 200
    assert "Choose two questions of this survey" in response.content.decode()


def test_crosstab_on_the_page(answered, member_client, institution):
    page = member_client.get(
        url("survey_results", institution, answered.survey, row=answered.where.pk, col=answered.needs.pk)
    ).content.decode()
    assert "3 people answered both" in page
    assert '<td class="number">1 <span class="muted">(50%)</span></td>' in page


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_has_one_row_per_response_in_both_languages(answered, member_client, institution):
    response = member_client.get(url("survey_export", institution, answered.survey))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="survey-{answered.survey.pk}-responses.csv"'
    header, *rows = read_csv(response)
    assert header[:6] == [
        "response",
        "submitted at",
        "channel",
        "language",
        "1. Where do you live? (in their language)",
        "1. Where do you live? (in English)",
    ]
    assert len(header) == 4 + 2 * 7 and len(rows) == 4
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    first, _second, spanish, paper = by_column
    assert first["2. What do you need? (in their language)"] == "Food; Rent"
    assert first["5. Rank these (in English)"] == "1. Clinic; 2. Bus"
    assert first["4. How many people live with you? (in English)"] == "3"
    assert first["6. Anything else? (in their language)"] == "More buses"
    assert (spanish["language"], spanish["channel"]) == ("es", "web")
    assert spanish["1. Where do you live? (in their language)"] == "Norte"
    assert spanish["1. Where do you live? (in English)"] == "North"
    assert spanish["2. What do you need? (in their language)"] == "Rent"
    assert paper["channel"] == "paper"
    assert paper["1. Where do you live? (in English)"] == "Other: East side"
    assert paper["4. How many people live with you? (in English)"] == "-2"  # a number, not a formula
    assert paper["5. Rank these (in English)"] == ""


def test_csv_cells_cannot_run_as_formulas(answered, member_client, institution):
    with scope(institution=institution):
        answered.respond(note="@SUM(A1)", other="-cmd")
        answered.add("short_text", "=HYPERLINK()")
    header, *rows = read_csv(member_client.get(url("survey_export", institution, answered.survey)))
    assert header[-2] == "8. =HYPERLINK() (in their language)"  # starts with its number: safe as it is
    assert rows[2][header.index("6. Anything else? (in English)")] == "'=1+1"
    assert rows[4][header.index("6. Anything else? (in English)")] == "'@SUM(A1)"
    assert rows[4][header.index("1. Where do you live? (in English)")] == "Other: -cmd"
    for cell in ("=x", "+x", "-x", "@x", "\tx", "\rx"):
        assert results.csv_safe(cell) == "'" + cell
    assert results.csv_safe(-2) == -2


def test_csv_times_are_in_the_institutions_time_zone(pantry, member_client, institution):
    institution.time_zone = "America/Mexico_City"
    institution.save()
    with scope(institution=institution):
        pantry.respond(when=datetime.datetime(2026, 3, 3, 3, 0, tzinfo=UTC))
    _header, row = read_csv(member_client.get(url("survey_export", institution, pantry.survey)))
    assert row[1] == "2026-03-02T21:00:00-06:00"
    assert datetime.datetime.fromisoformat(row[1]).astimezone(zoneinfo.ZoneInfo("UTC")).hour == 3


def test_csv_export_reads_in_chunks_with_the_same_queries(answered, institution):
    with scope(institution=institution):
        questions = questions_of(answered.survey)
    with CaptureQueriesContext(connection) as queries:
        text = "".join(results.export_csv(answered.survey, questions, chunk_size=2, rows_per_piece=1))
    assert len(queries) == 2  # responses and answers, however many chunks
    assert len(list(csv.reader(io.StringIO(text)))) == 5


def grow(pantry, institution, n):
    with scope(institution=institution):
        for index in range(n):
            pantry.respond(
                language=("en", "es")[index % 2],
                channel=("web", "paper")[index % 3 == 0],
                where=[("North", "South")[index % 2]],
                needs=["Food"],
                hard=index % 5 + 1,
                people=index,
                rank=["Park", "Bus"],
                note=f"note {index}",
                kids="Yes",
            )


def queries_for(client, path, *, stream=False):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if stream:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["survey_results", "survey_export"])
def test_query_count_does_not_grow_with_responses(name, pantry, member_client, institution, django_assert_num_queries):
    query = {"row": pantry.where.pk, "col": pantry.needs.pk, "channel": "paper"} if name == "survey_results" else {}
    path = url(name, institution, pantry.survey, **query)
    grow(pantry, institution, 1)
    member_client.get(path)  # warm per-process caches
    one = queries_for(member_client, path, stream=name == "survey_export")
    grow(pantry, institution, 199)
    with django_assert_num_queries(one):
        response = member_client.get(path)
        if name == "survey_export":
            assert len(b"".join(response.streaming_content).splitlines()) == 201


def test_question_kinds_are_all_handled():
    handled = Question.CHOICE_KINDS | Question.TEXT_KINDS | {"number", "scale", "ranking"}
    assert handled == set(Question.Kind.values)
