from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from institutions.models import AuditEntry

        from .checkins import AUDIT_ACTIONS, AUDIT_VALUE_LABELS

        AuditEntry.register_actions(AUDIT_ACTIONS, AUDIT_VALUE_LABELS)
        from . import grievances, incidents, selfeval

        AuditEntry.register_actions(selfeval.AUDIT_ACTIONS)
        AuditEntry.register_actions(grievances.AUDIT_ACTIONS)
        AuditEntry.register_actions(incidents.AUDIT_ACTIONS, incidents.AUDIT_LABELS)
