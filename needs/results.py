"""Reads for survey results: tallies, numbers, responses over time, cross-tabs and the CSV rows.

Everything is counted by the database, in a fixed number of queries whatever the number of
responses or questions: one for the totals by channel and language, one for the responses over
time, one for per-question counts and numeric statistics, one for all choice and ranking tallies,
one for the 1–5 scale distributions, and one per cross-tab. Python only arranges the handful of
grouped rows that come back.
"""

import csv
import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Case, Count, IntegerField, Max, Min, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Answer, Question, Response

CHANNELS = dict(Response.Channel.choices)
LANGUAGES = dict(settings.LANGUAGES)

# Longest span, in days, shown one bar per day, then one bar per week; longer spans go by month.
DAILY_UP_TO = 62
WEEKLY_UP_TO = 7 * 104
PERIOD_TITLES = {
    "day": gettext_lazy("Responses per day"),
    "week": gettext_lazy("Responses per week"),
    "month": gettext_lazy("Responses per month"),
}


@dataclass(frozen=True)
class ResultsFilter:
    """Which responses the results count: all of them, or one channel and/or one language."""

    channel: str | None = None
    language: str | None = None

    @classmethod
    def from_query(cls, params):
        """Read `?channel=&language=` from a request; unknown values are ignored, never an error."""
        channel = params.get("channel")
        language = params.get("language")
        return cls(
            channel=channel if channel in CHANNELS else None,
            language=language if language in LANGUAGES else None,
        )

    def __bool__(self):
        return bool(self.channel or self.language)

    def responses(self, queryset):
        if self.channel:
            queryset = queryset.filter(channel=self.channel)
        if self.language:
            queryset = queryset.filter(language=self.language)
        return queryset

    def answers(self, queryset):
        if self.channel:
            queryset = queryset.filter(response__channel=self.channel)
        if self.language:
            queryset = queryset.filter(response__language=self.language)
        return queryset

    def params(self):
        return {key: value for key, value in (("channel", self.channel), ("language", self.language)) if value}


def percent(part, whole):
    return round(100 * part / whole, 1) if whole else 0


# Totals and time ---------------------------------------------------------------------------------


@dataclass
class ResponseCounts:
    """How many responses there are: in all, in the filter, and by channel and language (filtered)."""

    overall: int
    total: int
    by_channel: list  # [(code, label, count)]
    by_language: list
    first: datetime.datetime | None
    last: datetime.datetime | None


def response_counts(survey, filters=ResultsFilter()) -> ResponseCounts:
    """One query: responses grouped by channel and language, with the first and last submission."""
    groups = list(
        Response.objects.filter(survey=survey)
        .values("channel", "language")
        .annotate(n=Count("pk"), first=Min("submitted_at"), last=Max("submitted_at"))
        .order_by()
    )
    overall = sum(group["n"] for group in groups)
    kept = [
        group
        for group in groups
        if (not filters.channel or group["channel"] == filters.channel)
        and (not filters.language or group["language"] == filters.language)
    ]
    by_channel = {code: 0 for code in CHANNELS}
    by_language = {code: 0 for code in survey_language_codes(survey)}
    for group in kept:
        by_channel[group["channel"]] = by_channel.get(group["channel"], 0) + group["n"]
        by_language[group["language"]] = by_language.get(group["language"], 0) + group["n"]
    return ResponseCounts(
        overall=overall,
        total=sum(group["n"] for group in kept),
        by_channel=[(code, CHANNELS.get(code, code), n) for code, n in by_channel.items()],
        by_language=[(code, LANGUAGES.get(code, code), n) for code, n in by_language.items()],
        first=min((group["first"] for group in kept), default=None),
        last=max((group["last"] for group in kept), default=None),
    )


def survey_language_codes(survey):
    return [code for code, _name in survey.offered_languages()]


@dataclass
class TimeSeries:
    period: str  # "day", "week" or "month"
    points: list  # [(date, count)], every period from the first to the last, zeros included

    @property
    def title(self):
        return PERIOD_TITLES[self.period]

    @property
    def peak(self):
        return max((count for _when, count in self.points), default=0)


def _period_for(first, last):
    span = (last - first).days
    if span <= DAILY_UP_TO:
        return "day"
    return "week" if span <= WEEKLY_UP_TO else "month"


