from django.apps import AppConfig


class DualPowerConfig(AppConfig):
    name = "dualpower"
    verbose_name = "Dual Power"
