"""Step 3: research. Each earlier effort on a problem is a field experiment, written down as a field
note: who ran it, where and when, what they tried, how it went, the evidence, and what it teaches."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dualpower.uploads import ACCEPTED_TYPES


class Tag(models.Model):
    """A short label an institution puts on its notes (e.g. “eviction”, “food”); names are kept lowercase."""

    MAX_LENGTH = 40

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("tag"), max_length=MAX_LENGTH)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="research_tag_unique_name")]

    def __str__(self):
        return self.name

    @staticmethod
    def normalize(name):
        """The stored form of a tag: trimmed, lowercase, inner spaces collapsed, no leading “#”."""
        return " ".join(str(name).strip().lstrip("#").split()).lower()


class FieldNote(models.Model):
    """One earlier effort on a problem, read as a field experiment. Members write and edit notes;
    every saved version is kept (FieldNoteVersion), and organizers can mark a note as key reading."""

    class Outcome(models.TextChoices):
        WORKED = "worked", _("It worked")
        PARTLY = "partly", _("It partly worked")
        FAILED = "failed", _("It did not work")
        UNKNOWN = "unknown", _("We don’t know yet")

    # The texts a version keeps, in the order the history shows them.
    VERSIONED_FIELDS = ("title", "ran_by", "place", "period", "outcome", "tried", "evidence", "lessons", "tags_text")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="field_notes")
    title = models.CharField(
        _("title"), max_length=200, help_text=_("e.g. “Church pantry on 5th Street closes after two years”.")
    )
    ran_by = models.CharField(
        _("who ran it"), max_length=200, blank=True, help_text=_("A group, a person, an agency, or “we did”.")
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    period = models.CharField(
        _("when"), max_length=100, blank=True, help_text=_("As precise as you know it: “2019 to 2021”, “spring 2023”.")
    )
    tried = models.TextField(_("what they tried"), max_length=10_000)
    outcome = models.CharField(_("how it went"), max_length=20, choices=Outcome.choices, default=Outcome.UNKNOWN)
    evidence = models.TextField(
        _("evidence"),
        max_length=10_000,
        blank=True,
        help_text=_(
            "Numbers, what people said, links to reports or articles. Files go on the note’s page once it is saved."
        ),
    )
    lessons = models.TextField(
        _("what it teaches us"),
        max_length=5_000,
        blank=True,
        help_text=_("What would you do the same, or differently?"),
    )
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="field_notes", verbose_name=_("needs it concerns")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes", verbose_name=_("tags"))
    # The tags as written when last saved, so a version can keep them as text.
    tags_text = models.CharField(max_length=500, blank=True)
    key_reading = models.BooleanField(_("key reading"), default=False)
    key_reading_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-key_reading", "-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["worked", "partly", "failed", "unknown"]), name="research_note_outcome_known"
            ),
        ]
        indexes = [models.Index(fields=["institution", "outcome"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("research:detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    def snapshot(self):
        """The texts a version keeps, as they are now."""
        return {name: getattr(self, name) for name in self.VERSIONED_FIELDS}


class FieldNoteVersion(models.Model):
    """A note's texts as one save left them: version 1 is the note as first written."""

    note = models.ForeignKey(FieldNote, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    ran_by = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=200, blank=True)
    period = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=20, choices=FieldNote.Outcome.choices)
    tried = models.TextField(max_length=10_000)
    evidence = models.TextField(max_length=10_000, blank=True)
    lessons = models.TextField(max_length=5_000, blank=True)
    tags_text = models.CharField(max_length=500, blank=True)
    needs_text = models.CharField(max_length=1000, blank=True)
    change_note = models.CharField(_("what you changed"), max_length=300, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="note__institution")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="research_note_version_unique")]

    def __str__(self):
        return f"{self.note_id} v{self.number}"

    def changed_labels(self):
        """The names of what this save changed, in the reader's language."""
        fields = [*FieldNote.VERSIONED_FIELDS, "needs"]
        return [_label(name) for name in fields if name in self.changed_fields]


def _label(name):
    return str(_("tags")) if name == "tags_text" else str(FieldNote._meta.get_field(name).verbose_name)


def attachment_path(attachment, filename):
    # The stored name is random; the uploaded name is kept only as text, for the download.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"research/{attachment.institution_id}/{secrets.token_urlsafe(18)}{suffix}"


class Attachment(models.Model):
    """A file of evidence on a note (a report as PDF, a photo). Kept under MEDIA_ROOT, never served as
    static: only members download it, through the app, as an attachment."""

    # Types we accept, recognised from the file's first bytes (never from its name or the browser's word).
    TYPES = ACCEPTED_TYPES

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(FieldNote, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    caption = models.CharField(
        _("what it shows"), max_length=200, blank=True, help_text=_("e.g. “Flyer from the first month”.")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse(
            "research:attachment",
            kwargs={"institution_slug": self.institution.slug, "pk": self.note_id, "attachment_pk": self.pk},
        )

    @property
    def kind_label(self):
        return "PDF" if self.content_type == "application/pdf" else self.content_type.split("/")[-1].upper()
