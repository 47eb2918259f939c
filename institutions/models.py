"""The tenant: an institution, its members, and how people come to join it."""

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# Slugs that would collide with the app's own paths or mislead people.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "account",
        "accounts",
        "login",
        "logout",
        "signup",
        "static",
        "media",
        "new",
        "create",
        "edit",
        "settings",
        "i",
        "i18n",
        "help",
        "about",
        "www",
        "mail",
        "dualpower",
        "dual-power",
        "support",
        "security",
        "public",
        "join",
        "invite",
        "home",
    }
)

slug_format = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$",
    _("Use 3 to 50 lowercase letters, digits and hyphens, starting and ending with a letter or digit."),
)


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; please choose another address."), params={"slug": value})


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."))


class Institution(models.Model):
    """A community-controlled institution: the tenant that owns everything else."""

    class Kind(models.TextChoices):
        ALTERNATIVE = "alternative", _("Alternative institution")
        COUNTER = "counter", _("Counter-institution")

    KIND_HELP = {
        Kind.ALTERNATIVE: _(
            "Meets a need directly, run by the people it serves: a food pantry, a community garden, "
            "a free clinic, a worker co-op."
        ),
        Kind.COUNTER: _(
            "Pushes back against something that harms the community: a tenants' union, a labor union, "
            "a clinic-defense group."
        ),
    }

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("web address"),
        max_length=50,
        unique=True,
        validators=[slug_format, validate_slug_not_reserved],
        help_text=_("Your institution's pages will live at /i/<address>/."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ALTERNATIVE)
    need_statement = models.CharField(
        _("the need it meets"),
        max_length=280,
        help_text=_("One or two sentences: what is going unmet, and for whom?"),
    )
    description = models.TextField(_("public description"), max_length=5000, blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Voting rules that hold for every proposal of the institution.
    vote_min_membership_days = models.PositiveSmallIntegerField(
        _("days of membership before voting"),
        default=0,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "New members can vote once they have been members this long. Protects against a group "
            "joining all at once to swing a vote. 0 means from the first day."
        ),
    )
    consensus_stand_aside_limit = models.PositiveSmallIntegerField(
        _("stand-aside limit for consensus (%)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("In a consensus vote, the proposal fails if this share of voters or more stand aside."),
    )
    # An organizer asked for the institution to be deleted; it is, with everything it holds, once
    # `deletion_due_at` has passed, unless an organizer cancels before.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deletion_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from dualpower.urls_kept import kept_reverse

        # Kept per process: every page's menu links to each of the person's institutions.
        return kept_reverse("institutions:home", kwargs={"institution_slug": self.slug})

    @property
    def kind_help(self):
        return self.KIND_HELP[self.kind]


class Membership(models.Model):
    """A person's place in an institution. One row per person and institution, kept after leaving."""

    class Role(models.TextChoices):
        ORGANIZER = "organizer", _("Organizer")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    # Declared by the member, optional: other organizations they belong to (read by the cooptation
    # indicator, shown to organizers only).
    affiliations = models.CharField(
        _("other organizations you belong to"),
        max_length=300,
        blank=True,
        help_text=_("Optional. Parties, unions, churches, nonprofits… Only organizers see this."),
    )

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="membership_one_per_person"),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} in {self.institution_id} ({self.role})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_organizer(self):
        return self.is_active and self.role == self.Role.ORGANIZER


def new_token():
    return secrets.token_urlsafe(24)


def default_invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An invitation by e-mail (one address) or a shareable link (any number of people up to a limit)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True, help_text=_("Leave empty for a shareable link."))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=default_invitation_expiry)
    max_uses = models.PositiveIntegerField(_("how many people can use it"), default=1)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(uses__lte=models.F("max_uses")), name="invitation_uses_within_limit"),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="invitation_max_uses_positive"),
        ]

    def __str__(self):
        return self.email or f"link {self.pk}"

    @property
    def is_link(self):
        return not self.email

    def unusable_reason(self, now=None):
        """Why this invitation cannot be used now, or None if it can."""
        now = now or timezone.now()
        if self.revoked_at:
            return _("This invitation was withdrawn by the organizers.")
        if self.expires_at <= now:
            return _("This invitation has expired. Ask an organizer for a new one.")
        if self.uses >= self.max_uses:
            return _("This invitation has already been used as many times as allowed.")
        return None

    @property
    def is_usable(self):
        return self.unusable_reason() is None


class JoinRequest(models.Model):
    """Someone asking to join, from the institution's public page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("a few words about you (optional)"), max_length=1000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user"], condition=Q(status="pending"), name="join_request_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.institution_id} ({self.status})"


class AuditEntry(models.Model):
    """Who changed what, and when: one row per change that matters.

    The sentence shown to organizers is built at display time from the action and
    its data, so it appears in the reader's language.
    """

    # Each app adds the actions it records; the text takes its placeholders from `data`.
    ACTION_TEXT = {
        "institution.created": _("%(actor)s created the institution"),
        "institution.updated": _("%(actor)s changed the institution's settings"),
        "membership.joined": _("%(person)s joined as %(role)s"),
        "membership.role_changed": _("%(actor)s changed %(person)s's role from %(old)s to %(new)s"),
        "membership.removed": _("%(actor)s removed %(person)s from the institution"),
        "membership.left": _("%(person)s left the institution"),
        "invitation.created": _("%(actor)s invited %(target)s"),
        "invitation.revoked": _("%(actor)s withdrew the invitation for %(target)s"),
        "join_request.accepted": _("%(actor)s accepted %(person)s's request to join"),
        "join_request.declined": _("%(actor)s declined %(person)s's request to join"),
    }
    # Data values stored as codes and shown as words: action -> {data key -> code-to-label function}.
    VALUE_LABELS = {}
    # Invitations by link have no address to name.
    LINK_TEXT = {
        "invitation.created": _("%(actor)s created a shareable invitation link"),
        "invitation.revoked": _("%(actor)s withdrew a shareable invitation link"),
    }

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @classmethod
    def register_actions(cls, texts, value_labels=None):
        """Let another app describe the actions it records (called from its AppConfig.ready)."""
        cls.ACTION_TEXT.update(texts)
        for action in texts:
            cls.VALUE_LABELS[action] = dict(value_labels or {})

    def describe(self):
        """The change as one sentence in the reader's language, e.g. "Olga invited sam@example.org"."""
        text = self.ACTION_TEXT.get(self.action)
        if text is None:
            return self.action
        if self.action in self.LINK_TEXT and not self.data.get("target"):
            text = self.LINK_TEXT[self.action]
        # Role codes are stored; their labels are shown in the reader's language.
        data = {
            key: (
                Membership.Role(value).label
                if key in {"role", "old", "new"} and value in Membership.Role.values
                else value
            )
            for key, value in self.data.items()
        }
        data["actor"] = self.actor.display_name if self.actor else _("Someone")
        for key, label in self.VALUE_LABELS.get(self.action, {}).items():
            if key in data:
                data[key] = label(data[key])
        try:
            return str(text) % data
        except (KeyError, TypeError, ValueError):
            return str(text)


class ClientThrottle(models.Model):
    """How many times one client used one public form in one time window.

    The client is a keyed hash of its address and the day, never the address itself, so the
    table cannot be read back into who answered what. Old windows are deleted as they pass.
    """

    bucket = models.CharField(max_length=120)
    client = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "client", "window_start"], name="client_throttle_one_row"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self):
        return f"{self.bucket} {self.window_start:%Y-%m-%d %H:%M} ({self.hits})"
