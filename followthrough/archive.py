"""The institution archive: everything an institution holds, as one ZIP file that `import_institution`
restores. The format is described in EXPORT_FORMAT.md; bump FORMAT_VERSION when it changes.

Which models belong to an institution is worked out from the models themselves (each has a path of
foreign keys to Institution); FAMILIES sorts them into one JSON document each, and a test fails when a
model with institution data is in no family.
"""

import base64
import csv
import datetime
import decimal
import hashlib
import io
import json
import uuid
import zipfile

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.utils import timezone, translation
from django.utils.duration import duration_iso_string
from django_scopes import scope, scopes_disabled

from dualpower.public_pages import mark_changed

FORMAT_NAME = "dualpower-institution-export"
FORMAT_VERSION = 1
CHUNK_SIZE = 2000
IMPORT_BATCH = 200  # rows an import holds at once (one query finds which of their numbers are taken)
INSERT_ROWS = 50  # rows built before they are inserted in one statement, held whole until it has run
FILE_CHUNK_BYTES = 1 << 20

# One JSON document per family, written in this order. The institution row itself comes first.
FAMILIES = {
    "institution": [
        "institutions.Institution",
        "institutions.Membership",
        "institutions.Invitation",
        "institutions.JoinRequest",
        "institutions.AuditEntry",
        "notifications.MailPreference",
        "notifications.Delivery",
    ],
    "decisions": [
        "decisions.Proposal",
        "decisions.ProposalVersion",
        "decisions.Option",
        "decisions.Comment",
        "decisions.RollEntry",
        "decisions.Ballot",
        "decisions.SecretBallot",
    ],
    "needs": [
        "needs.Need",
        "needs.Survey",
        "needs.Question",
        "needs.Choice",
        "needs.Theme",
        "needs.Response",
        "needs.Answer",
        "needs.SurveyContact",
    ],
    "consultation": [
        "consultation.OutreachEntry",
        "consultation.ConsultationRound",
        "consultation.ConsultationResponse",
        "consultation.NeedRating",
    ],
    "research": ["research.Tag", "research.FieldNote", "research.FieldNoteVersion", "research.Attachment"],
    "meetings": [
        "meetings.Meeting",
        "meetings.AgendaItem",
        "meetings.Suggestion",
        "meetings.RSVP",
        "meetings.Attendance",
        "meetings.MeetingDecision",
        "meetings.ActionItem",
        "meetings.CalendarFeed",
    ],
    "logistics": [
        "logistics.LogisticsSettings",
        "logistics.LedgerCategory",
        "logistics.LedgerEntry",
        "logistics.LedgerEntryVersion",
        "logistics.Procedure",
        "logistics.ProcedureVersion",
        "logistics.ProcedureAcknowledgement",
        "logistics.VolunteerRole",
        "logistics.Shift",
        "logistics.ShiftOccurrence",
        "logistics.ShiftSignup",
        "logistics.StandInRequest",
        "logistics.SupplyItem",
        "logistics.Space",
        "logistics.SpaceBooking",
        "logistics.Task",
        "logistics.SupportLine",
    ],
    "evaluation": [
        "evaluation.EvaluationSettings",
        "evaluation.HealthStatus",
        "evaluation.CheckIn",
        "evaluation.Facilitator",
        "evaluation.Grievance",
        "evaluation.GrievanceEvent",
        "evaluation.Incident",
        "evaluation.Metric",
        "evaluation.LogForm",
        "evaluation.LogFormField",
        "evaluation.LogEntry",
        "evaluation.LogValue",
        "evaluation.Change",
        "evaluation.SelfEvaluation",
        "evaluation.SelfEvaluationResponse",
        "evaluation.SelfEvaluationAnswer",
    ],
    "followthrough": [
        "followthrough.Goal",
        "followthrough.Milestone",
        "followthrough.GoalLink",
        "followthrough.OrganizerTerm",
        "followthrough.IndependenceCheck",
        "followthrough.PublicPage",
    ],
}

# Models with institution data that are deliberately left out, and why.
NOT_EXPORTED = {
    "followthrough.ExportJob": "the exports themselves: files and links of this server only",
}


# Which models belong to an institution ------------------------------------------------------------


def institution_model():
    return apps.get_model("institutions", "Institution")


