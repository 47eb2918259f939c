"""The fields of the forms a page renders, and plausible values for them, so that a POST sent by a
probe or a fuzzer would pass validation if the caller were allowed to send it."""

from html.parser import HTMLParser

# Values for buttons and fields that forms expect but that a page may render only in some states
# (action buttons, decisions); sent alongside whatever the page itself shows.
BUTTON_VALUES = {
    "role": "organizer",
    "decision": "accept",
    "choice": "agree",
    "action": "close",
    "text": "A plausible note",
    "reason": "A plausible reason",
    "typed_name": "",
}


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                self.fields.setdefault(name, attrs.get("value", "on"))
            elif kind != "file":
                self.fields.setdefault(name, attrs.get("value") or plausible_text(name, kind))
        elif tag == "textarea" and name:
            self.fields.setdefault(name, "A plausible answer")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and attrs.get("value"):
            self.fields.setdefault(self._select, attrs["value"])
        elif tag == "button" and name:
            self.fields.setdefault(name, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def plausible_text(name, kind):
    if kind == "number" or name.endswith(("count", "size", "people", "minutes", "hours", "amount")):
        return "3"
    if kind == "date" or name.endswith(("_on", "date")):
        return "2030-05-04"
    if kind == "datetime-local" or name.endswith("_at"):
        return "2030-05-04T10:00"
    if kind == "time" or name.endswith("_time"):
        return "10:00"
    if kind == "email" or "email" in name:
        return "probe@example.org"
    return "Plausible"


def rendered_fields(html):
    """{field name: a plausible value} for every field of every form in `html` (files left out)."""
    parser = _FormFields()
    parser.feed(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    return parser.fields


def plausible_data(html=b""):
    """What a browser would send from the page's forms, plus the usual buttons' values."""
    return {**BUTTON_VALUES, **rendered_fields(html)}
