import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SESSION_REFRESHED_KEY, SESSION_STARTED_KEY


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    # Django has already rotated the session key; the absolute lifetime counts from here.
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_REFRESHED_KEY] = now
