"""Supplies: the low rule, counts that are not lost when two people update at once, who is getting more,
archiving, and the pages (members and organizers, bad input answered with 400 and no change)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from institutions.models import AuditEntry
from logistics import supplies
from logistics.models import SupplyItem
from tests.factories import MembershipFactory


@pytest.fixture
def scoped(institution):
    with scope(institution=institution):
        yield institution


def make_item(institution, actor, name="Water bottles", **fields):
    return supplies.supply_item_create(institution=institution, actor=actor, name=name, **fields)


def url(institution, name, *args):
    return reverse(f"logistics:{name}", args=[institution.slug, *args])


def fresh(item):
    return SupplyItem.objects.select_related("getter").get(pk=item.pk)


# The low rule -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_hand", "needed", "low_at", "low"),
    [
        (3, 10, None, True),  # fewer than needed
        (10, 10, None, False),  # exactly enough
        (12, 10, 12, True),  # at the warning level, though more than needed
        (13, 10, 12, False),
        (0, 0, None, False),  # nothing needed, nothing had
        (0, 0, 0, True),  # warn at zero
    ],
)
def test_low_rule_is_the_same_in_python_and_in_the_database(scoped, member, on_hand, needed, low_at, low):
    item = make_item(scoped, member, on_hand=on_hand, needed=needed, low_at=low_at)
    assert item.is_low is low
    assert (item in supplies.low_supplies(scoped)) is low
    assert item.shortfall == max(needed - on_hand, 0)


def test_low_supplies_lists_active_low_items_biggest_shortfall_first(scoped, member, organizer, other_institution):
    make_item(scoped, member, "Vests", on_hand=2, needed=4)
    make_item(scoped, member, "Rainbow umbrellas", on_hand=1, needed=12)
    make_item(scoped, member, "Signs", on_hand=20, needed=10)
    gone = make_item(scoped, member, "Flyers", on_hand=0, needed=100)
    supplies.supply_item_archive(item=gone, actor=organizer)
    assert [item.name for item in supplies.low_supplies(scoped)] == ["Rainbow umbrellas", "Vests"]
    assert [item.name for item in supplies.low_supplies(scoped, limit=1)] == ["Rainbow umbrellas"]
    with scope(institution=other_institution):
        assert list(supplies.low_supplies(other_institution)) == []


def test_the_list_puts_low_items_first_then_by_name(scoped, member):
    for name, have in (("Apples", 9), ("Bandages", 1), ("Chalk", 20), ("Duct tape", 0)):
        make_item(scoped, member, name, on_hand=have, needed=5)
    assert [item.name for item in supplies.supply_list(scoped)] == ["Bandages", "Duct tape", "Apples", "Chalk"]


# Items and counts -------------------------------------------------------------------------------------


def test_adding_an_item_is_audited_and_names_are_unique_ignoring_case(scoped, member):
    make_item(scoped, member, "  Water   bottles ", on_hand=4, needed=10)
    assert SupplyItem.objects.get().name == "Water bottles"
    entry = AuditEntry.objects.get(action="supply.created")
    assert entry.data == {"item": "Water bottles", "new": 4} and entry.actor == member
    with pytest.raises(ValidationError, match="already an item"):
        make_item(scoped, member, "water BOTTLES")


def test_outsider_cannot_add_an_item(scoped, outsider):
    with pytest.raises(ValidationError):
        make_item(scoped, outsider)
    assert not SupplyItem.objects.exists()


def test_count_update_is_audited_from_old_to_new(scoped, member):
    item = make_item(scoped, member, on_hand=3, needed=10)
    supplies.supply_count_set(item=item, actor=member, on_hand=11, was=3)
    assert (fresh(item).on_hand, fresh(item).updated_by, fresh(item).is_low) == (11, member, False)
    entry = AuditEntry.objects.get(action="supply.counted")
    assert entry.data == {"item": "Water bottles", "old": 3, "new": 11}


def test_a_count_changed_by_someone_else_is_not_overwritten(scoped, member, organizer):
    item = make_item(scoped, member, on_hand=3, needed=10)
    stale = SupplyItem.objects.get(pk=item.pk)  # what the second person's page still shows
    supplies.supply_count_set(item=item, actor=member, on_hand=8, was=3)
    with pytest.raises(ValidationError, match="to 8 a moment ago"):
        supplies.supply_count_set(item=stale, actor=organizer, on_hand=5, was=3)
    assert fresh(item).on_hand == 8
    assert stale.on_hand == 8  # the refusal tells the page the count that is there now
    supplies.supply_count_set(item=stale, actor=organizer, on_hand=5, was=8)
    assert fresh(item).on_hand == 5


@pytest.mark.parametrize("bad", [-1, supplies.MAX_COUNT + 1, None])
def test_impossible_counts_are_refused(scoped, member, bad):
    item = make_item(scoped, member, on_hand=3, needed=10)
    with pytest.raises(ValidationError):
        supplies.supply_count_set(item=item, actor=member, on_hand=bad)
    assert fresh(item).on_hand == 3


def test_editing_an_item_keeps_a_count_changed_meanwhile(scoped, member):
    item = make_item(scoped, member, on_hand=3, needed=10)
    page = SupplyItem.objects.get(pk=item.pk)
    supplies.supply_count_set(item=item, actor=member, on_hand=7)
    supplies.supply_item_update(item=page, actor=member, name="Water bottles (1 l)", needed=20)
    assert (fresh(item).name, fresh(item).needed, fresh(item).on_hand) == ("Water bottles (1 l)", 20, 7)


def test_enough_on_hand_clears_who_is_getting_more(scoped, member):
    item = make_item(scoped, member, on_hand=3, needed=10)
    supplies.supply_getter_take(item=item, member=member, get_by=timezone.localdate() + timedelta(days=2))
    supplies.supply_count_set(item=item, actor=member, on_hand=5)
    assert fresh(item).getter == member  # still low: still getting more
    supplies.supply_count_set(item=item, actor=member, on_hand=10)
    assert (fresh(item).getter, fresh(item).get_by) == (None, None)


# Who is getting more ------------------------------------------------------------------------------------


def test_ill_get_these_then_give_back(scoped, member, organizer):
    item = make_item(scoped, member, on_hand=0, needed=6)
    by = timezone.localdate() + timedelta(days=3)
    supplies.supply_getter_take(item=item, member=member, get_by=by)
    assert (fresh(item).getter, fresh(item).get_by) == (member, by)
    with pytest.raises(ValidationError, match="Mo is already getting"):
        supplies.supply_getter_take(item=SupplyItem.objects.get(pk=item.pk), member=organizer)
    with pytest.raises(ValidationError):
        supplies.supply_getter_release(item=item, member=organizer)
    supplies.supply_getter_release(item=item, member=member)
    assert (fresh(item).getter, fresh(item).get_by) == (None, None)
    assert AuditEntry.objects.filter(action="supply.getter").count() == 2


def test_by_when_cannot_be_in_the_past(scoped, member):
    item = make_item(scoped, member, on_hand=0, needed=6)
    with pytest.raises(ValidationError, match="past"):
        supplies.supply_getter_take(item=item, member=member, get_by=timezone.localdate() - timedelta(days=1))
    assert fresh(item).getter is None


def test_organizer_sets_the_getter_to_any_member_but_not_an_outsider(scoped, member, organizer, outsider):
    item = make_item(scoped, member, on_hand=0, needed=6)
    supplies.supply_getter_assign(item=item, actor=organizer, getter=member)
    assert fresh(item).getter == member
    with pytest.raises(ValidationError):
        supplies.supply_getter_assign(item=item, actor=organizer, getter=outsider)
    supplies.supply_getter_assign(item=item, actor=organizer, getter=None)
    assert fresh(item).getter is None


def test_archiving_takes_the_item_off_the_lists_and_restoring_brings_it_back(scoped, member, organizer):
    item = make_item(scoped, member, on_hand=0, needed=6)
    supplies.supply_getter_take(item=item, member=member)
    supplies.supply_item_archive(item=item, actor=organizer)
    assert list(supplies.supply_list(scoped)) == [] and list(supplies.low_supplies(scoped)) == []
    assert fresh(item).getter is None
    with pytest.raises(ValidationError, match="archived"):
        supplies.supply_count_set(item=item, actor=member, on_hand=2)
    with pytest.raises(ValidationError, match="archived item"):
        make_item(scoped, member, "Water bottles")
    supplies.supply_item_restore(item=item, actor=organizer)
    assert list(supplies.supply_list(scoped)) == [fresh(item)]


# Pages ----------------------------------------------------------------------------------------------


def test_member_adds_an_item_and_sees_it_low_on_the_list_and_the_home(institution, member, member_client):
    response = member_client.post(
        url(institution, "supply_new"), {"name": "Safety vests", "on_hand": "2", "needed": "8", "low_at": ""}
    )
    assert response.status_code == 302
    page = member_client.get(url(institution, "supplies")).content.decode()
    assert "Safety vests" in page and "Low: 6 short" in page and "We have 2, we need 8." in page
    home = member_client.get(url(institution, "index")).content.decode()
    assert "Supplies running low" in home and "Safety vests" in home


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "", "on_hand": "1", "needed": "2"},
        {"name": "Tape", "on_hand": "-4", "needed": "2"},
        {"name": "Tape", "on_hand": "1", "needed": "99999999999999999999"},
        {"name": "Tape", "on_hand": "lots", "needed": "2"},
        {"name": "x" * 5000, "on_hand": "1", "needed": "2"},
        {"name": "Tape", "on_hand": "1", "needed": "2", "notes": "n" * 5000},
    ],
)
def test_bad_new_item_is_400_and_changes_nothing(institution, member_client, data):
    response = member_client.post(url(institution, "supply_new"), data)
    assert response.status_code == 400
    with scope(institution=institution):
        assert not SupplyItem.objects.exists()


def test_count_form_without_javascript_redirects_to_the_row(institution, member, member_client):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
    response = member_client.post(url(institution, "supply_count", item.pk), {"on_hand": "5", "was": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"#supply-{item.pk}")
    with scope(institution=institution):
        assert fresh(item).on_hand == 5


def test_count_form_with_htmx_swaps_the_row_with_the_warning_gone(institution, member, member_client):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
    before = member_client.get(url(institution, "supplies")).content.decode()
    assert "Low: 4 short" in before
    response = member_client.post(
        url(institution, "supply_count", item.pk), {"on_hand": "6", "was": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<li id="supply-{item.pk}"')
    assert "Low:" not in html and "We have 6, we need 5." in html
    assert 'hx-swap-oob="true"' in html and "we have 6, enough" in html


@pytest.mark.parametrize("value", ["", "-1", "abc", "1" * 40, "2.5", "\x00"])
def test_bad_count_is_400_and_changes_nothing(institution, member, member_client, value):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
    for headers in ({}, {"HX-Request": "true"}):
        response = member_client.post(url(institution, "supply_count", item.pk), {"on_hand": value}, headers=headers)
        assert response.status_code == 400
    with scope(institution=institution):
        assert fresh(item).on_hand == 1


def test_stale_count_is_refused_with_the_current_count(institution, member, organizer, member_client):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
        supplies.supply_count_set(item=item, actor=organizer, on_hand=4)
    response = member_client.post(url(institution, "supply_count", item.pk), {"on_hand": "2", "was": "1"})
    assert response.status_code == 400
    assert "to 4 a moment ago" in response.content.decode()
    with scope(institution=institution):
        assert fresh(item).on_hand == 4


def test_get_and_give_back_from_the_list(institution, member, member_client):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
    by = (timezone.localdate() + timedelta(days=2)).isoformat()
    assert member_client.post(url(institution, "supply_get", item.pk), {"get_by": by}).status_code == 302
    page = member_client.get(url(institution, "supplies")).content.decode()
    assert "Mo is getting more by" in page and "Give back" in page
    assert member_client.post(url(institution, "supply_get", item.pk), {"get_by": "2001-01-01"}).status_code == 400
    assert member_client.post(url(institution, "supply_release", item.pk)).status_code == 302
    with scope(institution=institution):
        assert fresh(item).getter is None


def test_members_cannot_assign_or_archive_organizers_can(institution, member, organizer, member_client, client_for):
    other = MembershipFactory(institution=institution).user
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
    organizer_client = client_for(organizer)
    assert member_client.post(url(institution, "supply_assign", item.pk), {"getter": other.pk}).status_code == 403
    assert member_client.post(url(institution, "supply_archive", item.pk)).status_code == 403
    assert organizer_client.post(url(institution, "supply_assign", item.pk), {"getter": other.pk}).status_code == 302
    with scope(institution=institution):
        assert fresh(item).getter == other
    assert organizer_client.post(url(institution, "supply_assign", item.pk), {"getter": "99999"}).status_code == 400
    assert organizer_client.post(url(institution, "supply_archive", item.pk)).status_code == 302
    assert organizer_client.post(url(institution, "supply_archive", item.pk)).status_code == 400
    with scope(institution=institution):
        assert fresh(item).archived_at is not None and fresh(item).getter is None
    assert "Archived items" in organizer_client.get(url(institution, "supplies")).content.decode()
    assert organizer_client.post(url(institution, "supply_restore", item.pk)).status_code == 302


def test_member_edits_an_item_and_bad_edits_change_nothing(institution, member, member_client):
    with scope(institution=institution):
        item = make_item(institution, member, on_hand=1, needed=5)
        make_item(institution, member, "Markers")
    ok = {"name": "Water (1 l bottles)", "needed": "12", "low_at": "", "notes": ""}
    assert member_client.post(url(institution, "supply", item.pk), ok).status_code == 302
    for bad in ({**ok, "name": "markers"}, {**ok, "needed": "-3"}, {}):
        assert member_client.post(url(institution, "supply", item.pk), bad).status_code == 400
    with scope(institution=institution):
        assert (fresh(item).name, fresh(item).needed, fresh(item).on_hand) == ("Water (1 l bottles)", 12, 1)


def test_items_of_another_institution_are_404(institution, other_institution, other_member, member_client):
    with scope(institution=other_institution):
        foreign = make_item(other_institution, other_member)
    assert member_client.get(url(institution, "supply", foreign.pk)).status_code == 404
    assert member_client.post(url(institution, "supply_count", foreign.pk), {"on_hand": "1"}).status_code == 404
    with scope(institution=other_institution):
        assert fresh(foreign).on_hand == 0


def test_demo_supplies_for_a_clinic_defense_group(scoped, organizer, member):
    from datetime import timedelta

    from logistics.demo_supplies import seed_supplies
    from logistics.models import Space, SpaceBooking
    from meetings import services as meeting_services

    meeting = meeting_services.meeting_create(
        institution=scoped,
        author=organizer,
        title="Escort team meeting",
        starts_at=timezone.now() + timedelta(days=5),
        place_name="Union hall",
    )
    seed_supplies(scoped, [organizer, member])
    low = {item.name for item in supplies.low_supplies(scoped)}
    assert {"Rainbow umbrellas", "Escort vests"} <= low and "Hand warmers" not in low
    assert SupplyItem.objects.get(name="Rainbow umbrellas").getter == member
    assert Space.objects.exclude(access_details="").count() == 2
    assert SpaceBooking.objects.filter(meeting=meeting).exists()
    assert SpaceBooking.objects.count() == 4
    seed_supplies(scoped, [organizer, member])  # once only
    assert SupplyItem.objects.count() == 6 and SpaceBooking.objects.count() == 4


def test_audit_page_says_what_happened_to_a_count(scoped, member):
    item = make_item(scoped, member, on_hand=3, needed=10)
    supplies.supply_count_set(item=item, actor=member, on_hand=8)
    entry = AuditEntry.objects.filter(action="supply.counted").get()
    assert entry.describe() == "Mo changed the count of “Water bottles” from 3 to 8"
