"""Reads for research: finding notes (full-text search on PostgreSQL, a plain word match elsewhere),
a need's research, and the summary a public meeting reads."""

import operator
from functools import reduce

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404

from .models import Attachment, FieldNote, FieldNoteVersion, Tag

# PostgreSQL text-search configuration for each institution language (stemming, stop words).
SEARCH_CONFIGS = {"en": "english", "es": "spanish"}
# Searched on SQLite, with how much a hit in each counts towards the order of results.
MATCH_WEIGHTS = {"title": 8, "lessons": 4, "tried": 4, "evidence": 2, "ran_by": 1, "place": 1, "tags_text": 1}
MAX_SEARCH_WORDS = 12
RESULTS_LIMIT = 50
NEED_PAGE_LIMIT = 20
SUMMARY_LIMIT = 200


def search_config(institution):
    return SEARCH_CONFIGS.get(institution.default_language, "simple")


def search_vector(config):
    """The weighted text of a note for PostgreSQL full-text search: title first, then what was tried
    and learned, then the evidence, then who, where and the tags. (The migration indexes exactly this.)"""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("tried", "lessons", weight="B", config=config)
        + SearchVector("evidence", weight="C", config=config)
        + SearchVector("ran_by", "place", "tags_text", weight="D", config=config)
    )


def _postgres_search(notes, text, config):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # websearch syntax never fails on what people type ("quotes", or, -not), unlike raw tsquery.
    query = SearchQuery(text, search_type="websearch", config=config)
    vector = search_vector(config)
    return notes.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query).order_by("-rank", "-pk")


def _simple_search(notes, words):
    """Every word must appear somewhere in the note (a word after a minus sign must not); hits in the
    title count most. Quotes are dropped: phrases are matched word by word."""
    score = Value(0, output_field=IntegerField())
    for raw in words:
        word = raw.lstrip("-").strip('"')
        if not word:
            continue
        anywhere = reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in MATCH_WEIGHTS))
        if raw.startswith("-"):
            notes = notes.exclude(anywhere)
            continue
        notes = notes.filter(anywhere)
        for field, weight in MATCH_WEIGHTS.items():
            score = score + Case(When(**{f"{field}__icontains": word}, then=weight), default=0)
    return notes.annotate(rank=score).order_by("-rank", "-key_reading", "-updated_at", "-pk")


def search_notes(institution, *, text="", need=None, outcome="", tag=None, limit=RESULTS_LIMIT):
    """The institution's notes matching the search text (best match first) and the filters, with their
    tags and needs. Without text: key reading first, then the most recently updated."""
    notes = FieldNote.objects.filter(institution=institution)
    if need is not None:
        notes = notes.filter(needs=need)
    if outcome:
        notes = notes.filter(outcome=outcome)
    if tag is not None:
        notes = notes.filter(tags=tag)
    words = text.split()[:MAX_SEARCH_WORDS]
    if words and connection.vendor == "postgresql":
        notes = _postgres_search(notes, " ".join(words), search_config(institution))
    elif words:
        notes = _simple_search(notes, words)
    return list(notes.select_related("author").prefetch_related("tags", "needs")[:limit])


def get_note_or_404(institution, pk):
    return get_object_or_404(
        FieldNote.objects.select_related("institution", "author", "updated_by", "key_reading_by"),
        institution=institution,
        pk=pk,
    )


def note_details(note):
    """What a note's page shows beside its texts: needs, tags and attachments."""
    return {
        "needs": list(note.needs.order_by("title", "pk")),
        "tags": list(note.tags.all()),
        "attachments": list(note.attachments.select_related("uploaded_by")),
    }


def versions_of(note):
    return FieldNoteVersion.objects.filter(note=note).select_related("editor").order_by("-number")


def get_version_or_404(note, number):
    return get_object_or_404(FieldNoteVersion.objects.select_related("editor"), note=note, number=number)


def get_attachment_or_404(institution, note_pk, pk):
    # note__pk, not note_id: an id beyond the column's range is "no match" only through the pk's lookup.
    return get_object_or_404(
        Attachment.objects.select_related("note", "institution"), institution=institution, note__pk=note_pk, pk=pk
    )


def tags_in_use(institution):
    """The institution's tags that are on at least one note, with how many."""
    return list(
        Tag.objects.filter(institution=institution)
        .annotate(note_count=Count("notes"))
        .filter(note_count__gt=0)
        .order_by("name")
    )


def get_tag(institution, name):
    return Tag.objects.filter(institution=institution, name=Tag.normalize(name)).first()


def notes_about(need, limit=NEED_PAGE_LIMIT):
    """The research on a need, for its page: key reading first, then by outcome, newest first."""
    return list(
        FieldNote.objects.filter(institution_id=need.institution_id, needs=need)
        .annotate(outcome_order=_outcome_order())
        .order_by("-key_reading", "outcome_order", "-updated_at", "-pk")[:limit]
    )


def _outcome_order():
    return Case(
        *(When(outcome=value, then=position) for position, value in enumerate(FieldNote.Outcome.values)),
        default=len(FieldNote.Outcome.values),
        output_field=IntegerField(),
    )


def need_summary(need, limit=SUMMARY_LIMIT):
    """What has been tried on a need, grouped by outcome (worked, partly, failed, unknown), key reading
    first in each group: [(outcome value, label, [notes])] for the outcomes that have notes."""
    notes = list(
        FieldNote.objects.filter(institution_id=need.institution_id, needs=need)
        .annotate(attachment_count=Count("attachments"))
        .prefetch_related("tags")
        .order_by("-key_reading", "-updated_at", "-pk")[:limit]
    )
    groups = []
    for value, label in FieldNote.Outcome.choices:
        in_group = [note for note in notes if note.outcome == value]
        if in_group:
            groups.append((value, label, in_group))
    return groups
