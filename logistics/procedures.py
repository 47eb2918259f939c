"""Written procedures (writes and reads): organizers write and revise them, members acknowledge that
they have read the current version, and shift sign-up asks `has_read_current` before a role that
needs one. Every version is kept; a change makes the next one and asks earlier readers to read again.

For the shift sign-up and the health digest:

- `has_read_current(procedure, user) -> bool`
- `unread_for(institution, user)`: active procedures whose current version the user has not read
- `procedure_acknowledge(*, procedure, member, version_number) -> ProcedureAcknowledgement`
- `unread_share(institution)`: per active procedure, how many active members read the current version
"""

import difflib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Membership
from institutions.services import audit_record

from .models import Procedure, ProcedureAcknowledgement, ProcedureVersion

TITLE_MAX = Procedure._meta.get_field("title").max_length
BODY_MAX = ProcedureVersion._meta.get_field("body").max_length
NOTE_MAX = ProcedureVersion._meta.get_field("change_note").max_length

# What a member's relation to a procedure can be (list, matrix).
READ_CURRENT, READ_OLDER, NEVER_READ = "current", "older", "never"


# Writes -------------------------------------------------------------------------------------------


def _active_members(institution):
    return Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE)


def _clean_text(title, body, change_note):
    title, body, change_note = (title or "").strip(), (body or "").strip(), (change_note or "").strip()
    if not title:
        raise ValidationError(_("Give the procedure a title, e.g. “Opening the pantry”."))
    if len(title) > TITLE_MAX:
        raise ValidationError(_("The title is too long: at most %(limit)d characters.") % {"limit": TITLE_MAX})
    if not body:
        raise ValidationError(_("Write the procedure itself: the steps people follow."))
    if len(body) > BODY_MAX:
        raise ValidationError(_("The procedure is too long: at most %(limit)d characters.") % {"limit": BODY_MAX})
    if len(change_note) > NOTE_MAX:
        raise ValidationError(_("Say what changed in at most %(limit)d characters.") % {"limit": NOTE_MAX})
    return title, body, change_note


@transaction.atomic
def procedure_create(*, institution, author, title, body) -> Procedure:
    """Write a new procedure; its text becomes version 1."""
    title, body, _note = _clean_text(title, body, "")
    procedure = Procedure.objects.create(institution=institution, title=title, created_by=author)
    version = ProcedureVersion.objects.create(
        institution=institution, procedure=procedure, number=1, body=body, written_by=author
    )
    procedure.current = version
    procedure.save(update_fields=["current"])
    audit_record(institution=institution, actor=author, action="procedure.created", procedure=procedure.pk)
    return procedure


def _locked(procedure):
    # Locks the row so a revision and an acknowledgement (or two revisions) take turns.
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


@transaction.atomic
def procedure_revise(*, procedure, author, title, body, change_note) -> Procedure:
    """Change a procedure. A new text becomes the next version (the old ones stay readable) and the
    members who read an earlier version are asked, by e-mail, to read it again. A new title alone
    renames it without a new version."""
    from .tasks_procedures import tell_procedure_changed

    title, body, change_note = _clean_text(title, body, change_note)
    locked = _locked(procedure)
    current = ProcedureVersion.objects.filter(pk=locked.current_id).first()
    if current is not None and current.body == body:
        if title == locked.title:
            raise ValidationError(_("Nothing changed: edit the text or the title, or leave it as it is."))
        locked.title = title
        locked.save(update_fields=["title"])
        audit_record(institution=locked.institution, actor=author, action="procedure.renamed", procedure=locked.pk)
        procedure.title = locked.title
        return procedure
    if not change_note:
        raise ValidationError(_("Say what changed, so members know what to look for."))
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ProcedureVersion.objects.create(
        institution=locked.institution,
        procedure=locked,
        number=number,
        body=body,
        change_note=change_note,
        written_by=author,
    )
    locked.title, locked.current = title, version
    locked.save(update_fields=["title", "current"])
    audit_record(
        institution=locked.institution, actor=author, action="procedure.revised", procedure=locked.pk, version=number
    )
    if number > 1:
        tell_procedure_changed.enqueue(institution=locked.institution, version_id=version.pk)
    procedure.title, procedure.current, procedure.current_id = locked.title, version, version.pk
    return procedure


