"""Celery tasks of the evaluation step. Each part keeps its tasks in its own module
(`tasks_<part>.py`); they are imported at the bottom of this file so the worker registers them."""

from . import (
    tasks_digest,  # noqa: E402, F401  (the weekly health digest)
    tasks_grievances,  # noqa: E402, F401
)
from .tasks_checkins import send_check_in_reminders  # noqa: E402, F401  (registered with the worker)
