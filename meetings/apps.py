from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from institutions.models import AuditEntry

        AuditEntry.register_actions(
            {
                "meeting.created": _("%(actor)s planned the meeting “%(title)s”"),
                "meeting.cancelled": _("%(actor)s cancelled the meeting “%(title)s”"),
                "meeting.minutes_published": _("%(actor)s published the minutes of “%(title)s”"),
                "meeting.minutes_unpublished": _("%(actor)s took the minutes of “%(title)s” off the public page"),
                "meeting.decision_recorded": _("%(actor)s recorded the decision “%(title)s”"),
                "meeting.decision_removed": _("%(actor)s removed the decision “%(title)s” from the minutes"),
            },
            {},
        )