@transaction.atomic
def procedure_archive(*, procedure, actor) -> Procedure:
    """Set a procedure aside: it leaves the lists and the reading reminders; its versions stay."""
    if procedure.archived_at is None:
        procedure.archived_at = timezone.now()
        procedure.save(update_fields=["archived_at"])
        audit_record(
            institution=procedure.institution, actor=actor, action="procedure.archived", procedure=procedure.pk
        )
    return procedure


@transaction.atomic
def procedure_unarchive(*, procedure, actor) -> Procedure:
    """Bring an archived procedure back."""
    if procedure.archived_at is not None:
        procedure.archived_at = None
        procedure.save(update_fields=["archived_at"])
        audit_record(
            institution=procedure.institution, actor=actor, action="procedure.unarchived", procedure=procedure.pk
        )
    return procedure


@transaction.atomic
def procedure_acknowledge(*, procedure, member, version_number) -> ProcedureAcknowledgement:
    """Record that `member` has read version `version_number`, which must be the current one (a page
    opened before a revision cannot acknowledge the text it no longer shows). Pressing twice keeps
    one acknowledgement."""
    locked = _locked(procedure)
    if not _active_members(locked.institution_id).filter(user=member).exists():
        raise ValidationError(_("Only an active member of the institution can acknowledge a procedure."))
    if locked.archived_at is not None:
        raise ValidationError(_("This procedure is archived: there is nothing to acknowledge."))
    current = ProcedureVersion.objects.filter(pk=locked.current_id).first()
    if current is None:
        raise ValidationError(_("This procedure has no text yet."))
    if version_number != current.number:
        raise ValidationError(
            _(
                "This procedure changed since you opened it: version %(number)d is the current one. "
                "Read it, then confirm again."
            )
            % {"number": current.number}
        )
    found = ProcedureAcknowledgement.objects.filter(version=current, member=member).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ProcedureAcknowledgement.objects.create(
                institution_id=locked.institution_id, version=current, member=member
            )
    except IntegrityError:  # the same member pressed twice at once: the first press stands
        return ProcedureAcknowledgement.objects.get(version=current, member=member)


# Reads --------------------------------------------------------------------------------------------


def get_procedure_or_404(institution, pk):
    return get_object_or_404(
        Procedure.objects.select_related("institution", "current", "current__written_by"),
        institution=institution,
        pk=pk,
    )


def get_version_or_404(procedure, number):
    return get_object_or_404(ProcedureVersion.objects.select_related("written_by"), procedure=procedure, number=number)


def _read_current_by(user):
    return Exists(ProcedureAcknowledgement.objects.filter(version=OuterRef("current"), member=user))


def has_read_current(procedure, user) -> bool:
    """Has `user` acknowledged the current version of `procedure`? True when there is nothing to
    read (no procedure, or one without a version); one query otherwise."""
    if procedure is None or procedure.current_id is None:
        return True
    if user is None or not user.is_authenticated:
        return False
    return ProcedureAcknowledgement.objects.filter(version_id=procedure.current_id, member=user).exists()


def active_procedures(institution):
    return Procedure.objects.filter(institution=institution, archived_at__isnull=True, current__isnull=False)


def unread_for(institution, user):
    """The active procedures whose current version `user` has not acknowledged, by title (one query)."""
    return (
        active_procedures(institution).exclude(_read_current_by(user)).select_related("current").order_by("title", "pk")
    )


def _read_count():
    """A procedure annotation: how many active members acknowledged its current version."""
    readers = ProcedureAcknowledgement.objects.filter(
        version=OuterRef("current"),
        member__memberships__institution=OuterRef("institution"),
        member__memberships__status=Membership.Status.ACTIVE,
    ).order_by()
    counted = readers.values("version").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass
class ReadShare:
    procedure: Procedure
    read: int
    total: int


