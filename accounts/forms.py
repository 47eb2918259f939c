from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language"]


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth adds e-mail and password)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        required=False,
        help_text=_("How other members will see you. You can change it later."),
    )

    def signup(self, request, user):
        user.name = self.cleaned_data["name"]
        user.language = getattr(request, "LANGUAGE_CODE", user.language)
        user.save(update_fields=["name", "language"])