def _period_start(day, period):
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next_period(day, period):
    if period == "day":
        return day + datetime.timedelta(days=1)
    if period == "week":
        return day + datetime.timedelta(days=7)
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def responses_over_time(survey, counts: ResponseCounts, filters=ResultsFilter()) -> TimeSeries:
    """One query: responses per day (or week, or month for long surveys) in the institution's time zone.

    Each response is put in its period by comparing its time with the periods' starting instants
    (local midnights, so daylight-saving changes fall where they should), in a CASE that halves the
    range at each step. Plain comparisons keep it fast on SQLite too, where truncating to a date
    in a time zone runs a Python function for every row.
    """
    if not counts.total:
        return TimeSeries(period="day", points=[])
    zone = zoneinfo.ZoneInfo(survey.institution.time_zone)
    first = timezone.localtime(counts.first, zone).date()
    last = timezone.localtime(counts.last, zone).date()
    period = _period_for(first, last)
    starts = [_period_start(first, period)]
    while starts[-1] < _period_start(last, period):
        starts.append(_next_period(starts[-1], period))
    instants = [datetime.datetime.combine(day, datetime.time.min, tzinfo=zone) for day in starts]
    rows = (
        filters.responses(Response.objects.filter(survey=survey))
        .annotate(period=_period_of(instants, 0, len(instants) - 1))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {row["period"]: row["n"] for row in rows}
    return TimeSeries(period=period, points=[(day, found.get(index, 0)) for index, day in enumerate(starts)])


def _period_of(instants, low, high):
    """The index of the period `submitted_at` falls in, among periods low..high (a binary search in SQL)."""
    if low == high:
        return Value(low)
    middle = (low + high + 1) // 2
    return Case(
        When(submitted_at__lt=instants[middle], then=_period_of(instants, low, middle - 1)),
        default=_period_of(instants, middle, high),
        output_field=IntegerField(),
    )


# Per question ------------------------------------------------------------------------------------


@dataclass
class ChoiceResult:
    choice: object
    label: str
    count: int
    percent: float
    average_rank: float | None = None
    first_places: int = 0


@dataclass
class QuestionResult:
    question: object
    label: str
    answered: int = 0  # responses that gave any answer to the question
    choices: list = field(default_factory=list)  # ChoiceResult, for choice, yes/no, needs and ranking questions
    other_count: int = 0  # "other, please say" answers
    other_percent: float = 0
    text_count: int = 0
    count: int = 0  # numbers given (number and scale questions)
    average: float | None = None
    low: int | None = None
    high: int | None = None
    distribution: list = field(default_factory=list)  # [(1..5, count, percent)] for scale questions

    @property
    def many_picks(self):
        """True when one person could pick several choices (so percentages add up to more than 100)."""
        return self.question.kind in Question.MULTI_KINDS


def _many_rows(question):
    # A single choice may come with "other" text (even if "other" was switched off since).
    return question.kind in Question.MULTI_KINDS or question.kind in (Question.Kind.RANKING, Question.Kind.SINGLE)


def question_results(questions, filters=ResultsFilter(), language=None) -> list:
    """Results of each question, in order. `questions` come from `questions_of` (choices loaded).

    Three queries in all: per-question counts and numeric statistics, per-choice tallies (with
    average rank and first places for rankings), and the 1–5 scale distributions.
    """
    ids = [question.pk for question in questions]
    if not ids:
        return []
    answers = filters.answers(Answer.objects.filter(question_id__in=ids))
    # Only where one person can leave several rows (several picks, a ranking, a pick and an "other")
    # must people be counted as distinct responses; elsewhere each row is one person.
    many_ids = [question.pk for question in questions if _many_rows(question)]
    per_question = {
        row["question"]: row
        for row in answers.values("question")
        .annotate(
            rows=Count("pk"),
            people=Count("response", distinct=True, filter=Q(question_id__in=many_ids)),
            texts=Count("pk", filter=Q(choice__isnull=True, number__isnull=True) & ~Q(text="")),
            numbers=Count("number"),
            average=Avg("number"),
            low=Min("number"),
            high=Max("number"),
        )
        .order_by()
    }
    choice_ids = [question.pk for question in questions if question.has_choices]
    per_choice = {}
    if choice_ids:
        for row in (
            answers.filter(question_id__in=choice_ids, choice__isnull=False)
            .values("question", "choice")
            .annotate(n=Count("pk"), average_rank=Avg("rank"), firsts=Count("pk", filter=Q(rank=1)))
            .order_by()
        ):
            per_choice[row["choice"]] = row
    scale_ids = [question.pk for question in questions if question.kind == Question.Kind.SCALE]
    per_value = {}
    if scale_ids:
        for row in (
            answers.filter(question_id__in=scale_ids, number__isnull=False)
            .values("question", "number")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            per_value[row["question"], row["number"]] = row["n"]

    results = []
    for question in questions:
        row = per_question.get(question.pk, {})
        result = QuestionResult(
            question=question,
            label=question.text_in("text", language),
            answered=row.get("people" if question.pk in many_ids else "rows", 0),
            text_count=row.get("texts", 0) if question.is_text else 0,
        )
        if question.has_choices:
            for choice in question.choices.all():
                tally = per_choice.get(choice.pk, {})
                count = tally.get("n", 0)
                result.choices.append(
                    ChoiceResult(
                        choice=choice,
                        label=choice.text_in("text", language),
                        count=count,
                        percent=percent(count, result.answered),
                        average_rank=tally.get("average_rank"),
                        first_places=tally.get("firsts", 0),
                    )
                )
            if question.kind == Question.Kind.RANKING:
                # Best average place first; items nobody ranked go last.
                result.choices.sort(key=lambda item: (item.average_rank is None, item.average_rank or 0))
            result.other_count = row.get("texts", 0)
            result.other_percent = percent(result.other_count, result.answered)
        if question.is_numeric:
            result.count = row.get("numbers", 0)
            result.average = row.get("average")
            result.low, result.high = row.get("low"), row.get("high")
        if question.kind == Question.Kind.SCALE:
            given = [(value, per_value.get((question.pk, value), 0)) for value in range(1, 6)]
            result.distribution = [(value, count, percent(count, result.count)) for value, count in given]
        results.append(result)
    return results


# Cross-tab ---------------------------------------------------------------------------------------


@dataclass
class CrossTab:
    """Responses that picked each pair of choices of two questions, among those who answered both.

    With a multiple-choice question one person can count in several cells, so row and column
    totals count people (not picks) and can be smaller than the sum of their cells.
    """

    row_question: object
    col_question: object
    row_label: str
    col_label: str
    rows: list  # [(label, [(count, percent of row)], row total)]
    columns: list  # [label]
    column_totals: list  # [count]
    total: int


def crosstab(row_question, col_question, filters=ResultsFilter(), language=None) -> CrossTab:
    """One query: the row question's answers joined to the column question's answers of the same
    response, counted per pair of choices, per row, per column and in all."""
    row_choices = list(row_question.choices.all())
    col_choices = list(col_question.choices.all())
    partner = "response__answers__choice"
    joined = filters.answers(
        Answer.objects.filter(
            question=row_question,
            choice__isnull=False,
            response__answers__question=col_question,
            response__answers__choice__isnull=False,
        )
    )
    # A person counts once per total; with one pick per question, every joined row is a different person.
    row_many, col_many = row_question.kind in Question.MULTI_KINDS, col_question.kind in Question.MULTI_KINDS
    aggregates = {"total": Count("response", distinct=row_many or col_many)}
    for row in row_choices:
        aggregates[f"r{row.pk}"] = Count("response", distinct=col_many, filter=Q(choice=row.pk))
        for col in col_choices:
            aggregates[f"r{row.pk}c{col.pk}"] = Count("pk", filter=Q(choice=row.pk) & Q(**{partner: col.pk}))
    for col in col_choices:
        aggregates[f"c{col.pk}"] = Count("response", distinct=row_many, filter=Q(**{partner: col.pk}))
    counts = joined.aggregate(**aggregates)
    rows = []
    for row in row_choices:
        row_total = counts[f"r{row.pk}"]
        pairs = [counts[f"r{row.pk}c{col.pk}"] for col in col_choices]
        cells = [(count, percent(count, row_total)) for count in pairs]
        rows.append((row.text_in("text", language), cells, row_total))
    return CrossTab(
        row_question=row_question,
        col_question=col_question,
        row_label=row_question.text_in("text", language),
        col_label=col_question.text_in("text", language),
        rows=rows,
        columns=[col.text_in("text", language) for col in col_choices],
        column_totals=[counts[f"c{col.pk}"] for col in col_choices],
        total=counts["total"],
    )


# CSV export --------------------------------------------------------------------------------------

FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_safe(value):
    """Keep spreadsheet programs from running a text cell as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class _Line:
    """A file-like object that hands back what csv.writer writes, so each row can be streamed."""

    def write(self, value):
        return value


def export_csv(survey, questions, *, chunk_size=2000, rows_per_piece=200):
    """The survey's responses as CSV text pieces, for a StreamingHttpResponse.

    Two queries whatever the size: responses and answers, both read in chunks in response order and
    merged as they go, so memory stays flat. The pieces are produced after the view has returned, so
    the generator enters the institution's scope and the caller's language itself.
    """
    from django_scopes import scope

    language = translation.get_language()

    def pieces():
        writer = csv.writer(_Line())
        with scope(institution=survey.institution), translation.override(language):
            piece = []
            for row in export_rows(survey, questions, chunk_size=chunk_size):
                piece.append(writer.writerow(row))
                if len(piece) >= rows_per_piece:
                    yield "".join(piece)
                    piece = []
            if piece:
                yield "".join(piece)

    return pieces()


def export_header(survey, questions):
    base_name = LANGUAGES.get(survey.base_language, survey.base_language)
    header = [_("response"), _("submitted at"), _("channel"), _("language")]
    for number, question in enumerate(questions, start=1):
        header.append(_("%(number)s. %(question)s (in their language)") % {"number": number, "question": question.text})
        header.append(
            _("%(number)s. %(question)s (in %(language)s)")
            % {"number": number, "question": question.text, "language": base_name}
        )
    return [csv_safe(cell) for cell in header]


def export_rows(survey, questions, *, chunk_size=2000):
    """The header, then one list of cells per response: id, submitted at (institution time zone,
    ISO 8601), channel, language, then each question's answer in the respondent's language and in
    the survey's base language. Cells are already safe from spreadsheet formulas."""
    yield export_header(survey, questions)
    zone = zoneinfo.ZoneInfo(survey.institution.time_zone)
    formatter = _AnswerFormatter(survey, questions)
    responses = (
        Response.objects.filter(survey=survey)
        .order_by("pk")
        .values_list("pk", "submitted_at", "channel", "language")
        .iterator(chunk_size=chunk_size)
    )
    answers = (
        Answer.objects.filter(question_id__in=[question.pk for question in questions])
        .order_by("response_id", "pk")
        .values_list("response_id", "question_id", "choice_id", "rank", "number", "text")
        .iterator(chunk_size=chunk_size)
    )
    pending = next(answers, None)
    for pk, submitted_at, channel, language in responses:
        given = {}
        # Both come in response order; skip answers of a response not listed (none are expected).
        while pending is not None and pending[0] < pk:
            pending = next(answers, None)
        while pending is not None and pending[0] == pk:
            given.setdefault(pending[1], []).append(pending)
            pending = next(answers, None)
        cells = [pk, timezone.localtime(submitted_at, zone).isoformat(timespec="seconds"), channel, language]
        formatter.add_cells(cells, given, language)
        yield cells


class _AnswerFormatter:
    """Turns one response's answer rows into its CSV cells, two per question.

    Everything that depends only on the survey (what kind each question is, choice texts in every
    language, choice order) is worked out once, since it is used for every one of many rows.
    """

    NUMBER, TEXT, CHOICES, RANKING = range(4)
    SEEN_LIMIT = 20_000

    def __init__(self, survey, questions):
        self.base = survey.base_language
        self.plan = []
        for question in questions:
            if question.is_numeric:
                mode = self.NUMBER
            elif question.is_text:
                mode = self.TEXT
            else:
                mode = self.RANKING if question.kind == Question.Kind.RANKING else self.CHOICES
            self.plan.append((question.pk, mode))
        choices = [choice for question in questions for choice in question.choices.all()]
        self.order = {choice.pk: choice.position for choice in choices}
        self.texts = {code: {choice.pk: choice.text_in("text", code) for choice in choices} for code in LANGUAGES}
        self.other = {}
        for code in LANGUAGES:
            with translation.override(code):
                self.other[code] = _("Other: %(text)s")
        self.seen = {}

    def add_cells(self, cells, given, language):
        if language not in self.texts:
            language = self.base
        for question_id, mode in self.plan:
            rows = given.get(question_id)
            if not rows:
                cells += ("", "")
            elif mode == self.NUMBER:
                value = next((row[4] for row in rows if row[4] is not None), "")
                cells += (value, value)
            elif mode == self.TEXT:
                value = csv_safe(next((row[5] for row in rows if row[5]), ""))
                cells += (value, value)
            else:
                cells += self.picked_both(mode, rows, language)

    def picked_both(self, mode, rows, language):
        """The picks in the respondent's language and in the base language. Few people's picks differ,
        so they are remembered by (language, picks), unless "other" text makes them one of a kind."""
        key = (language, tuple((row[2], row[3]) for row in rows))
        found = self.seen.get(key)
        if found is None:
            here = self.picked(mode, rows, language)
            found = (here, here if language == self.base else self.picked(mode, rows, self.base))
            if all(row[2] is not None for row in rows) and len(self.seen) < self.SEEN_LIMIT:
                self.seen[key] = found
        return found

    def picked(self, mode, rows, language):
        texts, order = self.texts[language], self.order
        chosen = [row for row in rows if row[2] in order]
        if mode == self.RANKING:
            chosen.sort(key=lambda row: (row[3] or 0, order[row[2]]))
            parts = [f"{row[3]}. {texts[row[2]]}" for row in chosen]
        else:
            if len(chosen) > 1:
                chosen.sort(key=lambda row: order[row[2]])
            parts = [texts[row[2]] for row in chosen]
        parts.extend(self.other[language] % {"text": row[5]} for row in rows if row[2] is None and row[5])
        return csv_safe("; ".join(parts))