def unread_share(institution) -> list[ReadShare]:
    """For each active procedure: how many active members have read its current version, out of how
    many active members (two queries, whatever the number of procedures and members)."""
    total = active_member_count(institution)
    procedures = active_procedures(institution).select_related("current").annotate(read=_read_count())
    return [ReadShare(procedure, procedure.read, total) for procedure in procedures.order_by("title", "pk")]


def procedure_list(institution, user, *, archived=False):
    """Procedures with their current version and, for `user`, `read_current` and `read_older`, plus
    `read` (active members who read the current version). One query."""
    read_any = Exists(ProcedureAcknowledgement.objects.filter(version__procedure=OuterRef("pk"), member=user))
    procedures = Procedure.objects.filter(institution=institution, archived_at__isnull=not archived)
    return (
        procedures.select_related("current")
        .annotate(read_current=_read_current_by(user), read_any=read_any, read=_read_count())
        .order_by("title", "pk")
    )


def reading_state(procedure):
    """READ_CURRENT, READ_OLDER or NEVER_READ, for a procedure from `procedure_list`."""
    if procedure.read_current:
        return READ_CURRENT
    return READ_OLDER if procedure.read_any else NEVER_READ


def active_member_count(institution) -> int:
    return _active_members(institution).count()


def previous_version(version):
    """The version before this one, or None for the first."""
    earlier = ProcedureVersion.objects.filter(procedure_id=version.procedure_id, number__lt=version.number)
    return earlier.order_by("-number").first()


def versions_of(procedure):
    return ProcedureVersion.objects.filter(procedure=procedure).select_related("written_by").order_by("-number")


def latest_acknowledgement(procedure, user):
    """The user's acknowledgement of the latest version of `procedure` they have read (with its
    version), or None. It is of the current version when `.version_id == procedure.current_id`."""
    return (
        ProcedureAcknowledgement.objects.filter(version__procedure=procedure, member=user)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


@dataclass
class ReadingRow:
    user: object
    states: list  # one state per procedure, in the order of the matrix's procedures


@dataclass
class ProcedureReaders:
    procedure: Procedure
    missing: list = field(default_factory=list)  # (user, READ_OLDER or NEVER_READ)


@dataclass
class ReadingMatrix:
    procedures: list
    rows: list
    missing: list  # a ProcedureReaders per procedure


def _state(latest_read, current):
    if latest_read is None:
        return NEVER_READ
    return READ_CURRENT if latest_read >= current else READ_OLDER


def reading_matrix(institution) -> ReadingMatrix:
    """Who has read what: active members × active procedures, each cell READ_CURRENT, READ_OLDER or
    NEVER_READ, and per procedure the members who have not read the current version. Three queries,
    whatever the number of members and procedures."""
    procedures = list(active_procedures(institution).select_related("current").order_by("title", "pk"))
    members = [
        membership.user
        for membership in _active_members(institution).select_related("user").order_by("user__name", "user__email")
    ]
    latest = {
        (row["member"], row["version__procedure"]): row["latest"]
        for row in ProcedureAcknowledgement.objects.filter(
            institution=institution, version__procedure__in=[procedure.pk for procedure in procedures]
        )
        .values("member", "version__procedure")
        .annotate(latest=Max("version__number"))
        .order_by()
    }
    missing = [ProcedureReaders(procedure) for procedure in procedures]
    rows = []
    for user in members:
        states = []
        for procedure, readers in zip(procedures, missing, strict=True):
            number = latest.get((user.pk, procedure.pk))
            state = _state(number, procedure.current.number)
            states.append(state)
            if state != READ_CURRENT:
                readers.missing.append((user, state))
        rows.append(ReadingRow(user, states))
    return ReadingMatrix(procedures, rows, missing)


@dataclass
class DiffLine:
    kind: str  # "same", "removed" or "added"
    text: str


def line_diff(old, new) -> list[DiffLine]:
    """The lines of `new` compared with `old`: kept, removed and added, in reading order."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", text) for text in new_lines[b1:b2]]
            continue
        lines += [DiffLine("removed", text) for text in old_lines[a1:a2]]
        lines += [DiffLine("added", text) for text in new_lines[b1:b2]]
    return lines
