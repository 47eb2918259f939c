"""The pages anonymous visitors read most (an institution's public page, a public survey), kept
rendered in the shared cache per address and language, and served before the tenant is even
looked up (`PublicPages`, the middleware just before TenantMiddleware).

Correct first: any change to an institution makes its cached pages stale at once.
- A change through the web is a request under /i/<slug>/ with an unsafe method that succeeded
  (the middleware; whatever the view wrote and however: save, update, raw SQL).
- A change from a job or a command is a model of ours saved or deleted inside the institution's
  scope or carrying its foreign key (the signal handlers below), counted when the transaction
  commits, so that nobody re-caches the old rows in between.
- A short lifetime (INSTITUTION_CACHE_SECONDS) bounds what neither can see: the clock (a meeting
  that has begun) and bulk writes outside any scope.
Only anonymous visitors with no flash message waiting, and no query string but a known `?lang=`,
get a cached page; a view stores one only after rendering it for such a visitor with status 200
(`cached_page`), so a page that is private, missing or an error is never stored. The CSRF token
is the one per-visitor part of these pages: it is stored as a placeholder and each visitor gets
their own. Off (0 seconds) unless the cache is shared by every
web process (Redis), since a change seen by one process must reach all of them.

The same versions keep institution-wide reads that members' pages share and that cost the most
(`cached_for`: the health snapshot, the seven steps' progress). A value read on every visit that no
caller ever changes (a survey with its questions) can also stay unpickled in each web process
(`in_process=True`): the shared cache is then asked only whether it is still current, and not even
that when the request has already read the institution's versions (the tenant lookup reads them with
the institution): a request sees the versions of when it began, until it changes something itself.

Participation — answers to a survey, votes on a proposal — is the kind of change that comes in
floods (a survey handed out at an event, a vote about to close), so it moves a version of its own
(`PARTICIPATION_MODELS`, and the answering and voting views' POSTs, `only_participation_changes`).
Everything kept depends on both versions, except what cannot show an answer or a vote and says so
with `ignores_participation=True` (a survey's questions and first page, a proposal with its options
and comments): those stay kept while people answer and vote.
"""

import contextvars
import re
import time
import uuid

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django_scopes import get_scope

CSRF_PLACEHOLDER = "__public_page_csrf_token__"
# Where base.html and every form put the (masked, 64-character) token.
CSRF_IN_PAGE = re.compile(r'(?:"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})"')
KEPT_HEADERS = ("Content-Type", "Content-Language")
# The rows a survey answer (needs.services.response_submit) and a vote (decisions.services.vote_cast) write.
PARTICIPATION_MODELS = frozenset(
    {"needs.Response", "needs.Answer", "needs.SurveyContact", "decisions.Ballot", "decisions.SecretBallot"}
)
# Ours but never shown on any page: the public forms' per-client counts.
NEVER_SHOWN = frozenset({"institutions.ClientThrottle"})
INSTITUTION_PATH = re.compile(r"^/i/([-a-zA-Z0-9_]+)/")
# A cookie a public page sets from the visitor's choice (needs/views/answer.py): part of the key.
LANGUAGE_COOKIE = "survey_language"
# The apps whose rows can appear on a public page (ours); sessions and allauth's are not.
OUR_APPS = {
    "institutions",
    "decisions",
    "needs",
    "consultation",
    "research",
    "meetings",
    "logistics",
    "evaluation",
    "followthrough",
}


def _version_key(slug, participation=False):
    return f"public-page:{'participation' if participation else 'version'}:{slug}"


def mark_changed(slug, *, participation_only=False):
    """Everything kept for the institution with this slug is stale from now on; with `participation_only`
    (answers or votes came in), everything except what was kept with `ignores_participation`."""
    cache.set(_version_key(slug, participation_only), uuid.uuid4().hex, None)
    seen = _request_versions.get()
    if seen is not None:
        seen.pop(slug, None)  # this request reads the new versions from now on


# What a request's rows asked PublicPages to mark when the response leaves (set by the middleware).
_request_marks = contextvars.ContextVar("public_pages_request_marks", default=None)
# The versions this request has read, by slug (set by the middleware): read once per request.
_request_versions = contextvars.ContextVar("public_pages_request_versions", default=None)


def only_participation_changes(request):
    """Called by a view whose POST writes one person's answers or vote and nothing else, and that
    reads nothing kept that counts answers or votes once it has written them. The participation is
    then marked once, when the response leaves, rather than by each row and again by the response."""
    request.public_pages_participation_only = True
    marks = _request_marks.get()
    if marks is not None:
        marks["participation_only"] = True


