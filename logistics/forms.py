from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import members_field
from meetings.models import Meeting
from needs.models import Need

from .models import Task


class TaskForm(forms.ModelForm):
    # Declared here: a scoped model's queryset cannot be read when the class is built.
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), required=False, label=_("Meeting it serves"), empty_label=_("None")
    )
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(), required=False, label=_("Need it serves"), empty_label=_("None")
    )

    class Meta:
        model = Task
        fields = ["title", "description", "due_on", "effort", "step", "meeting", "need"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"title": {"required": _("Write what needs doing, in a few words.")}}

    def __init__(self, *args, institution, owner_choice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(institution=institution).order_by("-starts_at")
        self.fields["need"].queryset = Need.objects.filter(institution=institution).order_by("title")
        self.fields["effort"].help_text = _("Small: an hour or so. Medium: an afternoon. Large: more than a day.")
        if owner_choice == "organizer":
            self.fields["owner"] = members_field(institution, _("Who does it"))
            self.fields["owner"].empty_label = _("Nobody yet: anyone can claim it")
        elif owner_choice == "member":
            self.fields["mine"] = forms.BooleanField(label=_("I will do it myself"), required=False)


class AssignForm(forms.Form):
    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_field(institution, _("Who does it"))
        self.fields["owner"].empty_label = _("Nobody yet: anyone can claim it")


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Task.Status.choices,
        error_messages={
            "required": _("Choose a status: open, in progress, done or dropped."),
            "invalid_choice": _("Choose a status: open, in progress, done or dropped."),
        },
    )
