"""Forms for written procedures: writing one, revising it, and acknowledging the current version."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .procedures import BODY_MAX, NOTE_MAX, TITLE_MAX

BODY_HELP = _(
    "Plain text. Leave a blank line between paragraphs; start a line with “- ” for a list. Links are made clickable."
)


class ProcedureForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("e.g. “Opening and closing the pantry” or “How we respond to harassment”."),
        error_messages={"required": _("Give the procedure a title, e.g. “Opening the pantry”.")},
    )
    body = forms.CharField(
        label=_("The procedure"),
        max_length=BODY_MAX,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("Write the procedure itself: the steps people follow.")},
    )


class ReviseForm(ProcedureForm):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("Members who read the earlier version get this in an e-mail, e.g. “Added who keeps the keys”."),
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2_147_483_647, widget=forms.HiddenInput)
