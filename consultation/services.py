"""Writes for consultation."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.services import audit_record
from needs.models import Need

from .models import ConsultationResponse, ConsultationRound, NeedRating, OutreachEntry, RoundError

MIN_NEEDS = 2


@transaction.atomic
def outreach_record(
    *, institution, member, happened_on, channel, place="", people_count=1, notes="", needs=()
) -> OutreachEntry:
    """Log a round of asking around; the needs that came up get it as evidence."""
    entry = OutreachEntry(
        institution=institution,
        member=member,
        happened_on=happened_on,
        channel=channel,
        place=place.strip(),
        people_count=people_count,
        notes=notes.strip(),
    )
    entry.full_clean(exclude=["member"])
    entry.save()
    entry.needs.set([need for need in needs if need.institution_id == institution.pk])
    return entry


def _round_needs(institution, needs):
    """The needs a round may ask about: the institution's own, at least two of them."""
    needs = [need for need in needs if need.institution_id == institution.pk]
    if len({need.pk for need in needs}) < MIN_NEEDS:
        raise RoundError(_("Choose at least two needs to ask about."))
    return needs


@transaction.atomic
def round_create(
    *, institution, author, title, needs, intro="", method=ConsultationRound.Method.RANK, dots_per_person=5
) -> ConsultationRound:
    """Draft a consultation round about some of the institution's needs (it opens later)."""
    needs = _round_needs(institution, needs)
    consultation_round = ConsultationRound(
        institution=institution,
        created_by=author,
        title=title.strip(),
        intro=intro.strip(),
        method=method,
        dots_per_person=dots_per_person,
    )
    consultation_round.full_clean(exclude=["created_by"])
    consultation_round.save()
    consultation_round.needs.set(needs)
    audit_record(
        institution=institution, actor=author, action="consultation_round.created", title=consultation_round.title
    )
    return consultation_round


def _lock(consultation_round):
    return (
        ConsultationRound.objects.with_scope(institution=consultation_round.institution)
        .select_for_update()
        .get(pk=consultation_round.pk)
    )


@transaction.atomic
def round_update(*, consultation_round, actor, needs=None, **fields) -> ConsultationRound:
    """Change a draft round: its wording, method and needs. Open or closed rounds keep their questions."""
    current = _lock(consultation_round)
    if not current.is_draft:
        raise RoundError(_("This round has been opened, so its questions can no longer change."))
    for name in ("title", "intro", "method", "dots_per_person"):
        if name in fields:
            value = fields.pop(name)
            setattr(consultation_round, name, value.strip() if isinstance(value, str) else value)
    if fields:
        raise TypeError(f"round_update() got unexpected fields {sorted(fields)}")
    consultation_round.full_clean(exclude=["created_by"])
    consultation_round.save(update_fields=["title", "intro", "method", "dots_per_person"])
    if needs is not None:
        consultation_round.needs.set(_round_needs(consultation_round.institution, needs))
    return consultation_round


@transaction.atomic
def round_open(*, consultation_round, actor, now=None) -> ConsultationRound:
    """Start taking answers from members and through the public link."""
    current = _lock(consultation_round)
    if not current.is_draft:
        raise RoundError(_("Only a draft round can be opened."))
    if current.needs.count() < MIN_NEEDS:
        raise RoundError(_("Choose at least two needs to ask about."))
    current.status = ConsultationRound.Status.OPEN
    current.opened_at = now or timezone.now()
    current.save(update_fields=["status", "opened_at"])
    audit_record(institution=current.institution, actor=actor, action="consultation_round.opened", title=current.title)
    return current


@transaction.atomic
def round_close(*, consultation_round, actor, now=None) -> ConsultationRound:
    """Stop taking answers; the results stay for everyone to see."""
    current = _lock(consultation_round)
    if not current.is_open:
        raise RoundError(_("Only an open round can be closed."))
    current.status = ConsultationRound.Status.CLOSED
    current.closed_at = now or timezone.now()
    current.save(update_fields=["status", "closed_at"])
    audit_record(institution=current.institution, actor=actor, action="consultation_round.closed", title=current.title)
    return current


@transaction.atomic
def round_answer(
    *, consultation_round, ratings, member=None, language=settings.LANGUAGE_CODE, now=None
) -> ConsultationResponse:
    """Record one answer: a member's (replacing their earlier answer) or, without a member, an
    anonymous community answer.

    `ratings` maps every need id of the round to {"urgency": 1..5, "rank": place} for the rank
    method or {"urgency": 1..5, "dots": n} for dots. Raises RoundError if the round is not open
    or the answer is not complete and valid; then nothing is saved.
    """
    now = now or timezone.now()
    institution = consultation_round.institution
    asked = Need.objects.with_scope(institution=institution).filter(consultation_rounds=consultation_round)
    ratings = consultation_round.clean_ratings(ratings, asked.values_list("pk", flat=True))
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    # Answers take turns on the round row for this short moment, so none lands after the round closed.
    current = (
        ConsultationRound.objects.with_scope(institution=institution)
        .select_for_update(no_key=True, of=("self",))
        .only("status")
        .get(pk=consultation_round.pk)
    )
    if not current.is_open:
        raise RoundError(_("This consultation is closed, so answers are no longer collected."))
    responses = ConsultationResponse.objects.with_scope(institution=institution)
    rows = NeedRating.objects.with_scope(institution=institution)
    group = ConsultationResponse.Group.MEMBER if member is not None else ConsultationResponse.Group.COMMUNITY
    earlier = responses.filter(round=consultation_round, member=member).first() if member is not None else None
    if earlier is None:
        try:
            with transaction.atomic():
                response = responses.create(
                    round=consultation_round, group=group, member=member, language=language, submitted_at=now
                )
        except IntegrityError:
            # The same member's other answer was saved a moment ago: this one replaces it.
            earlier = responses.get(round=consultation_round, member=member)
    if earlier is not None:
        response = earlier
        response.language, response.submitted_at = language, now
        response.save(update_fields=["language", "submitted_at"])
        rows.filter(response=response).delete()
    rows.bulk_create(NeedRating(response=response, need_id=need_id, **rating) for need_id, rating in ratings.items())
    return response
