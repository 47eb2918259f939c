"""Small charts drawn on the server as SVG: no JavaScript, no inline styles (the CSP forbids them).

Each chart is an image with a title and a one-line description for screen readers; the page puts
a table with the same numbers right after it, and that table is what assistive technology reads.
Every label goes through `format_html`, so answers people typed cannot inject markup.
Colours are presentation attributes, with at least 3:1 contrast against white for the bars and
4.5:1 for the text.
"""

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

WIDTH = 320  # viewBox units; the stylesheet scales the chart to its column
INK = "#1b1f1d"
MUTED = "#4a524e"
BAR = "#1d4d3a"
GRID = "#c9cfcb"
FONT = "14"
LABEL_CHARS = 40


def _frame(chart_id, title, description, height, body):
    return format_html(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" font-size="{font}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        width=WIDTH,
        height=height,
        font=FONT,
        title=title,
        desc=description,
        body=body,
    )


def bar_chart(*, chart_id, title, description, bars):
    """Horizontal bars, one per (label, value, value text), each label on its own line above its bar
    so long answers fit a narrow phone."""
    peak = max((value for _label, value, _text in bars), default=0) or 1
    room = WIDTH - 90  # leave space after the longest bar for its number
    rows = []
    y = 0
    for label, value, text in bars:
        length = round(room * value / peak, 1)
        rows.append(
            format_html(
                '<text x="0" y="{ty}" fill="{ink}">{label}</text>'
                '<rect x="0" y="{by}" width="{length}" height="16" fill="{bar}"/>'
                '<text x="{vx}" y="{vy}" fill="{ink}">{text}</text>',
                ty=y + 14,
                by=y + 20,
                length=max(length, 1 if value else 0),
                vx=round(length + 4, 1),
                vy=y + 33,
                label=Truncator(label).chars(LABEL_CHARS),
                text=text,
                ink=INK,
                bar=BAR,
            )
        )
        y += 44
    return _frame(chart_id, title, description, max(y, 20), mark_safe("".join(rows)))  # noqa: S308 (parts built by format_html)


def column_chart(*, chart_id, title, description, points, first_label, last_label):
    """Vertical columns over time, one per (label, value), with the peak value on the left and the
    first and last period under the axis."""
    peak = max((value for _label, value in points), default=0)
    top, plot_height, left = 14, 110, 40
    plot_width = WIDTH - left - 2
    step = plot_width / max(len(points), 1)
    gap = min(2, step / 4)
    baseline = top + plot_height
    columns = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {}</title></rect>',
        (
            (
                round(left + index * step + gap / 2, 2),
                round(baseline - plot_height * value / (peak or 1), 2),
                round(max(step - gap, 0.5), 2),
                round(plot_height * value / (peak or 1), 2),
                BAR,
                label,
                number_format(value),
            )
            for index, (label, value) in enumerate(points)
            if value
        ),
    )
    axes = format_html(
        '<line x1="{left}" y1="{top}" x2="{right}" y2="{top}" stroke="{grid}" stroke-dasharray="3 3"/>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="{muted}"/>'
        '<text x="{tx}" y="{ty}" text-anchor="end" fill="{ink}">{peak}</text>'
        '<text x="{tx}" y="{by}" text-anchor="end" fill="{ink}">0</text>'
        '<text x="{left}" y="{ly}" fill="{ink}">{first}</text>'
        '<text x="{right}" y="{ly}" text-anchor="end" fill="{ink}">{last}</text>',
        left=left,
        right=WIDTH - 2,
        top=top,
        base=baseline,
        tx=left - 4,
        ty=top + 4,
        by=baseline,
        ly=baseline + 18,
        peak=number_format(peak),
        first=first_label,
        last=last_label,
        grid=GRID,
        muted=MUTED,
        ink=INK,
    )
    return _frame(chart_id, title, description, baseline + 24, axes + columns)
