"""Writes for research: field notes (every save kept as a version), tags, key reading and attachments."""

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dualpower import uploads
from dualpower.uploads import clean_file_name
from institutions.services import audit_record

from .models import Attachment, FieldNote, FieldNoteVersion, Tag

MAX_TAGS_PER_NOTE = 10


class ResearchError(ValueError):
    """A change research notes do not allow; the message says why, for people."""


class NoteConflict(ResearchError):
    """Someone saved the note after the editor opened it; saving would overwrite their changes."""


def parse_tags(text):
    """Tag names from what a person typed (“food, Eviction, #food”): normalized, without repeats, in order."""
    names = []
    for piece in (text or "").replace("\n", ",").split(","):
        name = Tag.normalize(piece)
        if name and name not in names:
            names.append(name)
    too_long = [name for name in names if len(name) > Tag.MAX_LENGTH]
    if too_long:
        raise ResearchError(
            _("Keep each tag under %(limit)s characters: “%(tag)s…” is longer.")
            % {"limit": Tag.MAX_LENGTH, "tag": too_long[0][:20]}
        )
    if len(names) > MAX_TAGS_PER_NOTE:
        raise ResearchError(
            ngettext("Use at most %(limit)s tag.", "Use at most %(limit)s tags.", MAX_TAGS_PER_NOTE)
            % {"limit": MAX_TAGS_PER_NOTE}
        )
    return names


def _tags_for(institution, names):
    """The institution's Tag rows for these names, creating the missing ones."""
    tags = Tag.objects.with_scope(institution=institution)
    existing = {tag.name: tag for tag in tags.filter(name__in=names)}
    missing = [Tag(institution=institution, name=name) for name in names if name not in existing]
    if missing:
        # Two notes tagged with the same new tag at the same moment: the second insert is skipped.
        tags.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in tags.filter(name__in=names)}
    return [existing[name] for name in names]


def _own(institution, needs):
    """The needs that are the institution's own, each once, in title order."""
    own = {need.pk: need for need in needs if need.institution_id == institution.pk}
    return sorted(own.values(), key=lambda need: (need.title, need.pk))


def _needs_text(needs):
    return "; ".join(need.title for need in needs)[:1000]


@transaction.atomic
def note_create(
    *,
    institution,
    author,
    title,
    tried,
    outcome=FieldNote.Outcome.UNKNOWN,
    ran_by="",
    place="",
    period="",
    evidence="",
    lessons="",
    needs=(),
    tags="",
) -> FieldNote:
    """Write down an earlier effort. It becomes version 1 of the note's history."""
    names = parse_tags(tags)
    note = FieldNote(
        institution=institution,
        author=author,
        updated_by=author,
        title=title.strip(),
        ran_by=ran_by.strip(),
        place=place.strip(),
        period=period.strip(),
        tried=tried.strip(),
        outcome=outcome,
        evidence=evidence.strip(),
        lessons=lessons.strip(),
        tags_text=", ".join(names),
    )
    note.full_clean(exclude=["author", "updated_by", "key_reading_by"])
    note.save()
    needs = _own(institution, needs)
    note.needs.set(needs)
    note.tags.set(_tags_for(institution, names))
    FieldNoteVersion.objects.with_scope(institution=institution).create(
        note=note,
        number=1,
        editor=author,
        created_at=note.created_at,
        needs_text=_needs_text(needs),
        **note.snapshot(),
    )
    audit_record(institution=institution, actor=author, action="field_note.created", title=note.title)
    return note


def _lock(note):
    return FieldNote.objects.with_scope(institution=note.institution).select_for_update().get(pk=note.pk)


