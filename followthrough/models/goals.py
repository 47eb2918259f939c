"""Goals the institution means to reach, their milestones, and the evidence linked to them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Goal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Working on it")
        REACHED = "reached", _("Reached")
        PAUSED = "paused", _("Paused")
        DROPPED = "dropped", _("Dropped")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(
        _("what we mean to achieve"),
        max_length=200,
        help_text=_("e.g. “The pantry opens every week without the founders”."),
    )
    description = models.TextField(_("how we will know"), max_length=5000, blank=True)
    target_date = models.DateField(_("by when"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who keeps an eye on it"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    reached_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = [models.F("target_date").asc(nulls_last=True), "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("followthrough:goal", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class Milestone(models.Model):
    """A step on the way to a goal. Reached milestones appear on the timeline."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    target_date = models.DateField(_("by when"), null=True, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self):
        return self.title


class GoalLink(models.Model):
    """Evidence for a goal: a metric from evaluation, a decision, or a task."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="links")
    metric = models.ForeignKey("evaluation.Metric", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    proposal = models.ForeignKey(
        "decisions.Proposal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey("logistics.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    note = models.CharField(_("why it counts"), max_length=300, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(metric__isnull=False, proposal__isnull=True, task__isnull=True)
                    | models.Q(metric__isnull=True, proposal__isnull=False, task__isnull=True)
                    | models.Q(metric__isnull=True, proposal__isnull=True, task__isnull=False)
                ),
                name="goal_link_exactly_one_target",
            )
        ]

    def __str__(self):
        return f"goal {self.goal_id} link"
