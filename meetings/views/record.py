"""Step 4, during and after a meeting: attendance on a phone, minutes against the agenda, decisions
and action items; the printable agenda, sign-in sheet and minutes; published minutes for everyone."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from decisions.models import Proposal
from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access

from .. import selectors, services
from ..forms import members_field
from ..models import ActionItem, MeetingDecision

# Empty rows at the end of the sign-in sheet, for people who did not RSVP.
BLANK_SIGNIN_ROWS = 20


def can_edit_minutes(membership, meeting):
    """Organizers write the minutes, and so does the meeting's note-taker."""
    return membership is not None and (membership.is_organizer or meeting.note_taker_id == membership.user_id)


# Forms ---------------------------------------------------------------------------------------------


def count_field(label, maximum, missing):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        error_messages={"required": missing},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": maximum}),
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(coerce=int, required=False, label=gettext_lazy("Members present"))
    guests = count_field(
        gettext_lazy("Guests (people who are not members)"),
        10_000,
        gettext_lazy("Write how many guests came (0 if none)."),
    )
    children = count_field(
        gettext_lazy("Children in childcare"),
        1_000,
        gettext_lazy("Write how many children were in childcare (0 if none)."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(user.pk, user.display_name) for user in members]
        self.fields["present"].error_messages["invalid_choice"] = _(
            "Someone ticked is no longer a member. Reload the page and tick again."
        )


class MinutesForm(forms.Form):
    """The general minutes, one box per agenda item, and (public meetings) whether to publish."""

    version = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": gettext_lazy("This form arrived incomplete. Reload the page and write again.")},
    )
    minutes = forms.CharField(
        label=gettext_lazy("General minutes"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Plain text. Leave an empty line between paragraphs; start a line with “- ” for a list. "
            "Web addresses become links."
        ),
    )

    def __init__(self, *args, meeting, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = agenda
        for number, item in enumerate(agenda, start=1):
            attrs = {"rows": 4}
            if item.notes:  # the plan for the item is shown under its label
                attrs["aria-describedby"] = f"id_record-{item.pk}_plan"
            self.fields[f"record-{item.pk}"] = forms.CharField(
                label=f"{number}. {item.title}",
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs=attrs),
                initial=item.record,
            )
        if meeting.is_public:
            self.fields["publish"] = forms.BooleanField(
                label=_("Publish the minutes on the institution’s public page"),
                required=False,
                initial=meeting.minutes_published,
                help_text=_("Anyone can read them there. Attendance shows as numbers only, never names."),
            )

    def records(self):
        return {item.pk: self.cleaned_data[f"record-{item.pk}"] for item in self.items}

    def item_fields(self):
        return [(item, self[f"record-{item.pk}"]) for item in self.items]


class DecisionForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("What was decided"),
        max_length=500,
        help_text=gettext_lazy("e.g. “Hold a rent strike from March 1?”"),
        error_messages={"required": gettext_lazy("Write what was decided, as a question or a sentence.")},
    )
    # Declared here: a scoped model's queryset cannot be read when the class is built.
    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(),
        required=False,
        label=gettext_lazy("The proposal voted in the app"),
        empty_label=gettext_lazy("None: it was a show of hands"),
    )
    votes_for = forms.IntegerField(label=gettext_lazy("For"), required=False, min_value=0, max_value=100_000)
    votes_against = forms.IntegerField(label=gettext_lazy("Against"), required=False, min_value=0, max_value=100_000)
    votes_abstain = forms.IntegerField(label=gettext_lazy("Abstaining"), required=False, min_value=0, max_value=100_000)

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = Proposal.objects.filter(
            institution=institution, status__in=[Proposal.Status.VOTING, Proposal.Status.CLOSED]
        ).order_by("-pk")
        for name in ("votes_for", "votes_against", "votes_abstain"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0})


class ActionItemForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What needs doing"),
        max_length=300,
        error_messages={"required": gettext_lazy("Write what needs doing.")},
    )
    due_on = forms.DateField(
        label=gettext_lazy("By when"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = members_field(institution, _("Who"))
        self.order_fields(["text", "owner", "due_on"])


# During the meeting: attendance --------------------------------------------------------------------


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request, pk):
    """Tick the members who came and count guests and children; saving replaces the earlier list."""
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    members = selectors.attendance_members(meeting)
    form = AttendanceForm(
        posted_data(request),
        members=members,
        initial={
            "present": [user.pk for user in members if user.present],
            "guests": meeting.guests_count,
            "children": meeting.children_count,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                meeting=meeting,
                actor=request.user,
                present_user_ids=form.cleaned_data["present"],
                guests=form.cleaned_data["guests"],
                children=form.cleaned_data["children"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Attendance saved: %(members)s members, %(guests)s guests, %(children)s children in childcare.")
                % {
                    "members": len(form.cleaned_data["present"]),
                    "guests": form.cleaned_data["guests"],
                    "children": form.cleaned_data["children"],
                },
            )
            return redirect("meetings:attendance", institution_slug=request.institution.slug, pk=meeting.pk)
    ticked = {str(value) for value in (form["present"].value() or [])}
    for user in members:
        user.ticked = str(user.pk) in ticked
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "form": form,
            "members": members,
            "rsvped": sum(user.rsvped for user in members),
            "support": services.meeting_support_summary(meeting),
        },
        status=400 if form.errors else 200,
    )


# Minutes, decisions and action items ---------------------------------------------------------------


def minutes_form(meeting, agenda, data=None):
    return MinutesForm(
        data,
        meeting=meeting,
        agenda=agenda,
        initial={"version": services.minutes_version(meeting, agenda), "minutes": meeting.minutes},
    )


def minutes_page(request, meeting, *, form=None, decision_form=None, action_form=None, status=200):
    """The minutes page: the record (or its form), decisions and action items (with their forms
    for organizers). Forms that failed come back filled in, with their errors."""
    agenda = selectors.agenda_of(meeting)
    can_edit = can_edit_minutes(request.membership, meeting)
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "can_edit": can_edit,
        "form": (form or minutes_form(meeting, agenda)) if can_edit else None,
        "decisions": selectors.decisions_of(meeting),
        "actions": selectors.action_items_of(meeting),
        "present_count": selectors.attendance_count(meeting),
    }
    if request.membership.is_organizer:
        institution = request.institution
        context["decision_form"] = decision_form or DecisionForm(prefix="decision", institution=institution)
        context["action_form"] = action_form or ActionItemForm(prefix="action", institution=institution)
    return render(request, "meetings/minutes.html", context, status=status)


