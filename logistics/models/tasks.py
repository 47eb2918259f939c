"""Tasks, who carries them and how much each person carries; the meeting support checklist."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from dualpower.steps import STEPS


class Task(models.Model):
    """Something someone in the institution has to do, owned by one member or waiting to be claimed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    class Effort(models.IntegerChoices):
        # The value is the task's weight in someone's load.
        SMALL = 1, _("Small")
        MEDIUM = 2, _("Medium")
        LARGE = 3, _("Large")

    ACTIVE = (Status.OPEN, Status.IN_PROGRESS)

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(
        _("task"), max_length=200, help_text=_("In a few words, e.g. “Pick up the folding tables”.")
    )
    description = models.TextField(_("details"), max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tasks",
        verbose_name=_("who does it"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    effort = models.PositiveSmallIntegerField(_("effort"), choices=Effort.choices, default=Effort.SMALL)
    step = models.CharField(
        _("step it serves"), max_length=20, blank=True, choices=[(step.app, step.title) for step in STEPS]
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("meeting it serves"),
    )
    need = models.ForeignKey(
        "needs.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("need it serves"),
    )
    # One task per action item noted in the minutes.
    action_item = models.OneToOneField(
        "meetings.ActionItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="task"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = [models.F("due_on").asc(nulls_last=True), "pk"]
        indexes = [
            models.Index(fields=["institution", "status", "due_on"]),
            models.Index(fields=["institution", "owner", "status"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("logistics:task", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    def is_overdue(self, today=None):
        return self.is_active and self.due_on is not None and self.due_on < (today or timezone.localdate())


class SupportLine(models.Model):
    """One line of a meeting's support checklist (childcare, a ride, setup...), built from its RSVPs,
    that a member can volunteer for. Kept when the need goes away (inactive) so the volunteer is not lost."""

    class Kind(models.TextChoices):
        CHILDCARE = "childcare", _("Childcare")
        ELDERCARE = "eldercare", _("Eldercare")
        FOOD = "food", _("Food")
        TRANSPORT = "transport", _("Transport")
        INTERPRETATION = "interpretation", _("Interpretation")
        SETUP = "setup", _("Setup")
        CLEANUP = "cleanup", _("Cleanup")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="support_lines")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Stable identity within the meeting: "childcare", "ride:<hash>", "interpretation:<language>", "setup".
    key = models.CharField(max_length=120)
    description = models.CharField(_("what is needed"), max_length=500)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_lines",
        verbose_name=_("volunteer"),
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="support_line_unique_key")]
        indexes = [models.Index(fields=["institution", "active", "volunteer"])]

    def __str__(self):
        return self.description
