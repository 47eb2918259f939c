"""The organizers' choice of what the institution's public page shows."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dualpower.forms import posted_data
from institutions.tenancy import ORGANIZER, tenant_access
from logistics.selectors import settings_for

from .. import public
from ..forms_public import PublicPageForm


@tenant_access(ORGANIZER)
@require_http_methods(["GET", "HEAD", "POST"])
def public_page(request):
    """Checkboxes for each section, off until chosen; the public page itself is the institution's home."""
    current = public.public_page_for(request.institution)
    form = PublicPageForm(posted_data(request), instance=current)
    if request.method == "POST" and form.is_valid():
        sections = {name: form.cleaned_data[name] for name in public.SECTIONS}
        public.public_page_update(institution=request.institution, actor=request.user, **sections)
        messages.success(request, _("The public page now shows what you chose."))
        return redirect("followthrough:public_page", institution_slug=request.institution.slug)
    context = {"form": form, "ledger_public": settings_for(request.institution).ledger_public}
    return render(request, "followthrough/public/settings.html", context, status=400 if form.errors else 200)
