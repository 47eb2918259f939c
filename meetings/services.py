"""Writes for meetings: planning, agenda, suggestions, RSVPs; and the support summary logistics reads."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.services import audit_record

from .models import RSVP, AgendaItem, Meeting, Suggestion

# Changes to these fields matter to people who plan to come: calendars get a new SEQUENCE.
NOTIFIABLE_FIELDS = {"title", "starts_at", "duration_minutes", "place_name", "address", "online_url", "status"}


@transaction.atomic
def meeting_create(*, institution, author, **fields) -> Meeting:
    """Plan a meeting. It must start in the future."""
    meeting = Meeting(institution=institution, created_by=author, **_stripped(fields))
    if meeting.starts_at and meeting.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    meeting.full_clean(exclude=["created_by", "facilitator", "note_taker"])
    meeting.save()
    audit_record(institution=institution, actor=author, action="meeting.created", title=meeting.title)
    return meeting


@transaction.atomic
def meeting_update(*, meeting, actor, **fields) -> Meeting:
    changed = {name for name, value in fields.items() if getattr(meeting, name) != value}
    for name, value in _stripped(fields).items():
        setattr(meeting, name, value)
    if "starts_at" in changed and meeting.starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    if changed & NOTIFIABLE_FIELDS:
        meeting.sequence += 1
    meeting.full_clean(exclude=["created_by", "facilitator", "note_taker"])
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting, actor, reason) -> Meeting:
    """Cancel a planned meeting, with the reason people will be told."""
    reason = reason.strip()
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    if not reason:
        raise ValidationError(_("Say why, in a few words: people who planned to come will be told."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason[:500]
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    audit_record(institution=meeting.institution, actor=actor, action="meeting.cancelled", title=meeting.title)
    from .tasks import send_cancellation

    send_cancellation.enqueue(institution=meeting.institution, meeting_id=meeting.pk)
    return meeting


def _stripped(fields):
    return {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}


# Agenda --------------------------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(*, meeting, actor, title, **fields) -> AgendaItem:
    last = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(
        institution=meeting.institution, meeting=meeting, position=last + 1, title=title.strip(), **fields
    )
    item.full_clean(exclude=["owner", "proposal"])
    item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item, actor, **fields) -> AgendaItem:
    for name, value in _stripped(fields).items():
        setattr(item, name, value)
    item.full_clean(exclude=["owner", "proposal"])
    item.save()
    return item


@transaction.atomic
def agenda_item_move(*, item, up):
    items = list(AgendaItem.objects.filter(meeting_id=item.meeting_id).select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            each.position = position
        AgendaItem.objects.bulk_update(items, ["position"])
    return item


@transaction.atomic
def agenda_item_remove(*, item, actor):
    item.delete()


@transaction.atomic
def suggestion_send(*, meeting, text, name="", member=None, language="en") -> Suggestion:
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("This meeting is no longer taking suggestions."))
    suggestion = Suggestion(
        institution=meeting.institution,
        meeting=meeting,
        text=text.strip(),
        name=name.strip(),
        member=member,
        language=language,
    )
    suggestion.full_clean(exclude=["member"])
    suggestion.save()
    return suggestion


@transaction.atomic
def suggestion_to_agenda(*, suggestion, actor, title) -> AgendaItem:
    """Put a suggestion on the agenda (its text becomes the item's notes)."""
    if suggestion.status == Suggestion.Status.ADDED:
        raise ValidationError(_("This suggestion is already on the agenda."))
    title = title or suggestion.text[:200]
    item = agenda_item_add(meeting=suggestion.meeting, actor=actor, title=title, notes=suggestion.text)
    suggestion.status = Suggestion.Status.ADDED
    suggestion.save(update_fields=["status"])
    return item


@transaction.atomic
def suggestion_set_aside(*, suggestion, actor) -> Suggestion:
    suggestion.status = Suggestion.Status.SET_ASIDE
    suggestion.save(update_fields=["status"])
    return suggestion


# RSVPs ---------------------------------------------------------------------------------------------

RSVP_FIELDS = [
    "name",
    "email",
    "language",
    "party_size",
    "children",
    "children_ages",
    "eldercare",
    "transport_from",
    "food",
    "dietary",
    "interpretation",
    "access_needs",
]


def _check_open_for_rsvp(meeting):
    if not meeting.is_upcoming:
        raise ValidationError(_("This meeting is not taking RSVPs any more."))


@transaction.atomic
def rsvp_create(*, meeting, **fields) -> RSVP:
    """A public RSVP (no account). E-mails a private link to change or cancel it, when an address is given."""
    _check_open_for_rsvp(meeting)
    rsvp = RSVP(institution=meeting.institution, meeting=meeting, **_stripped(fields))
    rsvp.full_clean(exclude=["user"])
    rsvp.save()
    if rsvp.email:
        from .tasks import send_rsvp_link

        send_rsvp_link.enqueue(institution=meeting.institution, rsvp_id=rsvp.pk)
    return rsvp


@transaction.atomic
def rsvp_update(*, rsvp, **fields) -> RSVP:
    _check_open_for_rsvp(rsvp.meeting)
    for name, value in _stripped(fields).items():
        setattr(rsvp, name, value)
    rsvp.status = RSVP.Status.GOING
    rsvp.full_clean(exclude=["user"])
    rsvp.save()
    return rsvp


@transaction.atomic
def rsvp_cancel(*, rsvp) -> RSVP:
    rsvp.status = RSVP.Status.CANCELLED
    rsvp.save(update_fields=["status", "updated_at"])
    return rsvp


@transaction.atomic
def member_rsvp(*, meeting, user, going=True) -> RSVP:
    """A member's one-tap RSVP (or un-RSVP). Safe to tap twice."""
    _check_open_for_rsvp(meeting)
    status = RSVP.Status.GOING if going else RSVP.Status.CANCELLED
    rsvp = RSVP.objects.filter(meeting=meeting, user=user).first()
    if rsvp is None:
        try:
            with transaction.atomic():
                return RSVP.objects.create(
                    institution=meeting.institution,
                    meeting=meeting,
                    user=user,
                    name=user.display_name,
                    language=user.language or meeting.institution.default_language,
                    status=status,
                )
        except IntegrityError:  # the same member tapped twice at once
            rsvp = RSVP.objects.get(meeting=meeting, user=user)
    RSVP.objects.filter(pk=rsvp.pk).update(status=status, updated_at=timezone.now())
    rsvp.status = status
    return rsvp


@dataclass
class SupportSummary:
    """What people coming to a meeting need, added up. Logistics builds its checklist from this."""

    rsvps: int = 0
    people: int = 0
    children: int = 0
    children_ages: list = field(default_factory=list)
    eldercare: int = 0
    eating: int = 0
    dietary: list = field(default_factory=list)
    rides: list = field(default_factory=list)
    interpretation: dict = field(default_factory=dict)
    access_needs: list = field(default_factory=list)

    @property
    def anything_needed(self):
        return any((self.children, self.eldercare, self.rides, self.interpretation, self.access_needs, self.dietary))


def meeting_support_summary(meeting) -> SupportSummary:
    """Totals of the support needed by everyone coming, from the RSVPs (one query)."""
    summary = SupportSummary()
    rows = RSVP.objects.filter(meeting=meeting, status=RSVP.Status.GOING).values(*RSVP_FIELDS[3:], "name")
    for row in rows:
        summary.rsvps += 1
        summary.people += row["party_size"]
        summary.children += row["children"]
        if row["children"] and row["children_ages"]:
            summary.children_ages.append(row["children_ages"])
        summary.eldercare += int(row["eldercare"])
        if row["food"]:
            summary.eating += row["party_size"]
        if row["dietary"]:
            summary.dietary.append(row["dietary"])
        if row["transport_from"]:
            summary.rides.append((row["name"], row["transport_from"]))
        if row["interpretation"]:
            language = row["interpretation"].strip().capitalize()
            summary.interpretation[language] = summary.interpretation.get(language, 0) + 1
        if row["access_needs"]:
            summary.access_needs.append(row["access_needs"])
    return summary


# Calendar feeds -------------------------------------------------------------------------------------


def calendar_feed_for(*, user, institution):
    """The member's live private calendar link, made on first use. Safe to call twice at once."""
    from .models import CalendarFeed

    feed = CalendarFeed.objects.filter(institution=institution, user=user, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(institution=institution, user=user)
    except IntegrityError:  # made by a request running at the same moment
        return CalendarFeed.objects.get(institution=institution, user=user, revoked_at__isnull=True)


@transaction.atomic
def calendar_feed_reset(*, user, institution):
    """Revoke the member's private calendar link (calendars using it stop updating) and make a new one."""
    from .models import CalendarFeed

    CalendarFeed.objects.filter(institution=institution, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(institution=institution, user=user)
    except IntegrityError:  # a reset running at the same moment made the new one
        return CalendarFeed.objects.get(institution=institution, user=user, revoked_at__isnull=True)
