"""Shift pages: the coming dates, a shift and its schedule, one date (sign up, cancel, stand in, who
came), my shifts and their calendar feed, monthly counts, volunteer roles, and the logistics settings."""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from institutions.models import Membership
from institutions.tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access
from meetings.models import CalendarFeed
from meetings.services import calendar_feed_for
from meetings.views.calendar import calendar_response

from .. import shifts as service
from ..calendar import my_shifts_calendar
from ..forms_shifts import AttendanceForm, LogisticsSettingsForm, RoleForm, ShiftForm, SignupForm, SkipForm
from ..models import Shift, ShiftSignup
from ..selectors import settings_for
from ..services import settings_update


def _errors(error):
    return " ".join(error.messages)


# The coming dates ---------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def shifts_home(request):
    """The next two weeks of shifts by day, stand-in requests first."""
    occurrences = service.upcoming(request.institution, request.user)
    zone = service.local_zone(request.institution)
    days = [
        (day, list(items))
        for day, items in groupby(
            occurrences, key=lambda occurrence: timezone.localtime(occurrence.starts_at, zone).date()
        )
    ]
    return render(
        request,
        "logistics/shifts/index.html",
        {
            "days": days,
            "stand_ins": service.open_stand_ins(request.institution),
            "has_roles": service.roles(request.institution).exists(),
        },
    )


# A shift ------------------------------------------------------------------------------------------------


def _shift_fields(form):
    return {name: form.cleaned_data[name] for name in ShiftForm.Meta.fields}


