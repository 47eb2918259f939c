"""Step 5 pages for written procedures: the list, a procedure with its "I have read this" button and
history, each version with what changed, and the organizers' "who has not read what"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.views import message_refusal
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import procedures
from ..forms_procedures import AcknowledgeForm, ProcedureForm, ReviseForm

LIST_LIMIT = 200


@tenant_access(MEMBER)
@require_safe
def procedure_list(request):
    """Every procedure with its current version and whether the viewer has read it; organizers also
    see how many members have and find the archived ones (`?show=archived`)."""
    archived = request.GET.get("show") == "archived" and request.membership.is_organizer
    rows = [
        (procedure, procedures.reading_state(procedure))
        for procedure in procedures.procedure_list(request.institution, request.user, archived=archived)[:LIST_LIMIT]
    ]
    members = procedures.active_member_count(request.institution) if request.membership.is_organizer else None
    return render(
        request,
        "logistics/procedures/list.html",
        {"rows": rows, "archived": archived, "members": members},
    )


@tenant_access(ORGANIZER)
def procedure_new(request):
    form = ProcedureForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            procedure = procedures.procedure_create(
                institution=request.institution, author=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The procedure is written. Members can read it now."))
            return redirect(procedure.get_absolute_url())
    return render(request, "logistics/procedures/form.html", {"form": form}, status=400 if form.errors else 200)


def procedure_page(request, procedure, *, status=200):
    return render(
        request,
        "logistics/procedures/detail.html",
        {
            "procedure": procedure,
            "version": procedure.current,
            "acknowledgement": procedures.latest_acknowledgement(procedure, request.user),
            "versions": procedures.versions_of(procedure),
        },
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def procedure_detail(request, pk):
    """The current text, the "I have read this" button, and the history."""
    return procedure_page(request, procedures.get_procedure_or_404(request.institution, pk))


@tenant_access(MEMBER)
@require_POST
def procedure_acknowledge(request, pk):
    procedure = procedures.get_procedure_or_404(request.institution, pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say which version you have read: reload the page and press the button again."))
        return procedure_page(request, procedure, status=400)
    try:
        procedures.procedure_acknowledge(
            procedure=procedure, member=request.user, version_number=form.cleaned_data["version"]
        )
    except ValidationError as error:
        message_refusal(request, error)
        # The page as it is now: a newer version may have come in.
        return procedure_page(request, procedures.get_procedure_or_404(request.institution, pk), status=400)
    messages.success(request, _("Thank you: you have read “%(title)s”.") % {"title": procedure.title})
    return redirect(procedure.get_absolute_url())


@tenant_access(ORGANIZER)
def procedure_revise(request, pk):
    """Change the text (a new version, with what changed) or the title."""
    procedure = procedures.get_procedure_or_404(request.institution, pk)
    initial = {"title": procedure.title, "body": procedure.current.body if procedure.current else ""}
    form = ReviseForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        before = procedure.current_id
        try:
            procedures.procedure_revise(procedure=procedure, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if procedure.current_id != before:
                messages.success(
                    request,
                    _("Version %(number)d is the current one. Members who read an earlier one are asked to read it.")
                    % {"number": procedure.current.number},
                )
            else:
                messages.success(request, _("The procedure is renamed."))
            return redirect(procedure.get_absolute_url())
    return render(
        request,
        "logistics/procedures/form.html",
        {"form": form, "procedure": procedure},
        status=400 if form.errors else 200,
    )


def _set_archived(request, pk, archived):
    procedure = procedures.get_procedure_or_404(request.institution, pk)
    if archived:
        procedures.procedure_archive(procedure=procedure, actor=request.user)
        messages.success(request, _("The procedure is archived. Its versions stay readable."))
    else:
        procedures.procedure_unarchive(procedure=procedure, actor=request.user)
        messages.success(request, _("The procedure is back in use."))
    return redirect(procedure.get_absolute_url())


@tenant_access(ORGANIZER)
@require_POST
def procedure_archive(request, pk):
    return _set_archived(request, pk, True)


@tenant_access(ORGANIZER)
@require_POST
def procedure_unarchive(request, pk):
    return _set_archived(request, pk, False)


@tenant_access(MEMBER)
@require_safe
def procedure_version(request, pk, number):
    """One version as it was written, and what changed from the version before, line by line."""
    procedure = procedures.get_procedure_or_404(request.institution, pk)
    version = procedures.get_version_or_404(procedure, number)
    previous = procedures.previous_version(version)
    return render(
        request,
        "logistics/procedures/version.html",
        {
            "procedure": procedure,
            "version": version,
            "previous": previous,
            "diff": procedures.line_diff(previous.body, version.body) if previous else None,
        },
    )


@tenant_access(ORGANIZER)
@require_safe
def procedures_unread(request):
    """Who has not read what: members × procedures, and per procedure who still has to read it."""
    return render(
        request, "logistics/procedures/unread.html", {"matrix": procedures.reading_matrix(request.institution)}
    )
