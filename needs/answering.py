"""The form people answer a survey with, online (page by page) or typed in from paper (all at once).

Every question is a field (or, for rankings, one field per item). Questions that are not on the
current page travel along as hidden fields, so the server keeps no half-finished answers and a
lost connection loses nothing that was not already on the person's screen. Whether an answer is
required is decided here, not by Django's `required`, because a question hidden by its condition
is never required.
"""

import hmac

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dualpower.forms import HoneypotMixin

from .models import Question

NUMBER_LIMIT = 1_000_000_000
OTHER_LIMIT = 200


def field_name(question):
    return f"q{question.pk}"


def other_name(question):
    return f"q{question.pk}_other"


def rank_name(question, choice):
    return f"q{question.pk}_r{choice.pk}"


def split_pages(questions):
    """Questions grouped into pages: a page ends before a question marked to start one, and before a
    question whose condition looks at an answer on the same page (it must be known first)."""
    pages = []
    on_page = set()
    for question in questions:
        trigger = question.show_if_choice.question_id if question.show_if_choice_id else None
        if not pages or question.starts_page or trigger in on_page:
            pages.append([])
            on_page = set()
        pages[-1].append(question)
        on_page.add(question.pk)
    return pages


class SurveyAnswerForm(HoneypotMixin, forms.Form):
    """All of a survey's questions as one form.

    `questions` must come with `choices` and `show_if_choice` loaded. `current` is the list of
    questions shown as inputs (the rest are hidden fields); `enforce` is the list of questions whose
    required answers are checked now (the current page online, none on paper).
    """

    def __init__(
        self,
        *args,
        survey,
        questions,
        language,
        current=None,
        enforce=(),
        paper=False,
        show_contact=False,
        show_code=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(questions)
        self.language = language
        self.current = self.questions if current is None else list(current)
        self.enforce = list(enforce)
        self.paper = paper
        current_ids = {question.pk for question in self.current}
        for question in self.questions:
            self.fields.update(self._fields_of(question, shown=question.pk in current_ids))
        if survey.ask_contact and not paper:
            self._add_contact_fields(shown=show_contact)
        self.code_shown = False
        if survey.access_code and not paper:
            self.code_shown = show_code
            self.fields["code"] = forms.CharField(
                label=_("Access code"),
                max_length=40,
                required=False,
                help_text=_("The code printed on the flyer or given to you by the organizers."),
                widget=forms.TextInput if show_code else forms.HiddenInput,
            )

    # Building ----------------------------------------------------------------------------------
    def _label(self, question):
        return question.text_in("text", self.language)

    def _choices(self, question):
        return [(str(choice.pk), choice.text_in("text", self.language)) for choice in question.choices.all()]

    def _fields_of(self, question, *, shown):
        """The question's fields, built once per question object, language and way of showing it.

        Answering builds the same form again on every page and every submission, from a survey kept
        in memory (needs.selectors.public_survey_or_404), so its fields are kept on the question they
        were built from. Forms share them: a field holds no answer (those live on the form), and
        nothing here changes a field once built.
        """
        built = question.__dict__.setdefault("_answer_fields", {})
        key = (self.language, shown)
        if key not in built:
            built[key] = self._build_fields(question, shown=shown)
        return built[key]

    def _build_fields(self, question, *, shown):
        """{name: field} for one question."""
        kind = question.kind
        label = self._label(question)
        help_text = question.text_in("help_text", self.language)
        common = {"label": label, "help_text": help_text, "required": False}
        if kind in (Question.Kind.SINGLE, Question.Kind.YES_NO):
            widget = forms.RadioSelect if shown else forms.HiddenInput
            field = forms.ChoiceField(choices=self._choices(question), widget=widget, **common)
        elif kind in Question.MULTI_KINDS:
            widget = forms.CheckboxSelectMultiple if shown else forms.MultipleHiddenInput
            field = forms.MultipleChoiceField(choices=self._choices(question), widget=widget, **common)
        elif kind in Question.TEXT_KINDS:
            limit = Question.TEXT_LIMITS[kind]
            if not shown:
                widget = forms.HiddenInput
            elif kind == Question.Kind.LONG_TEXT:
                widget = forms.Textarea(attrs={"rows": 4})
            else:
                widget = forms.TextInput
            field = forms.CharField(max_length=limit, widget=widget, **common)
        elif kind == Question.Kind.NUMBER:
            low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
            high = question.max_value if question.max_value is not None else NUMBER_LIMIT
            widget = forms.NumberInput(attrs={"inputmode": "numeric"}) if shown else forms.HiddenInput
            field = forms.IntegerField(min_value=low, max_value=high, widget=widget, **common)
        elif kind == Question.Kind.SCALE:
            scale = [(str(value), str(value)) for value in range(1, 6)]
            widget = forms.RadioSelect(attrs={"class": "scale"}) if shown else forms.HiddenInput
            field = forms.TypedChoiceField(choices=scale, coerce=int, empty_value=None, widget=widget, **common)
        elif kind == Question.Kind.RANKING:
            return self._ranking_fields(question, shown=shown)
        else:  # a kind this code does not know cannot be answered
            raise ValueError(kind)
        fields = {field_name(question): field}
        if question.allow_other and kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            fields[other_name(question)] = forms.CharField(
                label=_("Other, please say"),
                max_length=OTHER_LIMIT,
                required=False,
                widget=forms.TextInput if shown else forms.HiddenInput,
            )
        return fields

    def _add_contact_fields(self, *, shown):
        text = forms.TextInput if shown else forms.HiddenInput
        self.fields["contact_consent"] = forms.BooleanField(
            label=_("Yes, keep my name and contact so someone from the group can get back to me."),
            required=False,
            widget=forms.CheckboxInput if shown else forms.HiddenInput,
        )
        self.fields["contact_name"] = forms.CharField(label=_("Your name"), max_length=120, required=False, widget=text)
        self.fields["contact_reach"] = forms.CharField(
            label=_("Phone number or e-mail"),
            max_length=200,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "email"}) if shown else forms.HiddenInput,
        )
        self.contact_shown = shown

    def contact(self):
        """(name, phone or e-mail) when the person agreed to leave them, else None."""
        if "contact_consent" not in self.fields or not self.cleaned_data.get("contact_consent"):
            return None
        return (self.cleaned_data["contact_name"].strip(), self.cleaned_data["contact_reach"].strip())

    def _clean_contact(self, cleaned):
        consent = cleaned.get("contact_consent")
        reach = (cleaned.get("contact_reach") or "").strip()
        name = (cleaned.get("contact_name") or "").strip()
        if (reach or name) and not consent:
            self.add_error(
                "contact_consent",
                gettext("Tick the box to let us keep your contact details, or leave the name and contact empty."),
            )
        elif consent and not reach:
            self.add_error("contact_reach", gettext("Leave a phone number or e-mail so we can get back to you."))

    def _ranking_fields(self, question, *, shown):
        choices = list(question.choices.all())
        places = [("", "—")] + [(str(place), str(place)) for place in range(1, len(choices) + 1)]
        return {
            rank_name(question, choice): forms.TypedChoiceField(
                label=choice.text_in("text", self.language),
                choices=places,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.Select if shown else forms.HiddenInput,
            )
            for choice in choices
        }

    # Reading -----------------------------------------------------------------------------------
    def field_names_of(self, question):
        if question.kind == Question.Kind.RANKING:
            return [rank_name(question, choice) for choice in question.choices.all()]
        names = [field_name(question)]
        if other_name(question) in self.fields:
            names.append(other_name(question))
        return names

    def shown_questions(self):
        """The current page's questions that apply, given the answers so far (all of them on paper)."""
        if self.paper or not self.is_bound:
            return self.current
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is None:
            self.is_valid()
            cleaned = self.cleaned_data
        return [question for question in self.current if self.is_visible(question, cleaned)]

    def question_blocks(self):
        """The shown questions, each with its bound fields, for the template."""
        blocks = []
        for question in self.shown_questions():
            fields = [self[name] for name in self.field_names_of(question)]
            blocks.append(
                {
                    "question": question,
                    "label": self._label(question),
                    "help": question.text_in("help_text", self.language),
                    "fields": fields,
                    "errors": self.errors.get(field_name(question)),
                    "condition": self.condition_text(question) if self.paper else "",
                }
            )
        return blocks

    def condition_text(self, question):
        if not question.show_if_choice_id:
            return ""
        trigger = question.show_if_choice
        return gettext("Only if you answered “%(answer)s” to “%(question)s”.") % {
            "answer": trigger.text_in("text", self.language),
            "question": trigger.question.text_in("text", self.language),
        }

    def carried_fields(self):
        """Bound fields of the questions not on this page, rendered as hidden inputs."""
        current_ids = {question.pk for question in self.shown_questions()}
        carried = []
        for question in self.questions:
            if question.pk not in current_ids:
                carried.extend(self[name] for name in self.field_names_of(question))
        if "contact_consent" in self.fields and not self.contact_shown:
            carried.extend(self[name] for name in ("contact_consent", "contact_name", "contact_reach"))
        if "code" in self.fields and not self.code_shown:
            carried.append(self["code"])
        return carried

    def _picked(self, cleaned, question):
        """The set of choice ids picked for a choice question."""
        value = cleaned.get(field_name(question))
        if not value:
            return set()
        return {int(value)} if isinstance(value, str) else {int(item) for item in value}

    def is_visible(self, question, cleaned):
        choice = question.show_if_choice
        if choice is None:
            return True
        trigger = next((q for q in self.questions if q.pk == choice.question_id), None)
        if trigger is None or not self.is_visible(trigger, cleaned):
            return False
        return choice.pk in self._picked(cleaned, trigger)

    def visible_pages(self, pages, cleaned):
        return [page for page in pages if any(self.is_visible(question, cleaned) for question in page)]

    # Validation --------------------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        if "code" in self.fields:
            typed = (cleaned.get("code") or "").strip().casefold()
            if not hmac.compare_digest(typed.encode(), self.survey.access_code.strip().casefold().encode()):
                self.add_error("code", gettext("That access code is not right. Check the flyer and try again."))
        for question in self.questions:
            self._clean_question(question, cleaned)
        if "contact_consent" in self.fields and self.contact_shown:
            self._clean_contact(cleaned)
        return cleaned

    def _clean_question(self, question, cleaned):
        main = field_name(question)
        if question.kind == Question.Kind.RANKING:
            ranks = [cleaned.get(rank_name(question, choice)) for choice in question.choices.all()]
            given = [rank for rank in ranks if rank is not None]
            if len(given) != len(set(given)):
                self._error_on_first(question, gettext("Give each place only once: no two items can share a place."))
                return
            answered = bool(given)
        else:
            value = cleaned.get(main)
            answered = value not in (None, "", [])
            other = (cleaned.get(other_name(question)) or "").strip()
            if other:
                answered = True
        if question in self.enforce and question.required and not answered and self.is_visible(question, cleaned):
            self._error_on_first(question, gettext("Please answer this question."))

    def _error_on_first(self, question, message):
        name = self.field_names_of(question)[0]
        if name in self.fields:
            self.add_error(name, message)

    def answers(self):
        """The cleaned answers of visible questions, as {question: value} for `response_submit`.

        Values: a list of choice ids (choice questions), [(choice id, rank)] (rankings), a number,
        or a text; plus `other` text for "other, please say". Unanswered questions are left out.
        On paper every question counts as visible: the person saw them all and answered what they
        chose to, so the answers are kept as written, even one its condition would have skipped.
        """
        cleaned = self.cleaned_data
        result = {}
        for question in self.questions:
            if not self.paper and not self.is_visible(question, cleaned):
                continue
            if question.kind == Question.Kind.RANKING:
                ranks = [
                    (choice.pk, cleaned.get(rank_name(question, choice)))
                    for choice in question.choices.all()
                    if cleaned.get(rank_name(question, choice)) is not None
                ]
                if ranks:
                    result[question] = {"ranks": sorted(ranks, key=lambda pair: pair[1])}
                continue
            value = cleaned.get(field_name(question))
            other = (cleaned.get(other_name(question)) or "").strip()
            entry = {}
            if question.is_choice:
                picked = sorted(self._picked(cleaned, question))
                if picked:
                    entry["choices"] = picked
            elif question.is_text:
                if value and value.strip():
                    entry["text"] = value.strip()
            elif value is not None:
                entry["number"] = value
            if other:
                entry["other"] = other
            if entry:
                result[question] = entry
        return result
