"""Celery tasks of the evaluation step. Each part keeps its tasks in its own module
(`tasks_<part>.py`); they are imported at the bottom of this file so the worker registers them."""

from . import tasks_grievances  # noqa: E402, F401
