from django.apps import AppConfig
from django.core.signals import setting_changed


class DualPowerConfig(AppConfig):
    name = "dualpower"
    verbose_name = "Dual Power"

    def ready(self):
        from . import public_pages

        public_pages.connect()
        # Kept template fragments (CACHES["fragments"]) vary on what their pages show, not on the
        # settings: a changed setting (in tests) starts them afresh.
        setting_changed.connect(_forget_fragments, dispatch_uid="dualpower-forget-fragments")


def _forget_fragments(**kwargs):
    from django.conf import settings
    from django.core.cache import caches

    if "fragments" in settings.CACHES:
        caches["fragments"].clear()