def _cacheable(request):
    languages = dict(settings.LANGUAGES)
    picked = request.GET.get("lang")
    return (
        settings.INSTITUTION_CACHE_SECONDS > 0
        and request.method == "GET"
        and set(request.GET) <= {"lang"}
        and (picked is None or picked in languages)
        and request.COOKIES.get(LANGUAGE_COOKIE, settings.LANGUAGE_CODE) in languages
        and not request.user.is_authenticated
        and not len(get_messages(request))
    )


def _page_key(request):
    # Everything a public page's language may come from: the address (with ?lang=), the visitor's
    # language (LocaleMiddleware ran before) and the survey's language cookie (checked: known codes).
    language = translation.get_language()
    return f"public-page:{language}:{request.COOKIES.get(LANGUAGE_COOKIE, '')}:{request.get_full_path()}"


def _current_versions(slug, found=None):
    """(the institution's version, its participation's version), each created when missing. `found` holds
    what a get_many that asked for the two keys already read."""
    found = cache.get_many([_version_key(slug), _version_key(slug, True)]) if found is None else found
    versions = []
    for participation in (False, True):
        key = _version_key(slug, participation)
        version = found.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, None)
            version = cache.get(key)
        versions.append(version)
    return tuple(versions)


def _still_current(stored_versions, versions, ignores_participation):
    return stored_versions[0] == versions[0] and (ignores_participation or stored_versions[1] == versions[1])


def _read_with_versions(key, slug):
    """One round trip: everything stored under `key` (none if None), and the slug's two versions (None if missing)."""
    versions = [_version_key(slug), _version_key(slug, True)]
    found = cache.get_many(versions if key is None else [key, *versions])
    current = (found.get(versions[0]), found.get(versions[1]))
    seen = _request_versions.get()
    if seen is not None and None not in current:
        seen[slug] = current
    return found, current


# What `_in_process` gives when this process keeps nothing current (None can be a kept value).
_NOT_KEPT = object()


def _kept(key, slug, ignores_participation):
    """(what is kept under `key` if still current: (versions, value, deadline), else None; what the read found)."""
    found, current = _read_with_versions(key, slug)
    stored = found.get(key)
    if stored is not None and _still_current(stored[0], current, ignores_participation):
        return stored, found
    return None, found


def _store(key, versions, value):
    """Keep `value` under `key` for INSTITUTION_CACHE_SECONDS, with the versions it was read at and the
    time (on the clock every process shares) after which no copy of it may be used."""
    stored = (versions, value, time.time() + settings.INSTITUTION_CACHE_SECONDS)
    cache.set(key, stored, settings.INSTITUTION_CACHE_SECONDS)
    return stored


# Values kept with in_process=True, unpickled, per web process: key -> (versions, value, deadline).
_IN_PROCESS = {}
IN_PROCESS_LIMIT = 256


def _in_process(key, slug, ignores_participation):
    """This process's copy of what is kept under `key` if the shared cache says it is still current
    (one read of the two versions, not of the value), else _NOT_KEPT."""
    local = _IN_PROCESS.get(key)
    if local is None or time.time() >= local[2]:
        return _NOT_KEPT
    seen = _request_versions.get()
    current = seen.get(slug) if seen is not None else None
    if current is None:
        _found, current = _read_with_versions(None, slug)
    return local[1] if _still_current(local[0], current, ignores_participation) else _NOT_KEPT


def _keep_in_process(key, stored):
    if key not in _IN_PROCESS and len(_IN_PROCESS) >= IN_PROCESS_LIMIT:
        _IN_PROCESS.pop(next(iter(_IN_PROCESS), None), None)  # the oldest goes
    _IN_PROCESS[key] = stored


def cached_for(institution, name, compute, *, per_language=False, ignores_participation=False, in_process=False):
    """`compute()`'s value for this institution, shared by every member's page and kept while nothing
    in the institution changes (or for INSTITUTION_CACHE_SECONDS). The value must be the same for
    every viewer and picklable; `per_language` if it holds text already translated; `ignores_participation`
    if no answer or vote can change it. Give the name a new number when the value's shape changes
    (web processes of the old and new code share the cache while a release rolls out).

    `in_process`: also keep the unpickled value in this process, for a value read on nearly every
    request that ignores participation (else answers would make the copy stale all the time). Every
    request of the process then gets the same objects: nobody may change them."""
    if settings.INSTITUTION_CACHE_SECONDS <= 0:
        return compute()
    slug = institution.slug
    language = translation.get_language() if per_language else ""
    key = f"institution-data:{slug}:{name}:{language}"
    if in_process:
        value = _in_process(key, slug, ignores_participation)
        if value is not _NOT_KEPT:
            return value
    stored, found = _kept(key, slug, ignores_participation)
    if stored is None:
        # The versions are read before computing: a change committed meanwhile makes this copy stale.
        versions = _current_versions(slug, found)
        stored = _store(key, versions, compute())
    if in_process and len(stored) > 2:  # (a copy stored by an older release has no deadline)
        _keep_in_process(key, stored)
    return stored[1]


