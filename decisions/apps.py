from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Decisions")

    def ready(self):
        from institutions.models import AuditEntry

        from .models import Proposal

        AuditEntry.register_actions(
            {
                "proposal.created": _("%(actor)s drafted the proposal “%(title)s”"),
                "proposal.discussion_opened": _("%(actor)s opened “%(title)s” for discussion"),
                "proposal.voting_opened": _("%(actor)s opened voting on “%(title)s” for %(voters)s members"),
                "proposal.closed": _("Voting on “%(title)s” closed: %(outcome)s"),
                "proposal.withdrawn": _("%(actor)s withdrew the proposal “%(title)s”"),
                "comment.hidden": _("%(actor)s hid a comment on “%(title)s”: %(reason)s"),
            },
            {"outcome": lambda code: Proposal.Outcome(code).label if code in Proposal.Outcome.values else code},
        )
