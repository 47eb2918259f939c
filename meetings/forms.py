from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from decisions.models import Proposal
from dualpower.forms import HoneypotMixin
from institutions.models import Membership

from .models import RSVP, AgendaItem, Meeting, Suggestion


def members_field(institution, label):
    users = (
        get_user_model()
        .objects.filter(memberships__institution=institution, memberships__status=Membership.Status.ACTIVE)
        .order_by("name", "email")
    )
    field = forms.ModelChoiceField(queryset=users, required=False, label=label, empty_label=_("Nobody yet"))
    field.label_from_instance = lambda user: user.display_name
    return field


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the institution's time zone."),
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "purpose",
            "starts_at",
            "duration_minutes",
            "is_public",
            "place_name",
            "address",
            "directions",
            "accessibility",
            "online_url",
            "languages",
            "interpretation",
            "facilitator",
            "note_taker",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "directions": forms.Textarea(attrs={"rows": 2}),
            "accessibility": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"] = members_field(institution, _("Facilitator"))
        self.fields["note_taker"] = members_field(institution, _("Note-taker"))

    def clean(self):
        data = super().clean()
        if not (data.get("place_name") or data.get("address") or data.get("online_url")):
            self.add_error("place_name", _("Say where it happens: a place, an address or an online link."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        help_text=_("Everyone who said they are coming will be told, with this reason."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AgendaItemForm(forms.ModelForm):
    # Declared here: a scoped model's queryset cannot be read when the class is built.
    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(), required=False, label=_("Proposal to decide"), empty_label=_("No proposal")
    )

    class Meta:
        model = AgendaItem
        fields = ["title", "minutes_allotted", "owner", "proposal", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, institution, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_field(institution, _("Who leads it"))
        self.fields["proposal"].queryset = proposals


class SuggestionForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["name", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class RSVPForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = RSVP
        fields = [
            "name",
            "email",
            "party_size",
            "children",
            "children_ages",
            "eldercare",
            "transport_from",
            "food",
            "dietary",
            "interpretation",
            "access_needs",
        ]
        widgets = {
            "access_needs": forms.Textarea(attrs={"rows": 2}),
            "party_size": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 20}),
            "children": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 20}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, these mean "just me" and "no children": nobody should have to type a 0.
        self.fields["party_size"].required = False
        self.fields["children"].required = False

    def clean_party_size(self):
        return self.cleaned_data["party_size"] or 1

    def clean_children(self):
        return self.cleaned_data["children"] or 0
