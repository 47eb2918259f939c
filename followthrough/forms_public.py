from django import forms

from .models import PublicPage
from .public import SECTIONS


class PublicPageForm(forms.ModelForm):
    """One checkbox per section of the public page."""

    class Meta:
        model = PublicPage
        fields = SECTIONS
