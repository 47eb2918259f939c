"""Step 1: needs surveys, and the needs an institution has identified with the evidence behind each."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Need(models.Model):
    """Something going unmet in the community that the institution might work on."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        FOCUS = "focus", _("Chosen focus")
        IN_PROGRESS = "in_progress", _("Being worked on")
        MET = "met", _("Met")
        SET_ASIDE = "set_aside", _("Set aside")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="needs")
    title = models.CharField(
        _("need"), max_length=200, help_text=_("In a few words, e.g. “food runs out before payday”.")
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    evidence = models.TextField(
        _("evidence"),
        max_length=5000,
        blank=True,
        help_text=_("What shows this need is real: what people said, numbers, where you heard it."),
    )
    people_count = models.PositiveIntegerField(
        _("people who raised it"), default=0, help_text=_("How many people named this need, as far as you know.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    focus_chosen_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-people_count", "title", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("needs:detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})


def survey_token():
    return secrets.token_urlsafe(12)


class Survey(models.Model):
    """A needs survey: questions the community answers on a phone, on a computer or on paper.

    Texts are written in the base language; `translations` holds the other languages the survey
    is offered in, as {"es": {"title": ..., "intro": ...}}.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        max_length=3000,
        blank=True,
        help_text=_("Who is asking, why, and what you will do with the answers."),
    )
    base_language = models.CharField(_("written in"), max_length=8, choices=settings.LANGUAGES)
    languages = models.JSONField(_("offered in"), default=list)
    translations = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    token = models.CharField(max_length=32, unique=True, default=survey_token, editable=False)
    access_code = models.CharField(
        _("access code"),
        max_length=40,
        blank=True,
        help_text=_("Optional. If set, people must type it before answering; print it on your flyers."),
    )
    ask_contact = models.BooleanField(
        _("offer to leave contact details"),
        default=True,
        help_text=_("People who agree can leave a name and a way to reach them; it is kept apart from their answers."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("needs:survey", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    def public_path(self):
        return reverse("needs:answer", kwargs={"institution_slug": self.institution.slug, "token": self.token})

    def offered_languages(self):
        """Base language first, then the others it is offered in, as (code, name) pairs."""
        names = dict(settings.LANGUAGES)
        codes = [self.base_language] + [code for code in self.languages if code != self.base_language]
        return [(code, names[code]) for code in codes if code in names]

    def text_in(self, field, language):
        return translated(self, field, language)

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


def translated(obj, field, language):
    """The object's `field` in `language`, falling back to the base text when not translated."""
    text = (obj.translations.get(language) or {}).get(field) if language else None
    return text or getattr(obj, field)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        SCALE = "scale", _("Scale from 1 to 5")
        YES_NO = "yes_no", _("Yes or no")
        RANKING = "ranking", _("Ranking of a list")
        NEEDS = "needs", _("Which needs matter most")

    # Kinds answered by picking among the question's choices (and so usable in cross-tabs and conditions).
    CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO, Kind.NEEDS}
    TEXT_KINDS = {Kind.SHORT_TEXT, Kind.LONG_TEXT}
    MULTI_KINDS = {Kind.MULTIPLE, Kind.NEEDS}
    TEXT_LIMITS = {Kind.SHORT_TEXT: 200, Kind.LONG_TEXT: 2000}

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type of question"), max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    allow_other = models.BooleanField(_("offer “other, please say”"), default=False)
    min_value = models.IntegerField(_("smallest number allowed"), null=True, blank=True)
    max_value = models.IntegerField(_("largest number allowed"), null=True, blank=True)
    starts_page = models.BooleanField(
        _("start a new page"), default=False, help_text=_("Short pages are easier on a small phone.")
    )
    show_if_choice = models.ForeignKey(
        "Choice",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="dependent_questions",
        verbose_name=_("show only if this answer was given"),
    )
    translations = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text

    def text_in(self, field, language):
        return translated(self, field, language)

    @property
    def has_choices(self):
        return self.kind in self.CHOICE_KINDS or self.kind == self.Kind.RANKING

    @property
    def is_choice(self):
        return self.kind in self.CHOICE_KINDS

    @property
    def is_text(self):
        return self.kind in self.TEXT_KINDS

    @property
    def is_numeric(self):
        return self.kind in {self.Kind.NUMBER, self.Kind.SCALE}


class Choice(models.Model):
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(_("choice"), max_length=200)
    # For "which needs matter most" questions: the need this choice stands for.
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_choices")
    translations = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text

    def text_in(self, field, language):
        return translated(self, field, language)


class Response(models.Model):
    """One person's answers to a survey, typed by them or entered by an organizer from paper."""

    class Channel(models.TextChoices):
        WEB = "web", _("Online")
        PAPER = "paper", _("Paper")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    submitted_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["survey", "submitted_at"])]

    def __str__(self):
        return f"{self.survey_id}#{self.pk} ({self.channel}, {self.language})"


class Answer(models.Model):
    """One value of a response: a picked choice (one row per choice picked), a number, a text, or a rank."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.RESTRICT, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.RESTRICT, null=True, blank=True, related_name="answers")
    number = models.IntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    themes = models.ManyToManyField("Theme", blank=True, related_name="answers")

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self):
        return f"{self.question_id}: {self.choice_id or self.number or self.text[:40]}"


class Theme(models.Model):
    """A topic organizers tag free-text answers with ("rent", "childcare"); it can become a need."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("theme"), max_length=80)
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="themes")

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "name"], name="theme_name_once_per_survey")]

    def __str__(self):
        return self.name


class SurveyContact(models.Model):
    """Contact details someone chose to leave. Kept apart from the answers: nothing links the two."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120, blank=True)
    contact = models.CharField(_("phone or e-mail"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    consented_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-consented_at", "-pk"]

    def __str__(self):
        return self.name or self.contact
