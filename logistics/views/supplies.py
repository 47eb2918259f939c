"""Step 5 pages for supplies (what we have, what we need, who gets more) and spaces (rooms and storage,
with how to get in and bookings that cannot overlap)."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.views import htmx_fragment, message_refusal
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import supplies
from ..forms_supplies import (
    BookingForm,
    SpaceForm,
    SupplyAssignForm,
    SupplyCountForm,
    SupplyGetForm,
    SupplyItemForm,
)

ARCHIVE_LIMIT = 100
LIST_LIMIT = 300


def _url(request, name, *args):
    return reverse(f"logistics:{name}", args=[request.institution.slug, *args])


# Supplies -------------------------------------------------------------------------------------------


def _with_actions(request, item):
    item.can_take = supplies.can_take_supply(request.membership, item)
    item.can_release = supplies.can_release_supply(request.membership, item)
    return item


def _row_context(request, item):
    return {"item": _with_actions(request, item), "today": timezone.localdate()}


def supply_list_page(request, *, status=200):
    items = [_with_actions(request, item) for item in supplies.supply_list(request.institution)[:LIST_LIMIT]]
    context = {
        "items": items,
        "low_total": sum(1 for item in items if item.is_low),
        "today": timezone.localdate(),
    }
    if request.membership.is_organizer:
        context["archived"] = supplies.archived_supplies(request.institution)[:ARCHIVE_LIMIT]
    return render(request, "logistics/supplies/list.html", context, status=status)


@tenant_access(MEMBER)
@require_safe
def supply_list(request):
    """Everything we keep on hand, the low items first, with a quick "we now have" form on each."""
    return supply_list_page(request)


def _after_row_change(request, item, *, status=200):
    """The row again (htmx swaps it in place), or back to the list at that row."""
    if request.htmx:
        item.refresh_from_db()
        return htmx_fragment(request, "logistics/supplies/list.html#supply_row", _row_context(request, item), status)
    if status != 200:
        return supply_list_page(request, status=status)
    return redirect(_url(request, "supplies") + f"#supply-{item.pk}")


@tenant_access(MEMBER)
def supply_new(request):
    form = SupplyItemForm(posted_data(request), with_count=True)
    if request.method == "POST" and form.is_valid():
        try:
            item = supplies.supply_item_create(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(item)s” is on the supplies list.") % {"item": item.name})
            return redirect(_url(request, "supplies") + f"#supply-{item.pk}")
    return render(request, "logistics/supplies/form.html", {"form": form}, status=400 if form.errors else 200)


def supply_page(request, item, *, form=None, assign_form=None, status=200):
    context = {
        **_row_context(request, item),
        "form": form or SupplyItemForm(instance=item),
    }
    if request.membership.is_organizer:
        context["assign_form"] = assign_form or SupplyAssignForm(
            institution=request.institution, initial={"getter": item.getter_id, "get_by": item.get_by}
        )
    return render(request, "logistics/supplies/item.html", context, status=status)


@tenant_access(MEMBER)
def supply_edit(request, pk):
    """One item: edit what it is and how many we need; organizers set the getter and archive."""
    item = supplies.get_supply_item_or_404(request.institution, pk)
    if request.method != "POST":
        return supply_page(request, item)
    form = SupplyItemForm(request.POST, instance=copy.copy(item))
    if form.is_valid():
        try:
            supplies.supply_item_update(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(item)s” is updated.") % {"item": item.name})
            return redirect(_url(request, "supplies") + f"#supply-{item.pk}")
    return supply_page(request, item, form=form, status=400)


@tenant_access(MEMBER)
@require_POST
def supply_count(request, pk):
    """ "We now have N": one field, from the list (a row swap with htmx) or the item's page."""
    item = supplies.get_supply_item_or_404(request.institution, pk)
    form = SupplyCountForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(form.errors.get("on_hand") or form.errors.get("was") or [_("Check the count.")])
        )
        return _after_row_change(request, item, status=400)
    try:
        supplies.supply_count_set(
            item=item, actor=request.user, on_hand=form.cleaned_data["on_hand"], was=form.cleaned_data["was"]
        )
    except ValidationError as error:
        message_refusal(request, error)
        return _after_row_change(request, item, status=400)
    if item.is_low:
        messages.warning(
            request,
            _("“%(item)s”: we have %(have)s, still low.") % {"item": item.name, "have": item.on_hand},
        )
    else:
        messages.success(
            request, _("“%(item)s”: we have %(have)s, enough.") % {"item": item.name, "have": item.on_hand}
        )
    return _after_row_change(request, item)


@tenant_access(MEMBER)
@require_POST
def supply_get(request, pk):
    """ "I'll get these", with an optional date."""
    item = supplies.get_supply_item_or_404(request.institution, pk)
    form = SupplyGetForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["get_by"]))
        return _after_row_change(request, item, status=400)
    try:
        supplies.supply_getter_take(item=item, member=request.user, get_by=form.cleaned_data["get_by"])
    except ValidationError as error:
        message_refusal(request, error)
        return _after_row_change(request, item, status=400)
    messages.success(request, _("You are getting more “%(item)s”. Thank you!") % {"item": item.name})
    return _after_row_change(request, item)


@tenant_access(MEMBER)
@require_POST
def supply_release(request, pk):
    item = supplies.get_supply_item_or_404(request.institution, pk)
    try:
        supplies.supply_getter_release(item=item, member=request.user)
    except ValidationError as error:
        message_refusal(request, error)
        return _after_row_change(request, item, status=400)
    messages.success(request, _("You gave back “%(item)s”: anyone can offer to get it now.") % {"item": item.name})
    return _after_row_change(request, item)


