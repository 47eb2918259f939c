"""Grievances: filed confidentially to the facilitators an institution names. Only the filer and the
facilitators see a grievance and its trail (GrievanceEvent); nothing of it goes to the audit log."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Facilitator(models.Model):
    """A member the institution trusts to receive grievances and help resolve them."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    named_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "user"], name="facilitator_once")]

    def __str__(self):
        return f"facilitator {self.user_id}"


class Grievance(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        MEDIATION = "mediation", _("In mediation")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    OPEN = (Status.RECEIVED, Status.MEDIATION)

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    subject = models.CharField(_("in a few words"), max_length=200)
    description = models.TextField(_("what happened"), max_length=10000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("evaluation:grievance", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class GrievanceEvent(models.Model):
    """The grievance's own trail: filed, status changes, notes. Seen by the filer and the facilitators."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Filed")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Grievance.Status.choices, blank=True)
    note = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.grievance_id} {self.kind}"
