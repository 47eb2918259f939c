"""Survey results for members: tallies with charts and tables, filters, a cross-tab, and the CSV export."""

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from institutions.tenancy import MEMBER, tenant_access

from .. import charts, results, selectors
from ..models import Question


@tenant_access(MEMBER)
@require_safe
def survey_results(request, pk):
    survey = selectors.get_survey_or_404(request.institution, pk)
    questions = selectors.questions_of(survey)
    filters = results.ResultsFilter.from_query(request.GET)
    language = translation.get_language()
    counts = results.response_counts(survey, filters)
    series = results.responses_over_time(survey, counts, filters)
    blocks = [_with_chart(result) for result in results.question_results(questions, filters, language)]
    choice_questions = [question for question in questions if question.is_choice]
    crosstab, crosstab_error = _crosstab(request.GET, choice_questions, filters, language)
    periods = [(_period_label(series.period, day), count) for day, count in series.points]
    return render(
        request,
        "needs/results/results.html",
        {
            "survey": survey,
            "filters": filters,
            "counts": counts,
            "languages": survey.offered_languages(),
            "channels": results.CHANNELS,
            "series": series,
            "periods": periods,
            "time_chart": _time_chart(series, periods) if periods else None,
            "blocks": blocks,
            "choice_questions": [(result.question.pk, result.label) for result in blocks if result.question.is_choice],
            "crosstab": crosstab,
            "crosstab_error": crosstab_error,
            "answers_url": _answers_url(survey),
        },
    )


def _answers_url(survey):
    """The page of written answers, once it exists."""
    try:
        return reverse("needs:survey_answers", args=[survey.institution.slug, survey.pk])
    except NoReverseMatch:
        return None


def _crosstab(params, choice_questions, filters, language):
    """The cross-tab asked for with `?row=&col=` (question pks), or a message saying what is wrong."""
    if "row" not in params and "col" not in params:
        return None, None
    by_pk = {str(question.pk): question for question in choice_questions}
    row, col = by_pk.get(params.get("row", "")), by_pk.get(params.get("col", ""))
    if row is None or col is None:
        return None, _("Choose two questions of this survey that are answered by picking from a list.")
    if row == col:
        return None, _("Choose two different questions to compare.")
    return results.crosstab(row, col, filters, language), None


def _percent(value):
    return floatformat(value, -1)


def _with_chart(result):
    """Attach the chart of one question's results (None for free-text and number questions)."""
    question = result.question
    chart_id = f"chart-q{question.pk}"
    result.chart = None
    if question.kind == Question.Kind.RANKING:
        bars = [(item.label, item.first_places, number_format(item.first_places)) for item in result.choices]
        result.chart = charts.bar_chart(
            chart_id=chart_id,
            title=_("First places: %(question)s") % {"question": result.label},
            description=_("How many people put each item first. The table below has the same numbers."),
            bars=bars,
        )
    elif question.has_choices:
        bars = [
            (item.label, item.count, f"{number_format(item.count)} ({_percent(item.percent)}%)")
            for item in result.choices
        ]
        if result.other_count:
            bars.append(
                (
                    _("Other (in their own words)"),
                    result.other_count,
                    f"{number_format(result.other_count)} ({_percent(result.other_percent)}%)",
                )
            )
        result.chart = charts.bar_chart(
            chart_id=chart_id,
            title=result.label,
            description=_("Number of people who picked each answer. The table below has the same numbers."),
            bars=bars,
        )
    elif question.kind == Question.Kind.SCALE:
        result.chart = charts.bar_chart(
            chart_id=chart_id,
            title=result.label,
            description=_("Number of people who gave each value from 1 to 5. The table below has the same numbers."),
            bars=[
                (str(value), count, f"{number_format(count)} ({_percent(share)}%)")
                for value, count, share in result.distribution
            ],
        )
    return result


def _period_label(period, day):
    if period == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    if period == "week":
        return _("week of %(date)s") % {"date": date_format(day, "SHORT_DATE_FORMAT")}
    return date_format(day, "SHORT_DATE_FORMAT")


def _time_chart(series, points):
    return charts.column_chart(
        chart_id="chart-over-time",
        title=series.title,
        description=_("From %(first)s to %(last)s; at most %(peak)s in one period. The table has every number.")
        % {"first": points[0][0], "last": points[-1][0], "peak": number_format(series.peak)},
        points=points,
        first_label=points[0][0],
        last_label=points[-1][0],
    )


@tenant_access(MEMBER)
@require_safe
def survey_export(request, pk):
    """Every response as one CSV row, streamed as it is read (memory stays flat on large surveys)."""
    survey = selectors.get_survey_or_404(request.institution, pk)
    questions = selectors.questions_of(survey)
    response = StreamingHttpResponse(results.export_csv(survey, questions), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-responses.csv"'
    return response
