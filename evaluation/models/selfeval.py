"""Self-evaluations: the seven questions of "is it working?", answered by members and, through a
public link, by the community."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


def new_token():
    return secrets.token_urlsafe(18)


# The questions, in our own words. Keys are stored; texts are shown in the reader's language.
QUESTIONS = [
    ("needs", _("Do we act on the needs people tell us they have, the way they prefer?")),
    ("democratic", _("Are our decisions made openly, democratically, with everyone able to take part?")),
    ("accountable", _("Do we answer only to the community we serve and to each other?")),
    ("sustaining", _("Can we keep going on our own, or are we getting there?")),
    ("difference", _("Does our work make a real, material difference in people's lives?")),
    ("empowerment", _("Do people feel more able to change things because of us?")),
    ("relationships", _("Have we built strong relationships instead of pushing people away?")),
]
QUESTION_KEYS = [key for key, _text in QUESTIONS]


class SelfEvaluation(models.Model):
    """One round of the seven questions, open for a while."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. “Spring self-evaluation”."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    public_token = models.CharField(max_length=48, unique=True, default=new_token, editable=False)
    open_to_community = models.BooleanField(_("the community answers too, through a public link"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("evaluation:selfeval", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


class SelfEvaluationResponse(models.Model):
    """One person's answers: a member (one each, changeable while open) or someone of the community."""

    class Respondent(models.TextChoices):
        MEMBER = "member", _("Member")
        COMMUNITY = "community", _("Community")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="responses")
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "member"],
                condition=Q(member__isnull=False),
                name="self_evaluation_once_per_member",
            )
        ]

    def __str__(self):
        return f"{self.evaluation_id} {self.respondent}"


class SelfEvaluationAnswer(models.Model):
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(SelfEvaluationResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=20, choices=QUESTIONS)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(max_length=2000, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="self_evaluation_answer_once"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="self_evaluation_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.question}={self.rating}"
