"""Step 2: consult. The outreach log records conversations members have in the community; consultation
rounds ask members and the community which candidate needs matter most."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from institutions.models import new_token


class OutreachEntry(models.Model):
    """One round of asking around: where, when, how many people, what they said, which needs came up."""

    class Channel(models.TextChoices):
        DOOR = "door", _("Door-knocking")
        STREET = "street", _("Market or street stall")
        MEETING = "meeting", _("At a meeting or event")
        PHONE = "phone", _("Phone or messages")
        OTHER = "other", _("Somewhere else")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    happened_on = models.DateField(_("when"), default=timezone.localdate)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices, default=Channel.DOOR)
    place = models.CharField(_("where"), max_length=200, blank=True, help_text=_("e.g. “Tower B, floors 3 to 6”."))
    people_count = models.PositiveIntegerField(
        _("people you talked to"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    notes = models.TextField(_("what people said"), max_length=5000, blank=True)
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="outreach", verbose_name=_("needs that came up")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name_plural = "outreach entries"

    def __str__(self):
        return f"{self.happened_on} {self.channel} ({self.people_count})"


class RoundError(ValueError):
    """A consultation round cannot do this (now); the message says why, for the person asking."""


URGENCY_MIN, URGENCY_MAX = 1, 5
MAX_DOTS_PER_PERSON = 20


class ConsultationRound(models.Model):
    """Asks members and the community how urgent each candidate need is and which to work on first.

    Members answer on their own page (one answer each, which they can change); anyone else
    answers anonymously through the round's public link.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    class Method(models.TextChoices):
        RANK = "rank", _("Put the needs in order")
        DOTS = "dots", _("Spread dots over the needs")

    METHOD_HELP = {
        Method.RANK: _("Each person numbers the needs from 1 (work on this first) to the last one."),
        Method.DOTS: _("Each person spreads a few dots; more dots on a need means it matters more to them."),
    }

    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="consultation_rounds"
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. “What should we work on this spring?”"))
    intro = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        help_text=_("A few words for the people answering: who is asking, and what happens with the answers."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    needs = models.ManyToManyField(
        "needs.Need", related_name="consultation_rounds", verbose_name=_("needs to ask about")
    )
    method = models.CharField(_("how people choose"), max_length=10, choices=Method.choices, default=Method.RANK)
    dots_per_person = models.PositiveSmallIntegerField(
        _("dots per person"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS_PER_PERSON)],
        help_text=_("Only used when people spread dots."),
    )
    public_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dots_per_person__gte=1, dots_per_person__lte=MAX_DOTS_PER_PERSON),
                name="consultation_round_dots_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="consultation_round_status_known"
            ),
            models.CheckConstraint(condition=Q(method__in=["rank", "dots"]), name="consultation_round_method_known"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultation:round_detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    def get_public_url(self):
        return reverse(
            "consultation:round_public", kwargs={"institution_slug": self.institution.slug, "token": self.public_token}
        )

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    @property
    def uses_ranks(self):
        return self.method == self.Method.RANK

    @property
    def method_help(self):
        return self.METHOD_HELP[self.method]

    def clean_ratings(self, ratings, need_ids):
        """Check one person's answer and return it normalized, or raise RoundError saying what to fix.

        `ratings` maps each need id to {"urgency": 1..5, "rank": 1..n} (rank method) or
        {"urgency": 1..5, "dots": 0..} (dots method).
        """
        need_ids = set(need_ids)
        if not isinstance(ratings, dict) or set(ratings) != need_ids:
            raise RoundError(gettext("Please answer for every need on the list."))
        cleaned = {}
        for need_id, rating in ratings.items():
            urgency = rating.get("urgency") if isinstance(rating, dict) else None
            if not isinstance(urgency, int) or not URGENCY_MIN <= urgency <= URGENCY_MAX:
                raise RoundError(gettext("Please say how urgent each need is, from 1 to 5."))
            if self.uses_ranks:
                cleaned[need_id] = {"urgency": urgency, "rank": rating.get("rank"), "dots": None}
            else:
                cleaned[need_id] = {"urgency": urgency, "rank": None, "dots": rating.get("dots")}
        if self.uses_ranks:
            ranks = [rating["rank"] for rating in cleaned.values()]
            if not all(isinstance(rank, int) for rank in ranks) or sorted(ranks) != list(range(1, len(ranks) + 1)):
                raise RoundError(
                    gettext(
                        "Give each need its own place, from 1 (work on this first) to %(last)s, using each number once."
                    )
                    % {"last": len(ranks)}
                )
        else:
            dots = [rating["dots"] for rating in cleaned.values()]
            if not all(isinstance(count, int) and count >= 0 for count in dots):
                raise RoundError(gettext("Dots must be whole numbers, 0 or more."))
            if sum(dots) > self.dots_per_person:
                raise RoundError(
                    ngettext(
                        "You have %(count)s dot to spread; you placed %(used)s.",
                        "You have %(count)s dots to spread; you placed %(used)s.",
                        self.dots_per_person,
                    )
                    % {"count": self.dots_per_person, "used": sum(dots)}
                )
        return cleaned


class ConsultationResponse(models.Model):
    """One person's answer to a round: a member (at most one answer each) or someone from the community."""

    class Group(models.TextChoices):
        MEMBER = "member", _("Members")
        COMMUNITY = "community", _("Community")

    round = models.ForeignKey(ConsultationRound, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(max_length=20, choices=Group.choices)
    # Empty for community answers, which are anonymous; kept empty too if a member's account is deleted.
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="round__institution")

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], condition=Q(member__isnull=False), name="consultation_one_answer_per_member"
            ),
            models.CheckConstraint(
                condition=Q(group="member") | Q(group="community", member__isnull=True),
                name="consultation_community_answers_are_anonymous",
            ),
        ]
        indexes = [models.Index(fields=["round", "group"])]

    def __str__(self):
        return f"{self.round_id} {self.group} {self.submitted_at:%Y-%m-%d}"


class NeedRating(models.Model):
    """What one answer said about one need: how urgent, and its place (rank) or its dots."""

    response = models.ForeignKey(ConsultationResponse, on_delete=models.CASCADE, related_name="ratings")
    need = models.ForeignKey("needs.Need", on_delete=models.CASCADE, related_name="consultation_ratings")
    urgency = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(URGENCY_MIN), MaxValueValidator(URGENCY_MAX)]
    )
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    dots = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = ScopedManager(institution="response__round__institution")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "need"], name="consultation_one_rating_per_need"),
            models.CheckConstraint(
                condition=Q(urgency__gte=URGENCY_MIN, urgency__lte=URGENCY_MAX), name="consultation_urgency_1_to_5"
            ),
            # A rating has a place or dots, never both and never neither (spelled out, since NULL passes a CHECK).
            models.CheckConstraint(
                condition=Q(rank__isnull=False, rank__gte=1, dots__isnull=True)
                | Q(rank__isnull=True, dots__isnull=False, dots__gte=0),
                name="consultation_rank_or_dots",
            ),
        ]

    def __str__(self):
        return f"{self.need_id}: urgency {self.urgency}, rank {self.rank}, dots {self.dots}"