def institution_path(model, _seen=()):
    """The lookup from `model` to its Institution ("institution", "proposal__institution", "pk" for the
    institution itself), or None when its rows belong to no institution. Shortest path wins, through
    required foreign keys before optional ones."""
    institution = institution_model()
    if model is institution:
        return "pk"
    best = None
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model in _seen or field.related_model is model:
            continue
        if field.related_model is institution:
            candidate = (0, field.null, field.name)
        elif field.related_model is get_user_model() or field.related_model is ContentType:
            continue
        else:
            rest = institution_path(field.related_model, (*_seen, model))
            if rest is None or rest == "pk":
                continue
            candidate = (rest.count("__") + 1, field.null, f"{field.name}__{rest}")
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def models_with_institution_data():
    """Every installed model whose rows belong to an institution, as labels."""
    return {model._meta.label for model in apps.get_models() if institution_path(model) is not None}


def covered_models():
    """(family, model) for every exported model, in the archive's order."""
    return [(family, apps.get_model(label)) for family, labels in FAMILIES.items() for label in labels]


def rows_of(model, institution):
    """The institution's rows of `model`, without the tenant scope (the caller is the archive)."""
    path = institution_path(model)
    return model._base_manager.filter(**{path: institution.pk}).order_by("pk")


def file_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]


def user_fields(model):
    user = get_user_model()
    return [field for field in model._meta.concrete_fields if field.is_relation and field.related_model is user]


def plain_m2m_fields(model):
    """Many-to-many fields with Django's own table between (custom ones are exported as models)."""
    return [field for field in model._meta.local_many_to_many if field.remote_field.through._meta.auto_created]


# Writing ----------------------------------------------------------------------------------------------


def encode(value):
    """JSON for the values json does not know; exact, so an import gets the same value back."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()  # what BinaryField.to_python reads back
    raise TypeError(f"{type(value).__name__} is not exportable")


class _Member:
    """One file inside the ZIP, written piece by piece, with its sha256 and size kept for the manifest."""

    def __init__(self, archive, name):
        self.name = name
        self.stream = archive.open(name, "w", force_zip64=True)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.digest.update(data)
        self.size += len(data)
        self.stream.write(data)
        return data

    def close(self):
        self.stream.close()
        return {"name": self.name, "size": self.size, "sha256": self.digest.hexdigest()}


class _Line:
    def write(self, value):
        return value


def _dumps(value):
    return json.dumps(value, default=encode, ensure_ascii=False, separators=(",", ":"))


def _write_family(archive, institution, family, family_models, counts, people, stored_files):
    """`<family>.json`: {"format", "version", "family", "models": {label: [row, ...]}, "m2m": {...}}, row by
    row, so memory stays flat whatever the number of rows."""
    member = _Member(archive, f"{family}.json")
    member.write(f'{{"format":{_dumps(FORMAT_NAME)},"version":{FORMAT_VERSION},"family":{_dumps(family)},"models":{{')
    relations = []
    for index, model in enumerate(family_models):
        label = model._meta.label
        member.write(("," if index else "") + f"{_dumps(label)}:[")
        attnames = [field.attname for field in model._meta.concrete_fields]
        users = [field.attname for field in user_fields(model)]
        files = [field.attname for field in file_fields(model)]
        kinds = [
            field for field in model._meta.concrete_fields if field.is_relation and field.related_model is ContentType
        ]
        total = 0
        for row in rows_of(model, institution).values(*attnames).iterator(chunk_size=CHUNK_SIZE):
            for field in kinds:  # content types differ between databases: name them by (app label, model)
                if row[field.attname] is not None:
                    row[f"{field.name}_natural"] = ContentType.objects.get_for_id(row[field.attname]).natural_key()
            member.write(("," if total else "") + _dumps(row))
            total += 1
            people.update(row[name] for name in users if row[name] is not None)
            stored_files.update(row[name] for name in files if row[name])
        member.write("]")
        counts[label] = total
        relations += [(model, field) for field in plain_m2m_fields(model)]
    member.write('},"m2m":{')
    for index, (model, field) in enumerate(relations):
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        key = f"{model._meta.label}.{field.name}"
        member.write(("," if index else "") + f"{_dumps(key)}:[")
        pairs = (
            through._base_manager.filter(**{f"{source}__in": rows_of(model, institution).values("pk")})
            .order_by("pk")
            .values_list(f"{source}_id", f"{target}_id")
        )
        total = 0
        for pair in pairs.iterator(chunk_size=CHUNK_SIZE):
            member.write(("," if total else "") + _dumps(list(pair)))
            total += 1
        member.write("]")
        counts[key] = total
    member.write("}}")
    return member.close()


def _write_people(archive, people):
    """`people.json`: the people the institution's rows name, and only them."""
    member = _Member(archive, "people.json")
    member.write(f'{{"format":{_dumps(FORMAT_NAME)},"version":{FORMAT_VERSION},"people":[')
    ids = sorted(people)
    written = 0
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        for person in (
            get_user_model()._base_manager.filter(pk__in=chunk).order_by("pk").values("id", "name", "email", "language")
        ):
            member.write(("," if written else "") + _dumps(person))
            written += 1
    member.write("]}")
    return member.close(), written


