from django import forms

from .models import Need


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["title", "description", "evidence", "people_count"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "evidence": forms.Textarea(attrs={"rows": 3})}


class NeedEditForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["title", "description", "evidence", "people_count", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "evidence": forms.Textarea(attrs={"rows": 3})}
