"""Volunteer roles, the written procedures that go with them, and shifts: one-off or weekly, each
date a ShiftOccurrence members sign up for."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# RESTRICT, not PROTECT, on links inside the institution: a row still in use cannot be deleted on its own,
# yet deleting the whole institution (everything cascades from it) is allowed.


class Procedure(models.Model):
    """A written procedure or protocol ("opening the pantry", "how we answer harassment"). Its text
    lives in versions; `current` is the one members are asked to read."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    current = models.ForeignKey("ProcedureVersion", on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("logistics:procedure", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class ProcedureVersion(models.Model):
    """One wording of a procedure. Never edited: a change makes the next version."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(_("the procedure"), max_length=20000)
    change_note = models.CharField(
        _("what changed"), max_length=300, blank=True, help_text=_("e.g. “Added who keeps the keys”.")
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")]

    def __str__(self):
        return f"{self.procedure_id} v{self.number}"


class ProcedureAcknowledgement(models.Model):
    """A member has read this version."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "member"], name="procedure_read_once")]
        indexes = [models.Index(fields=["institution", "member"])]

    def __str__(self):
        return f"{self.member_id} read {self.version_id}"


class VolunteerRole(models.Model):
    """A kind of volunteer work ("clinic escort", "driver"), with the procedure one must read for it."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. “Clinic escort” or “Driver”."))
    description = models.TextField(_("what it involves"), max_length=3000, blank=True)
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("procedure to read first"),
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="volunteer_role_unique_name")]

    def __str__(self):
        return self.name


class Shift(models.Model):
    """A shift of a role: once, or every week on chosen days. Times are the institution's local time;
    each date it happens is a ShiftOccurrence (made ahead for a few weeks), so a date can be skipped."""

    class Repeat(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Every week")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(VolunteerRole, on_delete=models.RESTRICT, related_name="shifts", verbose_name=_("role"))
    place = models.CharField(_("place"), max_length=200, help_text=_("Where to go, e.g. “Clinic front door”."))
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    repeat = models.CharField(_("how often"), max_length=10, choices=Repeat.choices, default=Repeat.ONCE)
    # Days of the week for weekly shifts, as digits (0 = Monday … 6 = Sunday), e.g. "5" for Saturdays.
    weekdays = models.CharField(max_length=7, blank=True)
    starts_on = models.DateField(_("first date"))
    until = models.DateField(_("last date"), null=True, blank=True, help_text=_("Leave empty to keep it going."))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    min_people = models.PositiveSmallIntegerField(
        _("people needed at least"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    max_people = models.PositiveSmallIntegerField(
        _("places"), default=2, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shift lead"),
        help_text=_("Marks who came. Organizers can too."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["starts_on", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_people__gte=F("min_people")), name="shift_max_at_least_min"),
            models.CheckConstraint(condition=Q(min_people__gte=1), name="shift_min_at_least_one"),
        ]

    def __str__(self):
        return f"{self.role_id} {self.starts_on}"

    def get_absolute_url(self):
        return reverse("logistics:shift", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class ShiftOccurrence(models.Model):
    """One date of a shift. Skipping a date (an exception) marks it cancelled; it is never deleted, so
    the sign-ups and attendance of past dates stay."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="occurrences")
    date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("why it is not happening"), max_length=300, blank=True)
    # Bumped when the time changes or the date is skipped, so reminders and calendars follow.
    sequence = models.PositiveIntegerField(default=0)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "date"], name="shift_occurrence_one_per_date"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_occurrence_ends_after_start"),
        ]
        indexes = [models.Index(fields=["institution", "starts_at"])]

    def __str__(self):
        return f"{self.shift_id} {self.date}"

    def get_absolute_url(self):
        return reverse("logistics:occurrence", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class ShiftSignup(models.Model):
    """A member's place on one date of a shift. Cancelling keeps the row (status), so late
    cancellations and attendance can be counted."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Signed up")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        EXCUSED = "excused", _("Excused")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    occurrence = models.ForeignKey(ShiftOccurrence, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_signups")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    signed_up_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    late_cancel = models.BooleanField(default=False)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attendance_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["signed_up_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="shift_signup_once_per_date"),
        ]
        indexes = [
            models.Index(fields=["institution", "member", "status"]),
            models.Index(fields=["occurrence", "status"]),
        ]

    def __str__(self):
        return f"{self.member_id} on {self.occurrence_id}"


class StandInRequest(models.Model):
    """Posted when someone cancels late: any member can take the freed place with one tap."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    occurrence = models.ForeignKey(ShiftOccurrence, on_delete=models.CASCADE, related_name="stand_in_requests")
    cancelled = models.OneToOneField(ShiftSignup, on_delete=models.CASCADE, related_name="stand_in_request")
    created_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    # Closed without a stand-in: the place was filled another way, or the date was skipped.
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["institution", "taken_at", "closed_at"])]

    def __str__(self):
        return f"stand-in for {self.cancelled_id}"

    @property
    def is_open(self):
        return self.taken_at is None and self.closed_at is None
