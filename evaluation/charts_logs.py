"""A metric over time as a server-drawn SVG line chart, with the goal as a dashed line and each recorded
change as a numbered vertical line. Same rules as `needs.charts`: no JavaScript, no inline styles,
every label escaped by `format_html`, and the page puts the same numbers in a table after it."""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from needs.charts import BAR, FONT, GRID, INK, MUTED, WIDTH

CHANGE = "#8a3b00"  # dark orange: 6:1 against white, apart from the line's green
TOP, PLOT_HEIGHT, LEFT, RIGHT_PAD = 24, 130, 44, 8


def _number(value):
    """A number as people write it: 3, not 3.00; 2.5 stays 2.5."""
    value = round(float(value), 2)
    return number_format(int(value) if value == int(value) else value)


def _x(index, total):
    plot_width = WIDTH - LEFT - RIGHT_PAD
    return round(LEFT + (plot_width * index / (total - 1) if total > 1 else plot_width / 2), 2)


def _y(value, peak):
    return round(TOP + PLOT_HEIGHT - PLOT_HEIGHT * max(float(value), 0.0) / float(peak), 2)  # drawn from zero up


def line_chart(*, chart_id, title, description, points, goal=None, markers=(), first_label="", last_label=""):
    """`points`: (label, value or None) per period, oldest first; a None leaves a gap in the line.
    `markers`: (period index, number, title) per change. Values are drawn from zero up."""
    values = [float(value) for _label, value in points if value is not None]
    peak = max([*values, float(goal or 0), 0.0]) or 1.0
    if goal is not None and float(goal) >= max(values, default=0.0):
        peak *= 1.1  # room above the goal line for its label
    baseline = TOP + PLOT_HEIGHT
    total = len(points)
    segments, current = [], []
    for index, (_label, value) in enumerate(points):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(f"{_x(index, total)},{_y(value, peak)}")
    if current:
        segments.append(current)
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
        ((" ".join(segment), BAR) for segment in segments if len(segment) > 1),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
        (
            (_x(index, total), _y(value, peak), BAR, label, _number(value))
            for index, (label, value) in enumerate(points)
            if value is not None
        ),
    )
    goal_line = ""
    if goal is not None:
        goal_line = format_html(
            '<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{muted}" stroke-dasharray="6 4"/>'
            '<text x="{right}" y="{ty}" text-anchor="end" fill="{ink}">{label}</text>',
            left=LEFT,
            right=WIDTH - RIGHT_PAD,
            y=_y(goal, peak),
            ty=_y(goal, peak) - 4,
            muted=MUTED,
            ink=INK,
            label=_("goal %(goal)s") % {"goal": _number(goal)},
        )
    change_lines = format_html_join(
        "",
        '<line x1="{x}" y1="{top}" x2="{x}" y2="{base}" stroke="{colour}" stroke-width="2" stroke-dasharray="2 2">'
        "<title>{title}</title></line>"
        '<text x="{x}" y="{ty}" text-anchor="middle" fill="{colour}" font-weight="bold">{number}</text>',
        (
            {
                "x": _x(index, total),
                "top": TOP,
                "base": baseline,
                "colour": CHANGE,
                "title": change_title,
                "ty": TOP - 8,
                "number": number,
            }
            for index, number, change_title in markers
        ),
    )
    axes = format_html(
        '<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="{grid}" stroke-dasharray="3 3"/>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{muted}"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end" fill="{ink}">{peak}</text>'
        '<text x="{tx}" y="{base}" text-anchor="end" fill="{ink}">0</text>'
        '<text x="{left}" y="{ly}" fill="{ink}">{first}</text>'
        '<text x="{right}" y="{ly}" text-anchor="end" fill="{ink}">{last}</text>',
        left=LEFT,
        right=WIDTH - RIGHT_PAD,
        top=TOP,
        base=baseline,
        tx=LEFT - 4,
        ty=TOP + 4,
        ly=baseline + 18,
        peak=_number(round(peak, 1)),
        first=first_label,
        last=last_label,
        grid=GRID,
        muted=MUTED,
        ink=INK,
    )
    body = axes + goal_line + change_lines + lines + dots
    return format_html(
        '<svg class="chart" id="{id}" role="img" aria-label="{desc}" viewBox="0 0 {width} {height}" '
        'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        'font-family="system-ui, sans-serif" font-size="{font}"><title>{title}</title>{body}</svg>',
        id=chart_id,
        desc=f"{title}. {description}",
        width=WIDTH,
        height=baseline + 24,
        font=FONT,
        title=title,
        body=mark_safe(body),  # noqa: S308 (parts built by format_html)
    )