@tenant_access(ORGANIZER)
def shift_new(request):
    role = request.GET.get("role", "")
    initial = {"role": int(role)} if role.isdigit() and len(role) < 10 else {}
    form = ShiftForm(posted_data(request), institution=request.institution, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shift = service.shift_create(institution=request.institution, actor=request.user, **_shift_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The shift is on the schedule. Members can sign up now."))
            return redirect(shift.get_absolute_url())
    return render(request, "logistics/shifts/form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(MEMBER)
@require_safe
def shift_detail(request, pk):
    shift = service.get_shift_or_404(request.institution, pk)
    return render(
        request,
        "logistics/shifts/shift.html",
        {"shift": shift, "dates": service.shift_dates(shift, request.user), "weekdays": _weekday_names(shift)},
    )


def _weekday_names(shift):
    from ..forms_shifts import WEEKDAY_CHOICES

    names = dict(WEEKDAY_CHOICES)
    return [str(names[digit]) for digit in shift.weekdays if digit in names]


@tenant_access(ORGANIZER)
def shift_edit(request, pk):
    shift = service.get_shift_or_404(request.institution, pk)
    if shift.ended_at is not None:
        messages.error(request, _("This shift has ended: it can no longer be changed."))
        return redirect(shift.get_absolute_url())
    form = ShiftForm(posted_data(request), instance=shift, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            service.shift_update(shift=shift, actor=request.user, **_shift_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The shift is updated; the people signed up for dropped dates are told."))
            return redirect(shift.get_absolute_url())
    return render(
        request, "logistics/shifts/form.html", {"form": form, "shift": shift}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
@require_POST
def shift_end(request, pk):
    shift = service.get_shift_or_404(request.institution, pk)
    service.shift_end(shift=shift, actor=request.user)
    messages.success(request, _("The shift has ended. Its history stays."))
    return redirect(shift.get_absolute_url())


# One date -----------------------------------------------------------------------------------------------


def _procedure_to_read(occurrence, user):
    """The role's procedure if the member has not read its current version, else None."""
    from ..procedures import has_read_current

    procedure = occurrence.shift.role.procedure
    if procedure is None or procedure.archived_at is not None or procedure.current_id is None:
        return None
    return None if has_read_current(procedure, user) else procedure


def occurrence_page(request, occurrence, *, signup_form=None, attendance_form=None, status=200):
    signups = service.signups_of(occurrence)
    mine = next((signup for signup in signups if signup.member_id == request.user.pk), None)
    now = timezone.now()
    can_mark = service.can_mark_attendance(request.membership, occurrence) and occurrence.starts_at <= now
    procedure = _procedure_to_read(occurrence, request.user) if mine is None else None
    context = {
        "occurrence": occurrence,
        "shift": occurrence.shift,
        "signups": signups,
        "mine": mine,
        "full": len(signups) >= occurrence.shift.max_people,
        "below_minimum": len(signups) < occurrence.shift.min_people,
        "started": occurrence.starts_at <= now,
        "late": occurrence.starts_at > now and service.is_late(occurrence, now=now),
        "procedure": procedure,
        "signup_form": signup_form or SignupForm(procedure=procedure),
        "stand_ins": [s for s in service.open_stand_ins(request.institution) if s.occurrence_id == occurrence.pk],
        "skip_form": SkipForm() if request.membership.is_organizer else None,
        "attendance_form": (attendance_form or AttendanceForm(signups=signups)) if can_mark else None,
    }
    return render(request, "logistics/shifts/occurrence.html", context, status=status)


def _refused(request, occurrence, error):
    messages.error(request, _errors(error) if isinstance(error, ValidationError) else error)
    return occurrence_page(request, occurrence, status=400)


@tenant_access(MEMBER)
@require_safe
def occurrence_detail(request, pk):
    return occurrence_page(request, service.get_occurrence_or_404(request.institution, pk))


@tenant_access(MEMBER)
@require_POST
def occurrence_signup(request, pk):
    """Take a place. If the role asks for a procedure the member has not read, they confirm reading
    the version shown (its number is posted, so a newer version is not acknowledged unread)."""
    from ..procedures import procedure_acknowledge

    occurrence = service.get_occurrence_or_404(request.institution, pk)
    procedure = _procedure_to_read(occurrence, request.user)
    form = SignupForm(request.POST, procedure=procedure)
    if not form.is_valid():  # the form shows why, next to the box to tick
        return occurrence_page(request, occurrence, signup_form=form, status=400)
    try:
        if procedure is not None:
            version = request.POST.get("procedure_version", "")
            procedure_acknowledge(
                procedure=procedure, member=request.user, version_number=int(version) if version.isdigit() else 0
            )
        service.signup_take(occurrence=occurrence, member=request.user)
    except ValidationError as error:
        return _refused(request, occurrence, error)
    messages.success(request, _("You are signed up. Thank you!"))
    return redirect(occurrence.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
def occurrence_cancel(request, pk):
    occurrence = service.get_occurrence_or_404(request.institution, pk)
    signup = ShiftSignup.objects.filter(
        occurrence=occurrence, member=request.user, status=ShiftSignup.Status.ACTIVE
    ).first()
    if signup is None:
        return _refused(request, occurrence, _("You are not signed up for this shift."))
    try:
        signup = service.signup_cancel(signup=signup, actor=request.user)
    except ValidationError as error:
        return _refused(request, occurrence, error)
    if signup.late_cancel:
        messages.warning(
            request,
            _("Your place is free. The shift starts soon, so the others and the organizers are asked to stand in."),
        )
    else:
        messages.success(request, _("Your place is free for someone else."))
    return redirect(occurrence.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
def stand_in_take(request, pk):
    stand_in = service.get_stand_in_or_404(request.institution, pk)
    occurrence = service.get_occurrence_or_404(request.institution, stand_in.occurrence_id)
    if _procedure_to_read(occurrence, request.user) is not None:
        messages.info(request, _("This role asks that you read its procedure first: it is below."))
        return redirect(occurrence.get_absolute_url())
    try:
        service.stand_in_take(stand_in=stand_in, member=request.user)
    except ValidationError as error:
        return _refused(request, occurrence, error)
    messages.success(request, _("You are standing in. Thank you!"))
    return redirect(occurrence.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def occurrence_skip(request, pk):
    occurrence = service.get_occurrence_or_404(request.institution, pk)
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _refused(request, occurrence, " ".join(form.errors["reason"]))
    try:
        service.occurrence_skip(occurrence=occurrence, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _refused(request, occurrence, error)
    messages.success(request, _("This date is skipped; the people signed up are told."))
    return redirect(occurrence.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def occurrence_restore(request, pk):
    occurrence = service.get_occurrence_or_404(request.institution, pk)
    try:
        service.occurrence_restore(occurrence=occurrence, actor=request.user)
    except ValidationError as error:
        return _refused(request, occurrence, error)
    messages.success(request, _("This date is back on the schedule."))
    return redirect(occurrence.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
def occurrence_attendance(request, pk):
    occurrence = service.get_occurrence_or_404(request.institution, pk)
    if not service.can_mark_attendance(request.membership, occurrence):
        raise PermissionDenied("Only the shift lead and organizers mark attendance.")
    form = AttendanceForm(request.POST, signups=service.signups_of(occurrence))
    if not form.is_valid() or not form.marks():
        if form.is_valid():
            messages.error(request, _("Mark at least one person as done, missed or excused."))
        else:
            messages.error(request, _("Mark each person as done, missed or excused."))
        return occurrence_page(request, occurrence, attendance_form=form, status=400)
    try:
        changed = service.attendance_mark(occurrence=occurrence, actor=request.user, marks=form.marks())
    except ValidationError as error:
        return _refused(request, occurrence, error)
    messages.success(request, _("Attendance saved (%(total)s changed).") % {"total": changed})
    return redirect(occurrence.get_absolute_url())


# Mine, my calendar, counts ---------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def my_shifts(request):
    feed = calendar_feed_for(user=request.user, institution=request.institution)
    path = reverse("logistics:shift_feed", kwargs={"institution_slug": request.institution.slug, "token": feed.token})
    url = request.build_absolute_uri(path)
    response = render(
        request,
        "logistics/shifts/mine.html",
        {
            "signups": service.my_shifts(request.institution, request.user),
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1],
        },
    )
    response.headers["Cache-Control"] = "private, no-store"  # the page shows a secret link
    return response


@tenant_access(PUBLIC)
@require_safe
def shift_feed(request, token):
    """The member's shifts as a calendar feed; the token (their private calendar link) authorizes it."""
    feed = (
        CalendarFeed.objects.filter(
            institution=request.institution,
            token=token,
            revoked_at__isnull=True,
            user__memberships__institution=request.institution,
            user__memberships__status=Membership.Status.ACTIVE,
        )
        .select_related("user")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar link.")
    content = my_shifts_calendar(request.institution, service.my_feed_shifts(request.institution, feed.user))
    return calendar_response(content, filename="shifts.ics", attachment=False, private=True)


@tenant_access(MEMBER)
@require_safe
def shift_counts(request):
    """Shifts done per member per month, with missed, excused and late cancellations."""
    months, rows = service.monthly_counts(request.institution)
    return render(request, "logistics/shifts/counts.html", {"months": months, "rows": rows})


# Roles ----------------------------------------------------------------------------------------------------


@tenant_access(MEMBER)
@require_safe
def roles(request):
    return render(
        request,
        "logistics/shifts/roles.html",
        {"roles": service.roles(request.institution).order_by(F("archived_at").asc(nulls_first=True), "name")},
    )


@tenant_access(ORGANIZER)
def role_new(request):
    form = RoleForm(posted_data(request), institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            service.role_save(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role is added. Add its shifts next."))
            return redirect("logistics:roles", institution_slug=request.institution.slug)
    return render(request, "logistics/shifts/role_form.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(MEMBER)
def role_detail(request, pk):
    """The role, its shifts; organizers edit it here."""
    role = service.get_role_or_404(request.institution, pk)
    form = None
    if request.membership.is_organizer:
        form = RoleForm(posted_data(request), instance=role, institution=request.institution)
    elif request.method == "POST":
        raise PermissionDenied("Only organizers change roles.")
    if request.method == "POST" and form.is_valid():
        try:
            service.role_save(institution=request.institution, actor=request.user, role=role, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role is updated."))
            return redirect("logistics:role", institution_slug=request.institution.slug, pk=role.pk)
    shifts = Shift.objects.filter(institution=request.institution, role=role).order_by(
        F("ended_at").asc(nulls_first=True), "starts_on", "pk"
    )[:50]
    return render(
        request,
        "logistics/shifts/role.html",
        {"role": role, "form": form, "shifts": shifts},
        status=400 if form is not None and form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def role_archive(request, pk):
    role = service.get_role_or_404(request.institution, pk)
    archived = role.archived_at is None
    service.role_archive(role=role, actor=request.user, archived=archived)
    messages.success(request, _("The role is archived.") if archived else _("The role is back in use."))
    return redirect("logistics:role", institution_slug=request.institution.slug, pk=role.pk)


# Settings -------------------------------------------------------------------------------------------------


@tenant_access(ORGANIZER)
def logistics_settings(request):
    current = settings_for(request.institution)
    form = LogisticsSettingsForm(posted_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in LogisticsSettingsForm.Meta.fields}
        settings_update(institution=request.institution, actor=request.user, **values)
        messages.success(request, _("The settings are saved."))
        return redirect("logistics:settings", institution_slug=request.institution.slug)
    return render(request, "logistics/settings.html", {"form": form}, status=400 if form.errors else 200)
