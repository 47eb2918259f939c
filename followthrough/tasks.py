"""Celery tasks of the follow-through step. Each part keeps its tasks in its own module
(`tasks_<part>.py`); they are imported at the bottom of this file so the worker registers them."""

from . import (
    tasks_export,  # noqa: E402, F401  (the institution export and the sweep of old archives)
    tasks_governance,  # noqa: E402, F401  (reminders before organizer terms end)
)
