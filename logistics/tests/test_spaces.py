"""Spaces and bookings: the database refuses overlapping bookings of one space (on SQLite and
PostgreSQL, even when two people book at the same moment); the booking service and pages turn that
into a message naming the booking in the way; access details stay with members."""

import threading
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from followthrough.models import PublicPage
from institutions.models import AuditEntry
from logistics import supplies
from logistics.models import Space, SpaceBooking
from meetings import services as meeting_services
from tests.factories import MembershipFactory

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level concurrency needs PostgreSQL")

ACCESS = "Key in the lockbox, code 4812. Call Ana at 555-0101."


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def make_space(institution, actor, name="Back room", **fields):
    return supplies.space_create(
        institution=institution, actor=actor, name=name, access_details=fields.pop("access_details", ACCESS), **fields
    )


def at(days, hour, minute=0):
    """A time `days` from today at hour:minute, in UTC (the test institution's zone)."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo("UTC"))


def insert(space, starts_at, ends_at, **fields):
    """A booking written straight to the database, past every check but the database's own."""
    return SpaceBooking.objects.create(
        institution=space.institution,
        space=space,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=fields.pop("purpose", "Sign-making"),
        **fields,
    )


def url(institution, name, *args):
    return reverse(f"logistics:{name}", args=[institution.slug, *args])


# The database's guarantee ------------------------------------------------------------------------------


