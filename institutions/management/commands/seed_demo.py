"""Demo data for trying the app: two institutions with organizers and members.

Safe to run any number of times: it finds what is already there and adds only what is
missing. Later issues add demo content for their step through `demo_steps` hooks.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from consultation.demo import seed_round
from consultation.services import outreach_record
from decisions import services as decisions
from decisions.models import Proposal
from evaluation.demo import seed_evaluation
from followthrough.demo_timeline import seed_story
from institutions import services
from institutions.models import Institution, Membership
from logistics.demo_money import seed_ledger
from logistics.demo_procedures import seed_procedures
from logistics.demo_shifts import seed_shifts
from logistics.demo_supplies import seed_supplies
from meetings.demo import seed_meetings
from needs.demo import seed_survey
from needs.models import Need
from needs.services import need_create
from research.demo import seed_notes


def seed_logistics(institution, people):
    """Step 5 for the clinic-defense group: procedures, roles and Saturday shifts with months of
    attendance, supplies and spaces, and a ledger."""
    procedures = seed_procedures(institution, people)
    seed_shifts(institution, people, procedures)
    seed_supplies(institution, people)
    seed_ledger(institution, people)


DEMO_PASSWORD = "organize-together"

PEOPLE = {
    "rosa@example.org": ("Rosa Delgado", "es"),
    "malik@example.org": ("Malik Johnson", "en"),
    "june@example.org": ("June Park", "en"),
    "sam@example.org": ("Sam Okafor", "en"),
    "alex@example.org": ("Alex Rivera", "es"),
}

INSTITUTIONS = [
    {
        "slug": "riverside-clinic-defense",
        "name": "Riverside Clinic Defense",
        "kind": Institution.Kind.COUNTER,
        "need_statement": (
            "Patients at the Riverside health clinic are harassed on their way in. We make sure nobody walks in alone."
        ),
        "description": (
            "We are neighbors who escort patients, hold calm and friendly signs, and keep "
            "careful notes of what happens each Saturday."
        ),
        "time_zone": "America/Los_Angeles",
        "default_language": "en",
        # Two organizers: larger expenses need a second organizer's approval.
        "people": {"rosa@example.org": "organizer", "malik@example.org": "organizer", "alex@example.org": "member"},
        "logistics": True,
        "needs": [
            ("Patients feel unsafe walking from the bus stop", 23, "Clinic staff survey and talks at the bus stop."),
            ("Nobody records what the protesters do", 8, "Volunteers' notes from three Saturdays."),
        ],
    },
    {
        "slug": "eastside-pantry",
        "name": "Eastside Tenant Pantry",
        "kind": Institution.Kind.ALTERNATIVE,
        "need_statement": (
            "Families in the Eastside towers run out of food at the end of the month. The "
            "tenants run a pantry for each other."
        ),
        "description": (
            "A food pantry in the community room of building C, run by the tenants who use "
            "it. Open Thursdays and Saturdays."
        ),
        "time_zone": "America/Chicago",
        "default_language": "es",
        "needs": [
            ("Food runs out before payday", 41, "Door-knocking in towers A to C, March: 41 of 60 households."),
            ("No childcare during evening meetings", 12, "Said by parents at the last two tenant meetings."),
            ("Repairs take months", 19, "Written complaints collected by the tenants' committee."),
        ],
        "people": {
            "june@example.org": "organizer",
            "sam@example.org": "member",
            "malik@example.org": "organizer",
            "alex@example.org": "member",
        },
    },
]


class Command(BaseCommand):
    help = "Create (or complete) the demo institutions and their demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {email: self._user(email, name, language) for email, (name, language) in PEOPLE.items()}
        for spec in INSTITUTIONS:
            institution = Institution.objects.filter(slug=spec["slug"]).first()
            people = list(spec["people"].items())
            if institution is None:
                first_email, _role = people[0]
                fields = {
                    key: spec[key]
                    for key in (
                        "slug",
                        "name",
                        "kind",
                        "need_statement",
                        "description",
                        "time_zone",
                        "default_language",
                    )
                }
                institution = services.institution_create(creator=users[first_email], **fields)
            with scope(institution=institution):
                for email, role in people:
                    membership = services.member_add(institution=institution, user=users[email], role=role)
                    if membership.role != role and role == Membership.Role.ORGANIZER:
                        services.member_change_role(membership=membership, role=role, actor=users[people[0][0]])
                people_here = [users[email] for email, _role in people]
                if not Proposal.objects.exists():
                    self._proposals(institution, people_here)
                if not Need.objects.exists():
                    self._needs(institution, people_here, spec["needs"])
                seed_round(institution, people_here)
                seed_notes(institution, people_here)
                seed_survey(institution, people_here)
                seed_meetings(institution, people_here)
                if spec.get("logistics"):
                    seed_logistics(institution, people_here)
                    seed_evaluation(institution, people_here)
                    seed_story(institution, people_here)
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for spec in INSTITUTIONS:
            self.stdout.write(f"  {spec['name']} (/i/{spec['slug']}/)")
            for email, role in spec["people"].items():
                self.stdout.write(f"    {role:<10} {email}")

    @staticmethod
    def _proposals(institution, people):
        """A few proposals in every state, voted on by the demo people."""
        now = timezone.now()
        organizer, *others = people
        author = others[0]

        def create(title, text, method, by, options=(), **extra):
            return decisions.proposal_create(
                institution=institution, author=by, title=title, text=text, method=method, options=options, **extra
            )

        create(
            "Print flyers in Spanish and Vietnamese",
            "Half the building does not read English. Flyers in three languages for the next meeting.",
            "majority",
            author,
        )

        talk = create(
            "Meet on Tuesdays instead of Mondays",
            "Mondays clash with the night shift at the warehouse. Tuesday 7 pm, same room?",
            "consent",
            author,
        )
        talk = decisions.discussion_open(proposal=talk, actor=author)
        decisions.comment_add(proposal=talk, author=organizer, text="Fine by me. The room is free on Tuesdays.")

        day = create(
            "Which day should we add?",
            "We can add one more day each week. Rank the days you could help.",
            "ranked",
            organizer,
            options=["Saturday morning", "Sunday afternoon", "Wednesday evening"],
        )
        day = decisions.voting_open(proposal=day, actor=organizer, deadline=now + timedelta(days=2))
        ids = decisions.option_ids_of(day)
        for voter, ranking in zip(people, ([ids[0], ids[2]], [ids[2], ids[0]], [ids[0]]), strict=False):
            decisions.vote_cast(proposal=day, member=voter, choice={"ranking": ranking})

        gift = create(
            "Accept the church's offer of a storage room",
            "St. Mark's offers its basement room for free, with no conditions. Do we take it?",
            "consensus",
            organizer,
            secret=True,
            quorum_percent=50,
        )
        gift = decisions.voting_open(proposal=gift, actor=organizer, deadline=now + timedelta(days=4))
        decisions.vote_cast(proposal=gift, member=author, choice={"choice": "agree"})

        freezer = create(
            "Buy a second freezer",
            "Up to $400 from the donations, so we can take fresh meat.",
            "majority",
            organizer,
            hide_results_until_closed=False,
        )
        freezer = decisions.voting_open(proposal=freezer, actor=organizer, deadline=now + timedelta(days=1))
        for voter, choice in zip(people, ("yes", "yes", "abstain", "no"), strict=False):
            decisions.vote_cast(proposal=freezer, member=voter, choice={"choice": choice})
        decisions.voting_close(proposal=freezer, actor=organizer)

    @staticmethod
    def _needs(institution, people, specs):
        """Identified needs, and some asking around that backs them up."""
        needs = [
            need_create(institution=institution, author=people[0], title=title, people_count=count, evidence=evidence)
            for title, count, evidence in specs
        ]
        today = timezone.localdate()
        rounds = (
            (0, "door", "Building A, floors 1-4", 18),
            (1, "street", "Saturday market", 25),
            (3, "meeting", "Community room", 9),
        )
        for weeks_ago, channel, place, count in rounds:
            outreach_record(
                institution=institution,
                member=people[-1],
                channel=channel,
                place=place,
                happened_on=today - timedelta(weeks=weeks_ago),
                people_count=count,
                needs=needs[: 1 + weeks_ago % 2],
            )

    @staticmethod
    def _user(email, name, language):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, language=language)
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user
