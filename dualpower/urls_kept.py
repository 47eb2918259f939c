"""Reversing URLs once per process: `reverse` with its answers kept.

Every page's layout links to a dozen places (the seven steps, the account menu), and Django's
`reverse` costs 30–40 µs a call on these machines: 1–2 ms of a member's page went on building the
same addresses again (bench/README.md). The URL configuration does not change while the app runs,
so an address depends only on what is asked for and on the few things `reverse` reads around it:
the URL configuration in use, the script prefix and the language. All of them are in the key.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

KEPT_ADDRESSES = 4096


@functools.lru_cache(maxsize=KEPT_ADDRESSES)
def _kept(view_name, args, kwargs, current_app, _urlconf, _prefix, _language):
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def kept_reverse(view_name, args=(), kwargs=None, current_app=None):
    """The same address `reverse` gives, computed once per process for the same question."""
    key = (
        view_name,
        tuple(args),
        tuple(sorted((kwargs or {}).items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        translation.get_language(),
    )
    try:
        hash(key)
    except TypeError:  # an argument that cannot be a key: ask Django each time
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _kept(*key)
