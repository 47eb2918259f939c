"""Sustainability (organizer terms and role rotation) and independence (income by source, outside
organizations, affiliations, the yearly self-check)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dualpower.forms import posted_data
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from .. import governance
from ..forms_governance import IndependenceCheckForm, TermForm


@tenant_access(MEMBER)
@require_safe
def sustainability(request):
    current, upcoming, past = governance.terms_of(request.institution)
    return render(
        request,
        "followthrough/governance/sustainability.html",
        {
            "current_terms": current,
            "upcoming_terms": upcoming,
            "past_terms": past,
            "quarters": governance.rotation(request.institution),
            "organizers_ever": governance.organizers_ever(request.institution),
            "founding_days": governance.FOUNDING_DAYS,
        },
    )


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def term_new(request):
    form = TermForm(posted_data(request), institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            governance.term_add(institution=request.institution, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The term is recorded. You will be reminded a month before it ends."))
            return redirect("followthrough:sustainability", institution_slug=request.institution.slug)
    return render(
        request, "followthrough/governance/term_form.html", {"form": form}, status=400 if form.errors else 200
    )


@tenant_access(MEMBER)
@require_safe
def independence(request):
    check = governance.latest_check(request.institution)
    context = governance.independence(request.institution)
    context.update(
        check=check,
        check_rows=governance.check_rows(check) if check else [],
        check_due=governance.check_is_due(check),
    )
    return render(request, "followthrough/governance/independence.html", context)


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def independence_check(request):
    form = IndependenceCheckForm(posted_data(request), initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            governance.independence_check_record(
                institution=request.institution,
                actor=request.user,
                done_on=form.cleaned_data["done_on"],
                answers=form.answers(),
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The self-check is recorded. It will be asked for again in a year."))
            return redirect("followthrough:independence", institution_slug=request.institution.slug)
    return render(
        request, "followthrough/governance/check_form.html", {"form": form}, status=400 if form.errors else 200
    )
