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
import json
import uuid
import zipfile

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone, translation
from django.utils.duration import duration_iso_string
from django_scopes import scope, scopes_disabled

FORMAT_NAME = "dualpower-institution-export"
FORMAT_VERSION = 1
CHUNK_SIZE = 2000
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
    with archive.open(name) as stream:
        return json.load(stream)


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
    without a password (they set one with "forgot password")."""
    User = get_user_model()
    people = {}
    for person in _read_json(archive, "people.json")["people"]:
        user = User._base_manager.filter(email__iexact=person["email"]).first()
        if user is None:
            user = User.objects.create_user(email=person["email"], name=person["name"], language=person["language"])
        people[person["id"]] = user.pk
    return people


class _Restorer:
    """Puts rows back, keeping primary keys that are free here and renumbering the others, with every
    foreign key following its row's new number."""

    def __init__(self, people):
        self.people = people
        self.new_pk = {}  # model -> {old pk: new pk}
        self.later = []  # (model, new pk, attname, target model, old target pk)

    def value(self, field, value):
        if value is None:
            return None
        if isinstance(field, models.JSONField):
            return value
        return field.to_python(value)

    def restore(self, model, rows, content_types):
        taken = set()
        old_pks = [row[model._meta.pk.attname] for row in rows]
        for start in range(0, len(old_pks), CHUNK_SIZE):
            chunk = old_pks[start : start + CHUNK_SIZE]
            taken.update(model._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
        mapping = self.new_pk.setdefault(model, {})
        pk_field = model._meta.pk
        for row in rows:
            values, deferred = {}, []
            for field in model._meta.concrete_fields:
                raw = row.get(field.attname)
                target = field.related_model
                if not field.is_relation or raw is None:
                    values[field.attname] = self.value(field, raw)
                elif target is ContentType:
                    values[field.attname] = content_types[raw]
                elif target is get_user_model():
                    values[field.attname] = self.people[raw]
                elif raw in self.new_pk.get(target, {}):
                    values[field.attname] = self.new_pk[target][raw]
                else:  # an optional link to a row restored later
                    values[field.attname] = None
                    deferred.append((field.attname, target, raw))
            old = row[pk_field.attname]
            if not pk_field.is_relation and old in taken:
                values[pk_field.attname] = None
            instance = model(**values)
            instance.save_base(raw=True, force_insert=True)
            mapping[old] = instance.pk
            self.later += [(model, instance.pk, *item) for item in deferred]

    def finish(self):
        for model, pk, attname, target, old in self.later:
            model._base_manager.filter(pk=pk).update(**{attname: self.new_pk[target][old]})


def restore_archive(path):
    """Restore an archive written by write_archive into this database, in one transaction; returns the
    restored Institution. Refuses when the institution's slug is already here."""
    from django.core.files.base import File
    from django.core.management.color import no_style
    from django.db import connection, transaction

    Institution = institution_model()
    with zipfile.ZipFile(path) as archive, scopes_disabled(), transaction.atomic():
        manifest = read_manifest(archive)
        if Institution._base_manager.filter(slug=manifest["institution"]).exists():
            raise ArchiveRefused(f"an institution with the slug {manifest['institution']!r} is already here")
        unknown = set(manifest["counts"]) - {f"{m._meta.label}" for _, m in covered_models()}
        unknown = {key for key in unknown if key.count(".") == 1}
        if unknown:
            raise ArchiveRefused(f"models this version does not have: {sorted(unknown)}")
        rows = {}
        relations = {}
        for family in manifest["families"]:
            document = _read_json(archive, f"{family}.json")
            for label, model_rows in document["models"].items():
                rows[apps.get_model(label)] = model_rows
            relations.update(document["m2m"])
        restorer = _Restorer(_restore_people(archive))
        content_types = _content_types(rows)
        files = {}
        for model in _insert_order(rows):
            for field in file_fields(model):
                for row in rows[model]:
                    name = row.get(field.attname)
                    if name:
                        if name not in files:
                            with archive.open(f"files/{name}") as stream:
                                files[name] = field.storage.save(name, File(stream, name=name))
                        row[field.attname] = files[name]
            restorer.restore(model, rows[model], content_types)
        restorer.finish()
        _restore_generic_links(restorer, content_types, rows)
        for key, pairs in relations.items():
            label, name = key.rsplit(".", 1)
            model = apps.get_model(label)
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            target_map = restorer.new_pk[field.related_model]
            through._base_manager.bulk_create(
                [through(**{source: restorer.new_pk[model][a], target: target_map[b]}) for a, b in pairs],
                batch_size=CHUNK_SIZE,
            )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [*rows, get_user_model()]):
                cursor.execute(statement)
        return Institution._base_manager.get(slug=manifest["institution"])


def _content_types(rows):
    """Old content type id -> id here, by the natural key (app label, model) the archive names."""
    mapping = {}
    for model, model_rows in rows.items():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is ContentType:
                for row in model_rows:
                    natural = row.get(f"{field.name}_natural")
                    if natural and row[field.attname] is not None:
                        mapping[row[field.attname]] = ContentType.objects.get_by_natural_key(*natural).pk
    return mapping


def _restore_generic_links(restorer, content_types, rows):
    """A generic link (`concerns_type` + `concerns_id`) follows its target when the target was renumbered."""
    for model, model_rows in rows.items():
        for field in model._meta.private_fields:
            if not hasattr(field, "ct_field"):
                continue
            type_field = model._meta.get_field(field.ct_field)
            for row in model_rows:
                old_type, old_id = row.get(type_field.attname), row.get(field.fk_field)
                if old_type is None or old_id is None:
                    continue
                target = ContentType.objects.get_for_id(content_types[old_type]).model_class()
                renumbered = restorer.new_pk.get(target, {}).get(old_id, old_id)
                if renumbered != old_id:
                    new_pk = restorer.new_pk[model][row[model._meta.pk.attname]]
                    model._base_manager.filter(pk=new_pk).update(**{field.fk_field: renumbered})
