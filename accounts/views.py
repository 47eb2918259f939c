from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import posted_data as _posted
from institutions.forms import LanguageForm
from institutions.selectors import invitations_for_user, memberships_for_user

from .forms import ProfileForm


@require_safe
def home(request):
    """Signed in: your institutions and a way to start one. Otherwise: what this is and how to begin."""
    if not request.user.is_authenticated:
        return render(request, "accounts/landing.html")
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships_for_user(request.user),
            "invitations": invitations_for_user(request.user),
        },
    )


@login_required
def profile(request):
    form = ProfileForm(_posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        response = redirect("profile")
        _remember_language(response, user.language)
        messages.success(request, _("Your profile was saved."))
        return response
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)


def _remember_language(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@require_POST
def set_language(request):
    """Switch the interface language; signed-in people also get their e-mail in it."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    # Only a path on this site: never another host, never something `redirect` would read as a view name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        translation.activate(language)
        _remember_language(response, language)
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    else:
        messages.error(request, _("Choose a language from the list."))
    return response
