from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Method, Proposal


class ProposalForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=6000,
        help_text=_("Only for approval, score, dot and ranked-choice voting: the choices people vote on."),
    )
    deadline = forms.DateTimeField(
        label=_("Voting closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the institution's time zone. You can also set it when you open voting."),
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "text",
            "method",
            "options_text",
            "threshold",
            "dots_per_voter",
            "quorum_percent",
            "secret",
            "hide_results_until_closed",
            "deadline",
            "about_outside_organization",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 8}), "method": forms.RadioSelect}
        help_texts = {
            "text": _("Plain text. Leave a blank line between paragraphs; links become clickable."),
            "threshold": _("Only for a supermajority."),
            "dots_per_voter": _("Only for dot voting."),
            "about_outside_organization": _(
                "Tick it when the proposal would tie us to a party, union, nonprofit or other group: such"
                " proposals are counted on the health page, where pressure from outside groups shows."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import METHOD_EXPLANATIONS

        self.fields["method"].choices = [
            (value, f"{label} — {METHOD_EXPLANATIONS[value]}") for value, label in Method.choices
        ]

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline <= timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("Choose a time in the future."))
        return deadline

    def option_labels(self):
        return [line.strip() for line in self.cleaned_data.get("options_text", "").splitlines() if line.strip()]


class ReviseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 8}))
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)


class OpenVotingForm(forms.Form):
    deadline = forms.DateTimeField(
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the institution's time zone."),
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class HideCommentForm(forms.Form):
    reason = forms.CharField(label=_("Why hide this comment?"), max_length=300)
