from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Needs")

    def ready(self):
        from decisions.reactions import on_decided
        from institutions.models import AuditEntry

        from . import services
        from .models import Need

        # When a proposal about a need passes, that need becomes the focus.
        on_decided("needs.Need", services.focus_chosen)
        AuditEntry.register_actions(
            {
                "need.created": _("%(actor)s added the need “%(title)s”"),
                "need.status_changed": _("%(actor)s marked the need “%(title)s” as: %(status)s"),
                "need.focus_chosen": _("“%(title)s” became the chosen focus"),
            },
            {"status": lambda code: Need.Status(code).label if code in Need.Status.values else code},
        )
