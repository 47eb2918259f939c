"""Forms of roles, shifts, attendance and the logistics settings."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.forms import members_field

from .models import LogisticsSettings, Procedure, Shift, ShiftSignup, VolunteerRole

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class RoleForm(forms.ModelForm):
    procedure = forms.ModelChoiceField(
        queryset=Procedure.objects.none(),
        required=False,
        label=_("Procedure to read first"),
        empty_label=_("None"),
        help_text=_("Members signing up for this role's shifts are shown it until they have read it."),
    )

    class Meta:
        model = VolunteerRole
        fields = ["name", "description", "procedure"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": _("Give the role a name.")}}

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.filter(
            institution=institution, archived_at__isnull=True
        ).order_by("title")


class ShiftForm(forms.ModelForm):
    role = forms.ModelChoiceField(
        queryset=VolunteerRole.objects.none(),
        label=_("Role"),
        error_messages={"required": _("Choose the role of this shift.")},
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On which days (for weekly shifts)"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose days of the week from the list.")},
    )

    class Meta:
        model = Shift
        fields = [
            "role",
            "place",
            "repeat",
            "weekdays",
            "starts_on",
            "until",
            "start_time",
            "end_time",
            "min_people",
            "max_people",
            "lead",
            "notes",
        ]
        widgets = {
            "repeat": forms.RadioSelect,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "place": {"required": _("Say where the shift happens.")},
            "starts_on": {"required": _("Give the first date."), "invalid": _("Give the date as YYYY-MM-DD.")},
            "until": {"invalid": _("Give the date as YYYY-MM-DD.")},
            "start_time": {"required": _("Give the start time."), "invalid": _("Give the time as HH:MM.")},
            "end_time": {"required": _("Give the end time."), "invalid": _("Give the time as HH:MM.")},
        }

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        # An archived role stays choosable on the shift that already has it.
        in_use = Q(archived_at__isnull=True) | Q(pk=self.instance.role_id)
        self.fields["role"].queryset = VolunteerRole.objects.filter(in_use, institution=institution).order_by("name")
        self.fields["lead"] = members_field(institution, _("Shift lead"))
        self.fields["lead"].required = False
        self.fields["lead"].empty_label = _("Nobody: organizers mark attendance")
        self.fields["lead"].help_text = _("Marks who came. Organizers can too.")
        if self.instance.pk:
            self.initial["weekdays"] = list(self.instance.weekdays)

    def clean_weekdays(self):
        return "".join(sorted(set(self.cleaned_data["weekdays"])))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat") == Shift.Repeat.WEEKLY and not cleaned.get("weekdays") and "weekdays" in cleaned:
            self.add_error("weekdays", _("Choose the days of the week the shift happens."))
        if (
            cleaned.get("min_people") is not None
            and cleaned.get("max_people") is not None
            and cleaned["max_people"] < cleaned["min_people"]
        ):
            self.add_error("max_people", _("There must be at least as many places as people needed."))
        return cleaned

    def _post_clean(self):
        # The model's checks run in the service, with the institution's rules: skip the form's copy.
        pass


class SkipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not happening (sent to the people signed up)"), max_length=300, required=False
    )


class SignupForm(forms.Form):
    """Signing up; when the role needs a procedure the member has not read, they confirm reading it."""

    read_procedure = forms.BooleanField(required=False)

    def __init__(self, *args, procedure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        if procedure is not None:
            self.fields["read_procedure"].label = _("I have read “%(title)s” above") % {"title": procedure.title}

    def clean(self):
        cleaned = super().clean()
        if self.procedure is not None and not cleaned.get("read_procedure"):
            raise forms.ValidationError(
                _("This role asks that you read “%(title)s” first: read it, tick the box, and sign up.")
                % {"title": self.procedure.title}
            )
        return cleaned


class AttendanceForm(forms.Form):
    """One choice per person signed up: done, missed or excused."""

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.signups = signups
        for signup in signups:
            self.fields[f"signup_{signup.pk}"] = forms.ChoiceField(
                label=signup.member.display_name,
                choices=ShiftSignup.Attendance.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=signup.attendance or None,
                error_messages={"invalid_choice": _("Mark each person as done, missed or excused.")},
            )

    def marks(self):
        return {
            signup.pk: self.cleaned_data[f"signup_{signup.pk}"]
            for signup in self.signups
            if self.cleaned_data.get(f"signup_{signup.pk}")
        }

    def rows(self):
        return [(signup, self[f"signup_{signup.pk}"]) for signup in self.signups]


class LogisticsSettingsForm(forms.ModelForm):
    class Meta:
        model = LogisticsSettings
        fields = ["late_cancel_hours", "currency", "approval_threshold", "ledger_public"]
        error_messages = {
            "late_cancel_hours": {
                "min_value": _("Use a number of hours from 1 to 168."),
                "max_value": _("Use a number of hours from 1 to 168."),
            },
        }

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()
