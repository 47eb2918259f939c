"""Field logs: metrics the institution counts, log forms made of them, the entries members fill in
after a shift or event, and the changes the institution made (so charts can show before and after)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# RESTRICT, not PROTECT, on links inside the institution: a row still in use cannot be deleted on its own,
# yet deleting the whole institution (everything cascades from it) is allowed.


class Metric(models.Model):
    """Something counted or rated each time, e.g. "protesters present" or "how calm it felt (1–5)"."""

    class Kind(models.TextChoices):
        COUNT = "count", _("A count (whole number)")
        NUMBER = "number", _("A number (decimals allowed)")
        RATING = "rating", _("A rating from 1 to 5")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("what we count"), max_length=120, help_text=_("e.g. “Patients escorted”."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COUNT)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. “people”. Optional."))
    goal = models.DecimalField(_("goal"), max_digits=12, decimal_places=2, null=True, blank=True)
    direction = models.CharField(_("better when"), max_length=4, choices=Direction.choices, default=Direction.UP)
    description = models.CharField(_("how to count it"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When someone last opened its chart: "logged but never looked at" is a sign of not learning.
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="metric_unique_name")]

    def __str__(self):
        return self.name


class LogForm(models.Model):
    """A short form members fill after a shift or event, e.g. "Saturday clinic log"."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("when to fill it"), max_length=500, blank=True)
    # The volunteer role whose shifts this form logs (offered after those shifts); optional.
    role = models.ForeignKey(
        "logistics.VolunteerRole",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the shifts of"),
    )
    metrics = models.ManyToManyField(Metric, through="LogFormField", related_name="forms")
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="log_form_unique_name")]

    def __str__(self):
        return self.name


class LogFormField(models.Model):
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(LogForm, on_delete=models.CASCADE, related_name="fields")
    metric = models.ForeignKey(Metric, on_delete=models.RESTRICT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=False)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["form", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "metric"], name="log_form_metric_once")]

    def __str__(self):
        return f"{self.form_id}:{self.metric_id}"


class LogEntry(models.Model):
    """One filled log: what was seen on a day, by whom, for which shift or meeting."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(LogForm, on_delete=models.RESTRICT, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="log_entries"
    )
    happened_on = models.DateField(_("date"))
    occurrence = models.ForeignKey(
        "logistics.ShiftOccurrence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        indexes = [models.Index(fields=["institution", "happened_on"]), models.Index(fields=["institution", "author"])]

    def __str__(self):
        return f"{self.form_id} {self.happened_on}"


class LogValue(models.Model):
    """One metric's value in an entry. Decimal for every kind (counts and ratings are whole)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(LogEntry, on_delete=models.CASCADE, related_name="values")
    metric = models.ForeignKey(Metric, on_delete=models.RESTRICT, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "metric"], name="log_value_once_per_metric")]
        indexes = [models.Index(fields=["metric", "entry"])]

    def __str__(self):
        return f"{self.metric_id}={self.value}"


class Change(models.Model):
    """Something the institution changed on purpose, and when ("switched to calm, positive messaging")."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    made_on = models.DateField(_("from when"))
    title = models.CharField(_("what we changed"), max_length=200)
    description = models.TextField(_("why, and what we hope to see"), max_length=3000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-made_on", "-pk"]

    def __str__(self):
        return self.title
