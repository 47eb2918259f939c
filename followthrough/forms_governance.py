"""Forms of the sustainability and independence pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.models import Proposal
from institutions.models import Membership

from .governance import ANSWERS, QUESTIONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TermForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label=_("Organizer"), empty_label=None)
    starts_on = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Until"), widget=DATE_WIDGET)
    election = forms.ModelChoiceField(
        queryset=None, required=False, label=_("The proposal that elected them"), empty_label=_("None")
    )

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            get_user_model()
            .objects.filter(
                memberships__institution=institution,
                memberships__status=Membership.Status.ACTIVE,
                memberships__role=Membership.Role.ORGANIZER,
            )
            .order_by("name", "email")
        )
        self.fields["member"].label_from_instance = lambda user: user.display_name
        self.fields["election"].queryset = (
            Proposal.objects.filter(institution=institution).exclude(status=Proposal.Status.DRAFT).order_by("-pk")
        )
        self.fields["election"].label_from_instance = lambda proposal: proposal.title

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("A term ends after it starts."))
        return cleaned


class IndependenceCheckForm(forms.Form):
    done_on = forms.DateField(label=_("Date of the self-check"), widget=DATE_WIDGET, initial=timezone.localdate)
    summary = forms.CharField(
        label=_("What we concluded"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in QUESTIONS:
            self.fields[f"answer_{key}"] = forms.ChoiceField(
                label=question,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer this question (“Not sure” is an answer).")},
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        # The date and the summary after the questions.
        self.order_fields([name for name in self.fields if name not in ("done_on", "summary")] + ["summary", "done_on"])

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(_("The self-check cannot be dated in the future."))
        return done_on

    def answers(self):
        return {key: (self.cleaned_data[f"answer_{key}"], self.cleaned_data[f"note_{key}"]) for key, _q in QUESTIONS}
