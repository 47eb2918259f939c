"""Sustainability and independence.

- Organizer terms: organizers record a term (from/until, optionally the proposal that elected them); a
  month before it ends, the organizers are reminded to hold a new election (tasks_governance.py).
- Rotation: per quarter, the share of tasks and shifts done by the founding members against everyone
  else, and how many members have ever held the organizer role.
- Independence: income by source, any single outside organization above a quarter of the last year's
  income, members' declared affiliations, and the yearly self-check.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.snapshot import affiliation_counts
from institutions.models import AuditEntry, Membership
from institutions.services import audit_record
from logistics.models import LedgerEntry, ShiftSignup, Task
from logistics.money import CENTS, counted, from_cents, income_by_source

from .models import IndependenceCheck, OrganizerTerm

# Members who joined this soon after the institution was created are its founders.
FOUNDING_DAYS = 30
# A term's end is announced this long before it.
TERM_REMINDER_AHEAD = timedelta(days=30)
QUARTERS = 8
# One outside organization giving more than this share of the last year's income is pointed out.
OUTSIDE_SHARE_LIMIT = Decimal("0.25")
INCOME_WINDOW = timedelta(days=365)
OUTSIDE_SOURCES = (LedgerEntry.Source.OUTSIDE_ORGANIZATION, LedgerEntry.Source.GRANT)
# The self-check is asked for again after this long.
CHECK_EVERY = timedelta(days=365)

ANSWERS = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")), ("unsure", gettext_lazy("Not sure")))
QUESTIONS = (
    ("veto", gettext_lazy("Does any outside group decide or veto what we do?")),
    ("biggest_funder", gettext_lazy("Could we keep going if our biggest funder stopped?")),
    ("members_decide", gettext_lazy("Do our members, not outsiders, set our goals and elect our organizers?")),
    ("conditions", gettext_lazy("Have we accepted money or help that came with conditions on our work?")),
    ("speak_freely", gettext_lazy("Can we speak out against a funder or partner without fear of losing them?")),
)
QUESTION_KEYS = tuple(key for key, _text in QUESTIONS)

AUDIT_ACTIONS = {
    "organizer_term.added": gettext_lazy("%(actor)s recorded %(person)s's term as organizer until %(until)s"),
    "independence_check.recorded": gettext_lazy("%(actor)s recorded the independence self-check of %(date)s"),
}


# Organizer terms ---------------------------------------------------------------------------------------


@transaction.atomic
def term_add(*, institution, actor, member, starts_on, ends_on, election=None) -> OrganizerTerm:
    """Record an organizer's term. The person must be an active organizer; the election, if given, a
    proposal of this institution."""
    if not Membership.objects.filter(
        institution=institution, user=member, status=Membership.Status.ACTIVE, role=Membership.Role.ORGANIZER
    ).exists():
        raise ValidationError(_("Terms are for organizers: make the person an organizer first."))
    if ends_on <= starts_on:
        raise ValidationError(_("A term ends after it starts."))
    if election is not None and election.institution_id != institution.pk:
        raise ValidationError(_("Choose a proposal of this institution."))
    term = OrganizerTerm(
        institution=institution,
        member=member,
        starts_on=starts_on,
        ends_on=ends_on,
        election=election,
        created_by=actor,
    )
    term.full_clean()
    term.save()
    audit_record(
        institution=institution,
        actor=actor,
        action="organizer_term.added",
        person=member.display_name,
        until=ends_on.isoformat(),
    )
    return term


def terms_of(institution, today=None):
    """(current, upcoming, past) terms with the member and the electing proposal. A current term ending
    within TERM_REMINDER_AHEAD (today included) is marked `ends_soon`: time to hold a new election."""
    today = today or timezone.localdate()
    terms = list(
        OrganizerTerm.objects.filter(institution=institution)
        .select_related("member", "election")
        .order_by("ends_on", "pk")
    )
    current = [term for term in terms if term.starts_on <= today <= term.ends_on]
    for term in current:
        term.ends_soon = term.ends_on <= today + TERM_REMINDER_AHEAD
    upcoming = [term for term in terms if term.starts_on > today]
    past = [term for term in terms if term.ends_on < today]
    return current, upcoming, past


def terms_ending_soon(today=None):
    """Terms (of every institution) ending within the reminder window, not yet reminded of."""
    today = today or timezone.localdate()
    return OrganizerTerm.objects.filter(
        ends_on__gte=today, ends_on__lte=today + TERM_REMINDER_AHEAD, reminded_at__isnull=True
    ).select_related("institution", "member")


# Rotation ----------------------------------------------------------------------------------------------


@dataclass
class QuarterShare:
    start: date
    tasks_founders: int
    tasks_others: int
    shifts_founders: int
    shifts_others: int

    @staticmethod
    def _percent(part, other):
        total = part + other
        return round(Decimal(100) * part / total) if total else None

    @property
    def tasks_founders_percent(self):
        return self._percent(self.tasks_founders, self.tasks_others)

    @property
    def shifts_founders_percent(self):
        return self._percent(self.shifts_founders, self.shifts_others)


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarters_back(today, count=QUARTERS):
    """The first days of the last `count` quarters, oldest first (the current one last)."""
    start = quarter_start(today)
    starts = [start]
    for _index in range(count - 1):
        start = quarter_start(start - timedelta(days=1))
        starts.append(start)
    return starts[::-1]


def founders(institution):
    """The members (user ids, as a subquery) who joined within FOUNDING_DAYS of the creation."""
    return Membership.objects.filter(
        institution=institution, joined_at__lt=institution.created_at + timedelta(days=FOUNDING_DAYS)
    ).values("user_id")


def rotation(institution, today=None):
    """Per quarter (last QUARTERS), tasks done and shifts done by the founders and by everyone else.
    Two grouped queries."""
    today = today or timezone.localdate()
    starts = quarters_back(today)
    first = starts[0]
    founding = founders(institution)
    tasks = (
        Task.objects.filter(institution=institution, status=Task.Status.DONE, done_at__date__gte=first)
        .annotate(quarter=TruncQuarter("done_at"))
        .values("quarter")
        .annotate(
            founders=Count("pk", filter=Q(owner_id__in=founding)),
            others=Count("pk", filter=~Q(owner_id__in=founding) | Q(owner__isnull=True)),
        )
        .order_by()
    )
    shifts = (
        ShiftSignup.objects.filter(
            institution=institution, attendance=ShiftSignup.Attendance.DONE, occurrence__date__gte=first
        )
        .annotate(quarter=TruncQuarter("occurrence__date"))
        .values("quarter")
        .annotate(
            founders=Count("pk", filter=Q(member_id__in=founding)),
            others=Count("pk", filter=~Q(member_id__in=founding)),
        )
        .order_by()
    )

    def by_quarter(rows):
        result = {}
        for row in rows:
            quarter = row["quarter"]
            quarter = quarter.date() if hasattr(quarter, "date") else quarter
            result[quarter_start(quarter)] = (row["founders"], row["others"])
        return result

    task_rows, shift_rows = by_quarter(tasks), by_quarter(shifts)
    return [QuarterShare(start, *task_rows.get(start, (0, 0)), *shift_rows.get(start, (0, 0))) for start in starts]


def organizers_ever(institution):
    """How many people have ever held the organizer role: whoever created the institution, joined as an
    organizer or was made one (audit log), and the current organizers. Two queries."""
    organizer = Membership.Role.ORGANIZER
    entries = (
        AuditEntry.objects.filter(institution=institution)
        .filter(
            Q(action="membership.role_changed", data__new=organizer)
            | Q(action="membership.joined", data__role=organizer)
            | Q(action="institution.created", actor__isnull=False)
        )
        .select_related("actor")
    )
    named = {
        entry.actor.display_name if entry.action == "institution.created" else entry.data.get("person")
        for entry in entries
    }
    current = Membership.objects.filter(
        institution=institution, role=Membership.Role.ORGANIZER, status=Membership.Status.ACTIVE
    ).select_related("user")
    named.update(membership.user.display_name for membership in current)
    named.discard(None)
    return len(named)


# Independence ------------------------------------------------------------------------------------------


@dataclass
class OutsideGiver:
    name: str
    total: Decimal
    share: Decimal

    @property
    def percent(self):
        return round(self.share * 100)


def independence(institution, today=None):
    """Income by source over the last year, outside organizations giving more than OUTSIDE_SHARE_LIMIT
    of it, and the declared affiliations counted. Three queries."""
    today = today or timezone.localdate()
    since = today - INCOME_WINDOW
    income = income_by_source(institution, since=since)
    zero = Value(0, output_field=BigIntegerField())
    givers = (
        counted(institution)
        .filter(kind=LedgerEntry.Kind.INCOME, source__in=OUTSIDE_SOURCES, occurred_on__gte=since)
        .exclude(source_name="")
        .values("source_name")
        .annotate(cents=Coalesce(Sum(CENTS), zero, output_field=BigIntegerField()))
        .order_by()
    )
    total_cents = int(income.total * 100)
    outside = []
    for row in givers:
        share = (Decimal(int(row["cents"])) / Decimal(total_cents)).quantize(Decimal("0.0001")) if total_cents else 0
        outside.append(OutsideGiver(name=row["source_name"], total=from_cents(row["cents"]), share=Decimal(share)))
    outside.sort(key=lambda giver: (-giver.total, giver.name))
    declared = Membership.objects.filter(institution=institution, status=Membership.Status.ACTIVE).values_list(
        "affiliations", flat=True
    )
    affiliations = sorted(affiliation_counts(declared).items(), key=lambda item: (-item[1], item[0]))
    return {
        "income": income,
        "outside": outside,
        "too_big": [giver for giver in outside if giver.share > OUTSIDE_SHARE_LIMIT],
        "limit_percent": round(OUTSIDE_SHARE_LIMIT * 100),
        "affiliations": affiliations,
    }


@transaction.atomic
def independence_check_record(*, institution, actor, done_on, answers, summary="") -> IndependenceCheck:
    """Record the yearly self-check. answers: {question key: (answer, note)} for every question."""
    if set(answers) != set(QUESTION_KEYS):
        raise ValidationError(_("Answer every question (“Not sure” is an answer)."))
    allowed = {key for key, _label in ANSWERS}
    cleaned = {}
    for key, (answer, note) in answers.items():
        if answer not in allowed:
            raise ValidationError(_("Answer each question with yes, no or not sure."))
        note = (note or "").strip()
        if len(note) > 2000:
            raise ValidationError(_("Notes can be up to 2000 characters."))
        cleaned[key] = {"answer": answer, "note": note}
    if done_on > timezone.localdate():
        raise ValidationError(_("The self-check cannot be dated in the future."))
    check = IndependenceCheck(
        institution=institution, done_on=done_on, answers=cleaned, summary=summary.strip(), recorded_by=actor
    )
    check.full_clean()
    check.save()
    audit_record(institution=institution, actor=actor, action="independence_check.recorded", date=done_on.isoformat())
    return check


def latest_check(institution):
    return IndependenceCheck.objects.filter(institution=institution).select_related("recorded_by").first()


def check_is_due(check, today=None):
    today = today or timezone.localdate()
    return check is None or check.done_on <= today - CHECK_EVERY


def check_rows(check):
    """The check's answers in question order, with the question and answer in words."""
    labels = dict(ANSWERS)
    rows = []
    for key, question in QUESTIONS:
        given = check.answers.get(key, {})
        rows.append(
            {"question": question, "answer": labels.get(given.get("answer"), ""), "note": given.get("note", "")}
        )
    return rows
