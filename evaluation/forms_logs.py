"""Forms of field logs: metrics, log forms (which metrics, in which order), a log entry (one number box
per metric, sized for thumbs), the entry list's filters, and recorded changes."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import VolunteerRole

from .logs import MAX_VALUE, NOTES_MAX
from .models import Change, LogForm, Metric

DATE_WIDGET = {"type": "date"}
RATINGS = [(str(value), str(value)) for value in range(1, 6)]


class MetricForm(forms.ModelForm):
    goal = forms.DecimalField(
        label=_("Goal"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=-MAX_VALUE,
        max_value=MAX_VALUE,
        help_text=_("Optional. Drawn as a line on the chart."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )

    class Meta:
        model = Metric
        fields = ["name", "kind", "unit", "goal", "direction", "description"]
        widgets = {
            "kind": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"name": {"required": _("Say what you count.")}}

    def _post_clean(self):
        # The model's checks run in the service, with the institution's rules: skip the form's copy.
        pass


class LogFormForm(forms.ModelForm):
    """The form's name, the role whose shifts it logs, and for each metric: on the form or not, its
    place in the order, and whether it must be filled."""

    role = forms.ModelChoiceField(
        queryset=VolunteerRole.objects.none(),
        required=False,
        label=_("For the shifts of"),
        empty_label=_("No role: filled after any event"),
        help_text=_("After a shift of this role, its date page offers this form."),
    )

    class Meta:
        model = LogForm
        fields = ["name", "description", "role"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"name": {"required": _("Give the log form a name.")}}

    def __init__(self, *args, institution, metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = VolunteerRole.objects.filter(institution=institution).order_by("name")
        self.metrics = metrics
        current = {}
        if self.instance.pk:
            current = {field.metric_id: field for field in self.instance.ordered_fields}
        for number, metric in enumerate(metrics, start=1):
            field = current.get(metric.pk)
            self.fields[f"metric_{metric.pk}"] = forms.BooleanField(
                label=_("On the form"), required=False, initial=field is not None
            )
            self.fields[f"position_{metric.pk}"] = forms.IntegerField(
                label=_("Place in the order"),
                min_value=1,
                max_value=999,
                required=False,
                initial=(field.position + 1) if field is not None else number + len(current),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"required_{metric.pk}"] = forms.BooleanField(
                label=_("Must be filled"), required=False, initial=field.required if field is not None else False
            )

    def metric_rows(self):
        return [
            (metric, self[f"metric_{metric.pk}"], self[f"position_{metric.pk}"], self[f"required_{metric.pk}"])
            for metric in self.metrics
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = [
            (cleaned.get(f"position_{metric.pk}") or 999, index, metric, bool(cleaned.get(f"required_{metric.pk}")))
            for index, metric in enumerate(self.metrics)
            if cleaned.get(f"metric_{metric.pk}")
        ]
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose at least one thing to count on this form."))
        cleaned["chosen"] = [(metric, required) for _position, _index, metric, required in sorted(chosen)]
        return cleaned

    def _post_clean(self):
        pass


def value_field(metric, *, required):
    """The box (or, for ratings, the five buttons) a member fills for one metric."""
    label = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
    common = {"label": label, "required": required, "help_text": metric.description}
    if metric.kind == Metric.Kind.RATING:
        return forms.TypedChoiceField(
            choices=RATINGS,
            coerce=int,
            empty_value=None,  # not rated: no value, like an empty number box
            widget=forms.RadioSelect,
            error_messages={
                "invalid_choice": _("Choose a rating from 1 to 5."),
                "required": _("Choose a rating from 1 to 5."),
            },
            **common,
        )
    if metric.kind == Metric.Kind.COUNT:
        return forms.IntegerField(
            min_value=0,
            max_value=int(MAX_VALUE),
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "step": "1"}),
            error_messages={
                "invalid": _("Give a whole number, 0 or more."),
                "min_value": _("Give a whole number, 0 or more."),
                "max_value": _("Give a number up to 1,000,000."),
                "required": _("Fill this in: 0 if there were none."),
            },
            **common,
        )
    return forms.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=-MAX_VALUE,
        max_value=MAX_VALUE,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={
            "invalid": _("Give a number, with at most two decimals."),
            "max_decimal_places": _("Use at most two decimals."),
            "max_digits": _("Give a number up to 1,000,000."),
            "max_whole_digits": _("Give a number up to 1,000,000."),
            "min_value": _("Give a number from -1,000,000 to 1,000,000."),
            "max_value": _("Give a number up to 1,000,000."),
            "required": _("Fill this in."),
        },
        **common,
    )


class EntryForm(forms.Form):
    """A log entry: the date, one field per metric of the form, notes."""

    happened_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date."), "invalid": _("Give the date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, fields, values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.log_fields = fields
        values = values or {}
        for field in fields:
            name = f"value_{field.metric_id}"
            self.fields[name] = value_field(field.metric, required=field.required)
            if field.metric_id in values:
                value = values[field.metric_id]
                self.initial[name] = int(value) if field.metric.kind != Metric.Kind.NUMBER else value.normalize()
        self.fields["notes"] = forms.CharField(
            label=_("Notes"),
            required=False,
            max_length=NOTES_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Optional: anything the numbers do not say."),
            error_messages={"max_length": _("Keep the notes under %(limit)s characters.") % {"limit": NOTES_MAX}},
        )

    def value_rows(self):
        return [(field, self[f"value_{field.metric_id}"]) for field in self.log_fields]

    def values(self):
        """{metric id: value or None} as the service takes them."""
        return {field.metric_id: self.cleaned_data.get(f"value_{field.metric_id}") for field in self.log_fields}


class EntryFilterForm(forms.Form):
    form = forms.ChoiceField(label=_("Log form"), required=False)
    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args, forms_list, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [("", _("All forms"))] + [(str(item.pk), item.name) for item in forms_list]
        self.fields["month"].choices = [("", _("All months"))] + [
            (month.strftime("%Y-%m"), month.strftime("%Y-%m")) for month in months
        ]

    def filters(self, forms_list):
        """(log form or None, first day of the month or None); anything unknown means no filter."""
        if not self.is_valid():
            return None, None
        by_pk = {str(item.pk): item for item in forms_list}
        month = self.cleaned_data["month"]
        return by_pk.get(self.cleaned_data["form"]), date.fromisoformat(f"{month}-01") if month else None


class ChangeForm(forms.ModelForm):
    class Meta:
        model = Change
        fields = ["made_on", "title", "description"]
        widgets = {
            "made_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "made_on": {"required": _("Give the date of the change."), "invalid": _("Give the date as YYYY-MM-DD.")},
            "title": {"required": _("Say what you changed.")},
        }

    def _post_clean(self):
        pass
