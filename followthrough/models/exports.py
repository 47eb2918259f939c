"""An export of everything an institution holds, made by a Celery task, downloadable for a while."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager


def new_token():
    return secrets.token_urlsafe(24)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        READY = "ready", "ready"
        FAILED = "failed", "failed"

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    step = models.CharField(max_length=200, blank=True)  # what it is writing now, for the page
    file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    token = models.CharField(max_length=48, unique=True, default=new_token, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"export {self.pk} {self.status}"
