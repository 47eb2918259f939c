from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowthroughConfig(AppConfig):
    name = "followthrough"
    verbose_name = _("Follow-through")

    def ready(self):
        from institutions.models import AuditEntry

        from . import goals, governance, public

        AuditEntry.register_actions(goals.AUDIT_ACTIONS)
        AuditEntry.register_actions(public.AUDIT_ACTIONS)
        AuditEntry.register_actions(governance.AUDIT_ACTIONS)