def _write_files(archive, names):
    """Uploaded files under `files/<stored name>`, copied in pieces. Files the database names but the
    disk no longer has are listed as missing in the manifest."""
    from django.core.files.storage import default_storage

    written, missing = [], []
    for name in sorted(names):
        if not default_storage.exists(name):
            missing.append(name)
            continue
        member = _Member(archive, f"files/{name}")
        with default_storage.open(name, "rb") as source:
            while piece := source.read(FILE_CHUNK_BYTES):
                member.write(piece)
        written.append(member.close())
    return written, missing


def _write_csv(archive, name, rows):
    member = _Member(archive, name)
    writer = csv.writer(_Line())
    for row in rows:
        member.write(writer.writerow(row))
    return member.close()


def _csv_tables(institution):
    """(file name, rows) for the tables people open in spreadsheets, made by the apps' own CSV code."""
    from evaluation.logs import csv_rows as log_rows
    from evaluation.models import LogForm
    from logistics.models import LedgerEntry
    from logistics.money import csv_rows as ledger_rows
    from needs.models import Survey
    from needs.results import export_rows
    from needs.selectors import questions_of

    if LedgerEntry.objects.filter(institution=institution).exists():
        yield "csv/ledger.csv", ledger_rows(institution)
    for survey in Survey.objects.filter(institution=institution).order_by("pk"):
        yield f"csv/survey-{survey.pk}.csv", export_rows(survey, questions_of(survey))
    for log_form in LogForm.objects.filter(institution=institution).order_by("pk"):
        yield f"csv/log-{log_form.pk}.csv", log_rows(log_form)


