"""Step 4 pages: planning meetings, their agenda and suggestions, and who is coming."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from decisions.models import Proposal
from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from dualpower.views import message_refusal
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from logistics.selectors import filled_support_keys, unfilled_support_count

from .. import selectors, services
from ..forms import AgendaItemForm, CancelForm, MeetingForm, SuggestionForm
from ..models import AgendaItem, Suggestion


@tenant_access(MEMBER)
@require_safe
def index(request):
    institution = request.institution
    return render(
        request,
        "meetings/index.html",
        {
            "step": STEPS_BY_APP["meetings"],
            "upcoming": selectors.upcoming_meetings(institution)[:100],
            "past": selectors.past_meetings(institution)[:50],
        },
    )


def meeting_form(request, meeting=None):
    return MeetingForm(posted_data(request), instance=meeting, institution=request.institution)


def _service_fields(form):
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


@tenant_access(ORGANIZER)
def meeting_new(request):
    form = meeting_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                institution=request.institution, author=request.user, **_service_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned. Add the agenda, then share the link."))
            return redirect(meeting.get_absolute_url())
    return render(request, "meetings/meeting_form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(MEMBER)
@require_safe
def detail(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk, filled_support_keys=filled_support_keys())
    support = services.meeting_support_summary(meeting)
    context = {
        "meeting": meeting,
        "agenda": selectors.agenda_of(meeting),
        "my_rsvp": selectors.my_rsvp(meeting, request.user),
        "support": support,
        "unfilled_support": unfilled_support_count(meeting, support),
        "suggestion_form": SuggestionForm(prefix="suggest"),
    }
    if request.membership.is_organizer:
        context["suggestions"] = selectors.suggestions_of(meeting)
        context["rsvps"] = selectors.rsvps_of(meeting)[:500]
    return render(request, "meetings/detail.html", context)


@tenant_access(ORGANIZER)
def meeting_edit(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = meeting_form(request, copy.copy(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **_service_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is updated."))
            return redirect(meeting.get_absolute_url())
    return render(
        request, "meetings/meeting_form.html", {"form": form, "meeting": meeting}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
def meeting_cancel(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = CancelForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("The meeting is cancelled. Everyone who said they would come is being told."))
            return redirect(meeting.get_absolute_url())
    return render(
        request, "meetings/cancel.html", {"meeting": meeting, "form": form}, status=400 if form.errors else 200
    )


@tenant_access(MEMBER)
@require_POST
def rsvp_member(request, pk):
    """One tap: I'm coming (or not any more)."""
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    going = request.POST.get("going") != "no"
    try:
        services.member_rsvp(meeting=meeting, user=request.user, going=going)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("See you there.") if going else _("Noted: you are not coming."))
    return redirect(meeting.get_absolute_url())


# Agenda ---------------------------------------------------------------------------------------------


def agenda_form(request, meeting, item=None):
    proposals = Proposal.objects.filter(institution=request.institution).exclude(status="withdrawn")
    return AgendaItemForm(
        posted_data(request), instance=item, institution=request.institution, proposals=proposals.order_by("-pk")
    )


@tenant_access(ORGANIZER)
def agenda_new(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = agenda_form(request, meeting)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        services.agenda_item_add(meeting=meeting, actor=request.user, **fields)
        messages.success(request, _("The item is on the agenda."))
        return redirect(f"{meeting.get_absolute_url()}#agenda")
    return render(
        request, "meetings/agenda_form.html", {"meeting": meeting, "form": form}, status=400 if form.errors else 200
    )


def get_item_or_404(meeting, item_pk):
    return get_object_or_404(AgendaItem.objects.select_related("meeting"), meeting=meeting, pk=item_pk)


@tenant_access(ORGANIZER)
def agenda_edit(request, pk, item_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    item = get_item_or_404(meeting, item_pk)
    form = agenda_form(request, meeting, copy.copy(item))
    if request.method == "POST" and form.is_valid():
        services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The item is updated."))
        return redirect(f"{meeting.get_absolute_url()}#agenda")
    return render(
        request,
        "meetings/agenda_form.html",
        {"meeting": meeting, "form": form, "item": item},
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def agenda_move(request, pk, item_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    item = get_item_or_404(meeting, item_pk)
    services.agenda_item_move(item=item, up=request.POST.get("direction") != "down")
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@tenant_access(ORGANIZER)
@require_POST
def agenda_remove(request, pk, item_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    services.agenda_item_remove(item=get_item_or_404(meeting, item_pk), actor=request.user)
    messages.success(request, _("The item is off the agenda."))
    return redirect(f"{meeting.get_absolute_url()}#agenda")


# Suggestions from members (the public send theirs from the public page) ---------------------------


@tenant_access(MEMBER)
@require_POST
def suggest(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = SuggestionForm(request.POST, prefix="suggest")
    if form.is_valid():
        try:
            services.suggestion_send(
                meeting=meeting,
                member=request.user,
                name=request.user.display_name,
                text=form.cleaned_data["text"],
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(request, _("Thank you. The organizers will see your suggestion."))
            return redirect(meeting.get_absolute_url())
    else:
        messages.error(request, _("Write your suggestion in the box (at most 3,000 characters)."))
    return redirect(meeting.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def suggestion_decide(request, pk, suggestion_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    suggestion = get_object_or_404(Suggestion.objects.select_related("meeting"), meeting=meeting, pk=suggestion_pk)
    try:
        if request.POST.get("decision") == "agenda":
            services.suggestion_to_agenda(
                suggestion=suggestion, actor=request.user, title=request.POST.get("title", "").strip()[:200]
            )
            messages.success(request, _("The suggestion is on the agenda."))
        else:
            services.suggestion_set_aside(suggestion=suggestion, actor=request.user)
            messages.success(request, _("The suggestion is set aside."))
    except ValidationError as error:
        message_refusal(request, error)
    return redirect(f"{meeting.get_absolute_url()}#suggestions")
