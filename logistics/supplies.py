"""Supplies and spaces: who may do what, the reads (selectors) and the writes (services).

Counts change through `supply_count_set`, which refuses to overwrite a count someone else changed since
the page was shown. Two bookings of one space never overlap: the database refuses it (migration 0004);
`space_book` turns that refusal into a message naming the booking in the way.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.models import Membership
from institutions.services import audit_record

from .models import Space, SpaceBooking, SupplyItem

# Counts and capacities beyond this are typing mistakes (and would overflow the column).
MAX_COUNT = 1_000_000
MAX_BOOKING = timedelta(hours=24)
BOOKING_HORIZON = timedelta(days=366)
LATER_LIMIT = 20
SOON_LIMIT = 200  # two weeks of bookings; more would be hour-by-hour slicing nobody reads on a phone

# Sentences for the audit page (registered by the app's AppConfig.ready).
AUDIT_ACTIONS = {
    "supply.created": gettext_lazy("%(actor)s added the supply “%(item)s” (%(new)s on hand)"),
    "supply.updated": gettext_lazy("%(actor)s edited the supply “%(item)s”"),
    "supply.counted": gettext_lazy("%(actor)s changed the count of “%(item)s” from %(old)s to %(new)s"),
    "supply.getter": gettext_lazy("%(actor)s set who is getting “%(item)s”: %(person)s"),
    "supply.archived": gettext_lazy("%(actor)s archived the supply “%(item)s”"),
    "supply.restored": gettext_lazy("%(actor)s brought back the supply “%(item)s”"),
    "space.created": gettext_lazy("%(actor)s added the space “%(space)s”"),
    "space.updated": gettext_lazy("%(actor)s edited the space “%(space)s”"),
    "space.archived": gettext_lazy("%(actor)s archived the space “%(space)s”"),
    "space.booked": gettext_lazy("%(actor)s booked “%(space)s” for %(when)s: %(purpose)s"),
    "space.booking_cancelled": gettext_lazy("%(actor)s cancelled the booking of “%(space)s” for %(when)s"),
}


# Who may do what --------------------------------------------------------------------------------------


def is_active_member(membership):
    return membership is not None and membership.is_active


def can_cancel_booking(membership, booking):
    """The person who booked and organizers may cancel a booking."""
    return is_active_member(membership) and (membership.is_organizer or booking.booked_by_id == membership.user_id)


def can_release_supply(membership, item):
    return is_active_member(membership) and item.getter_id == membership.user_id


def can_take_supply(membership, item):
    """Offered on low items nobody is getting yet (the service accepts it on any active item)."""
    return is_active_member(membership) and item.archived_at is None and item.getter_id is None and item.is_low


# Reads ------------------------------------------------------------------------------------------------


def _low_first():
    return Case(When(SupplyItem.low_condition(), then=Value(0)), default=Value(1))


def supply_list(institution):
    """Active items, the low ones first (then by name), each with who is getting more."""
    return (
        SupplyItem.objects.filter(institution=institution, archived_at__isnull=True)
        .select_related("getter")
        .order_by(_low_first(), "name", "pk")
    )


def archived_supplies(institution):
    return SupplyItem.objects.filter(institution=institution, archived_at__isnull=False).order_by("name", "pk")


def low_supplies(institution, limit=None):
    """Active items that are low (fewer than needed, or at or below their warning level), the biggest
    shortfall first. One query; the weekly health digest and the logistics home read it."""
    items = (
        SupplyItem.objects.filter(SupplyItem.low_condition(), institution=institution, archived_at__isnull=True)
        .select_related("getter")
        .annotate(missing=F("needed") - F("on_hand"))
        .order_by("-missing", "name", "pk")
    )
    return items[:limit] if limit else items


def get_supply_item_or_404(institution, pk):
    return get_object_or_404(SupplyItem.objects.select_related("getter"), institution=institution, pk=pk)


def space_list(institution, now=None):
    """Active spaces with how many bookings they have from now on."""
    now = now or timezone.now()
    return Space.objects.filter(institution=institution, archived_at__isnull=True).annotate(
        upcoming=Count("bookings", filter=Q(bookings__ends_at__gt=now))
    )


def get_space_or_404(institution, pk):
    return get_object_or_404(Space.objects.select_related("institution"), institution=institution, pk=pk)


def get_booking_or_404(space, pk):
    return get_object_or_404(SpaceBooking.objects.select_related("booked_by", "space"), space=space, pk=pk)


@dataclass
class SpaceSchedule:
    soon: list  # not yet over, starting before the end of next week
    later: list  # starting after that, the first LATER_LIMIT
    more_later: bool
    until: datetime  # the end of next week, in the institution's time zone


def space_schedule(space, now=None):
    """The space's bookings that are not over: this week and next in full, then a bounded "later" list.
    Two queries whatever the number of bookings."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(space.institution.time_zone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    until = datetime.combine(monday + timedelta(days=14), datetime.min.time(), tzinfo=zone)
    bookings = SpaceBooking.objects.filter(space=space, ends_at__gt=now).select_related("booked_by", "meeting")
    soon = list(bookings.filter(starts_at__lt=until)[:SOON_LIMIT])
    later = list(bookings.filter(starts_at__gte=until)[: LATER_LIMIT + 1])
    return SpaceSchedule(soon=soon, later=later[:LATER_LIMIT], more_later=len(later) > LATER_LIMIT, until=until)


