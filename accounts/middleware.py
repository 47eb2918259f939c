"""Session lifetime: an idle timeout and an absolute limit counted from login.

Django rotates the session key on login. The idle timeout is SESSION_COOKIE_AGE; rather
than writing the session on every request (SESSION_SAVE_EVERY_REQUEST), the session is
re-saved at most every SESSION_REFRESH_SECONDS, which extends its expiry. The absolute
limit logs the person out however active they are.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation

SESSION_STARTED_KEY = "dp_started"
SESSION_REFRESHED_KEY = "dp_refreshed"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(SESSION_STARTED_KEY)
            if started is None:
                session[SESSION_STARTED_KEY] = now
                session[SESSION_REFRESHED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif now - session.get(SESSION_REFRESHED_KEY, 0) > settings.SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person who has not picked a language in this browser gets the one in their
    profile (which is also the language of their e-mail)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = request.user
        if chosen is None and user.is_authenticated and user.language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