def minutes_url(meeting, anchor=""):
    url = reverse("meetings:minutes", kwargs={"institution_slug": meeting.institution.slug, "pk": meeting.pk})
    return f"{url}{anchor}"


@tenant_access(MEMBER)
@require_http_methods(["GET", "HEAD", "POST"])
def minutes(request, pk):
    """Members read the minutes; organizers and the note-taker write them."""
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    if request.method != "POST":
        return minutes_page(request, meeting)
    if not can_edit_minutes(request.membership, meeting):
        raise PermissionDenied("Organizers and the note-taker write the minutes.")
    form = minutes_form(meeting, selectors.agenda_of(meeting), data=request.POST)
    status = 400
    if form.is_valid():
        try:
            services.minutes_save(
                meeting=meeting,
                actor=request.user,
                minutes=form.cleaned_data["minutes"],
                records=form.records(),
                publish=form.cleaned_data.get("publish", False),
                seen_version=form.cleaned_data["version"],
            )
        except services.MinutesChanged as error:
            form.add_error(None, error)
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(minutes_url(meeting))
    return minutes_page(request, meeting, form=form, status=status)


@tenant_access(ORGANIZER)
@require_POST
def decision_new(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = DecisionForm(request.POST, prefix="decision", institution=request.institution)
    if form.is_valid():
        try:
            services.decision_record(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(minutes_url(meeting, "#decisions"))
    return minutes_page(request, meeting, decision_form=form, status=400)


@tenant_access(ORGANIZER)
@require_POST
def decision_delete(request, pk, decision_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    decision = get_object_or_404(MeetingDecision.objects.select_related("institution"), meeting=meeting, pk=decision_pk)
    services.decision_remove(decision=decision, actor=request.user)
    messages.success(request, _("The decision is taken off the minutes."))
    return redirect(minutes_url(meeting, "#decisions"))


@tenant_access(ORGANIZER)
@require_POST
def action_new(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    form = ActionItemForm(request.POST, prefix="action", institution=request.institution)
    if form.is_valid():
        try:
            services.action_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action item is noted."))
            return redirect(minutes_url(meeting, "#actions"))
    return minutes_page(request, meeting, action_form=form, status=400)


@tenant_access(ORGANIZER)
@require_POST
def action_delete(request, pk, action_pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    item = get_object_or_404(ActionItem, meeting=meeting, pk=action_pk)
    services.action_item_remove(item=item, actor=request.user)
    messages.success(request, _("The action item is removed."))
    return redirect(minutes_url(meeting, "#actions"))


# On paper ------------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def agenda_print(request, pk):
    """The agenda to hand out: each item with its time box and the clock time it starts."""
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    agenda = selectors.agenda_with_times(meeting)
    ends_at = agenda[-1].ends_at if agenda else meeting.starts_at
    overrun = int((ends_at - meeting.ends_at).total_seconds() // 60)
    return render(
        request,
        "meetings/print_agenda.html",
        {"meeting": meeting, "agenda": agenda, "agenda_ends_at": ends_at, "overrun": max(overrun, 0)},
    )


@tenant_access(ORGANIZER)
@require_safe
def signin_sheet(request, pk):
    """A sheet to pass around: names of those who RSVPed already written in, then empty rows."""
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    names = list(selectors.rsvps_of(meeting).values_list("name", flat=True))
    return render(
        request,
        "meetings/print_signin.html",
        {"meeting": meeting, "names": names, "blank_rows": range(BLANK_SIGNIN_ROWS)},
    )


def record_context(meeting):
    return {
        "meeting": meeting,
        "agenda": selectors.agenda_of(meeting),
        "decisions": selectors.decisions_of(meeting),
        "actions": selectors.action_items_of(meeting),
        "present_count": selectors.attendance_count(meeting),
    }


@tenant_access(MEMBER)
@require_safe
def minutes_print(request, pk):
    meeting = selectors.get_meeting_or_404(request.institution, pk)
    return render(request, "meetings/print_minutes.html", record_context(meeting))


# For anyone ----------------------------------------------------------------------------------------


@tenant_access(PUBLIC)
@require_safe
def minutes_public(request, pk):
    """Published minutes of a public meeting: attendance as numbers only, no names or contacts."""
    meeting = selectors.get_published_minutes_or_404(request.institution, pk)
    return render(request, "meetings/minutes_public.html", record_context(meeting))
