from django.apps import AppConfig


class DualPowerConfig(AppConfig):
    name = "dualpower"
    verbose_name = "Dual Power"

    def ready(self):
        from . import public_pages

        public_pages.connect()
