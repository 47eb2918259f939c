"""Forms for supplies and spaces. Booking times are typed in the institution's time zone."""

import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import members_field
from meetings.models import Meeting

from . import supplies
from .models import Space, SupplyItem

COUNT_WIDGET = {"inputmode": "numeric", "min": 0, "max": supplies.MAX_COUNT}


def count_field(label, *, required=True, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=supplies.MAX_COUNT,
        help_text=help_text,
        widget=forms.NumberInput(attrs=COUNT_WIDGET),
        error_messages={
            "required": _("Give a number (0 or more)."),
            "invalid": _("Give a whole number, like 12."),
        },
    )


def date_field(label, *, required=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, like 2026-03-14.")},
    )


class SupplyItemForm(forms.ModelForm):
    needed = count_field(_("How many we need"))
    low_at = count_field(
        _("Warn when we have this many or fewer"),
        required=False,
        help_text=_("Leave empty to warn only when we have fewer than we need."),
    )

    class Meta:
        model = SupplyItem
        fields = ["name", "unit", "needed", "low_at", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"name": {"required": _("Say what the item is, e.g. “Posterboard”.")}}

    def __init__(self, *args, with_count=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_count:  # only when adding: afterwards the count changes with "we now have"
            self.fields["on_hand"] = count_field(_("How many we have now"))
            self.order_fields(["name", "unit", "on_hand", "needed", "low_at", "notes"])


class SupplyCountForm(forms.Form):
    on_hand = count_field(_("We now have"))
    # The count the person saw: a count changed by someone else since is not overwritten.
    was = forms.IntegerField(required=False, min_value=0, max_value=supplies.MAX_COUNT, widget=forms.HiddenInput)


class SupplyGetForm(forms.Form):
    get_by = date_field(_("By when (optional)"))


class SupplyAssignForm(forms.Form):
    get_by = date_field(_("By when (optional)"))

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["getter"] = members_field(institution, _("Who is getting more"))
        self.fields["getter"].empty_label = _("Nobody")
        self.fields["getter"].error_messages["invalid_choice"] = _("Choose an active member, or nobody.")
        self.order_fields(["getter", "get_by"])


class SpaceForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label=_("How many people fit"),
        required=False,
        min_value=1,
        max_value=supplies.MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        error_messages={"invalid": _("Give a whole number, like 20.")},
    )

    class Meta:
        model = Space
        fields = ["name", "kind", "address", "access_details", "capacity", "notes"]
        widgets = {"access_details": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"name": {"required": _("Give the space a name, e.g. “Back room”.")}}


class BookingForm(forms.Form):
    date = date_field(_("Date"), required=True)
    starts = forms.TimeField(
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Give the time it starts, like 18:00."),
            "invalid": _("Give a time, like 18:00."),
        },
    )
    ends = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Give the time it ends, like 20:00."), "invalid": _("Give a time, like 20:00.")},
    )
    next_day = forms.BooleanField(label=_("It ends the next day (past midnight)"), required=False)
    purpose = forms.CharField(
        label=_("What for"),
        max_length=200,
        help_text=_("e.g. “Sign-making party” or “Pick up the vests”."),
        error_messages={"required": _("Say what the booking is for.")},
    )
    # Declared here: a scoped model's queryset cannot be read when the class is built.
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), required=False, label=_("For a meeting (optional)"), empty_label=_("None")
    )

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.space = space
        self.zone = zoneinfo.ZoneInfo(space.institution.time_zone)
        self.fields["meeting"].queryset = supplies.upcoming_meetings(space.institution)
        self.fields["meeting"].error_messages["invalid_choice"] = _("Choose one of the upcoming meetings, or none.")
        self.fields["date"].help_text = _("Times are in the institution's time zone (%(zone)s).") % {
            "zone": space.institution.time_zone
        }

    def _aware(self, day, time, field):
        naive = datetime.combine(day, time)
        aware = naive.replace(tzinfo=self.zone)
        # A time skipped when the clocks go forward does not survive the round trip through UTC.
        if aware.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(self.zone).replace(tzinfo=None) != naive:
            self.add_error(field, _("That time does not exist on that day (the clocks change). Choose another."))
            return None
        return aware

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if day is None or starts is None or ends is None:
            return data
        try:
            end_day = day + timedelta(days=1) if data.get("next_day") else day
        except OverflowError:
            self.add_error("date", _("Bookings can be made at most a year ahead."))
            return data
        starts_at, ends_at = self._aware(day, starts, "starts"), self._aware(end_day, ends, "ends")
        if starts_at is None or ends_at is None:
            return data
        try:
            supplies.check_booking_times(starts_at, ends_at)
        except forms.ValidationError as error:
            self.add_error(None, error)
            return data
        # A friendly early answer; the database still decides when two people book at once.
        clash = supplies.booking_clash(self.space, starts_at, ends_at)
        if clash is not None:
            self.add_error(None, supplies.clash_message(clash))
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data
