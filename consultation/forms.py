from django import forms
from django.utils.translation import gettext_lazy as _

from dualpower.forms import HoneypotMixin
from needs.models import Need

from .models import MAX_DOTS_PER_PERSON, ConsultationRound, OutreachEntry, RoundError
from .services import MIN_NEEDS


class OutreachForm(forms.ModelForm):
    # Declared here: the default field would query every institution's needs (the scoped manager refuses).
    needs = forms.ModelMultipleChoiceField(
        label=_("needs that came up"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OutreachEntry
        fields = ["happened_on", "channel", "place", "people_count", "notes", "needs"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs


class RoundForm(forms.ModelForm):
    """A consultation round's wording, method and needs (new rounds, and drafts being edited)."""

    needs = forms.ModelMultipleChoiceField(
        label=_("Needs to ask about"),
        help_text=_("Choose at least two. People rate how urgent each one is and say which to work on first."),
        queryset=Need.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ConsultationRound
        fields = ["title", "intro", "needs", "method", "dots_per_person"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "method": forms.RadioSelect,
            "dots_per_person": forms.NumberInput(attrs={"min": 1, "max": MAX_DOTS_PER_PERSON, "inputmode": "numeric"}),
        }

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs
        self.fields["method"].help_text = " ".join(str(text) for text in ConsultationRound.METHOD_HELP.values())

    def clean_needs(self):
        needs = self.cleaned_data["needs"]
        if len(needs) < MIN_NEEDS:
            raise forms.ValidationError(_("Choose at least two needs to ask about."))
        return needs


URGENCY_CHOICES = [
    (1, _("1 · can wait")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 · very urgent")),
]


class AnswerForm(forms.Form):
    """One person's answer to a round: for each need, how urgent (1 to 5) and its place or dots.

    Works without JavaScript: urgency is a row of radio buttons, the place a number select.
    """

    def __init__(self, *args, consultation_round, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation_round = consultation_round
        self.needs = needs
        count = len(needs)
        for need in needs:
            self.fields[f"urgency-{need.pk}"] = forms.TypedChoiceField(
                label=_("How urgent is it?"),
                choices=URGENCY_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Say how urgent this is, from 1 to 5.")},
            )
            if consultation_round.uses_ranks:
                self.fields[f"rank-{need.pk}"] = forms.TypedChoiceField(
                    label=_("Its place in your order"),
                    help_text=_("1 = work on this first"),
                    choices=[("", _("Choose…"))] + [(n, str(n)) for n in range(1, count + 1)],
                    coerce=int,
                    error_messages={"required": _("Give this need a place in your order.")},
                )
            else:
                self.fields[f"dots-{need.pk}"] = forms.IntegerField(
                    label=_("Dots"),
                    initial=0,
                    min_value=0,
                    max_value=consultation_round.dots_per_person,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )

    def rows(self):
        """(need, urgency field, place or dots field) for each need, in the order shown."""
        kind = "rank" if self.consultation_round.uses_ranks else "dots"
        return [(need, self[f"urgency-{need.pk}"], self[f"{kind}-{need.pk}"]) for need in self.needs]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        ratings = {}
        for need in self.needs:
            rating = {"urgency": cleaned[f"urgency-{need.pk}"]}
            if self.consultation_round.uses_ranks:
                rating["rank"] = cleaned[f"rank-{need.pk}"]
            else:
                rating["dots"] = cleaned.get(f"dots-{need.pk}") or 0
            ratings[need.pk] = rating
        try:
            cleaned["ratings"] = self.consultation_round.clean_ratings(ratings, [need.pk for need in self.needs])
        except RoundError as error:
            raise forms.ValidationError(str(error), code="ratings") from None
        return cleaned

    @staticmethod
    def initial_from(answer):
        """Form values from a saved answer (see selectors.answer_of), to change it."""
        initial = {}
        for need_id, row in (answer or {}).items():
            initial[f"urgency-{need_id}"] = row["urgency"]
            initial[f"rank-{need_id}"] = row["rank"]
            initial[f"dots-{need_id}"] = row["dots"]
        return initial


class PublicAnswerForm(HoneypotMixin, AnswerForm):
    """The answer form behind a round's public link (anyone, no account)."""
