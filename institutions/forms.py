import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Institution, JoinRequest, Membership


def time_zone_choices():
    return [
        (name, name.replace("_", " "))
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name or name == "UTC"
    ]


class InstitutionForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Institution
        fields = ["name", "slug", "kind", "need_statement", "description", "default_language", "time_zone"]
        widgets = {
            "kind": forms.RadioSelect,
            "need_statement": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})
        self.fields["kind"].choices = [
            (value, f"{label} — {Institution.KIND_HELP[value]}") for value, label in Institution.Kind.choices
        ]

    def clean_slug(self):
        return self.cleaned_data["slug"].lower()


class InstitutionSettingsForm(InstitutionForm):
    class Meta(InstitutionForm.Meta):
        fields = [
            "name",
            "kind",
            "need_statement",
            "description",
            "default_language",
            "time_zone",
            "vote_min_membership_days",
            "consensus_stand_aside_limit",
        ]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("We send the invitation to this address. Leave it empty to make a link you can share yourself."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    max_uses = forms.IntegerField(
        label=_("How many people can use the link"),
        min_value=1,
        max_value=500,
        initial=10,
        help_text=_("Only for links; an e-mail invitation works once."),
    )
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["valid_days"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class JoinRequestForm(forms.ModelForm):
    class Meta:
        model = JoinRequest
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)


class AffiliationsForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["affiliations"]
