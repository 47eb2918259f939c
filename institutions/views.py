"""Pages of an institution itself: its home, members, invitations, join requests, settings, audit log."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from decisions.selectors import awaiting_vote_count
from dualpower.forms import posted_data as _posted
from dualpower.public_pages import cached_for, cached_page
from dualpower.views import htmx_fragment
from followthrough.public import public_page_for
from followthrough.public import sections_for as public_sections
from followthrough.steps import step_progress, steps_done
from logistics.selectors import settings_for
from meetings.selectors import published_minutes, upcoming_meetings

from . import rules, selectors, services
from .forms import (
    AffiliationsForm,
    DecisionForm,
    InstitutionForm,
    InstitutionSettingsForm,
    InvitationForm,
    JoinRequestForm,
    RoleForm,
)
from .services import MembershipError
from .tenancy import MEMBER, ORGANIZER, PUBLIC, tenant_access


def _url(request, name, **kwargs):
    return reverse(f"institutions:{name}", kwargs={"institution_slug": request.institution.slug, **kwargs})


def _form_errors_to_messages(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
def institution_create(request):
    form = InstitutionForm(_posted(request), initial={"default_language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your institution is ready. You are its first organizer."))
            return redirect(institution.get_absolute_url())
    return render(request, "institutions/create.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(PUBLIC)
@require_safe
def institution_home(request):
    """The public page for everyone; members also see where the institution stands. Anonymous
    visitors get it from the cache while nothing changes (dualpower/public_pages.py)."""
    return cached_page(request, lambda: _institution_home(request))


def _institution_home(request):
    institution = request.institution
    # What every viewer sees alike is read once per change in the institution (dualpower/public_pages.py).
    context = cached_for(institution, "home:2", lambda: _shared_home_context(institution), per_language=True)
    if not rules.is_member(request.membership):
        pending = selectors.pending_join_request_for(institution, request.user)
        can_request = rules.can_request_to_join(request.user, request.membership)
        return render(
            request,
            "institutions/home.html",
            {**context, "pending_request": pending, "can_request_to_join": can_request},
        )
    context = {**context, "awaiting_votes": awaiting_vote_count(institution, request.user)}
    return render(request, "institutions/home.html", context)


def _steps_html(institution):
    progress = step_progress(institution, done=steps_done(institution))
    return render_to_string(
        "followthrough/includes/steps.html", {"institution": institution, "step_progress": progress}
    )


def _shared_home_context(institution):
    """The home page's parts that are the same for every viewer: member counts, what the public
    page shows and its sections already rendered, each section only when organizers chose to show
    it (followthrough.public), the seven steps' progress and the number of people asking to join
    (shown to members and organizers only). Nothing in them depends on who is looking."""
    counts = selectors.member_counts(institution)
    context = {"institution": institution, "counts": counts}
    page = public_page_for(institution)
    if page.show_minutes:
        context["published_minutes"] = list(published_minutes(institution))
    if page.show_meetings:
        context["public_meetings"] = [
            meeting for meeting in upcoming_meetings(institution, public_only=True)[:6] if meeting.is_upcoming
        ][:5]
    context.update(public_sections(institution, page, settings_for(institution)))
    sections = render_to_string("institutions/includes/public_sections.html", context)
    return {
        "counts": counts,
        "public_page": page,
        "public_sections": sections,
        # For members, and the count for organizers (home.html): the same for all, read once per change.
        "steps_html": _steps_html(institution),
        "pending_join_requests": selectors.pending_join_requests(institution).count(),
    }


@tenant_access(PUBLIC)
def join_request(request):
    institution = request.institution
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if rules.is_member(request.membership):
        messages.info(request, _("You are already a member."))
        return redirect(institution.get_absolute_url())
    pending = selectors.pending_join_request_for(institution, request.user)
    form = JoinRequestForm(_posted(request))
    if request.method == "POST" and pending is None and form.is_valid():
        services.join_request_create(institution=institution, user=request.user, message=form.cleaned_data["message"])
        messages.success(request, _("Your request was sent. The organizers will answer it soon."))
        return redirect(institution.get_absolute_url())
    return render(
        request, "institutions/join.html", {"form": form, "pending": pending}, status=400 if form.errors else 200
    )


@tenant_access(PUBLIC)
def invitation_accept(request, token):
    institution = request.institution
    invitation = selectors.invitation_by_token(institution, token)
    if invitation is None:
        raise Http404
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Welcome! You are now a member of %(name)s.") % {"name": institution.name})
            return redirect(institution.get_absolute_url())
    return render(
        request,
        "institutions/invitation.html",
        {
            "invitation": invitation,
            "problem": invitation.unusable_reason(),
            "already_member": rules.is_member(request.membership),
        },
    )


@tenant_access(MEMBER)
@require_safe
def member_list(request):
    institution = request.institution
    context = {"members": selectors.members_of(institution), "role_form": RoleForm()}
    if rules.can_manage_members(request.membership):
        context["join_requests"] = selectors.pending_join_requests(institution)
    return render(request, "institutions/members.html", context)


@tenant_access(MEMBER)
def my_affiliations(request):
    """A member says which other organizations they belong to (optional; organizers see it, and the
    health page counts how many members name the same one)."""
    form = AffiliationsForm(_posted(request), instance=copy.copy(request.membership))
    if request.method == "POST" and form.is_valid():
        services.membership_affiliations_set(
            membership=request.membership, affiliations=form.cleaned_data["affiliations"]
        )
        messages.success(request, _("Saved. Thank you for being open about it."))
        return redirect("institutions:members", institution_slug=request.institution.slug)
    return render(request, "institutions/affiliations.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(ORGANIZER)
@require_POST
def member_role(request, pk):
    membership = selectors.get_membership_or_404(request.institution, pk)
    form = RoleForm(request.POST)
    status = 200
    if not form.is_valid():
        _form_errors_to_messages(request, form)
        status = 400
    else:
        try:
            services.member_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        except MembershipError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(
                request,
                _("%(person)s is now: %(role)s.")
                % {"person": membership.user.display_name, "role": membership.get_role_display()},
            )
    if request.htmx:
        membership.refresh_from_db()
        return htmx_fragment(
            request,
            "institutions/members.html#member_row",
            {"member": membership, "role_form": RoleForm()},
            status=status,
        )
    return redirect(_url(request, "members"))


@tenant_access(ORGANIZER)
def member_remove(request, pk):
    membership = selectors.get_membership_or_404(request.institution, pk)
    if not membership.is_active:
        raise Http404
    if request.method == "POST":
        try:
            services.member_end(membership=membership, actor=request.user)
        except MembershipError as error:
            messages.error(request, str(error))
            return render(request, "institutions/member_remove.html", {"member": membership}, status=400)
        messages.success(request, _("%(person)s is no longer a member.") % {"person": membership.user.display_name})
        return redirect(_url(request, "members"))
    return render(request, "institutions/member_remove.html", {"member": membership})


@tenant_access(MEMBER)
def member_leave(request):
    if request.method == "POST":
        try:
            services.member_end(membership=request.membership, actor=request.user)
        except MembershipError as error:
            messages.error(request, str(error))
            return render(request, "institutions/leave.html", {}, status=400)
        messages.success(request, _("You have left %(name)s.") % {"name": request.institution.name})
        return redirect("home")
    return render(
        request,
        "institutions/leave.html",
        {
            "is_last_organizer": rules.is_organizer(request.membership)
            and selectors.member_counts(request.institution)["organizers"] <= 1,
        },
    )


@tenant_access(ORGANIZER)
def invitation_list(request):
    institution = request.institution
    form = InvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = services.invitation_create(
            institution=institution,
            actor=request.user,
            email=data["email"],
            role=data["role"],
            max_uses=data["max_uses"],
            expires_at=form.expires_at(),
        )
        if invitation.email:
            messages.success(request, _("We are sending the invitation to %(email)s.") % {"email": invitation.email})
        else:
            messages.success(request, _("Your invitation link is ready. Copy it from the list below."))
        return redirect(_url(request, "invitations"))
    return render(
        request,
        "institutions/invitations.html",
        {
            "form": form,
            "invitations": selectors.open_invitations(institution),
        },
        status=400 if form.errors else 200,
    )


@tenant_access(ORGANIZER)
@require_POST
def invitation_revoke(request, pk):
    invitation = selectors.get_invitation_or_404(request.institution, pk)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation was withdrawn; it can no longer be used."))
    return redirect(_url(request, "invitations"))


@tenant_access(ORGANIZER)
@require_POST
def join_request_decide(request, pk):
    join_request = selectors.get_join_request_or_404(request.institution, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline the request."))
        return redirect(_url(request, "members"))
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.join_request_decide(join_request=join_request, actor=request.user, accept=accept)
    except MembershipError as error:
        messages.error(request, str(error))
    else:
        person = join_request.user.display_name
        messages.success(
            request,
            (_("%(person)s is now a member.") if accept else _("You declined %(person)s's request."))
            % {"person": person},
        )
    return redirect(_url(request, "members"))


@tenant_access(ORGANIZER)
def institution_settings(request):
    institution = request.institution
    # The form validates a copy, so request.institution keeps its saved values until the service runs.
    form = InstitutionSettingsForm(_posted(request), instance=copy.copy(institution))
    if request.method == "POST" and form.is_valid():
        services.institution_update(
            institution=institution,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in InstitutionSettingsForm.Meta.fields},
        )
        messages.success(request, _("Settings saved."))
        return redirect(_url(request, "settings"))
    return render(request, "institutions/settings.html", {"form": form}, status=400 if form.errors else 200)


@tenant_access(ORGANIZER)
@require_safe
def audit_log(request):
    entries = selectors.audit_entries(request.institution)[:200]
    return render(request, "institutions/audit.html", {"entries": entries})


@tenant_access(ORGANIZER)
def institution_delete(request):
    """Schedule the institution's deletion (typing its name) or cancel a scheduled one."""
    institution = request.institution
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.deletion_cancel(institution=institution, actor=request.user)
                messages.success(request, _("The deletion is cancelled. Nothing was lost."))
            else:
                services.deletion_request(
                    institution=institution, actor=request.user, confirm_name=request.POST.get("confirm_name", "")
                )
                messages.warning(
                    request,
                    _("%(name)s will be deleted in %(days)s days. Any organizer can cancel until then.")
                    % {"name": institution.name, "days": services.DELETION_GRACE.days},
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render(
                request,
                "institutions/delete.html",
                {"grace_days": services.DELETION_GRACE.days, "typed": request.POST.get("confirm_name", "")[:200]},
                status=400,
            )
        return redirect(institution.get_absolute_url())
    return render(request, "institutions/delete.html", {"grace_days": services.DELETION_GRACE.days})


@tenant_access(MEMBER)
@require_safe
def my_data(request):
    """Everything this institution holds that names the member, as one JSON file to keep."""
    from django.http import JsonResponse

    from .personal_data import personal_data

    response = JsonResponse(
        personal_data(request.institution, request.user), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'attachment; filename="{request.institution.slug}-my-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response