@transaction.atomic
def note_update(*, note, editor, base_version=None, change_note="", needs=None, tags=None, **fields) -> FieldNote:
    """Save new texts for a note and keep them as its next version.

    `base_version` is the version the editor started from; if someone saved in between, NoteConflict
    is raised and nothing changes. Saving identical texts keeps the version as it is.
    """
    current = _lock(note)
    if base_version is not None and current.version != base_version:
        raise NoteConflict(
            _(
                "Someone else saved this note while you were editing it. Your text is still in the form: "
                "compare it with the note as it is now, then save again."
            )
        )
    allowed = {"title", "ran_by", "place", "period", "tried", "outcome", "evidence", "lessons"}
    unexpected = set(fields) - allowed
    if unexpected:
        raise TypeError(f"note_update() got unexpected fields {sorted(unexpected)}")
    before = current.snapshot()
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if tags is not None:
        names = parse_tags(tags)
        current.tags_text = ", ".join(names)
    current.full_clean(exclude=["author", "updated_by", "key_reading_by"])
    changed = [name for name, value in current.snapshot().items() if before[name] != value]
    institution = current.institution
    linked = _own(institution, current.needs.all())
    if needs is not None:
        needs = _own(institution, needs)
        if [need.pk for need in needs] != [need.pk for need in linked]:
            changed.append("needs")
        current.needs.set(needs)
        linked = needs
    if tags is not None:
        current.tags.set(_tags_for(institution, names))
    if changed:
        current.version += 1
        current.updated_by, current.updated_at = editor, timezone.now()
        current.save()
        FieldNoteVersion.objects.with_scope(institution=institution).create(
            note=current,
            number=current.version,
            editor=editor,
            change_note=change_note.strip()[:300],
            changed_fields=changed,
            created_at=current.updated_at,
            needs_text=_needs_text(linked),
            **current.snapshot(),
        )
        audit_record(
            institution=institution,
            actor=editor,
            action="field_note.updated",
            title=current.title,
            version=current.version,
        )
    return current


@transaction.atomic
def note_mark_key_reading(*, note, actor, key_reading) -> FieldNote:
    """An organizer marks a note as key reading (listed first everywhere), or takes the mark away."""
    current = _lock(note)
    if current.key_reading == key_reading:
        return current
    current.key_reading = key_reading
    current.key_reading_by = actor if key_reading else None
    current.save(update_fields=["key_reading", "key_reading_by"])
    action = "field_note.key_reading" if key_reading else "field_note.key_reading_removed"
    audit_record(institution=current.institution, actor=actor, action=action, title=current.title)
    return current


def too_large_message():
    return uploads.too_large_message(settings.RESEARCH_ATTACHMENT_MAX_BYTES)


def check_upload(upload):
    """The content type the upload's first bytes prove, or ResearchError saying why it is refused."""
    try:
        return uploads.proven_type(upload, max_bytes=settings.RESEARCH_ATTACHMENT_MAX_BYTES)
    except uploads.UploadRefused as refused:
        raise ResearchError(str(refused)) from refused


@transaction.atomic
def attachment_add(*, note, uploader, upload, caption="") -> Attachment:
    """Attach a file of evidence to a note. Its type comes from its content; anything not a PDF or a
    photo, too large, or beyond the per-note count is refused with ResearchError."""
    current = _lock(note)  # one upload at a time per note, so the count limit holds
    institution = current.institution
    attachments = Attachment.objects.with_scope(institution=institution)
    limit = settings.RESEARCH_ATTACHMENTS_PER_NOTE
    if attachments.filter(note=current).count() >= limit:
        raise ResearchError(
            ngettext(
                "A note can have at most %(limit)s file. Remove one before adding another.",
                "A note can have at most %(limit)s files. Remove one before adding another.",
                limit,
            )
            % {"limit": limit}
        )
    content_type = check_upload(upload)
    attachment = Attachment(
        institution=institution,
        note=current,
        original_name=clean_file_name(upload.name),
        content_type=content_type,
        size=upload.size,
        caption=caption.strip(),
        uploaded_by=uploader,
    )
    attachment.full_clean(exclude=["file", "uploaded_by"])
    attachment.file.save(f"upload{Attachment.TYPES[content_type]}", File(upload), save=False)
    try:
        attachment.save()
        audit_record(
            institution=institution,
            actor=uploader,
            action="attachment.added",
            title=current.title,
            file=attachment.original_name,
        )
    except BaseException:
        # Not saved after all: the stored file must not stay behind without its row.
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment, actor) -> None:
    """Remove a file from a note; the file itself is deleted once the removal is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    audit_record(
        institution=attachment.institution,
        actor=actor,
        action="attachment.removed",
        title=attachment.note.title,
        file=attachment.original_name,
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
