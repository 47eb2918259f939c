from django import forms
from django.utils.translation import gettext_lazy as _

from needs.models import Need

from .models import OutreachEntry


class OutreachForm(forms.ModelForm):
    # Declared here: the default field would query every institution's needs (the scoped manager refuses).
    needs = forms.ModelMultipleChoiceField(
        label=_("needs that came up"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OutreachEntry
        fields = ["happened_on", "channel", "place", "people_count", "notes", "needs"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs
