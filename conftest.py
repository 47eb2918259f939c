"""Root test configuration, shared by every app's tests and the cross-app tests in tests/."""

import os

# Before Django settings load: tests need no SECRET_KEY, and the session-wide Playwright
# loop must not stop Django from setting up the test database.
os.environ.setdefault("DUALPOWER_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.fixtures"]
