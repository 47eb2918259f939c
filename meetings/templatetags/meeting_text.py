"""`|simple_text`: minutes as people type them (paragraphs, line breaks, "- " bullet lines, links),
shown as HTML without letting any HTML through."""

import re

from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

register = template.Library()

BULLET = re.compile(r"^\s*[-*•]\s+(?P<text>.*)$")


def _inline(line):
    # Escaped first (even text already marked safe), then links made: urlize leaves escaped text escaped.
    return urlize(escape(line.strip()), nofollow=True, autoescape=True)


@register.filter(is_safe=False)
def simple_text(text):
    """Blank lines separate paragraphs, single line breaks stay, lines starting with "- " (or "* ",
    "• ") become a list, and web and e-mail addresses become links. No HTML gets through."""
    parts, paragraph, bullets = [], [], []

    def close():
        if paragraph:
            parts.append("<p>" + "<br>\n".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if bullets:
            parts.append("<ul>" + "".join(f"<li>{_inline(line)}</li>" for line in bullets) + "</ul>")
            bullets.clear()

    for line in str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        bullet = BULLET.match(line)
        if not line.strip():
            close()
        elif bullet:
            if paragraph:
                close()
            bullets.append(bullet["text"])
        else:
            if bullets:
                close()
            paragraph.append(line)
    close()
    return mark_safe("\n".join(parts))  # noqa: S308 (only literal tags around escaped text)