def booking_clash(space, starts_at, ends_at, exclude_pk=None):
    """The first booking of the space that overlaps [starts_at, ends_at), or None."""
    clashes = SpaceBooking.objects.filter(space=space, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    return clashes.select_related("booked_by").order_by("starts_at", "pk").first()


def upcoming_meetings(institution, now=None):
    """Planned meetings not yet started, which a booking may be for."""
    from meetings.models import Meeting

    return Meeting.objects.filter(
        institution=institution, status=Meeting.Status.PLANNED, starts_at__gte=now or timezone.now()
    ).order_by("starts_at", "pk")


# Describing times ---------------------------------------------------------------------------------------


def booking_when(booking_or_start, ends_at=None, institution=None):
    """ "Tue 3 March 2026, 10:00–11:00" in the institution's time zone (the end with its date when the
    booking runs past midnight)."""
    if ends_at is None:
        starts_at, ends_at = booking_or_start.starts_at, booking_or_start.ends_at
        institution = institution or booking_or_start.institution
    else:
        starts_at = booking_or_start
    zone = zoneinfo.ZoneInfo(institution.time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    end_format = "TIME_FORMAT" if end.date() == start.date() else "DATETIME_FORMAT"
    return "%s – %s" % (  # noqa: UP031 (two formatted parts, no words to translate)
        formats.date_format(start, "DATETIME_FORMAT"),
        formats.date_format(end, end_format),
    )


def clash_message(clash):
    who = clash.booked_by.display_name if clash.booked_by else _("someone who has left")
    return _("That time overlaps another booking: %(purpose)s, %(when)s, booked by %(who)s.") % {
        "purpose": clash.purpose,
        "when": booking_when(clash),
        "who": who,
    }


# Writes: supplies -----------------------------------------------------------------------------------------


def _refuse_non_member(institution, user, message=None):
    if (
        user is None
        or not Membership.objects.filter(institution=institution, user=user, status=Membership.Status.ACTIVE).exists()
    ):
        raise ValidationError(message or _("Only an active member of the institution can do this."))


def _check_count(value, label):
    if value is None or value < 0 or value > MAX_COUNT:
        raise ValidationError(
            _("%(what)s must be a whole number from 0 to %(most)s.") % {"what": label, "most": MAX_COUNT}
        )


def _check_get_by(get_by):
    if get_by is None:
        return
    today = timezone.localdate()
    if get_by < today:
        raise ValidationError(_("“By when” cannot be in the past."))
    if get_by > today + BOOKING_HORIZON:
        raise ValidationError(_("“By when” can be at most a year ahead."))


def _check_item(item):
    item.name = " ".join(item.name.split())
    item.unit = item.unit.strip()
    item.notes = item.notes.strip()
    _check_count(item.needed, _("How many we need"))
    _check_count(item.on_hand, _("How many we have"))
    if item.low_at is not None:
        _check_count(item.low_at, _("The warning level"))
    duplicates = SupplyItem.objects.filter(institution_id=item.institution_id, name__iexact=item.name)
    if item.pk:
        duplicates = duplicates.exclude(pk=item.pk)
    duplicate = duplicates.first()
    if duplicate is not None:
        if duplicate.archived_at:
            raise ValidationError(
                _("An archived item is already called “%(name)s”: bring it back from the archive instead.")
                % {"name": duplicate.name}
            )
        raise ValidationError(_("There is already an item called “%(name)s”.") % {"name": duplicate.name})
    item.full_clean(exclude=["institution", "getter", "updated_by"], validate_constraints=False)


def _save_named(row, message, **options):
    """Save a row whose name is unique in the institution: a name taken at the same moment by someone
    else is refused with `message` (the unique constraint decides, inside a savepoint)."""
    try:
        with transaction.atomic():
            row.save(**options)
    except IntegrityError:
        raise ValidationError(message) from None


SUPPLY_EDITABLE = {"name", "unit", "needed", "low_at", "notes"}


@transaction.atomic
def supply_item_create(*, institution, actor, name, needed=0, on_hand=0, unit="", low_at=None, notes="") -> SupplyItem:
    """Write down something the institution needs on hand."""
    _refuse_non_member(institution, actor)
    item = SupplyItem(
        institution=institution,
        name=name,
        unit=unit,
        needed=needed,
        on_hand=on_hand,
        low_at=low_at,
        notes=notes,
        updated_by=actor,
    )
    _check_item(item)
    _save_named(item, _("There is already an item called “%(name)s”.") % {"name": item.name})
    audit_record(institution=institution, actor=actor, action="supply.created", item=item.name, new=item.on_hand)
    return item


@transaction.atomic
def supply_item_update(*, item, actor, **fields) -> SupplyItem:
    """Change what an item is and how many we need. The count changes through `supply_count_set`."""
    unknown = set(fields) - SUPPLY_EDITABLE
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    locked = SupplyItem.objects.select_for_update().get(pk=item.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_item(locked)
    locked.updated_at, locked.updated_by = timezone.now(), actor
    _save_named(
        locked,
        _("There is already an item called “%(name)s”.") % {"name": locked.name},
        update_fields=[*fields, "updated_at", "updated_by"],
    )
    audit_record(institution=locked.institution, actor=actor, action="supply.updated", item=locked.name)
    for name in (*fields, "on_hand", "updated_at", "updated_by"):
        setattr(item, name, getattr(locked, name))
    return item


@transaction.atomic
def supply_count_set(*, item, actor, on_hand, was=None) -> SupplyItem:
    """ "We now have N." With `was` (the count the person saw), a count someone else changed since is
    not overwritten: the change is refused with the new count, so nobody's update is lost silently.
    Once the item is no longer low, nobody needs to get more: the getter and date are cleared."""
    _check_count(on_hand, _("How many we have"))
    locked = SupplyItem.objects.select_for_update().get(pk=item.pk)
    if locked.archived_at is not None:
        raise ValidationError(_("This item is archived: bring it back first."))
    if was is not None and was != locked.on_hand:
        item.on_hand = locked.on_hand
        raise ValidationError(
            _(
                "Someone changed the count of “%(item)s” to %(now)s a moment ago. Check it and save again if "
                "%(new)s is still right."
            )
            % {"item": locked.name, "now": locked.on_hand, "new": on_hand}
        )
    old = locked.on_hand
    locked.on_hand, locked.updated_at, locked.updated_by = on_hand, timezone.now(), actor
    fields = ["on_hand", "updated_at", "updated_by"]
    if not locked.is_low and locked.getter_id is not None:
        locked.getter, locked.get_by = None, None
        fields += ["getter", "get_by"]
    locked.save(update_fields=fields)
    audit_record(
        institution=locked.institution, actor=actor, action="supply.counted", item=locked.name, old=old, new=on_hand
    )
    for name in ("on_hand", "updated_at", "updated_by", "getter", "get_by"):
        setattr(item, name, getattr(locked, name))
    return item


def _set_getter(item, actor, getter, get_by, condition):
    updated = SupplyItem.objects.filter(condition, pk=item.pk, archived_at__isnull=True).update(
        getter=getter, get_by=get_by if getter else None, updated_at=timezone.now(), updated_by=actor
    )
    if updated:
        item.getter, item.get_by = getter, (get_by if getter else None)
        audit_record(
            institution=item.institution,
            actor=actor,
            action="supply.getter",
            item=item.name,
            person=getter.display_name if getter else _("nobody"),
        )
    return updated


@transaction.atomic
def supply_getter_take(*, item, member, get_by=None) -> SupplyItem:
    """ "I'll get these": the member says they are getting more, optionally by a date. A conditional
    update: of two members at once, one gets it. Taking it again only changes the date."""
    _refuse_non_member(item.institution, member)
    _check_get_by(get_by)
    if not _set_getter(item, member, member, get_by, Q(getter__isnull=True) | Q(getter=member)):
        current = SupplyItem.objects.select_related("getter").filter(pk=item.pk).first()
        if current is not None and current.archived_at is not None:
            raise ValidationError(_("This item is archived: bring it back first."))
        who = current.getter.display_name if current and current.getter else _("someone else")
        raise ValidationError(_("%(who)s is already getting “%(item)s”.") % {"who": who, "item": item.name})
    return item


@transaction.atomic
def supply_getter_release(*, item, member) -> SupplyItem:
    """The getter gives it back: nobody is getting more now."""
    if not _set_getter(item, member, None, None, Q(getter=member)):
        raise ValidationError(_("Only the person getting these can give them back."))
    return item


@transaction.atomic
def supply_getter_assign(*, item, actor, getter, get_by=None) -> SupplyItem:
    """An organizer sets who is getting more (any active member, or nobody) and by when."""
    if getter is not None:
        _refuse_non_member(item.institution, getter, _("Only an active member of the institution can get supplies."))
    _check_get_by(get_by)
    if not _set_getter(item, actor, getter, get_by, Q()):
        raise ValidationError(_("This item is archived: bring it back first."))
    return item


@transaction.atomic
def supply_item_archive(*, item, actor) -> SupplyItem:
    """Take an item off the list (no longer needed); it can be brought back."""
    if not SupplyItem.objects.filter(pk=item.pk, archived_at__isnull=True).update(
        archived_at=timezone.now(), getter=None, get_by=None
    ):
        raise ValidationError(_("This item is already archived."))
    item.archived_at, item.getter, item.get_by = timezone.now(), None, None
    audit_record(institution=item.institution, actor=actor, action="supply.archived", item=item.name)
    return item


@transaction.atomic
def supply_item_restore(*, item, actor) -> SupplyItem:
    if not SupplyItem.objects.filter(pk=item.pk, archived_at__isnull=False).update(archived_at=None):
        raise ValidationError(_("This item is not archived."))
    item.archived_at = None
    audit_record(institution=item.institution, actor=actor, action="supply.restored", item=item.name)
    return item


# Writes: spaces and bookings -------------------------------------------------------------------------------

SPACE_FIELDS = {"name", "kind", "address", "access_details", "capacity", "notes"}


def _check_space(space):
    space.name = " ".join(space.name.split())
    for name in ("address", "access_details", "notes"):
        setattr(space, name, getattr(space, name).strip())
    if space.capacity is not None and not 0 < space.capacity <= MAX_COUNT:
        raise ValidationError(_("How many people fit must be a whole number from 1 to %(most)s.") % {"most": MAX_COUNT})
    duplicates = Space.objects.filter(institution_id=space.institution_id, name__iexact=space.name)
    if space.pk:
        duplicates = duplicates.exclude(pk=space.pk)
    if duplicates.exists():
        raise ValidationError(_("There is already a space called “%(name)s”.") % {"name": space.name})
    space.full_clean(exclude=["institution"], validate_constraints=False)


@transaction.atomic
def space_create(*, institution, actor, **fields) -> Space:
    """Add a room or storage the institution uses."""
    unknown = set(fields) - SPACE_FIELDS
    if unknown:
        raise ValueError(f"not a space field: {sorted(unknown)}")
    space = Space(institution=institution, **fields)
    _check_space(space)
    _save_named(space, _("There is already a space called “%(name)s”.") % {"name": space.name})
    audit_record(institution=institution, actor=actor, action="space.created", space=space.name)
    return space


@transaction.atomic
def space_update(*, space, actor, **fields) -> Space:
    unknown = set(fields) - SPACE_FIELDS
    if unknown:
        raise ValueError(f"not a space field: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(space, name, value)
    _check_space(space)
    _save_named(
        space, _("There is already a space called “%(name)s”.") % {"name": space.name}, update_fields=list(fields)
    )
    audit_record(institution=space.institution, actor=actor, action="space.updated", space=space.name)
    return space


@transaction.atomic
def space_archive(*, space, actor) -> Space:
    """Take a space off the list; its bookings stay as they were, new ones are refused."""
    if not Space.objects.filter(pk=space.pk, archived_at__isnull=True).update(archived_at=timezone.now()):
        raise ValidationError(_("This space is already archived."))
    space.archived_at = timezone.now()
    audit_record(institution=space.institution, actor=actor, action="space.archived", space=space.name)
    return space


def check_booking_times(starts_at, ends_at, now=None):
    """The rules every booking follows, whoever makes it."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        raise ValidationError(_("The end must be after the start."))
    if ends_at - starts_at > MAX_BOOKING:
        raise ValidationError(_("A booking can be at most 24 hours long. Book again for the next day."))
    if starts_at < now:
        raise ValidationError(_("That time has already started or passed: choose a time from now on."))
    if starts_at > now + BOOKING_HORIZON:
        raise ValidationError(_("Bookings can be made at most a year ahead."))


# PostgreSQL's SQLSTATE for "deadlock detected", and how often a booking caught in one is tried again.
DEADLOCK = "40P01"
DEADLOCK_RETRIES = 2


@transaction.atomic
def space_book(*, space, member, starts_at, ends_at, purpose, meeting=None) -> SpaceBooking:
    """Hold the space for a time. The database refuses a booking that overlaps another of the same
    space, even one made at the same moment by someone else: that refusal comes back as a message
    naming the booking in the way."""
    _refuse_non_member(space.institution, member)
    if space.archived_at is not None:
        raise ValidationError(_("This space is archived: it cannot be booked."))
    check_booking_times(starts_at, ends_at)
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValidationError(_("Say what the booking is for."))
    if meeting is not None and not upcoming_meetings(space.institution).filter(pk=meeting.pk).exists():
        raise ValidationError(_("A booking can only be for one of this institution's upcoming meetings."))
    booking = SpaceBooking(
        institution=space.institution,
        space=space,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=purpose,
        meeting=meeting,
        booked_by=member,
    )
    booking.full_clean(exclude=["institution", "space", "meeting", "booked_by"], validate_constraints=False)
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():  # a savepoint: the refused insert leaves the outer transaction usable
                booking.save()
            break
        except OperationalError as error:
            # Two overlapping bookings inserted at the same moment can end in PostgreSQL's deadlock error
            # (each waits for the other's exclusion check). Try again: by then the other booking is
            # either saved (and refuses this one by name) or gone.
            if getattr(error.__cause__, "sqlstate", None) != DEADLOCK or attempt == DEADLOCK_RETRIES:
                raise
        except IntegrityError:
            clash = booking_clash(space, starts_at, ends_at)
            raise ValidationError(
                clash_message(clash) if clash else _("That time overlaps another booking of this space.")
            ) from None
    audit_record(
        institution=space.institution,
        actor=member,
        action="space.booked",
        space=space.name,
        when=booking_when(booking, institution=space.institution),
        purpose=purpose,
    )
    return booking


@transaction.atomic
def space_booking_cancel(*, booking, actor, membership) -> None:
    """The person who booked, or an organizer, frees the time."""
    if not can_cancel_booking(membership, booking):
        raise ValidationError(_("Only the person who booked and organizers can cancel a booking."))
    when = booking_when(booking)
    space_name = booking.space.name
    deleted, _rows = SpaceBooking.objects.filter(pk=booking.pk).delete()
    if not deleted:
        raise ValidationError(_("This booking was already cancelled."))
    audit_record(
        institution=booking.institution, actor=actor, action="space.booking_cancelled", space=space_name, when=when
    )
