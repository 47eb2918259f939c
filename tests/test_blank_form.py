"""dualpower.forms.blank_form: a form with nothing filled in, rendered once per language."""

from django.utils import translation
from django.utils.safestring import SafeString

from decisions.forms import CommentForm
from dualpower.forms import blank_form


def test_a_blank_form_is_the_forms_own_markup_in_each_language():
    for language, label in (("en", "Your comment"), ("es", "Tu comentario")):
        with translation.override(language):
            html = blank_form(CommentForm)
            assert html == CommentForm().render()
            assert isinstance(html, SafeString) and label in html
            assert blank_form(CommentForm) is html  # rendered once
    with translation.override("en"):
        assert "Tu comentario" not in blank_form(CommentForm)
