from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from needs.models import Need

from .models import Attachment, FieldNote
from .services import ResearchError, parse_tags


class FieldNoteForm(forms.ModelForm):
    """Write down an earlier effort: who, where, when, what they tried, how it went, and what it teaches."""

    # Declared here: the default field would query every institution's needs (the scoped manager refuses).
    needs = forms.ModelMultipleChoiceField(
        label=_("Needs it concerns"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separate them with commas, e.g. “food, church, volunteers”."),
    )

    class Meta:
        model = FieldNote
        fields = ["title", "ran_by", "place", "period", "outcome", "tried", "evidence", "lessons", "needs"]
        widgets = {
            "outcome": forms.RadioSelect,
            "tried": forms.Textarea(attrs={"rows": 5}),
            "evidence": forms.Textarea(attrs={"rows": 4}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = needs
        self.fields["outcome"].choices = FieldNote.Outcome.choices  # no empty choice: the radio list says it all
        if self.instance.pk:
            self.initial.setdefault("tags", self.instance.tags_text)

    def clean_tags(self):
        try:
            return ", ".join(parse_tags(self.cleaned_data["tags"]))
        except ResearchError as error:
            raise forms.ValidationError(str(error), code="tags") from error


class FieldNoteEditForm(FieldNoteForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    change_note = forms.CharField(
        label=_("What you changed"),
        max_length=300,
        required=False,
        help_text=_("Optional, shown in the note’s history, e.g. “added the 2022 numbers”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("base_version", self.instance.version)


class NoteSearchForm(forms.Form):
    """Search and filters on the notes list (sent with GET, so a search can be bookmarked and shared)."""

    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"enterkeyhint": "search"}),
        help_text=_("Words from the note. Use quotes for an exact phrase, a minus sign to leave a word out."),
    )
    need = forms.ModelChoiceField(
        label=_("Need"), queryset=Need.objects.none(), required=False, empty_label=_("Any need")
    )
    outcome = forms.ChoiceField(label=_("How it went"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args, needs, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs
        self.fields["outcome"].choices = [("", _("Any outcome")), *FieldNote.Outcome.choices]
        self.fields["tag"].choices = [("", _("Any tag")), *((tag.name, tag.name) for tag in tags)]

    @property
    def is_filtered(self):
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": ",".join(Attachment.TYPES)}),
    )
    caption = forms.CharField(
        label=_("What it shows"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “Flyer from the first month”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_mb = round(settings.RESEARCH_ATTACHMENT_MAX_BYTES / 1_000_000, 1)
        self.fields["file"].help_text = _(
            "A PDF document or a photo (JPEG, PNG, WebP or GIF), up to %(limit)s MB. Members can download it; "
            "nobody outside the institution can."
        ) % {"limit": f"{limit_mb:g}"}
