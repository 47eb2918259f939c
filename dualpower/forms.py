"""Form helpers shared by every app."""

import functools

from django.utils import translation


@functools.cache
def _blank_form_html(form_class, language):
    with translation.override(language):
        return form_class().render()


def blank_form(form_class):
    """The form's fields with nothing filled in, as HTML: the same for everyone, so rendered once
    per language and process. For a form on a busy page that takes no `initial` (a bound form with
    errors is rendered as usual)."""
    return _blank_form_html(form_class, translation.get_language())


def posted_data(request):
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST must still bind (and fail validation with a
    clear message) rather than quietly show a blank form.
    """
    return request.POST if request.method == "POST" else None


class HoneypotMixin:
    """Adds a field people never see (hidden by CSS, skipped by keyboard and screen readers).

    Form-filling robots tend to fill every input; a filled honeypot rejects the submission
    with a plain message, keeping what was typed so a person who somehow filled it can retry.
    Render it with `{% include "includes/honeypot.html" %}` inside the form.
    """

    honeypot_name = "website"

    def __init__(self, *args, **kwargs):
        from django import forms
        from django.utils.translation import gettext_lazy as _

        super().__init__(*args, **kwargs)
        self.fields[self.honeypot_name] = forms.CharField(
            label=_("Leave this field empty"), required=False, max_length=200
        )

    def get_context(self):
        # `{{ form }}` leaves the honeypot out; the include renders it hidden.
        context = super().get_context()
        context["fields"] = [(field, errors) for field, errors in context["fields"] if field.name != self.honeypot_name]
        return context

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        cleaned = super().clean()
        if cleaned.get(self.honeypot_name):
            raise ValidationError(
                _(
                    "This looked like an automatic submission, so it was not saved. Please empty the hidden "
                    "“website” field and send again."
                ),
                code="honeypot",
            )
        return cleaned
