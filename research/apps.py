from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "research"
    verbose_name = _("Research")

    def ready(self):
        from institutions.models import AuditEntry

        AuditEntry.register_actions(
            {
                "field_note.created": _("%(actor)s wrote the research note “%(title)s”"),
                "field_note.updated": _("%(actor)s edited the research note “%(title)s” (version %(version)s)"),
                "field_note.key_reading": _("%(actor)s marked the research note “%(title)s” as key reading"),
                "field_note.key_reading_removed": _(
                    "%(actor)s no longer marks the research note “%(title)s” as key reading"
                ),
                "attachment.added": _("%(actor)s attached “%(file)s” to the research note “%(title)s”"),
                "attachment.removed": _("%(actor)s removed “%(file)s” from the research note “%(title)s”"),
            }
        )
