"""Walk the project's URLconf: every named URL pattern that is ours (not a third party's)."""

from django.urls import URLPattern, URLResolver, get_resolver

# Included URLconfs we do not own; their own test suites cover them. Our pages that use
# them (login redirects, sign-up) are exercised by the browser tests.
THIRD_PARTY_URLCONFS = {"allauth.urls"}


def _urlconf_name(resolver):
    name = resolver.urlconf_name
    return name if isinstance(name, str) else getattr(name, "__name__", None)


def project_url_names(patterns=None, namespace=None, prefix=""):
    """Yield (qualified_name, route) for every named pattern in our URLconf."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if _urlconf_name(entry) in THIRD_PARTY_URLCONFS:
                continue
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from project_url_names(entry.url_patterns, child_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"URL pattern {prefix}{entry.pattern} has no name; every page needs one.")
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern)
