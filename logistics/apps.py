from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        from meetings.services import on_action_item

        from . import tasks_shifts  # noqa: F401  (Celery tasks outside tasks.py register on import)
        from .services import task_from_action_item

        on_action_item(task_from_action_item)
