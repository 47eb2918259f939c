"""Step 3 pages: research notes on earlier efforts, their history and files, and a summary per need."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data
from dualpower.steps import STEPS_BY_APP
from dualpower.uploads import SizeLimit
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access
from needs.selectors import get_need_or_404, needs_of

from . import rules, selectors, services
from .forms import AttachmentForm, FieldNoteEditForm, FieldNoteForm, NoteSearchForm

# A downloaded file never runs as a page of ours: no scripts, no plugins, its own origin.
DOWNLOAD_CSP = {**settings.SECURE_CSP, "sandbox": True}


def _need_choices(institution):
    return needs_of(institution).order_by("title", "pk")


@tenant_access(MEMBER)
@require_safe
def index(request):
    """The notes: search, filters, and the list (best match first when searching)."""
    institution = request.institution
    form = NoteSearchForm(
        request.GET or None, needs=_need_choices(institution), tags=selectors.tags_in_use(institution)
    )
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "text": data["q"],
            "need": data["need"],
            "outcome": data["outcome"],
            "tag": selectors.get_tag(institution, data["tag"]) if data["tag"] else None,
        }
    notes = selectors.search_notes(institution, **filters)
    return render(
        request,
        "research/index.html",
        {
            "step": STEPS_BY_APP["research"],
            "form": form,
            "notes": notes,
            "searching": bool(filters) and any(filters.values()),
            "limit_reached": len(notes) >= selectors.RESULTS_LIMIT,
        },
        status=400 if form.errors else 200,
    )


@tenant_access(MEMBER)
def note_new(request):
    institution = request.institution
    needs = _need_choices(institution)
    initial = {}
    need_pk = request.GET.get("need", "")
    if need_pk.isdigit() and len(need_pk) < 12:
        initial["needs"] = list(needs.filter(pk=int(need_pk)).values_list("pk", flat=True))
    form = FieldNoteForm(posted_data(request), needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        note = services.note_create(institution=institution, author=request.user, **form.cleaned_data)
        messages.success(request, _("The note is saved. If you have reports or photos, attach them below."))
        return redirect(note.get_absolute_url())
    return render(request, "research/note_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail(request, note, attachment_form=None, status=200):
    details = selectors.note_details(note)
    membership = request.membership
    return render(
        request,
        "research/detail.html",
        {
            "note": note,
            **details,
            "removable": {a.pk for a in details["attachments"] if rules.can_remove_attachment(membership, a)},
            "attachment_form": attachment_form or AttachmentForm(),
            "can_mark_key_reading": rules.can_mark_key_reading(membership),
            "attachments_left": max(settings.RESEARCH_ATTACHMENTS_PER_NOTE - len(details["attachments"]), 0),
        },
        status=status,
    )


@tenant_access(MEMBER)
@require_safe
def detail(request, pk):
    return _detail(request, selectors.get_note_or_404(request.institution, pk))


@tenant_access(MEMBER)
def edit(request, pk):
    institution = request.institution
    note = selectors.get_note_or_404(institution, pk)
    needs = _need_choices(institution)
    # The form validates a copy, so the saved note is unchanged until the service runs.
    form = FieldNoteEditForm(posted_data(request), instance=copy.copy(note), needs=needs)
    status, current = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.note_update(note=note, editor=request.user, **form.cleaned_data)
        except services.NoteConflict as error:
            # Show what is saved now, and let the next save start from it (keeping what they typed).
            current = selectors.get_note_or_404(institution, pk)
            data = request.POST.copy()
            data["base_version"] = str(current.version)
            form = FieldNoteEditForm(data, instance=copy.copy(current), needs=needs)
            form.is_valid()
            form.add_error(None, str(error))
            status = 409
        except services.ResearchError as error:
            form.add_error(None, str(error))
        else:
            if updated.version == form.cleaned_data["base_version"]:
                messages.info(request, _("Nothing had changed, so no new version was saved."))
            else:
                messages.success(request, _("The note is saved. Earlier versions stay in its history."))
            return redirect(note.get_absolute_url())
    if form.errors and status == 200:
        status = 400
    return render(request, "research/note_form.html", {"form": form, "note": note, "current": current}, status=status)


@tenant_access(MEMBER)
@require_safe
def history(request, pk):
    note = selectors.get_note_or_404(request.institution, pk)
    return render(request, "research/history.html", {"note": note, "versions": selectors.versions_of(note)})


@tenant_access(MEMBER)
@require_safe
def version(request, pk, number):
    note = selectors.get_note_or_404(request.institution, pk)
    return render(
        request, "research/version.html", {"note": note, "version": selectors.get_version_or_404(note, number)}
    )


@tenant_access(ORGANIZER)
@require_POST
def key_reading(request, pk):
    note = selectors.get_note_or_404(request.institution, pk)
    choice = request.POST.get("key_reading")
    if choice not in {"on", "off"}:
        messages.error(request, _("Choose whether the note is key reading or not."))
        return _detail(request, note, status=400)
    services.note_mark_key_reading(note=note, actor=request.user, key_reading=choice == "on")
    if choice == "on":
        messages.success(request, _("Marked as key reading: it now comes first in lists and summaries."))
    else:
        messages.success(request, _("No longer marked as key reading."))
    return redirect(note.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
@csrf_exempt  # checked by csrf_protect below, once the size limit is in place (Django's documented way)
def attachment_add(request, pk):
    limit = SizeLimit(request, settings.RESEARCH_ATTACHMENT_MAX_BYTES)
    request.upload_handlers.insert(0, limit)
    return _attachment_add(request, pk, limit)


@csrf_protect
def _attachment_add(request, pk, limit):
    note = selectors.get_note_or_404(request.institution, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if limit.too_large:
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", services.too_large_message())
    elif form.is_valid():
        try:
            attachment = services.attachment_add(
                note=note, uploader=request.user, upload=form.cleaned_data["file"], caption=form.cleaned_data["caption"]
            )
        except services.ResearchError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("“%(name)s” is attached to the note.") % {"name": attachment.original_name})
            return redirect(note.get_absolute_url())
    return _detail(request, note, attachment_form=form, status=400)


@tenant_access(MEMBER)
@require_safe
@csp_override(DOWNLOAD_CSP)
def attachment_download(request, pk, attachment_pk):
    """The file, for members only: always as a download, of the type its content proved, never sniffed."""
    institution = request.institution
    attachment = selectors.get_attachment_or_404(institution, pk, attachment_pk)
    if not attachment.file.name.startswith(f"research/{institution.pk}/"):
        raise Http404("Not this institution's file.")
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing.") from missing
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_access(MEMBER)
@require_POST
def attachment_remove(request, pk, attachment_pk):
    attachment = selectors.get_attachment_or_404(request.institution, pk, attachment_pk)
    if not rules.can_remove_attachment(request.membership, attachment):
        raise PermissionDenied("Only the uploader, the note's author or an organizer can remove a file.")
    note = attachment.note
    services.attachment_remove(attachment=attachment, actor=request.user)
    messages.success(request, _("“%(name)s” is removed from the note.") % {"name": attachment.original_name})
    return redirect(note.get_absolute_url())


@tenant_access(MEMBER)
@require_safe
def need_summary(request, pk):
    """What has been tried on one need and how it went, to prepare the public meeting (printable)."""
    need = get_need_or_404(request.institution, pk)
    groups = selectors.need_summary(need)
    return render(
        request,
        "research/need_summary.html",
        {"need": need, "groups": groups, "total": sum(len(notes) for _value, _label, notes in groups)},
    )
