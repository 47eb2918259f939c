"""The check-in a member answers each period, and the evaluation settings organizers set."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CheckIn, EvaluationSettings

SCALE = [(number, str(number)) for number in range(1, 6)]
MAX_HOURS = 744  # every hour of a month


def scale_field(label, low, high, missing):
    """A 1-to-5 question as radio buttons; the words for both ends go with it (the template shows them)."""
    field = forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": missing, "invalid_choice": missing},
    )
    field.ends = (low, high)
    return field


class CheckInForm(forms.ModelForm):
    feel = scale_field(
        _("How do you feel about the group?"),
        _("1 = not good at all"),
        _("5 = very good"),
        _("Choose how you feel about the group, from 1 to 5."),
    )
    energy = scale_field(
        _("How is your energy?"),
        _("1 = exhausted"),
        _("5 = full of energy"),
        _("Choose how your energy is, from 1 to 5."),
    )

    class Meta:
        model = CheckIn
        fields = ["feel", "energy", "hours", "rather_doing", "suggestion", "wants_follow_up"]
        labels = {
            "hours": _("Hours you can give next month"),
            "rather_doing": _("What would you rather be doing?"),
            "suggestion": _("Anything we should change?"),
            "wants_follow_up": _("I would like someone to follow up with me"),
        }
        help_texts = {
            "hours": _("A rough number is fine. Leave it empty if you do not know."),
            "rather_doing": _("Optional. Only you and the organizers read this."),
            "suggestion": _("Optional. Only you and the organizers read this."),
            "wants_follow_up": _("An organizer will get in touch within a week."),
        }
        widgets = {
            "hours": forms.NumberInput(attrs={"min": 0, "max": MAX_HOURS, "inputmode": "numeric"}),
            "rather_doing": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "suggestion": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }
        error_messages = {
            "hours": {
                "invalid": _("Write the hours as a whole number, e.g. 6."),
                "min_value": _("Use a number of hours from 0 to 744."),
                "max_value": _("Use a number of hours from 0 to 744."),
            },
            "rather_doing": {"max_length": _("Keep it under 2,000 characters.")},
            "suggestion": {"max_length": _("Keep it under 2,000 characters.")},
        }

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours is not None and not 0 <= hours <= MAX_HOURS:
            raise forms.ValidationError(_("Use a number of hours from 0 to 744."))
        return hours

    def scales(self):
        return [self[name] for name in ("feel", "energy")]

    def answers(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EvaluationSettingsForm(forms.ModelForm):
    class Meta:
        model = EvaluationSettings
        fields = ["check_in_rhythm", "digest_weekday", "digest_hour"]
        labels = {
            "check_in_rhythm": _("Member check-ins"),
            "digest_weekday": _("Weekly health digest on"),
            "digest_hour": _("At (hour, local time)"),
        }
        help_texts = {
            "check_in_rhythm": _(
                "Each period starts on the 1st (of every month, or of January, April, July and October). "
                "Members get one reminder, and a second one a week later if they have not answered."
            ),
            "digest_hour": _("From 0 to 23, in the institution's time zone."),
        }
        widgets = {"check_in_rhythm": forms.RadioSelect, "digest_hour": forms.NumberInput(attrs={"min": 0, "max": 23})}
        error_messages = {
            "check_in_rhythm": {
                "required": _("Choose how often members are asked to check in."),
                "invalid_choice": _("Choose how often members are asked to check in."),
            },
            "digest_weekday": {
                "required": _("Choose the day of the week for the digest."),
                "invalid_choice": _("Choose the day of the week for the digest."),
            },
            "digest_hour": {
                "required": _("Write the hour as a whole number from 0 to 23."),
                "invalid": _("Write the hour as a whole number from 0 to 23."),
                "max_value": _("Write the hour as a whole number from 0 to 23."),
                "min_value": _("Write the hour as a whole number from 0 to 23."),
            },
        }

    def clean_digest_hour(self):
        hour = self.cleaned_data["digest_hour"]
        if not 0 <= hour <= 23:
            raise forms.ValidationError(_("Write the hour as a whole number from 0 to 23."))
        return hour