def test_database_refuses_an_overlapping_booking(scoped, organizer):
    space = make_space(scoped, organizer)
    insert(space, at(2, 10), at(2, 12))
    for starts, ends in (
        (at(2, 11), at(2, 13)),
        (at(2, 9), at(2, 10, 30)),
        (at(2, 10, 30), at(2, 11)),
        (at(2, 9), at(2, 13)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            insert(space, starts, ends)
    assert SpaceBooking.objects.count() == 1


def test_back_to_back_bookings_are_allowed(scoped, organizer):
    space = make_space(scoped, organizer)
    insert(space, at(2, 10), at(2, 11))
    insert(space, at(2, 11), at(2, 12))
    insert(space, at(2, 9), at(2, 10))
    assert SpaceBooking.objects.count() == 3


def test_database_refuses_an_update_that_creates_an_overlap(scoped, organizer):
    space = make_space(scoped, organizer)
    insert(space, at(2, 10), at(2, 11))
    later = insert(space, at(2, 11), at(2, 12))
    later.starts_at = at(2, 10, 30)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()
    later.refresh_from_db()
    assert later.starts_at == at(2, 11)
    later.ends_at = at(2, 13)  # moving its own end does not clash with itself
    later.save()


def test_another_space_is_unaffected(scoped, organizer):
    room, storage = make_space(scoped, organizer), make_space(scoped, organizer, "Storage unit")
    insert(room, at(2, 10), at(2, 12))
    insert(storage, at(2, 10), at(2, 12))
    assert SpaceBooking.objects.count() == 2


def test_database_refuses_an_end_before_the_start(scoped, organizer):
    space = make_space(scoped, organizer)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(space, at(2, 12), at(2, 10))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_people_booking_overlapping_times_at_once_one_wins(institution, organizer, member):
    with scope(institution=institution):
        space = make_space(institution, organizer)
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def book(who, starts, ends):
        try:
            with scope(institution=institution):
                barrier.wait()
                results[who.pk] = supplies.space_book(
                    space=space, member=who, starts_at=starts, ends_at=ends, purpose=f"for {who.display_name}"
                )
        except ValidationError as error:
            results[who.pk] = error
        finally:
            connection.close()

    workers = [
        threading.Thread(target=book, args=(organizer, at(3, 18), at(3, 20))),
        threading.Thread(target=book, args=(member, at(3, 19), at(3, 21))),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=20)
    booked = [result for result in results.values() if isinstance(result, SpaceBooking)]
    refused = [result for result in results.values() if isinstance(result, ValidationError)]
    assert len(booked) == 1 and len(refused) == 1
    assert "overlaps another booking" in refused[0].messages[0]
    assert booked[0].purpose in refused[0].messages[0]  # the refusal names the booking that won
    with scopes_disabled():
        assert SpaceBooking.objects.filter(space=space).count() == 1


# The booking service -----------------------------------------------------------------------------------


def test_booking_is_audited_and_an_overlap_names_the_booking_in_the_way(scoped, organizer, member):
    space = make_space(scoped, organizer)
    supplies.space_book(space=space, member=organizer, starts_at=at(2, 18), ends_at=at(2, 20), purpose="Vest fitting")
    entry = AuditEntry.objects.get(action="space.booked")
    assert entry.data["space"] == "Back room" and entry.data["purpose"] == "Vest fitting"
    with pytest.raises(ValidationError) as refused:
        supplies.space_book(space=space, member=member, starts_at=at(2, 19), ends_at=at(2, 21), purpose="Training")
    message = refused.value.messages[0]
    assert "Vest fitting" in message and "Olga" in message and "6 p.m. – 8 p.m." in message
    assert SpaceBooking.objects.count() == 1


def test_database_refusal_becomes_the_same_message_when_the_form_check_was_passed(scoped, organizer, member):
    """The service's own answer when the overlap appears after the form looked (a race): the insert
    fails inside a savepoint, and the transaction goes on to name the booking."""
    space = make_space(scoped, organizer)
    insert(space, at(2, 18), at(2, 20), purpose="Vest fitting", booked_by=organizer)
    with transaction.atomic():
        with pytest.raises(ValidationError, match="Vest fitting, .* booked by Olga"):
            supplies.space_book(space=space, member=member, starts_at=at(2, 19), ends_at=at(2, 21), purpose="x")
        assert SpaceBooking.objects.count() == 1  # the transaction is still usable


@pytest.mark.parametrize(
    ("starts", "ends", "why"),
    [
        (lambda: at(2, 12), lambda: at(2, 12), "after the start"),
        (lambda: at(2, 12), lambda: at(2, 11), "after the start"),
        (lambda: at(2, 8), lambda: at(3, 9), "24 hours"),
        (lambda: timezone.now() - timedelta(hours=1), lambda: timezone.now() + timedelta(hours=1), "passed"),
        (lambda: at(400, 8), lambda: at(400, 9), "a year ahead"),
    ],
)
def test_impossible_times_are_refused(scoped, organizer, member, starts, ends, why):
    space = make_space(scoped, organizer)
    with pytest.raises(ValidationError, match=why):
        supplies.space_book(space=space, member=member, starts_at=starts(), ends_at=ends(), purpose="Meeting")
    assert not SpaceBooking.objects.exists()


def test_a_whole_day_is_allowed(scoped, organizer, member):
    space = make_space(scoped, organizer)
    supplies.space_book(space=space, member=member, starts_at=at(2, 8), ends_at=at(3, 8), purpose="Inventory")
    assert SpaceBooking.objects.count() == 1


def test_outsiders_archived_spaces_and_other_institutions_meetings_are_refused(
    scoped, organizer, member, outsider, other_institution, other_member
):
    space = make_space(scoped, organizer)
    with pytest.raises(ValidationError):
        supplies.space_book(space=space, member=outsider, starts_at=at(2, 8), ends_at=at(2, 9), purpose="x")
    with scope(institution=other_institution):
        foreign = meeting_services.meeting_create(
            institution=other_institution, author=other_member, title="Theirs", starts_at=at(5, 18), place_name="Hall"
        )
    with pytest.raises(ValidationError, match="upcoming meetings"):
        supplies.space_book(
            space=space, member=member, starts_at=at(2, 8), ends_at=at(2, 9), purpose="x", meeting=foreign
        )
    supplies.space_archive(space=space, actor=organizer)
    with pytest.raises(ValidationError, match="archived"):
        supplies.space_book(space=space, member=member, starts_at=at(2, 8), ends_at=at(2, 9), purpose="x")
    assert not SpaceBooking.objects.exists()


def test_booker_or_organizer_cancels_and_it_is_audited(scoped, organizer, member):
    space = make_space(scoped, organizer)
    other = MembershipFactory(institution=scoped).user
    booking = supplies.space_book(space=space, member=member, starts_at=at(2, 8), ends_at=at(2, 9), purpose="Sort")
    with pytest.raises(ValidationError):
        supplies.space_booking_cancel(booking=booking, actor=other, membership=other.memberships.get())
    supplies.space_booking_cancel(booking=booking, actor=member, membership=member.memberships.get())
    assert not SpaceBooking.objects.exists()
    assert AuditEntry.objects.get(action="space.booking_cancelled").data["space"] == "Back room"
    again = supplies.space_book(space=space, member=member, starts_at=at(2, 8), ends_at=at(2, 9), purpose="Sort")
    supplies.space_booking_cancel(booking=again, actor=organizer, membership=organizer.memberships.get())
    assert not SpaceBooking.objects.exists()


def test_schedule_splits_this_week_and_next_from_later_and_leaves_out_the_past(scoped, organizer):
    space = make_space(scoped, organizer)
    now = timezone.now()
    past = insert(space, now - timedelta(days=1, hours=2), now - timedelta(days=1))
    soon = insert(space, now + timedelta(hours=1), now + timedelta(hours=2))
    later = [insert(space, now + timedelta(days=30 + n), now + timedelta(days=30 + n, hours=1)) for n in range(25)]
    schedule = supplies.space_schedule(space)
    assert schedule.soon == [soon] and past not in schedule.soon
    assert schedule.later == later[: supplies.LATER_LIMIT] and schedule.more_later
    assert schedule.until - now <= timedelta(days=14) and schedule.until.weekday() == 0


def test_space_names_are_unique_and_capacity_sensible(scoped, organizer):
    make_space(scoped, organizer)
    with pytest.raises(ValidationError, match="already a space"):
        make_space(scoped, organizer, "back ROOM")
    with pytest.raises(ValidationError):
        make_space(scoped, organizer, "Hall", capacity=0)
    assert Space.objects.count() == 1


# Pages ------------------------------------------------------------------------------------------------


def booking_data(day, starts, ends, **extra):
    return {"date": day.isoformat(), "starts": starts, "ends": ends, "purpose": "Sign-making party", **extra}


def test_member_books_and_a_clash_comes_back_filled_with_the_booking_named(institution, organizer, member_client):
    with scope(institution=institution):
        space = make_space(institution, organizer)
    day = timezone.localdate() + timedelta(days=3)
    response = member_client.post(url(institution, "space_book", space.pk), booking_data(day, "10:00", "11:00"))
    assert response.status_code == 302
    response = member_client.post(
        url(institution, "space_book", space.pk), booking_data(day, "10:30", "12:00", purpose="Paint signs")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "That time overlaps another booking: Sign-making party" in page and "booked by Mo" in page
    assert 'value="Paint signs"' in page and 'value="10:30"' in page
    assert (
        member_client.post(url(institution, "space_book", space.pk), booking_data(day, "11:00", "12:00")).status_code
        == 302
    )
    with scope(institution=institution):
        assert SpaceBooking.objects.count() == 2


def test_times_are_read_in_the_institutions_time_zone(institution, organizer, member_client):
    institution.time_zone = "America/Chicago"
    institution.save()
    with scope(institution=institution):
        space = make_space(institution, organizer)
    day = timezone.localdate() + timedelta(days=3)
    assert (
        member_client.post(url(institution, "space_book", space.pk), booking_data(day, "18:00", "20:00")).status_code
        == 302
    )
    with scope(institution=institution):
        booking = SpaceBooking.objects.get()
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    assert booking.starts_at.astimezone(chicago).replace(tzinfo=None) == datetime.combine(
        day, datetime.min.time()
    ).replace(hour=18)
    assert booking.ends_at - booking.starts_at == timedelta(hours=2)


def test_a_booking_past_midnight_says_so(institution, organizer, member_client):
    with scope(institution=institution):
        space = make_space(institution, organizer)
    day = timezone.localdate() + timedelta(days=3)
    assert (
        member_client.post(url(institution, "space_book", space.pk), booking_data(day, "22:00", "02:00")).status_code
        == 400
    )
    data = booking_data(day, "22:00", "02:00", next_day="on")
    assert member_client.post(url(institution, "space_book", space.pk), data).status_code == 302
    with scope(institution=institution):
        assert SpaceBooking.objects.get().ends_at - SpaceBooking.objects.get().starts_at == timedelta(hours=4)


@pytest.mark.parametrize(
    "data",
    [
        {},
        booking_data(date(2001, 1, 1), "10:00", "11:00"),  # in the past
        booking_data(date.today() + timedelta(days=3), "12:00", "11:00"),  # ends before it starts
        booking_data(date.today() + timedelta(days=500), "10:00", "11:00"),  # too far ahead
        booking_data(date(9999, 12, 31), "10:00", "11:00", next_day="on"),  # the day after the last date
        booking_data(date.today() + timedelta(days=3), "25:00", "26:00"),
        booking_data(date.today() + timedelta(days=3), "10:00", "11:00", purpose="p" * 5000),
        booking_data(date.today() + timedelta(days=3), "10:00", "11:00", purpose="   "),
        booking_data(date.today() + timedelta(days=3), "10:00", "11:00", meeting="987654"),
        {"date": "x" * 3000, "starts": "\x00", "ends": "<script>", "purpose": "x"},
    ],
)
def test_bad_booking_is_400_and_changes_nothing(institution, organizer, member_client, data):
    with scope(institution=institution):
        space = make_space(institution, organizer)
    response = member_client.post(url(institution, "space_book", space.pk), data)
    assert response.status_code == 400
    with scope(institution=institution):
        assert not SpaceBooking.objects.exists()


def test_booking_for_an_upcoming_meeting_links_it(institution, organizer, member_client):
    with scope(institution=institution):
        space = make_space(institution, organizer)
        meeting = meeting_services.meeting_create(
            institution=institution, author=organizer, title="Defense training", starts_at=at(4, 18), place_name="Hall"
        )
    data = booking_data(meeting.starts_at.date(), "17:00", "20:00", meeting=str(meeting.pk))
    assert member_client.post(url(institution, "space_book", space.pk), data).status_code == 302
    page = member_client.get(url(institution, "space", space.pk)).content.decode()
    assert "Defense training" in page and "Sign-making party" in page


def test_access_details_are_for_members_only(institution, organizer, member_client, client_for, outsider, other_member):
    with scope(institution=institution):
        space = make_space(institution, organizer, address="12 Elm St")
        meeting = meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title="Open training",
            starts_at=at(4, 18),
            place_name="Back room",
            is_public=True,
        )
        supplies.space_book(
            space=space, member=organizer, starts_at=at(4, 17), ends_at=at(4, 20), purpose="Training", meeting=meeting
        )
    assert ACCESS in member_client.get(url(institution, "space", space.pk)).content.decode()
    PublicPage.objects.create(institution=institution, show_meetings=True)  # the home lists the meeting
    for user in (None, outsider, other_member):
        client = client_for(user)
        assert ACCESS not in client.get(url(institution, "space", space.pk)).content.decode()
        public = client.get(reverse("meetings:public", args=[institution.slug, meeting.pk]))
        assert public.status_code == 200 and ACCESS not in public.content.decode()
        assert "4812" not in client.get(reverse("institutions:home", args=[institution.slug])).content.decode()


def test_only_organizers_add_edit_and_archive_spaces(institution, organizer, member_client, client_for):
    organizer_client = client_for(organizer)
    data = {"name": "Storage unit 14", "kind": "storage", "address": "", "access_details": "Padlock 1234", "notes": ""}
    assert member_client.post(url(institution, "space_new"), data).status_code == 403
    assert organizer_client.post(url(institution, "space_new"), data).status_code == 302
    with scope(institution=institution):
        space = Space.objects.get()
    assert member_client.post(url(institution, "space_edit", space.pk), {**data, "capacity": "3"}).status_code == 403
    assert organizer_client.post(url(institution, "space_edit", space.pk), {**data, "capacity": "3"}).status_code == 302
    for bad in (
        {**data, "capacity": "-3"},
        {**data, "kind": "castle"},
        {**data, "name": ""},
        {**data, "notes": "n" * 3000},
    ):
        assert organizer_client.post(url(institution, "space_edit", space.pk), bad).status_code == 400
    with scope(institution=institution):
        space.refresh_from_db()
        assert (space.capacity, space.kind, space.name) == (3, "storage", "Storage unit 14")
    assert member_client.post(url(institution, "space_archive", space.pk)).status_code == 403
    assert organizer_client.post(url(institution, "space_archive", space.pk)).status_code == 302
    assert "Storage unit 14" not in member_client.get(url(institution, "spaces")).content.decode()
    assert "Book this space" not in member_client.get(url(institution, "space", space.pk)).content.decode()


def test_cancel_from_the_page_only_for_the_booker_or_organizers(
    institution, organizer, member, member_client, client_for
):
    with scope(institution=institution):
        space = make_space(institution, organizer)
        mine = supplies.space_book(space=space, member=member, starts_at=at(2, 8), ends_at=at(2, 9), purpose="Mine")
        theirs = supplies.space_book(
            space=space, member=organizer, starts_at=at(2, 10), ends_at=at(2, 11), purpose="Theirs"
        )
    page = member_client.get(url(institution, "space", space.pk)).content.decode()
    assert page.count("Cancel booking") == 1
    assert member_client.post(url(institution, "booking_cancel", space.pk, theirs.pk)).status_code == 403
    assert member_client.post(url(institution, "booking_cancel", space.pk, mine.pk)).status_code == 302
    assert client_for(organizer).post(url(institution, "booking_cancel", space.pk, theirs.pk)).status_code == 302
    with scope(institution=institution):
        assert not SpaceBooking.objects.exists()


def test_spaces_of_another_institution_are_404(institution, other_institution, other_member, member_client):
    with scope(institution=other_institution):
        foreign = make_space(other_institution, other_member)
    assert member_client.get(url(institution, "space", foreign.pk)).status_code == 404
    data = booking_data(timezone.localdate() + timedelta(days=2), "10:00", "11:00")
    assert member_client.post(url(institution, "space_book", foreign.pk), data).status_code == 404
    with scopes_disabled():
        assert not SpaceBooking.objects.exists()
