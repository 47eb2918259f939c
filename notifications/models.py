"""A record of every e-mail the app sends, keyed so that nothing is sent twice."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """One e-mail to one recipient.

    The row is written (under a unique key) before sending. A retry, a duplicate job or a
    restarted worker finds the row and does not send again; a send that failed goes back to
    pending so the next attempt picks it up.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", "account"
        INVITATION = "invitation", "invitation"
        REMINDER = "reminder", "reminder"
        RESULT = "result", "result"
        DIGEST = "digest", "digest"

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped"  # the recipient does not want this kind of mail

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Deliveries are internal records (never listed to tenants), so they are not scoped;
    # the institution is kept for export and cleanup.
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField()
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"{self.key} → {self.email} ({self.status})"


class MailPreference(models.Model):
    """A person's choice about one kind of mail from one institution. No row means they get it."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminders (votes closing, check-ins, shifts)")
        RESULT = "result", _("Results of votes")
        DIGEST = "digest", _("Weekly health digest")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences")
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "kind"], name="mail_preference_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} {self.institution_id} {self.kind}: {self.enabled}"
