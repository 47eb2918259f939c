"""Writes for consultation."""

from django.db import transaction

from .models import OutreachEntry


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
