"""Demo money for a clinic-defense group: a few months of dues, community donations and a small grant,
printing, water and signs; one expense waiting for a second organizer and one member owed money back."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import money
from .models import LedgerCategory, LedgerEntry
from .selectors import settings_for

INCOME, EXPENSE = LedgerEntry.Kind.INCOME, LedgerEntry.Kind.EXPENSE
Source = LedgerEntry.Source

# (days ago, kind, amount, category, description, source, source organization)
LINES = [
    (118, INCOME, "85.00", "Dues", "Monthly dues, 17 members", Source.MEMBER_DUES, ""),
    (112, EXPENSE, "42.60", "Printing", "Know-your-rights flyers, 300 copies", "", ""),
    (105, INCOME, "64.25", "Donations", "Collection jar at the community fair", Source.COMMUNITY_DONATION, ""),
    (99, EXPENSE, "18.90", "Water and snacks", "Water for the Saturday escort shift", "", ""),
    (88, INCOME, "90.00", "Dues", "Monthly dues, 18 members", Source.MEMBER_DUES, ""),
    (81, INCOME, "500.00", "Grants", "Small grant for escort training", Source.GRANT, "Neighbourhood Health Fund"),
    (76, EXPENSE, "27.40", "Water and snacks", "Water and granola bars, two shifts", "", ""),
    (70, EXPENSE, "96.00", "Signs and banners", "Two vinyl signs: “Clinic open — walk this way”", "", ""),
    (63, INCOME, "40.00", "Donations", "Donation from the tenants' union bake sale", Source.OUTSIDE_ORGANIZATION, ""),
    (58, INCOME, "95.00", "Dues", "Monthly dues, 19 members", Source.MEMBER_DUES, ""),
    (51, EXPENSE, "38.15", "Printing", "Escort training handouts", "", ""),
    (44, EXPENSE, "22.75", "Water and snacks", "Water for the Saturday escort shift", "", ""),
    (37, INCOME, "31.50", "Donations", "Neighbours' donations at the clinic door", Source.COMMUNITY_DONATION, ""),
    (28, INCOME, "95.00", "Dues", "Monthly dues, 19 members", Source.MEMBER_DUES, ""),
    (21, EXPENSE, "54.30", "Printing", "Flyers for the community meeting", "", ""),
]


@transaction.atomic
def seed_ledger(institution, people):
    """Record the demo money, inside the institution's scope. `people[0]` and `people[1]` are organizers
    (`people[2]`, if given, is the member owed money back); does nothing if the institution already has
    ledger entries."""
    if LedgerEntry.objects.filter(institution=institution).exists():
        return []
    first, second = people[0], people[1]
    payer = people[2] if len(people) > 2 else first
    today = timezone.localdate()
    categories = {}
    for name in ("Dues", "Donations", "Grants", "Printing", "Water and snacks", "Signs and banners"):
        categories[name] = LedgerCategory.objects.filter(institution=institution, name=name).first() or (
            money.category_create(institution=institution, actor=first, name=name)
        )
    threshold = settings_for(institution).approval_threshold
    entries = []
    for days_ago, kind, amount, category, description, source, source_name in LINES:
        entry = money.entry_record(
            institution=institution,
            recorder=first if days_ago % 2 else second,
            kind=kind,
            occurred_on=today - timedelta(days=days_ago),
            amount=Decimal(amount),
            category=categories[category],
            description=description,
            source=source,
            source_name=source_name,
        )
        if entry.approval == LedgerEntry.Approval.PENDING:  # above a low threshold: the other one approves
            approver = second if entry.recorded_by == first else first
            money.entry_approve(entry=entry, organizer=approver, note="Agreed at the monthly meeting")
        entries.append(entry)
    # A member bought water out of pocket and is owed it back.
    entries.append(
        money.entry_record(
            institution=institution,
            recorder=first,
            kind=EXPENSE,
            occurred_on=today - timedelta(days=9),
            amount=Decimal("16.80"),
            category=categories["Water and snacks"],
            description="Water and ice for the hot Saturday shift",
            paid_by=payer,
        )
    )
    # A bigger expense, above the approval threshold, waits for the second organizer.
    entries.append(
        money.entry_record(
            institution=institution,
            recorder=first,
            kind=EXPENSE,
            occurred_on=today - timedelta(days=2),
            amount=max(Decimal("180.00"), threshold + Decimal("35.00")),
            category=categories["Signs and banners"],
            description="Large banner for the clinic fence",
        )
    )
    return entries
