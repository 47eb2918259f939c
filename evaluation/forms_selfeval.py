from django import forms
from django.utils.translation import gettext_lazy as _

from dualpower.forms import HoneypotMixin

from .models import SelfEvaluation
from .models.selfeval import QUESTIONS
from .selfeval import COMMENT_MAX

RATING_CHOICES = [
    (1, _("1 · not at all")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 · fully")),
]


class RoundForm(forms.ModelForm):
    class Meta:
        model = SelfEvaluation
        fields = ["title", "open_to_community"]


class AnswerForm(forms.Form):
    """The seven questions: each rated 1 to 5 (radio buttons, no JavaScript) with an optional comment."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, text in QUESTIONS:
            self.fields[f"rating-{key}"] = forms.TypedChoiceField(
                label=text,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a number from 1 to 5.")},
            )
            self.fields[f"comment-{key}"] = forms.CharField(
                label=_("Comment (optional)"),
                required=False,
                max_length=COMMENT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """(question key, rating field, comment field) in the order asked."""
        return [(key, self[f"rating-{key}"], self[f"comment-{key}"]) for key, _text in QUESTIONS]

    def answers(self):
        return {key: (self.cleaned_data[f"rating-{key}"], self.cleaned_data[f"comment-{key}"]) for key, _t in QUESTIONS}

    @staticmethod
    def initial_from(answers):
        initial = {}
        for key, (rating, comment) in answers.items():
            initial[f"rating-{key}"], initial[f"comment-{key}"] = rating, comment
        return initial


class PublicAnswerForm(HoneypotMixin, AnswerForm):
    """The seven questions behind a round's public link (anyone, no account)."""
