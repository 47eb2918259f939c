"""Reading and filling the app's HTML forms from outside, for the web benchmarks (no Django here).

The benchmark signs in, answers a survey and builds a ballot the way a browser would: it reads the
form on the page and fills every field with a valid, boring value, so the request it then replays
under load is one the app accepts.
"""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlencode

# A survey ranking question's selects are named "<question>_r<item>": each item takes its own place.
RANKED_SELECT = re.compile(r"^(?P<question>.+)_r\d+$")


class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action") or ""
        self.method = (attrs.get("method") or "get").lower()
        self.css_class = attrs.get("class") or ""
        # (tag, attributes) in document order; a <select> carries its options' values.
        self.fields = []


class FormReader(HTMLParser):
    """Every <form> on a page with its inputs, text areas and selects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in {"input", "textarea", "button"}:
            self._form.fields.append((tag, attrs))
        elif tag == "select":
            self._select = {**attrs, "options": []}
            self._form.fields.append(("select", self._select))
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_in(html):
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def form_with(html, predicate):
    for form in forms_in(html):
        if predicate(form):
            return form
    return None


def hidden_value(html, name):
    form = form_with(html, lambda f: any(a.get("name") == name for _t, a in f.fields))
    if form is None:
        return None
    return next(a.get("value", "") for _t, a in form.fields if a.get("name") == name)


# Fields a person leaves alone: the honeypot, contact details, the access code, buttons.
LEFT_EMPTY = ("website", "contact_name", "contact_reach", "code")


def filled(form, text="benchmark answer"):
    """The form's data as a browser would send it after a person filled in every field.

    Hidden fields keep their value; one radio button and one check box per group are picked (the
    first); text gets `text`; number fields count up from 1 within their bounds, which makes rank
    ballot's rank fields 1, 2, 3 …; a dot field gets one dot on the first option; selects take their first real
    option, except a survey ranking's selects, which take places 1, 2, 3 … in turn. Contact consent, the
    honeypot and buttons stay empty.
    """
    data = []
    places = Counter()
    picked_groups = set()
    counter = ranks = 0
    for tag, attrs in form.fields:
        name = attrs.get("name")
        if not name or tag == "button" or attrs.get("disabled") is not None:
            continue
        kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
        if kind in {"submit", "button", "reset", "image", "file"}:
            continue
        if kind == "hidden":
            data.append((name, attrs.get("value", "")))
        elif name in LEFT_EMPTY or name.startswith("contact"):
            continue
        elif kind in {"radio", "checkbox"}:
            if name not in picked_groups:
                picked_groups.add(name)
                data.append((name, attrs.get("value", "on")))
        elif name.startswith("dots-"):
            data.append((name, "1" if "dots" not in picked_groups else "0"))
            picked_groups.add("dots")
        elif name.startswith("rank-"):
            ranks += 1
            data.append((name, str(ranks)))
        elif kind == "number":
            counter += 1
            low, high = int(attrs.get("min") or 0), int(attrs.get("max") or 10**6)
            data.append((name, str(min(max(counter, low), high))))
        elif kind == "select":
            options = [value for value in attrs["options"] if value]
            ranked = RANKED_SELECT.match(name)
            index = places[ranked["question"]] if ranked else 0
            if ranked:
                places[ranked["question"]] += 1
            if index < len(options):
                data.append((name, options[index]))
        elif kind in {"email"}:
            data.append((name, "benchmark@example.org"))
        elif kind in {"text", "textarea", "search", "tel", "url"}:
            data.append((name, text))
    return data


def encoded(data):
    return urlencode(data)
