"""Proposals, their discussion, the frozen voter roll, and ballots.

Secret ballots: `RollEntry` records *who* voted (a yes/no flag, no time); `SecretBallot`
records *what* was voted with a random primary key, a receipt code and no time or
sequence. Nothing links the two, so nobody, organizers included, can tell how a person
voted. Open ballots (`Ballot`) name the voter.
"""

import secrets
import uuid
from fractions import Fraction

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

# How long after posting a comment its author may still edit it.
COMMENT_EDIT_WINDOW_SECONDS = 15 * 60


class Method(models.TextChoices):
    MAJORITY = "majority", _("Majority")
    SUPERMAJORITY = "supermajority", _("Supermajority")
    CONSENT = "consent", _("Consent")
    CONSENSUS = "consensus", _("Consensus")
    APPROVAL = "approval", _("Approval")
    SCORE = "score", _("Score")
    DOTS = "dots", _("Dot voting")
    RANKED = "ranked", _("Ranked choice")


# The explanation voters read before they vote, in plain words.
METHOD_EXPLANATIONS = {
    Method.MAJORITY: _(
        "Vote yes, no or abstain. The proposal passes if more people vote yes than no. "
        "Abstaining counts toward turnout but not for either side."
    ),
    Method.SUPERMAJORITY: _(
        "Vote yes, no or abstain. Because this decision matters a lot, it needs more than a simple majority: "
        "the share of yes votes among yes and no votes must reach the threshold shown above. Abstentions are not "
        "counted for either side."
    ),
    Method.CONSENT: _(
        "Agree, stand aside (you have doubts but will not stop it) or object. The proposal passes when nobody "
        "objects. If you object, say why, so the group can change the proposal; when the objection is resolved "
        "you can change your vote."
    ),
    Method.CONSENSUS: _(
        "Agree, stand aside or block. The proposal passes when nobody blocks and fewer people stand aside than the "
        "limit the institution has set. A block is a serious step: use it only when you believe the proposal would "
        "harm the group, and say why."
    ),
    Method.APPROVAL: _(
        "Tick every option you could live with, as many as you like. The option approved by the most people wins."
    ),
    Method.SCORE: _(
        "Give each option a score from 0 (against) to 5 (strongly for). The option with the highest average score "
        "wins; if two share the top average, the result is a tie."
    ),
    Method.DOTS: _(
        "You have a number of dots to spread across the options. Put several on one option if it matters most to "
        "you. The option with the most dots wins."
    ),
    Method.RANKED: _(
        "Number the options in the order you prefer them: 1 for your favorite, then 2, and so on. You may leave "
        "options out. If no option is the first choice of more than half, the option with the fewest votes is "
        "removed and its ballots go to their next choice, round after round, until one option has more than half. "
        "Ties for last place are broken by looking at earlier rounds, then by the order of the options."
    ),
}

OPTION_METHODS = {Method.APPROVAL, Method.SCORE, Method.DOTS, Method.RANKED}

SUPERMAJORITY_THRESHOLDS = [
    ("3/5", _("three in five (60%)")),
    ("2/3", _("two in three (67%)")),
    ("3/4", _("three in four (75%)")),
    ("1/1", _("everyone (100%)")),
]


class Proposal(models.Model):
    """Something members decide together, from draft to a recorded result."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DISCUSSION = "discussion", _("In discussion")
        VOTING = "voting", _("Voting")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Did not pass")
        TIE = "tie", _("Tie")
        NO_QUORUM = "no_quorum", _("Not enough people voted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20_000)
    version = models.PositiveIntegerField(default=1)
    method = models.CharField(_("how we decide"), max_length=20, choices=Method.choices, default=Method.MAJORITY)
    threshold = models.CharField(_("threshold"), max_length=5, choices=SUPERMAJORITY_THRESHOLDS, default="2/3")
    dots_per_voter = models.PositiveSmallIntegerField(
        _("dots per voter"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of members on the voter roll who must take part for the result to count."),
    )
    secret = models.BooleanField(
        _("secret ballot"),
        default=False,
        help_text=_("Nobody, not even organizers, can see how anyone voted. A secret ballot cannot be changed."),
    )
    hide_results_until_closed = models.BooleanField(_("hide results until voting closes"), default=True)
    deadline = models.DateTimeField(_("voting closes"), null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    result = models.JSONField(default=dict, blank=True, help_text="The tally as it stood when voting closed.")
    created_at = models.DateTimeField(default=timezone.now)
    discussion_opened_at = models.DateTimeField(null=True, blank=True)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent_at = models.DateTimeField(null=True, blank=True)
    # Aligning with, joining or working under another organization: the cooptation indicator counts these.
    about_outside_organization = models.BooleanField(
        _("this is about aligning with, joining or working under another organization"), default=False
    )
    # What the proposal is about (a need, a meeting, a procedure), filled in by the app that owns it.
    concerns_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    concerns_id = models.PositiveBigIntegerField(null=True, blank=True)
    concerns = GenericForeignKey("concerns_type", "concerns_id")

    objects = ScopedManager(institution="institution")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="proposal_closed_has_outcome"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("decisions:detail", kwargs={"institution_slug": self.institution.slug, "pk": self.pk})

    @property
    def explanation(self):
        return METHOD_EXPLANATIONS[self.method]

    @property
    def uses_options(self):
        return self.method in OPTION_METHODS

    @property
    def threshold_fraction(self):
        return Fraction(self.threshold)

    def is_open_for_voting(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.VOTING and (self.deadline is None or now < self.deadline)

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class ProposalVersion(models.Model):
    """An earlier (or the current) wording of a proposal; revisions never overwrite history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=20_000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_unique")]

    def __str__(self):
        return f"{self.proposal_id} v{self.number}"


class Option(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=200)
    position = models.PositiveSmallIntegerField()

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "position"], name="option_position_unique")]

    def __str__(self):
        return self.label

    # Form field names on the ballot, one per option.
    @property
    def score_key(self):
        return f"score-{self.pk}"

    @property
    def dots_key(self):
        return f"dots-{self.pk}"

    @property
    def rank_key(self):
        return f"rank-{self.pk}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"comment {self.pk} on {self.proposal_id}"

    def editable_by(self, user, now=None):
        now = now or timezone.now()
        return (
            self.author_id == user.pk
            and self.hidden_at is None
            and (now - self.created_at).total_seconds() < COMMENT_EDIT_WINDOW_SECONDS
        )


class RollEntry(models.Model):
    """A member who may vote on a proposal, frozen when voting opens. `has_voted` is the only
    trace of voting here: no time, nothing that points at a ballot."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="roll")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    has_voted = models.BooleanField(default=False)

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="roll_one_entry_per_member")]

    def __str__(self):
        return f"{self.user_id} on {self.proposal_id}"


class Ballot(models.Model):
    """An open (named) ballot. One per member and proposal; casting again replaces it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.JSONField()
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="ballot_one_per_member")]

    def __str__(self):
        return f"ballot {self.pk} on {self.proposal_id}"


def new_receipt():
    return secrets.token_hex(5).upper()


class SecretBallot(models.Model):
    """A secret ballot: what was voted, with a receipt code the voter keeps. Deliberately no voter,
    no time and a random key, so the rows cannot be put back in voting order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="secret_ballots")
    receipt = models.CharField(max_length=12, default=new_receipt)
    choice = models.JSONField()

    objects = ScopedManager(institution="proposal__institution")

    class Meta:
        ordering = ["receipt"]
        constraints = [models.UniqueConstraint(fields=["proposal", "receipt"], name="secret_ballot_receipt_unique")]

    def __str__(self):
        return f"secret ballot {self.receipt}"
