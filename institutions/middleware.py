"""Resolves the tenant for every `/i/<slug>/` request and enforces the view's access level.

A view under `/i/<institution_slug>/` receives `request.institution` and `request.membership`
(None for non-members) and runs inside the institution's django-scopes scope. Nothing else
parses the slug.
"""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django_scopes import scope

from dualpower.public_pages import institution_by_slug

from .models import Institution
from .selectors import memberships_for_user
from .tenancy import MEMBER, ORGANIZER, PUBLIC, access_level_of

KEPT_ROUTES = 4096
# Longer paths are resolved each time: 4,096 of them kept could hold a lot of a visitor's junk.
KEPT_PATH_LENGTH = 200


def _route(path, urlconf):
    """(the institution's slug, the view's access level) for an institution page's path, else None.
    Kept per process and URL configuration: Django resolves the path again to call the view, and
    resolving costs 50–100 µs here, on every request."""
    return (_kept_route if len(path) <= KEPT_PATH_LENGTH else _resolve_route)(path, urlconf)


def _resolve_route(path, _urlconf):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    slug = match.kwargs.get("institution_slug")
    return None if slug is None else (slug, access_level_of(match.func))


_kept_route = functools.lru_cache(maxsize=KEPT_ROUTES)(_resolve_route)


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.institution = None
        request.membership = None
        route = _route(request.path_info, get_urlconf() or settings.ROOT_URLCONF)
        if route is None:
            return self.get_response(request)
        slug, level = route

        institution = institution_by_slug(slug, lambda: Institution.objects.filter(slug=slug).first())
        if institution is None:
            raise Http404("No such institution.")
        request.institution = institution
        # Dates and times on the institution's pages are shown in its own time zone.
        with scope(institution=institution), timezone.override(institution.time_zone):
            if request.user.is_authenticated:
                # One read gives both the membership here and the menu's list of the person's
                # institutions (institutions.context_processors): their own rows, across tenants.
                request.my_memberships = list(memberships_for_user(request.user))
                request.membership = next(
                    (m for m in request.my_memberships if m.institution_id == institution.pk), None
                )
                if request.membership is not None:
                    request.membership.institution = institution
                    request.membership.user = request.user
            denied = self.check_access(request, level)
            if denied is not None:
                return denied
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Views get the institution from request.institution, never from the slug.
        view_kwargs.pop("institution_slug", None)
        if request.method == "POST" and request.content_type != "multipart/form-data":
            # Read the form before the view runs: a body over the size or field limits is refused
            # (400) here, never halfway through a view that has already written something. (The CSRF
            # check does this too, except where it is skipped, as in tests.) Uploads are left to their
            # views, which set size-limited upload handlers before reading.
            request.POST  # noqa: B018

    @staticmethod
    def check_access(request, level):
        if level == PUBLIC:
            return None
        if request.membership is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # Same answer whether the page exists or not: non-members learn nothing.
            raise Http404("Not a member.")
        if level == ORGANIZER and not request.membership.is_organizer:
            raise PermissionDenied("Organizers only.")
        if level not in {MEMBER, ORGANIZER}:
            raise PermissionDenied("Unknown access level.")
        return None
