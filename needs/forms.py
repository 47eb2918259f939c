from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Need, Question, Survey


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["title", "description", "evidence", "people_count"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "evidence": forms.Textarea(attrs={"rows": 3})}


class NeedEditForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["title", "description", "evidence", "people_count", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "evidence": forms.Textarea(attrs={"rows": 3})}


def other_languages(base_language):
    return [(code, name) for code, name in settings.LANGUAGES if code != base_language]


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SurveyForm(forms.ModelForm):
    """The survey's own texts and settings, with a translation of the title and introduction for each
    other language."""

    languages = forms.MultipleChoiceField(
        label=_("Offer it in"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("People pick their language on the first page."),
    )

    class Meta:
        model = Survey
        fields = ["title", "intro", "base_language", "languages", "access_code", "ask_contact"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base = self.instance.base_language or settings.LANGUAGE_CODE
        if not self.instance.pk:
            self.initial["languages"] = [code for code, _name in settings.LANGUAGES]
        for code, name in other_languages(None):
            texts = self.instance.translations.get(code, {})
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                max_length=200,
                required=False,
                initial=texts.get("title", ""),
            )
            self.fields[f"intro_{code}"] = forms.CharField(
                label=_("Introduction in %(language)s") % {"language": name},
                max_length=3000,
                required=False,
                initial=texts.get("intro", ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.base = base

    def translations(self):
        data = self.cleaned_data
        base = data["base_language"]
        return {
            code: {"title": data.get(f"title_{code}", ""), "intro": data.get(f"intro_{code}", "")}
            for code, _name in other_languages(base)
        }

    def translation_fields(self):
        base = self["base_language"].value() or self.base
        return [(name, self[f"title_{code}"], self[f"intro_{code}"]) for code, name in other_languages(base)]

    def service_fields(self):
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields}


class QuestionForm(forms.Form):
    """A question of a survey: its wording (and translations), type, rules and choices."""

    kind = forms.ChoiceField(label=_("Type of question"), choices=Question.Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(
        label=_("Help text"), max_length=500, required=False, help_text=_("Optional: an example or a short hint.")
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    allow_other = forms.BooleanField(label=_("Offer “other, please say” (single and multiple choice)"), required=False)
    min_value = forms.IntegerField(
        label=_("Smallest number allowed"), required=False, min_value=-1_000_000_000, max_value=1_000_000_000
    )
    max_value = forms.IntegerField(
        label=_("Largest number allowed"), required=False, min_value=-1_000_000_000, max_value=1_000_000_000
    )
    starts_page = forms.BooleanField(
        label=_("Start a new page with this question"),
        required=False,
        help_text=_("Short pages are easier on a small phone."),
    )
    show_if = forms.TypedChoiceField(
        label=_("Show this question only if…"), required=False, coerce=int, empty_value=None
    )
    choices_text = forms.CharField(
        label=_("Choices, one per line"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For single and multiple choice and for rankings."),
    )
    needs = forms.TypedMultipleChoiceField(
        label=_("Needs to ask about"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “which needs matter most”: each need you pick becomes a choice."),
    )

    MAX_CHOICES = 50

    def __init__(self, *args, survey, question=None, earlier_choices=(), needs=(), answered=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.question = question
        self.answered = answered
        self.other_languages = [
            (code, name) for code, name in survey.offered_languages() if code != survey.base_language
        ]
        self.fields["show_if"].choices = [("", _("Always show it"))] + [
            (
                choice.pk,
                _("“%(question)s” was answered “%(choice)s”")
                % {"question": choice.question.text, "choice": choice.text},
            )
            for choice in earlier_choices
        ]
        self.fields["needs"].choices = [(need.pk, need.title) for need in needs]
        self.existing = list(question.choices.all()) if question else []
        if question:
            if answered:
                self.fields["kind"].disabled = True
                self.fields["kind"].help_text = _("People have answered, so the type can no longer change.")
            self.fields["choices_text"].label = _("Add choices, one per line")
            self.fields["choices_text"].help_text = ""
            del self.fields["needs"]
        for code, name in self.other_languages:
            texts = question.translations.get(code, {}) if question else {}
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Question in %(language)s") % {"language": name},
                max_length=500,
                required=False,
                initial=texts.get("text", ""),
            )
            self.fields[f"help_text_{code}"] = forms.CharField(
                label=_("Help text in %(language)s") % {"language": name},
                max_length=500,
                required=False,
                initial=texts.get("help_text", ""),
            )
            self.fields[f"choices_text_{code}"] = forms.CharField(
                label=_("The same new choices in %(language)s, one per line, in the same order") % {"language": name},
                max_length=10_000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for choice in self.existing:
            self.fields[f"choice_{choice.pk}"] = forms.CharField(label=_("Choice"), max_length=200, initial=choice.text)
            for code, name in self.other_languages:
                self.fields[f"choice_{choice.pk}_{code}"] = forms.CharField(
                    label=_("In %(language)s") % {"language": name},
                    max_length=200,
                    required=False,
                    initial=(choice.translations.get(code) or {}).get("text", ""),
                )
            self.fields[f"remove_{choice.pk}"] = forms.BooleanField(label=_("Remove this choice"), required=False)

    def translation_fields(self):
        return [
            (name, self[f"text_{code}"], self[f"help_text_{code}"], self[f"choices_text_{code}"])
            for code, name in self.other_languages
        ]

    def choice_rows(self):
        return [
            (
                choice,
                self[f"choice_{choice.pk}"],
                [self[f"choice_{choice.pk}_{code}"] for code, _name in self.other_languages],
                self[f"remove_{choice.pk}"],
            )
            for choice in self.existing
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or (self.question.kind if self.question else None)
        new = lines(data.get("choices_text"))
        if len(new) + len(self.existing) > self.MAX_CHOICES:
            self.add_error("choices_text", _("At most %(count)d choices.") % {"count": self.MAX_CHOICES})
        if any(len(line) > 200 for line in new):
            self.add_error("choices_text", _("Each choice can be at most 200 characters long."))
        for code, _name in self.other_languages:
            translated = lines(data.get(f"choices_text_{code}"))
            if translated and len(translated) != len(new):
                self.add_error(
                    f"choices_text_{code}",
                    _("Give as many lines as there are new choices (%(count)d), in the same order.")
                    % {"count": len(new)},
                )
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.RANKING):
            removed = {choice.pk for choice in self.existing if data.get(f"remove_{choice.pk}")}
            if not new and len(self.existing) - len(removed) < 1:
                self.add_error("choices_text", _("Give at least one choice, one per line."))
        if kind == Question.Kind.NEEDS and not self.question and not data.get("needs"):
            self.add_error(
                "needs", _("Pick at least one need to ask about. Add needs to the list first if it is empty.")
            )
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("max_value", _("The largest number must not be smaller than the smallest."))
        return data

    def service_fields(self):
        """Keyword arguments for question_add / question_update."""
        data = self.cleaned_data
        kind = data.get("kind") or self.question.kind
        fields = {
            "text": data["text"],
            "help_text": data["help_text"].strip(),
            "required": data["required"],
            "allow_other": data["allow_other"] and kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE),
            "min_value": data["min_value"] if kind == Question.Kind.NUMBER else None,
            "max_value": data["max_value"] if kind == Question.Kind.NUMBER else None,
            "starts_page": data["starts_page"],
            "translations": {
                code: {"text": data.get(f"text_{code}", ""), "help_text": data.get(f"help_text_{code}", "")}
                for code, _name in self.other_languages
            },
        }
        if not (self.question and self.answered):
            fields["kind"] = kind
        new_texts = lines(data.get("choices_text"))
        translated = {code: lines(data.get(f"choices_text_{code}")) for code, _name in self.other_languages}
        new_choices = [
            (text, {code: {"text": translated[code][i]} for code in translated if translated[code]})
            for i, text in enumerate(new_texts)
        ]
        if self.question:
            fields["new_choices"] = new_choices
            fields["removed_choices"] = {choice.pk for choice in self.existing if data.get(f"remove_{choice.pk}")}
            fields["choice_texts"] = {
                choice.pk: (
                    data[f"choice_{choice.pk}"],
                    {
                        code: {"text": data.get(f"choice_{choice.pk}_{code}", "")}
                        for code, _name in self.other_languages
                    },
                )
                for choice in self.existing
            }
        else:
            fields["choices"] = new_choices
        return fields


class SurveyDeleteForm(forms.Form):
    typed_name = forms.CharField(label=_("Type the survey's title to confirm"), max_length=200, required=False)


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("New theme"), max_length=80, help_text=_("e.g. “rent”, “childcare”."))
