"""Writes for meetings: planning, agenda, suggestions, RSVPs; and the support summary logistics reads."""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dualpower.ordering import swapped_with_neighbour
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
    items = AgendaItem.objects.filter(meeting_id=item.meeting_id).select_for_update().order_by("position", "pk")
    items = swapped_with_neighbour(items, item, up=up)
    if items is not None:
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
    _rsvps_changed(meeting)
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
    _rsvps_changed(rsvp.meeting)
    return rsvp


@transaction.atomic
def rsvp_cancel(*, rsvp) -> RSVP:
    rsvp.status = RSVP.Status.CANCELLED
    rsvp.save(update_fields=["status", "updated_at"])
    _rsvps_changed(rsvp.meeting)
    return rsvp


@transaction.atomic
def member_rsvp(*, meeting, user, going=True) -> RSVP:
    """A member's one-tap RSVP (or un-RSVP). Safe to tap twice."""
    _check_open_for_rsvp(meeting)
    status = RSVP.Status.GOING if going else RSVP.Status.CANCELLED
    rsvp = RSVP.objects.filter(meeting=meeting, user=user).first()
    _rsvps_changed(meeting)
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


# During and after the meeting -----------------------------------------------------------------------
# Attendance, minutes, decisions and action items. Logistics turns action items into tasks through
# `on_action_item`, so these writes never import logistics (only the meeting page reads its selectors).

ACTION_ITEM_HOOKS = []
# Called as `fn(meeting=...)` once an RSVP change is committed (logistics refreshes the support checklist).
RSVP_HOOKS = []


def on_action_item(fn):
    """Register `fn(item=..., actor=...)`, called in the same transaction as each new action item.

    Usable as a decorator; registering the same function twice keeps one copy. An exception in a
    hook undoes the action item too, so an item and its task exist together or not at all.
    """
    if fn not in ACTION_ITEM_HOOKS:
        ACTION_ITEM_HOOKS.append(fn)
    return fn


def on_rsvp_change(fn):
    """Register `fn(meeting=...)`, run after the transaction that created, changed or cancelled an RSVP
    of the meeting commits. Registering the same function twice keeps one copy."""
    if fn not in RSVP_HOOKS:
        RSVP_HOOKS.append(fn)
    return fn


def _rsvps_changed(meeting):
    for hook in RSVP_HOOKS:
        transaction.on_commit(functools.partial(hook, meeting=meeting))


def _refuse_if_cancelled(meeting):
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting was cancelled: there is nothing to record."))