def institution_by_slug(slug, read):
    """The institution with this slug (`read()` looks it up, None if there is none), kept in the
    shared cache while nothing in it changes: the tenant lookup of every /i/<slug>/ page. A slug
    that names no institution is never stored, nor are versions made for it."""
    if settings.INSTITUTION_CACHE_SECONDS <= 0:
        return read()
    key = f"institution-data:{slug}:institution:1:"
    stored, found = _kept(key, slug, ignores_participation=True)
    if stored is not None:
        return stored[1]
    institution = read()
    if institution is not None:
        _store(key, _current_versions(slug, found), institution)
    return institution


def cached_page(request, render, *, ignores_participation=False):
    """`render()`'s response, kept for the next anonymous visitors while nothing changes
    (`ignores_participation`: while nothing but answers and votes change).

    Whatever `render` returns is given to everyone with the same address and language, cookies
    included (a public page's cookies say which language was picked, nothing else).
    """
    if not _cacheable(request):
        return render()
    slug = request.institution.slug
    # The versions are read before rendering: a change committed meanwhile makes this copy stale.
    versions = _current_versions(slug)
    response = render()
    if response.status_code == 200 and not response.streaming:
        content = response.content.decode(response.charset)
        token = CSRF_IN_PAGE.search(content)
        if token is not None:
            content = content.replace(token.group(1), CSRF_PLACEHOLDER)
        headers = {header: response[header] for header in KEPT_HEADERS if header in response}
        cookies = [morsel.OutputString() for morsel in response.cookies.values()]
        stored = (slug, versions, ignores_participation, content, headers, cookies)
        cache.set(_page_key(request), stored, settings.INSTITUTION_CACHE_SECONDS)
    return response


def cached_response(request):
    """The stored page for this request if it is still current, else None."""
    match = INSTITUTION_PATH.match(request.path_info)
    if match is None or not _cacheable(request):
        return None
    slug = match.group(1)
    key = _page_key(request)
    found, current = _read_with_versions(key, slug)
    stored = found.get(key)
    if stored is None or stored[0] != slug or not _still_current(stored[1], current, stored[2]):
        return None
    _slug, _versions, _ignores_participation, content, headers, cookies = stored
    response = HttpResponse(content.replace(CSRF_PLACEHOLDER, get_token(request)))
    for header, value in headers.items():
        response[header] = value
    for cookie in cookies:
        response.cookies.load(cookie)
    return response


class PublicPages:
    """Serves anonymous visitors the public pages stored by `cached_page`; after a change made
    through the web to an institution, makes its stored pages stale. Placed just before
    TenantMiddleware: request.institution is known when the response comes back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cached = cached_response(request)
        if cached is not None:
            return cached
        marks = {"participation_only": False, "participation": set()}
        token = _request_marks.set(marks)
        versions_token = _request_versions.set({})
        try:
            response = self.get_response(request)
            institution = getattr(request, "institution", None)
            if (
                institution is not None
                and request.method not in {"GET", "HEAD", "OPTIONS"}
                and response.status_code < 400
                and settings.INSTITUTION_CACHE_SECONDS > 0
            ):
                if getattr(request, "public_pages_participation_only", False):
                    marks["participation"].add(institution.slug)
                else:
                    mark_changed(institution.slug)
        finally:
            _request_marks.reset(token)
            _request_versions.reset(versions_token)
            for slug in marks["participation"]:  # answers and votes saved, whatever the outcome
                mark_changed(slug, participation_only=True)
        return response


def _slug_of(sender, instance):
    if sender._meta.label == "institutions.Institution":
        return instance.slug
    institution = get_scope().get("institution")
    if institution is not None and getattr(instance, "institution_id", institution.pk) == institution.pk:
        return institution.slug
    if getattr(instance, "institution_id", None) is not None:
        from institutions.models import Institution

        return Institution.objects.filter(pk=instance.institution_id).values_list("slug", flat=True).first()
    return None


def _row_changed(sender, instance, **kwargs):
    if (
        sender._meta.app_label not in OUR_APPS
        or sender._meta.label in NEVER_SHOWN
        or settings.INSTITUTION_CACHE_SECONDS <= 0
    ):
        return
    slug = _slug_of(sender, instance)
    if slug is None:
        return
    quiet = sender._meta.label in PARTICIPATION_MODELS
    marks = _request_marks.get()
    if quiet and marks is not None and marks["participation_only"]:
        marks["participation"].add(slug)  # marked by PublicPages when the response leaves
        return
    transaction.on_commit(lambda: mark_changed(slug, participation_only=quiet), using=kwargs.get("using"))


def connect():
    post_save.connect(_row_changed, dispatch_uid="public-pages-save")
    post_delete.connect(_row_changed, dispatch_uid="public-pages-delete")
