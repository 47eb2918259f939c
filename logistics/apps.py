from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        from institutions.models import AuditEntry

        from .models import ShiftSignup, Task

        AuditEntry.register_actions(
            {
                "task.created": _("%(actor)s wrote down the task “%(task)s”"),
                "task.changed": _("%(actor)s changed the task “%(task)s”"),
                "task.claimed": _("%(actor)s took the task “%(task)s”"),
                "task.released": _("%(actor)s gave back the task “%(task)s”"),
                "task.assigned": _("%(actor)s gave the task “%(task)s” to %(owner)s"),
                "task.status_changed": _("%(actor)s moved the task “%(task)s” from %(before)s to %(after)s"),
            },
            {"before": lambda code: Task.Status(code).label, "after": lambda code: Task.Status(code).label},
        )
        attendance = {
            "before": lambda code: ShiftSignup.Attendance(code).label if code else _("not marked"),
            "after": lambda code: ShiftSignup.Attendance(code).label,
        }
        AuditEntry.register_actions(
            {
                "shift.attendance_marked": _("%(actor)s marked %(member)s %(after)s for %(role)s on %(date)s"),
                "shift.attendance_corrected": _(
                    "%(actor)s corrected %(member)s from %(before)s to %(after)s for %(role)s on %(date)s"
                ),
            },
            attendance,
        )
        AuditEntry.register_actions(
            {
                "role.created": _("%(actor)s added the volunteer role “%(role)s”"),
                "role.changed": _("%(actor)s changed the volunteer role “%(role)s”"),
                "role.archived": _("%(actor)s archived the volunteer role “%(role)s”"),
                "role.restored": _("%(actor)s put the volunteer role “%(role)s” back in use"),
                "shift.created": _("%(actor)s put a %(role)s shift on the schedule at %(place)s"),
                "shift.changed": _("%(actor)s changed a %(role)s shift"),
                "shift.ended": _("%(actor)s ended a %(role)s shift"),
                "shift.date_skipped": _("%(actor)s skipped the %(role)s shift on %(date)s"),
                "shift.date_restored": _("%(actor)s put the %(role)s shift on %(date)s back on"),
                "shift.late_cancel": _("%(actor)s cancelled late for the %(role)s shift on %(date)s"),
                "logistics.settings_changed": _("%(actor)s changed the logistics settings"),
            }
        )
        from .supplies import AUDIT_ACTIONS as SUPPLY_ACTIONS

        AuditEntry.register_actions(SUPPLY_ACTIONS)
        from meetings.services import on_action_item, on_rsvp_change

        from . import tasks_shifts  # noqa: F401  (Celery tasks outside tasks.py register on import)
        from .services import task_from_action_item
        from .tasks import support_lines_after_rsvp

        on_action_item(task_from_action_item)
        on_rsvp_change(support_lines_after_rsvp)
