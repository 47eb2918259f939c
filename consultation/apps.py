from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "consultation"
    verbose_name = _("Consultation")

    def ready(self):
        from institutions.models import AuditEntry

        AuditEntry.register_actions(
            {
                "consultation_round.created": _("%(actor)s drafted the consultation round “%(title)s”"),
                "consultation_round.opened": _("%(actor)s opened the consultation round “%(title)s” for answers"),
                "consultation_round.closed": _("%(actor)s closed the consultation round “%(title)s”"),
            }
        )