def _count(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(_("Counts must be whole numbers, 0 or more."))
    return value


@transaction.atomic
def attendance_record(*, meeting, actor, present_user_ids, guests, children) -> Meeting:
    """Record who came: the ticked members replace any earlier list; guests and children are counts.

    A meeting that has started is marked as held. Nothing else changes (calendars are not bumped).
    """
    from institutions.models import Membership

    from .models import Attendance

    guests, children = _count(guests), _count(children)
    try:
        wanted = {int(pk) for pk in present_user_ids}
    except (TypeError, ValueError):
        raise ValidationError(_("Only active members can be ticked as present.")) from None
    members = set(
        Membership.objects.filter(
            institution=meeting.institution, status=Membership.Status.ACTIVE, user_id__in=wanted
        ).values_list("user_id", flat=True)
    )
    if wanted - members:
        raise ValidationError(_("Only active members can be ticked as present. Reload the page and try again."))
    # One save at a time per meeting, so two phones saving at once cannot mix their lists.
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_if_cancelled(locked)
    Attendance.objects.filter(meeting=locked).exclude(user_id__in=wanted).delete()
    already = set(Attendance.objects.filter(meeting=locked).values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(institution=meeting.institution, meeting=locked, user_id=user_id)
        for user_id in sorted(wanted - already)
    )
    locked.guests_count, locked.children_count = guests, children
    if locked.status == Meeting.Status.PLANNED and locked.starts_at <= timezone.now():
        locked.status = Meeting.Status.HELD
    locked.save(update_fields=["guests_count", "children_count", "status", "updated_at"])
    return locked


def minutes_version(meeting, agenda):
    """A fingerprint of the minutes as written now: a form carries it, so saving over someone
    else's newer text is noticed instead of silently losing it."""
    import hashlib

    digest = hashlib.sha256(meeting.minutes.encode())
    for item in sorted(agenda, key=lambda item: item.pk):
        digest.update(f"\0{item.pk}\0{item.record}".encode())
    return digest.hexdigest()[:32]


class MinutesChanged(ValidationError):
    """Someone saved the minutes since the form was opened."""


@transaction.atomic
def minutes_save(*, meeting, actor, minutes, records, publish, seen_version=None) -> Meeting:
    """Save the general minutes and the notes per agenda item (`records`: {item pk: text}).

    Publishing is for public meetings only; publishing and unpublishing are audited. With
    `seen_version` (from `minutes_version`), a save over newer minutes is refused.
    """
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    items = {item.pk: item for item in AgendaItem.objects.filter(meeting=locked)}
    if seen_version is not None and seen_version != minutes_version(locked, items.values()):
        raise MinutesChanged(
            _(
                "Someone saved the minutes while you were writing. Your text is still in the boxes below: "
                "copy what you need, then reload the page to see their version."
            )
        )
    if set(records) - set(items):
        raise ValidationError(_("The agenda changed while you were writing. Reload the page and try again."))
    if publish and not locked.is_public:
        raise ValidationError(_("Only the minutes of a public meeting can be published."))
    minutes = minutes.strip()
    if len(minutes) > Meeting._meta.get_field("minutes").max_length:
        raise ValidationError(_("The minutes are too long."))
    changed = []
    for pk, text in records.items():
        text = text.strip()
        if len(text) > AgendaItem._meta.get_field("record").max_length:
            raise ValidationError(_("The notes on one item are too long."))
        if items[pk].record != text:
            items[pk].record = text
            changed.append(items[pk])
    AgendaItem.objects.bulk_update(changed, ["record"])
    was_published = locked.minutes_published
    locked.minutes, locked.minutes_published = minutes, bool(publish)
    locked.save(update_fields=["minutes", "minutes_published", "updated_at"])
    if locked.minutes_published != was_published:
        action = "meeting.minutes_published" if publish else "meeting.minutes_unpublished"
        audit_record(institution=meeting.institution, actor=actor, action=action, title=locked.title)
    return locked


@transaction.atomic
def decision_record(*, meeting, actor, question, proposal=None, votes_for=None, votes_against=None, votes_abstain=None):
    """Record a decision taken at the meeting: a proposal voted in the app, or a show of hands.

    A show of hands needs at least one count above 0 (blank counts are 0); a linked proposal
    takes no counts (its result lives with the proposal).
    """
    from .models import MeetingDecision

    _refuse_if_cancelled(meeting)
    question = question.strip()
    if not question:
        raise ValidationError(_("Write what was decided, as a question or a sentence."))
    counts = (votes_for, votes_against, votes_abstain)
    if proposal is not None:
        if proposal.institution_id != meeting.institution_id:
            raise ValidationError(_("That proposal is not one of this institution's."))
        if any(count is not None for count in counts):
            raise ValidationError(_("Either link the proposal voted in the app or count the hands, not both."))
    else:
        if all(count is None for count in counts):
            raise ValidationError(_("Write the show-of-hands count, or link the proposal voted in the app."))
        votes_for, votes_against, votes_abstain = (_count(count or 0) for count in counts)
        if not (votes_for or votes_against or votes_abstain):
            raise ValidationError(_("At least one of the counts must be more than 0."))
    decision = MeetingDecision(
        institution=meeting.institution,
        meeting=meeting,
        question=question,
        proposal=proposal,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
    )
    decision.full_clean(exclude=["proposal"])
    decision.save()
    audit_record(institution=meeting.institution, actor=actor, action="meeting.decision_recorded", title=question[:200])
    return decision


@transaction.atomic
def decision_remove(*, decision, actor):
    """Take a wrongly recorded decision off the minutes (audited: what was decided matters)."""
    audit_record(
        institution=decision.institution, actor=actor, action="meeting.decision_removed", title=decision.question[:200]
    )
    decision.delete()


@transaction.atomic
def action_item_add(*, meeting, actor, text, owner=None, due_on=None):
    """Note something someone agreed to do; registered hooks (logistics) hear about it."""
    from institutions.models import Membership

    from .models import ActionItem

    _refuse_if_cancelled(meeting)
    if (
        owner is not None
        and not Membership.objects.filter(
            institution=meeting.institution, user=owner, status=Membership.Status.ACTIVE
        ).exists()
    ):
        raise ValidationError(_("Only an active member can take on an action item."))
    item = ActionItem(institution=meeting.institution, meeting=meeting, text=text.strip(), owner=owner, due_on=due_on)
    item.full_clean(exclude=["owner"])
    item.save()
    for hook in ACTION_ITEM_HOOKS:
        hook(item=item, actor=actor)
    return item


@transaction.atomic
def action_item_remove(*, item, actor):
    item.delete()
