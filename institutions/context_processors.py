from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject

from dualpower.steps import STEPS

from . import rules
from .selectors import memberships_for_user


def tenant(request):
    """The current institution, the caller's membership and the navigation, for every page."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    mine = getattr(request, "my_memberships", None)
    return {
        "institution": getattr(request, "institution", None),
        "membership": membership,
        "is_member": rules.is_member(membership),
        "is_organizer": rules.is_organizer(membership),
        "steps": STEPS,
        # What the layout's kept fragments (templates/base.html) with addresses vary on.
        "script_prefix": get_script_prefix(),
        # Read with the membership on institution pages (TenantMiddleware), elsewhere only if the
        # page shows the switcher.
        "my_memberships": mine
        if mine is not None
        else SimpleLazyObject(lambda: list(memberships_for_user(user)) if user is not None else []),
    }