def write_archive(institution, path, *, on_step=None):
    """Write the institution's archive to `path`; returns the manifest. `on_step(percent, step)` hears
    about each part as it starts."""
    step = on_step or (lambda percent, name: None)
    counts, people, stored_files, documents = {}, set(), set(), []
    families = list(FAMILIES.items())
    parts = len(families) + 3
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with scopes_disabled():
            for number, (family, labels) in enumerate(families):
                step(number * 100 // parts, family)
                family_models = [apps.get_model(label) for label in labels]
                documents.append(
                    _write_family(archive, institution, family, family_models, counts, people, stored_files)
                )
            step(len(families) * 100 // parts, "people")
            people_document, people_total = _write_people(archive, people)
            documents.append(people_document)
        step((len(families) + 1) * 100 // parts, "csv")
        with scope(institution=institution), translation.override(institution.default_language):
            for name, rows in _csv_tables(institution):
                documents.append(_write_csv(archive, name, rows))
        step((len(families) + 2) * 100 // parts, "files")
        files, missing = _write_files(archive, stored_files)
        manifest = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "institution": institution.slug,
            "families": {family: labels for family, labels in FAMILIES.items()},
            "counts": counts,
            "people": people_total,
            "documents": documents,
            "files": files,
            "missing_files": missing,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    step(100, "done")
    return manifest


# Reading back -----------------------------------------------------------------------------------------


class ArchiveRefused(Exception):
    """The archive cannot be restored here; the message says why."""


def _insert_order(models_in_archive):
    """The models in an order where every required foreign key points to a model already restored.
    Optional foreign keys to models restored later are filled in afterwards."""
    remaining = list(models_in_archive)
    ordered = []
    while remaining:
        for model in remaining:
            needs = {
                field.related_model
                for field in model._meta.concrete_fields
                if field.is_relation and not field.null and field.related_model is not model
            }
            if not (needs & set(remaining)):
                ordered.append(model)
                remaining.remove(model)
                break
        else:
            raise ArchiveRefused(f"required foreign keys go round in a circle: {remaining}")
    return ordered


def _read_json(archive, name):
    """A small document (the manifest) read whole."""
    with archive.open(name) as stream:
        return json.load(stream)


class _JsonStream:
    """Reads one JSON document from a stream piece by piece: objects and arrays are walked key by key and
    item by item, and only one item (a row) is decoded at a time, so memory does not grow with the
    document. Each item is decoded with `json.JSONDecoder.raw_decode` over a buffer that is refilled as
    needed."""

    READ_CHARS = 1 << 16

    def __init__(self, stream, name):
        self.stream = io.TextIOWrapper(stream, encoding="utf-8")
        self.name = name
        self.decoder = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.ended = False

    def _fill(self, at_least=READ_CHARS):
        """Read more of the document after what is left unread; False at the end."""
        if self.ended:
            return False
        try:
            piece = self.stream.read(max(at_least, self.READ_CHARS))
        except UnicodeDecodeError as error:
            self._refuse(f"not UTF-8 ({error})")
        if not piece:
            self.ended = True
            return False
        self.buffer = self.buffer[self.pos :] + piece
        self.pos = 0
        return True

    def _refuse(self, what):
        raise ArchiveRefused(f"{self.name} is not a complete export document: {what}")

    def peek(self):
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos : self.pos + 1]

    def expect(self, character):
        if self.peek() != character:
            self._refuse(f"expected {character!r} at {self.buffer[self.pos : self.pos + 20]!r}")
        self.pos += 1

    def value(self):
        """Decode the next whole value (a row, a pair, a string, a number)."""
        self.peek()
        want = self.READ_CHARS
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if not self._fill(want):
                    self._refuse("a value is cut short")
                want *= 2  # a long value: read in bigger pieces, so decoding it again stays cheap
                continue
            if end == len(self.buffer) and self._fill(want):  # a number may go on in the next piece
                continue
            self.pos = end
            return value

    def entries(self):
        """The keys of the object that starts here; after each key the caller reads its value."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                self._refuse("an object key is not a string")
            self.expect(":")
            yield key
            following = self.peek()
            self.pos += 1
            if following == "}":
                return
            if following != ",":
                self._refuse(f"expected ',' or '}}', found {following!r}")

    def items(self):
        """The values of the array that starts here, one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            following = self.peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                self._refuse(f"expected ',' or ']', found {following!r}")

    def skip(self):
        """Pass over the value that starts here, an item at a time."""
        if self.peek() == "[":
            for _item in self.items():
                pass
        elif self.peek() == "{":
            for _key in self.entries():
                self.skip()
        else:
            self.value()


def _family_sections(archive, family):
    """(section, key, reader) for each array of `<family>.json`, in the document's order: section is
    "models" (key a model label, the array its rows) or "m2m" (key `label.field`, the array its pairs).
    The caller reads the array with `reader.items()` or passes it with `reader.skip()`."""
    name = f"{family}.json"
    try:
        member = archive.open(name)
    except KeyError as error:
        raise ArchiveRefused(f"the archive has no {name}") from error
    with member:
        reader = _JsonStream(member, name)
        for key in reader.entries():
            if key in ("models", "m2m"):
                for label in reader.entries():
                    yield key, label, reader
            elif key in ("format", "version"):
                value = reader.value()
                if value != {"format": FORMAT_NAME, "version": FORMAT_VERSION}[key]:
                    raise ArchiveRefused(f"{name} has {key} {value!r}")
            else:
                reader.skip()
        if reader.peek():
            reader._refuse("text after the end")


def read_manifest(archive):
    try:
        manifest = _read_json(archive, "manifest.json")
    except (KeyError, ValueError) as error:
        raise ArchiveRefused(f"no readable manifest.json: {error}") from error
    if manifest.get("format") != FORMAT_NAME:
        raise ArchiveRefused(f"not a {FORMAT_NAME} archive")
    if manifest.get("version") != FORMAT_VERSION:
        raise ArchiveRefused(f"format version {manifest.get('version')} is not {FORMAT_VERSION}")
    return manifest


def _restore_people(archive):
    """Old user id -> user id here: the same e-mail address is the same person; others are created
    without a password (they set one with "forgot password"). Read a person at a time."""
    User = get_user_model()
    people = {}
    with archive.open("people.json") as member:
        reader = _JsonStream(member, "people.json")
        for key in reader.entries():
            if key != "people":
                reader.skip()
                continue
            for person in reader.items():
                user = User._base_manager.filter(email__iexact=person["email"]).first()
                if user is None:
                    user = User.objects.create_user(
                        email=person["email"], name=person["name"], language=person["language"]
                    )
                people[person["id"]] = user.pk
    return people


def _required_targets(model, models_in_archive):
    """The other models in the archive that `model`'s required foreign keys point to."""
    return {
        field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and not field.null and field.related_model is not model
    } & set(models_in_archive)


def _insert_raw(model, instances):
    """Insert the rows as they are, as `save_base(raw=True)` inserts one (what loading a fixture does:
    field values as given, `auto_now` left alone, no signals), in as few INSERT statements as the
    database takes parameters for. One statement per row made a large import take minutes."""
    if not instances:
        return
    fields = [field for field in model._meta.local_concrete_fields if not field.generated]
    using = router.db_for_write(model)
    size = max(connections[using].ops.bulk_batch_size(fields, instances), 1)
    for start in range(0, len(instances), size):
        model._base_manager._insert(instances[start : start + size], fields=fields, raw=True, using=using)


class _Restorer:
    """Puts rows back as they are read, keeping primary keys that are free here and renumbering the
    others, with every foreign key following its row's new number. What it keeps is one number per row
    (old pk -> new pk) and the few links that must wait for a row restored later, never the rows."""

    def __init__(self, archive, people):
        self.archive = archive
        self.people = people
        self.new_pk = {}  # model -> {old pk: new pk}
        self.later = []  # (model, new pk, attname, target model, old target pk)
        self.generic_later = []  # (model, new pk, fk attname, content type id here, old target id)
        self.content_types = {}  # old content type id -> id here
        self.files = {}  # stored name in the archive -> name here
        self.given = {}  # model -> numbers handed out to renumbered rows

    def value(self, field, value):
        if value is None:
            return None
        if isinstance(field, models.JSONField):
            return value
        return field.to_python(value)

    def content_type(self, row, field):
        old = row[field.attname]
        if old not in self.content_types:
            natural = row.get(f"{field.name}_natural")
            if not natural:
                raise ArchiveRefused(f"a link to a content type without its name: {field}")
            self.content_types[old] = ContentType.objects.get_by_natural_key(*natural).pk
        return self.content_types[old]

    def restore(self, model, rows):
        """Restore `model`'s rows from the iterable `rows`, a batch of IMPORT_BATCH at a time."""
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == IMPORT_BATCH:
                self._restore_batch(model, batch)
                batch = []
        self._restore_batch(model, batch)
        self.new_pk.setdefault(model, {})

    def _file(self, field, name):
        from django.core.files.base import File

        if name not in self.files:
            with self.archive.open(f"files/{name}") as stream:
                self.files[name] = field.storage.save(name, File(stream, name=name))
        return self.files[name]

    def _restore_batch(self, model, rows):
        if not rows:
            return
        pk_field = model._meta.pk
        mapping = self.new_pk.setdefault(model, {})
        taken = set(
            model._base_manager.filter(pk__in=[row[pk_field.attname] for row in rows]).values_list("pk", flat=True)
        )
        given = self.given.setdefault(model, set())
        generic = [field for field in model._meta.private_fields if hasattr(field, "ct_field")]
        pending = []  # rows built and not yet inserted
        for row in rows:
            values, deferred, generic_later = {}, [], []
            for field in model._meta.concrete_fields:
                raw = row.get(field.attname)
                target = field.related_model
                if raw and isinstance(field, models.FileField):
                    values[field.attname] = self._file(field, raw)
                elif not field.is_relation or raw is None:
                    values[field.attname] = self.value(field, raw)
                elif target is ContentType:
                    values[field.attname] = self.content_type(row, field)
                elif target is get_user_model():
                    values[field.attname] = self.people[raw]
                elif raw in self.new_pk.get(target, {}):
                    values[field.attname] = self.new_pk[target][raw]
                else:  # an optional link to a row restored later
                    values[field.attname] = None
                    deferred.append((field.attname, target, raw))
            for field in generic:
                type_field = model._meta.get_field(field.ct_field)
                type_id, old_id = values.get(type_field.attname), row.get(field.fk_field)
                if type_id is not None and old_id is not None:
                    target = ContentType.objects.get_for_id(type_id).model_class()
                    if target in self.new_pk:
                        values[field.fk_field] = self.new_pk[target].get(old_id, old_id)
                    else:
                        generic_later.append((field.fk_field, type_id, old_id))
            old = row[pk_field.attname]
            if not pk_field.is_relation and (old in taken or old in given):
                values[pk_field.attname] = self._free_pk(model, pending)
            instance = model(**values)
            pending.append(instance)
            if len(pending) == INSERT_ROWS:
                _insert_raw(model, pending)
                pending = []
            mapping[old] = instance.pk
            if instance.pk != old:
                given.add(instance.pk)  # a later row whose old number this is gets another one
            self.later += [(model, instance.pk, *item) for item in deferred]
            self.generic_later += [(model, instance.pk, *item) for item in generic_later]
        _insert_raw(model, pending)

    def _free_pk(self, model, pending):
        """A number no row of `model` has here nor among the rows about to be inserted, chosen explicitly:
        the database's own counter does not know the numbers this import set by hand, so it could hand
        one out again."""
        from django.db.models import Max

        highest = model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0
        return max([highest, *(instance.pk for instance in pending)]) + 1

    def finish(self):
        for model, pk, attname, target, old in self.later:
            model._base_manager.filter(pk=pk).update(**{attname: self.new_pk[target][old]})
        for model, pk, attname, type_id, old_id in self.generic_later:
            target = ContentType.objects.get_for_id(type_id).model_class()
            renumbered = self.new_pk.get(target, {}).get(old_id, old_id)
            if renumbered != old_id:
                model._base_manager.filter(pk=pk).update(**{attname: renumbered})

    def restore_pairs(self, model, field, pairs):
        through = field.remote_field.through
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        source_map, target_map = self.new_pk[model], self.new_pk[field.related_model]
        batch = []
        for a, b in pairs:
            batch.append(through(**{source: source_map[a], target: target_map[b]}))
            if len(batch) == CHUNK_SIZE:
                through._base_manager.bulk_create(batch)
                batch = []
        through._base_manager.bulk_create(batch)


def restore_archive(path):
    """Restore an archive written by write_archive into this database, in one transaction; returns the
    restored Institution. Refuses when the institution's slug is already here.

    Each family document is read row by row and each row written as it is read. A model waits for a
    later pass over the documents only when a model its required foreign keys point to has not been
    restored yet (archives written here never need a second pass); many-to-many pairs likewise wait for
    both sides."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    Institution = institution_model()
    with zipfile.ZipFile(path) as archive, scopes_disabled(), transaction.atomic():
        manifest = read_manifest(archive)
        if Institution._base_manager.filter(slug=manifest["institution"]).exists():
            raise ArchiveRefused(f"an institution with the slug {manifest['institution']!r} is already here")
        known = {model._meta.label for _, model in covered_models()}
        unknown = {key for key in manifest["counts"] if key.count(".") == 1} - known
        listed = {label for labels in manifest["families"].values() for label in labels}
        if unknown or listed - known:
            raise ArchiveRefused(f"models this version does not have: {sorted(unknown | (listed - known))}")
        in_archive = [apps.get_model(label) for label in listed]
        restorer = _Restorer(archive, _restore_people(archive))
        done, pairs_done, waiting = set(), set(), True
        while waiting:
            waiting, progress = False, False
            for family in manifest["families"]:
                for section, key, reader in _family_sections(archive, family):
                    if section == "models":
                        model = apps.get_model(key) if key in known else None
                        if model is None:
                            raise ArchiveRefused(f"{family}.json holds rows of an unknown model {key!r}")
                        if model in done:
                            reader.skip()
                        elif _required_targets(model, in_archive) <= done:
                            restorer.restore(model, reader.items())
                            done.add(model)
                            progress = True
                        else:
                            reader.skip()
                            waiting = True
                    else:
                        label, name = key.rsplit(".", 1)
                        model = apps.get_model(label) if label in known else None
                        if model is None:
                            raise ArchiveRefused(f"{family}.json holds pairs of an unknown model {label!r}")
                        field = model._meta.get_field(name)
                        if key in pairs_done:
                            reader.skip()
                        elif {model, field.related_model} <= done:
                            restorer.restore_pairs(model, field, reader.items())
                            pairs_done.add(key)
                            progress = True
                        else:
                            reader.skip()
                            waiting = True
            if waiting and not progress:
                raise ArchiveRefused("required foreign keys go round in a circle or point to rows not in the archive")
        restorer.finish()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [*done, get_user_model()]):
                cursor.execute(statement)
        # The rows went in without signals: whatever was kept under this slug is stale, said once.
        transaction.on_commit(lambda: mark_changed(manifest["institution"]))
        return Institution._base_manager.get(slug=manifest["institution"])
