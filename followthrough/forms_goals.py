"""Forms of the goals pages. Querysets of scoped models are set in __init__ (per institution)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import members_field

from .goals import evidence_choices
from .models import Goal, Milestone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "target_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "target_date": DATE_WIDGET}
        error_messages = {"title": {"required": _("Write the goal in a few words.")}}

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_field(institution, _("Who keeps an eye on it"))
        if self.instance.pk:
            self.initial.setdefault("owner", self.instance.owner_id)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Goal.Status.choices,
        error_messages={
            "required": _("Choose: working on it, reached, paused or dropped."),
            "invalid_choice": _("Choose: working on it, reached, paused or dropped."),
        },
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "target_date"]
        widgets = {"target_date": DATE_WIDGET}
        error_messages = {"title": {"required": _("Write the milestone in a few words.")}}


class MilestoneReachedForm(forms.Form):
    reached_on = forms.DateField(
        label=_("Reached on"), required=False, widget=DATE_WIDGET, help_text=_("Leave empty for today.")
    )
    undo = forms.BooleanField(required=False, widget=forms.HiddenInput)


class GoalLinkForm(forms.Form):
    metric = forms.ModelChoiceField(queryset=None, required=False, label=_("A metric"), empty_label=_("None"))
    proposal = forms.ModelChoiceField(queryset=None, required=False, label=_("A decision"), empty_label=_("None"))
    task = forms.ModelChoiceField(queryset=None, required=False, label=_("A task"), empty_label=_("None"))
    note = forms.CharField(label=_("Why it counts"), max_length=300, required=False)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in evidence_choices(institution).items():
            self.fields[name].queryset = queryset
        self.fields["metric"].label_from_instance = lambda metric: metric.name
        self.fields["proposal"].label_from_instance = lambda proposal: proposal.title
        self.fields["task"].label_from_instance = lambda task: task.title

    def clean(self):
        cleaned = super().clean()
        chosen = [name for name in ("metric", "proposal", "task") if cleaned.get(name) is not None]
        if len(chosen) != 1 and not self.errors:
            raise forms.ValidationError(_("Choose one metric, one decision or one task to link."))
        return cleaned
