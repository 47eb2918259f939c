from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from institutions.models import Membership

from .grievances import NOTE_MAX
from .models import Facilitator, Grievance


class GrievanceForm(forms.ModelForm):
    class Meta:
        model = Grievance
        fields = ["subject", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Grievance.Status.choices)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Add a note"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note.")},
    )


class FacilitatorForm(forms.Form):
    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        named = Facilitator.objects.filter(institution=institution).values("user_id")
        users = (
            get_user_model()
            .objects.filter(memberships__institution=institution, memberships__status=Membership.Status.ACTIVE)
            .exclude(pk__in=named)
            .order_by("name", "email")
        )
        self.fields["user"] = forms.ModelChoiceField(
            label=_("Member"),
            queryset=users,
            empty_label=_("Choose a member…"),
            error_messages={"required": _("Choose a member to name."), "invalid_choice": _("Choose a member to name.")},
        )
        self.fields["user"].label_from_instance = lambda user: user.display_name
