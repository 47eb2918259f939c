"""Profile one page in-process with cProfile, under the production settings bench/web.py uses.

    .venv/bin/python bench/profile_page.py PATH [--member EMAIL] [--post BODY] [--requests 50] [--top 30]
    .venv/bin/python bench/profile_page.py PATH [--member EMAIL] [--post BODY] --time [--requests 100]

DATABASE_URL and REDIS_URL come from the environment (a benchmark database: a POST writes).
Requests go through Django's test client (the whole middleware stack, no server); the first one
warms up and is not profiled. Prints the functions with the most cumulative time (or `--sort
tottime`); with CALLEES=PATTERN in the environment, also what the matching functions call.
With --time, no profiler: five batches of --requests requests each, and the mean time per request of
each batch (the profiler's own cost per Python call inflates whatever makes many small calls).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--member", help="sign in as this e-mail first")
    parser.add_argument("--post", help="urlencoded body: POST it instead of GET")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--time", action="store_true", help="time batches of requests instead of profiling")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dualpower.settings",
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_HTTPS="0",
        PUBLIC_FORM_LIMIT=str(10**9),
        DUALPOWER_VAR_DIR=str(REPO / "var" / "bench-web"),
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.test import Client
    from django_scopes import scopes_disabled

    from accounts.models import User

    client = Client()
    if args.member:
        with scopes_disabled():
            client.force_login(User.objects.get(email=args.member))

    def once():
        if args.post is not None:
            response = client.post(args.path, args.post, content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(args.path)
        return response.status_code

    print("status", once())
    if args.time:
        batches = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(args.requests):
                once()
            batches.append((time.perf_counter() - start) / args.requests * 1000)
        print("ms per request, batches of", args.requests, ":", " ".join(f"{b:.2f}" for b in batches))
        print(f"best {min(batches):.2f} ms, median {statistics.median(batches):.2f} ms")
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        once()
    profile.disable()
    st = pstats.Stats(profile).sort_stats(args.sort)
    st.print_stats(args.top)
    if os.environ.get("CALLEES"):
        st.print_callees(os.environ["CALLEES"])


if __name__ == "__main__":
    main()