@tenant_access(ORGANIZER)
@require_POST
def supply_assign(request, pk):
    """An organizer sets who is getting more, and by when."""
    item = supplies.get_supply_item_or_404(request.institution, pk)
    form = SupplyAssignForm(request.POST, institution=request.institution)
    if "getter" not in request.POST or not form.is_valid():
        if "getter" not in request.POST:
            form.add_error("getter", _("Choose a member, or nobody."))
        return supply_page(request, item, assign_form=form, status=400)
    try:
        supplies.supply_getter_assign(
            item=item, actor=request.user, getter=form.cleaned_data["getter"], get_by=form.cleaned_data["get_by"]
        )
    except ValidationError as error:
        form.add_error(None, error)
        return supply_page(request, item, assign_form=form, status=400)
    messages.success(request, _("Saved who is getting “%(item)s”.") % {"item": item.name})
    return redirect(_url(request, "supplies") + f"#supply-{item.pk}")


@tenant_access(ORGANIZER)
@require_POST
def supply_archive(request, pk):
    item = supplies.get_supply_item_or_404(request.institution, pk)
    try:
        supplies.supply_item_archive(item=item, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
        return supply_list_page(request, status=400)
    messages.success(
        request, _("“%(item)s” is archived. Bring it back from the archive if needed.") % {"item": item.name}
    )
    return redirect(_url(request, "supplies"))


@tenant_access(ORGANIZER)
@require_POST
def supply_restore(request, pk):
    item = supplies.get_supply_item_or_404(request.institution, pk)
    try:
        supplies.supply_item_restore(item=item, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
        return supply_list_page(request, status=400)
    messages.success(request, _("“%(item)s” is back on the list.") % {"item": item.name})
    return redirect(_url(request, "supplies") + f"#supply-{item.pk}")


# Spaces ---------------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def space_list(request):
    return render(
        request,
        "logistics/spaces/list.html",
        {"spaces": supplies.space_list(request.institution)[:LIST_LIMIT]},
    )


@tenant_access(ORGANIZER)
def space_new(request):
    form = SpaceForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            space = supplies.space_create(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(space)s” is added.") % {"space": space.name})
            return redirect(_url(request, "space", space.pk))
    return render(
        request, "logistics/spaces/form.html", {"form": form, "space": None}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
def space_edit(request, pk):
    space = supplies.get_space_or_404(request.institution, pk)
    form = SpaceForm(posted_data(request), instance=copy.copy(space))
    if request.method == "POST" and form.is_valid():
        try:
            supplies.space_update(space=copy.copy(space), actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(space)s” is updated.") % {"space": form.cleaned_data["name"]})
            return redirect(_url(request, "space", space.pk))
    return render(
        request, "logistics/spaces/form.html", {"form": form, "space": space}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
@require_POST
def space_archive(request, pk):
    space = supplies.get_space_or_404(request.institution, pk)
    try:
        supplies.space_archive(space=space, actor=request.user)
    except ValidationError as error:
        message_refusal(request, error)
        return space_page(request, space, status=400)
    messages.success(request, _("“%(space)s” is archived: nobody can book it now.") % {"space": space.name})
    return redirect(_url(request, "spaces"))


def space_page(request, space, *, form=None, status=200):
    schedule = supplies.space_schedule(space)
    for booking in (*schedule.soon, *schedule.later):
        booking.can_cancel = supplies.can_cancel_booking(request.membership, booking)
    context = {"space": space, "schedule": schedule, "form": form}
    if form is None and space.archived_at is None:
        context["form"] = BookingForm(space=space)
    return render(request, "logistics/spaces/space.html", context, status=status)


@tenant_access(MEMBER)
@require_safe
def space_detail(request, pk):
    """A space: where it is, how to get in (members only), and what is booked."""
    return space_page(request, supplies.get_space_or_404(request.institution, pk))


@tenant_access(MEMBER)
@require_POST
def space_book(request, pk):
    """Book the space; an overlap is refused with the booking in the way, and the form comes back filled."""
    space = supplies.get_space_or_404(request.institution, pk)
    form = BookingForm(request.POST, space=space)
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking = supplies.space_book(
                space=space,
                member=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                purpose=data["purpose"],
                meeting=data["meeting"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(space)s” is booked for you: %(when)s.")
                % {"space": space.name, "when": supplies.booking_when(booking, institution=request.institution)},
            )
            return redirect(_url(request, "space", space.pk) + f"#booking-{booking.pk}")
    return space_page(request, space, form=form, status=400)


@tenant_access(MEMBER)
@require_POST
def booking_cancel(request, pk, booking_pk):
    space = supplies.get_space_or_404(request.institution, pk)
    booking = supplies.get_booking_or_404(space, booking_pk)
    if not supplies.can_cancel_booking(request.membership, booking):
        raise PermissionDenied("Only the person who booked and organizers cancel a booking.")
    when = supplies.booking_when(booking, institution=request.institution)
    try:
        supplies.space_booking_cancel(booking=booking, actor=request.user, membership=request.membership)
    except ValidationError as error:
        message_refusal(request, error)
        return space_page(request, space, status=400)
    messages.success(request, _("The booking for %(when)s is cancelled.") % {"when": when})
    return redirect(_url(request, "space", space.pk))
