"""Demo data for a clinic-defense group: the gear escorts use (a couple of items low, one with someone
getting more), a storage unit and a meeting room with how to get in, and a few bookings."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from . import supplies
from .models import SupplyItem

ITEMS = [
    # name, unit, on hand, needed, warn at, notes
    ("Rainbow umbrellas", "", 7, 15, None, "Large ones block the protesters' signs best."),
    ("Escort vests", "", 9, 12, None, "Bright pink, sizes M to XXL."),
    ("Water bottles", "cases of 24", 3, 2, 1, ""),
    ("Signs: “Patients welcome here”", "", 6, 6, None, ""),
    ("Hand warmers", "packs", 20, 10, 5, "For the winter Saturday mornings."),
    ("First-aid kit", "", 1, 1, None, "Check the expiry dates each month."),
]


def seed_supplies(institution, people):
    """Does nothing if the institution already has supply items. people[0] is an organizer."""
    if SupplyItem.objects.filter(institution=institution).exists():
        return
    organizer = people[0]
    helper = people[1] if len(people) > 1 else organizer
    items = {}
    for name, unit, on_hand, needed, low_at, notes in ITEMS:
        items[name] = supplies.supply_item_create(
            institution=institution,
            actor=organizer,
            name=name,
            unit=unit,
            on_hand=on_hand,
            needed=needed,
            low_at=low_at,
            notes=notes,
        )
    supplies.supply_getter_take(
        item=items["Rainbow umbrellas"], member=helper, get_by=timezone.localdate() + timedelta(days=4)
    )

    storage = supplies.space_create(
        institution=institution,
        actor=organizer,
        name="Storage unit 14",
        kind="storage",
        address="StorWell, 200 Mill Road (gate on the side street)",
        access_details="Gate code 2580#. The padlock key is with Dana and in the lockbox at the office (code 1973).",
        notes="Umbrellas on the left shelf, vests in the blue bins.",
    )
    room = supplies.space_create(
        institution=institution,
        actor=organizer,
        name="Union hall back room",
        kind="room",
        address="45 Grand Avenue, ground floor",
        access_details="Ring the bell marked ‘Hall’; the caretaker, Luis, lets us in. After 9 p.m. call 555-0142.",
        capacity=30,
    )

    zone = zoneinfo.ZoneInfo(institution.time_zone)
    today = timezone.localdate(timezone=zone)

    def local(days, hour, minute=0):
        return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=zone)

    # The next planned meeting gets the room from an hour before (to set up) to after it ends.
    meeting = supplies.upcoming_meetings(institution, now=timezone.now() + timedelta(hours=2)).first()
    bookings = [
        (storage, local(1, 7), local(1, 8), "Pick up umbrellas and vests for Saturday", helper, None),
        (storage, local(8, 7), local(8, 8), "Pick up umbrellas and vests for Saturday", helper, None),
        (room, local(3, 18), local(3, 20, 30), "Escort training for new volunteers", organizer, None),
    ]
    if meeting is not None:
        starts = meeting.starts_at - timedelta(hours=1)
        bookings.append((room, starts, starts + timedelta(hours=4), meeting.title, organizer, meeting))
    for space, starts_at, ends_at, purpose, who, for_meeting in bookings:
        if supplies.booking_clash(space, starts_at, ends_at) is None:
            supplies.space_book(
                space=space, member=who, starts_at=starts_at, ends_at=ends_at, purpose=purpose, meeting=for_meeting
            )
