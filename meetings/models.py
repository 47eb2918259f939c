"""Step 4: meetings the institution holds, public or for members, with their agenda, RSVPs and support
needs, attendance, minutes and the decisions taken there."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def meeting_token():
    return secrets.token_urlsafe(18)


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(
        _("purpose"), max_length=3000, blank=True, help_text=_("What the meeting is for, in a sentence or two.")
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(
        _("length in minutes"), default=90, validators=[MinValueValidator(10), MaxValueValidator(24 * 60)]
    )
    place_name = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("e.g. “Community room, building C”.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    directions = models.TextField(
        _("how to get there"), max_length=2000, blank=True, help_text=_("Buses, entrances, where to knock.")
    )
    accessibility = models.TextField(
        _("accessibility of the place"),
        max_length=2000,
        blank=True,
        help_text=_("Step-free entrance? Lift? Accessible toilet? Seating? Say what is and is not there."),
    )
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    is_public = models.BooleanField(
        _("open to the public"), default=True, help_text=_("Anyone can see it and RSVP. Otherwise members only.")
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("e.g. “English and Spanish”.")
    )
    interpretation = models.CharField(
        _("interpretation offered"),
        max_length=200,
        blank=True,
        help_text=_("Which languages you can interpret into, if any."),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("note-taker"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("why it is cancelled"), max_length=500, blank=True)
    # Filled in during and after the meeting.
    guests_count = models.PositiveIntegerField(_("guests (not members)"), default=0)
    children_count = models.PositiveIntegerField(_("children in childcare"), default=0)
    minutes = models.TextField(_("minutes"), max_length=50_000, blank=True)
    minutes_published = models.BooleanField(
        _("publish the minutes"), default=False, help_text=_("Public meetings only: shown on the public page.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change people should hear about; calendar files carry it as SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["institution", "starts_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_upcoming(self):
        return self.status == self.Status.PLANNED and self.ends_at > timezone.now()

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


class AgendaItem(models.Model):
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("item"), max_length=200)
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    minutes_allotted = models.PositiveIntegerField(
        _("time box (minutes)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who leads it"),
    )
    proposal = models.ForeignKey(
        "decisions.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("proposal to decide"),
    )
    # What was said on this item, written by the note-taker.
    record = models.TextField(_("notes from the meeting"), max_length=20_000, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Suggestion(models.Model):
    """An idea or experience someone sent before the meeting, for the organizers to consider."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ADDED = "added", _("Added to the agenda")
        SET_ASIDE = "set_aside", _("Set aside")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="suggestions")
    name = models.CharField(_("your name (optional)"), max_length=120, blank=True)
    text = models.TextField(_("your suggestion or experience"), max_length=3000)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class RSVP(models.Model):
    """Someone coming to a meeting, with the support they need to be able to come."""

    class Status(models.TextChoices):
        GOING = "going", _("Coming")
        CANCELLED = "cancelled", _("Not coming")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name or initials"), max_length=120)
    email = models.EmailField(
        _("e-mail for reminders (optional)"),
        blank=True,
        help_text=_("Only to remind you and to let you change or cancel. Never shown to anyone else."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    party_size = models.PositiveSmallIntegerField(
        _("how many people, counting you"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    children = models.PositiveSmallIntegerField(
        _("children who need childcare"), default=0, validators=[MaxValueValidator(20)]
    )
    children_ages = models.CharField(_("their ages"), max_length=100, blank=True)
    eldercare = models.BooleanField(_("I need someone to care for an elder while I attend"), default=False)
    transport_from = models.CharField(
        _("I need a ride from"), max_length=200, blank=True, help_text=_("Leave empty if you have a way to get there.")
    )
    food = models.BooleanField(_("I will eat with you"), default=False)
    dietary = models.CharField(_("food needs (allergies, halal, vegetarian…)"), max_length=200, blank=True)
    interpretation = models.CharField(
        _("I need interpretation into"), max_length=100, blank=True, help_text=_("Which language.")
    )
    access_needs = models.TextField(_("anything else that would help you take part"), max_length=1000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.GOING)
    token = models.CharField(max_length=32, unique=True, default=meeting_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=models.Q(user__isnull=False), name="rsvp_one_per_member"
            ),
            models.CheckConstraint(condition=models.Q(party_size__gte=1), name="rsvp_party_at_least_one"),
        ]

    def __str__(self):
        return f"{self.name} ({self.party_size})"

    @property
    def needs_support(self):
        return bool(
            self.children
            or self.eldercare
            or self.transport_from
            or self.dietary
            or self.interpretation
            or self.access_needs
        )


class Attendance(models.Model):
    """A member ticked as present."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once")]

    def __str__(self):
        return f"{self.meeting_id}:{self.user_id}"


class MeetingDecision(models.Model):
    """A decision taken at the meeting: a proposal voted in the app, or a show of hands."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    question = models.CharField(_("what was decided"), max_length=500)
    proposal = models.ForeignKey(
        "decisions.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposal"),
    )
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.question


class ActionItem(models.Model):
    """Something someone agreed to do at the meeting. Logistics turns these into tasks."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(_("what needs doing"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text


class CalendarFeed(models.Model):
    """A member's private calendar link (all meetings, members' ones too). Revoking makes a new one."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=48, unique=True, default=meeting_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_member",
            )
        ]

    def __str__(self):
        return f"feed {self.user_id}"
