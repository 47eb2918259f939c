"""Per-client limits for the public forms (surveys, consultation rounds, RSVPs).

The client is identified by a keyed hash of its IP address and the current day: enough to
slow a flood from one place, useless for finding out who someone is. Counts are kept in Redis when
settings.THROTTLE_IN_CACHE (one atomic increment that expires with its window), else in the
ClientThrottle table (cleared daily by a housekeeping job).
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ClientThrottle


def client_address(request):
    if settings.BEHIND_PROXY:
        # The proxy appends the address it saw last; that is the one it vouches for.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_hash(request):
    day = timezone.now().date().isoformat()
    message = f"{client_address(request)}|{day}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def throttle_allows(request, bucket, *, limit, window_seconds=600):
    """Count one use of `bucket` by this client; False once it went over `limit` in the window."""
    now = timezone.now()
    epoch = int(now.timestamp())
    start = epoch - epoch % window_seconds
    client = client_hash(request)
    if settings.THROTTLE_IN_CACHE:
        return _count_in_cache(f"throttle:{bucket}:{client}:{start}", window_seconds) <= limit
    window_start = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
    rows = ClientThrottle.objects.filter(bucket=bucket, client=client, window_start=window_start)
    if not rows.update(hits=F("hits") + 1):
        try:
            with transaction.atomic():
                ClientThrottle.objects.create(bucket=bucket, client=client, window_start=window_start, hits=1)
        except IntegrityError:  # another request from the same client created it first
            rows.update(hits=F("hits") + 1)
    return rows.values_list("hits", flat=True).first() <= limit


def _count_in_cache(key, window_seconds):
    """This request's place in the window: INCR is atomic, so two requests never get the same one.
    One round trip with the Redis backend (dualpower/cache.py), two or three with another cache."""
    if hasattr(cache, "count_in_window"):
        return cache.count_in_window(key, window_seconds + 60)
    if cache.add(key, 1, timeout=window_seconds + 60):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window's key expired between the two calls: this request starts it again
        cache.add(key, 0, timeout=window_seconds + 60)
        return cache.incr(key)


def throttle_forget_old(*, older_than=datetime.timedelta(days=1)):
    """Delete windows that ended long ago (run by the daily housekeeping job)."""
    return ClientThrottle.objects.filter(window_start__lt=timezone.now() - older_than).delete()[0]
