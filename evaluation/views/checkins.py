"""Check-in pages: a member's check-in with the group's results (no names), the organizers' answers per
period and one member's history, and the evaluation settings."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from needs.charts import GRID, INK, MUTED, WIDTH, _frame

from .. import checkins as service
from ..forms_checkins import CheckInForm, EvaluationSettingsForm

FEEL_COLOUR = "#1d4d3a"
ENERGY_COLOUR = "#8a4b00"  # 6:1 against white


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"  # answers about how someone feels
    return response


def _month(day):
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


# The member's check-in ------------------------------------------------------------------------------------


@tenant_access(MEMBER)
def check_in(request):
    """This period's check-in (prefilled once answered, editable until the period ends), the member's past
    check-ins and the group's results without names."""
    institution = request.institution
    settings = service.settings_for(institution)
    period = service.current_period(institution, rhythm=settings.check_in_rhythm)
    mine = service.my_check_in(institution, request.user, period)
    form = CheckInForm(posted_data(request), instance=mine) if period is not None else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Check-ins are switched off in this institution, so nothing was saved."))
        elif form.is_valid():
            try:
                service.check_in_save(institution=institution, member=request.user, **form.answers())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you! Your check-in is saved. You can change it until the period ends."),
                )
                return redirect("evaluation:checkins", institution_slug=institution.slug)
    results = service.group_results(institution, settings.check_in_rhythm, today=None)
    context = {
        "settings": settings,
        "period": period,
        "period_end": service.period_end(period, settings.check_in_rhythm) if period else None,
        "mine": mine,
        "form": form,
        "past": service.my_past_check_ins(institution, request.user, period),
        "results": results,
        "shown_results": [result for result in results if result.shown],
        "chart": trend_chart(results) if any(result.shown for result in results) else None,
        "minimum": service.AGGREGATE_MINIMUM,
    }
    failed = request.method == "POST"  # a POST that got here was refused
    return _private(render(request, "evaluation/checkins/index.html", context, status=400 if failed else 200))


def trend_chart(results):
    """Feel and energy per period on a fixed 1-to-5 scale, as an SVG image (the table after it has the
    numbers). A period with too few answers leaves a gap in the lines."""
    top, plot_height, left, right = 34, 120, 28, WIDTH - 8
    baseline = top + plot_height
    step = (right - left) / max(len(results) - 1, 1)

    def y(value):
        return round(baseline - plot_height * (float(value) - 1) / 4, 1)

    def x(index):
        return round(left + index * step, 1) if len(results) > 1 else (left + right) / 2

    parts = [
        format_html(
            '<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{grid}" stroke-dasharray="3 3"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" fill="{ink}">{n}</text>',
            l=left,
            r=right,
            y=y(level),
            grid=GRID,
            tx=left - 6,
            ty=y(level) + 5,
            ink=INK,
            n=level,
        )
        for level in (1, 3, 5)
    ]
    parts.append(
        format_html(
            '<line x1="{l}" y1="10" x2="{l2}" y2="10" stroke="{feel}" stroke-width="3"/>'
            '<text x="{t1}" y="15" fill="{ink}">{feel_name}</text>'
            '<line x1="{m}" y1="10" x2="{m2}" y2="10" stroke="{energy}" stroke-width="3" stroke-dasharray="6 3"/>'
            '<text x="{t2}" y="15" fill="{ink}">{energy_name}</text>',
            l=left,
            l2=left + 24,
            t1=left + 30,
            m=left + 140,
            m2=left + 164,
            t2=left + 170,
            feel=FEEL_COLOUR,
            energy=ENERGY_COLOUR,
            ink=INK,
            feel_name=_("Feel"),
            energy_name=_("Energy"),
        )
    )
    for attribute, colour, dash in (("feel", FEEL_COLOUR, ""), ("energy", ENERGY_COLOUR, "6 3")):
        segments, current = [], []
        for index, result in enumerate(results):
            value = getattr(result, attribute)
            if value is None:
                segments.append(current)
                current = []
            else:
                current.append((x(index), y(value), result, value))
        segments.append(current)
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"{}/>',
                        " ".join(f"{px},{py}" for px, py, _result, _value in segment),
                        colour,
                        format_html(' stroke-dasharray="{}"', dash) if dash else "",
                    )
                )
            parts.append(
                format_html_join(
                    "",
                    '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
                    (
                        (px, py, colour, _month(result.start), formats.number_format(value))
                        for px, py, result, value in segment
                    ),
                )
            )
    if len(results) == 1:
        parts.append(
            format_html(
                '<text x="{x}" y="{ly}" text-anchor="middle" fill="{muted}">{only}</text>',
                x=x(0),
                ly=baseline + 20,
                muted=MUTED,
                only=_month(results[0].start),
            )
        )
    elif results:
        parts.append(
            format_html(
                '<text x="{l}" y="{ly}" fill="{muted}">{first}</text>'
                '<text x="{r}" y="{ly}" text-anchor="end" fill="{muted}">{last}</text>',
                l=left,
                r=right,
                ly=baseline + 20,
                muted=MUTED,
                first=_month(results[0].start),
                last=_month(results[-1].start),
            )
        )
    return _frame(
        "check-in-trend",
        _("How the group feels, and its energy, over time"),
        _("Average answers from 1 to 5 for each period; the table below has the numbers."),
        baseline + 28,
        mark_safe("".join(parts)),  # noqa: S308 (parts built by format_html)
    )


# Organizers ------------------------------------------------------------------------------------------------


def _chosen_period(request, rhythm, periods):
    """The period asked for in ?period=YYYY-MM-DD if it is one of the listed ones, else the newest."""
    asked = request.GET.get("period", "")
    try:
        chosen = date.fromisoformat(asked) if len(asked) == 10 else None
    except ValueError:
        chosen = None
    return chosen if chosen in periods else periods[-1]


@tenant_access(ORGANIZER)
@require_safe
def answers(request):
    """Every answer in one period with names (the only page that shows them), and who has not answered."""
    institution = request.institution
    settings = service.settings_for(institution)
    rhythm = settings.check_in_rhythm
    context = {"settings": settings, "period": None}
    if rhythm != service.Rhythm.OFF:
        periods = service.periods_up_to(
            service.current_period(institution, rhythm=rhythm), rhythm, service.TREND_PERIODS
        )
        period = _chosen_period(request, rhythm, periods)
        found, missing = service.period_answers(institution, period)
        context.update(
            period=period,
            period_end=service.period_end(period, rhythm),
            periods=periods[::-1],
            answers=found,
            missing=missing,
            is_current=period == periods[-1],
        )
    return _private(render(request, "evaluation/checkins/answers.html", context))


@tenant_access(ORGANIZER)
@require_safe
def member_history(request, pk):
    """One member's check-ins over time, for an organizer about to follow up."""
    membership = service.get_member_or_404(request.institution, pk)
    history = service.member_history(request.institution, membership.user)
    return _private(
        render(
            request,
            "evaluation/checkins/member.html",
            {"person": membership.user, "their_membership": membership, "history": history},
        )
    )


@tenant_access(ORGANIZER)
def evaluation_settings(request):
    """The check-in rhythm, and the day and local hour of the weekly health digest."""
    current = service.settings_for(request.institution)
    form = EvaluationSettingsForm(posted_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in EvaluationSettingsForm.Meta.fields}
        try:
            service.settings_update(institution=request.institution, actor=request.user, **values)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The evaluation settings are saved."))
            return redirect("evaluation:settings", institution_slug=request.institution.slug)
    return render(request, "evaluation/checkins/settings.html", {"form": form}, status=400 if form.errors else 200)
