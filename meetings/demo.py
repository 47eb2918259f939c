"""Demo data: two past meetings with minutes and attendance, and an upcoming public meeting with RSVPs
that ask for childcare, rides, food and interpretation."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Attendance, Meeting, MeetingDecision


def seed_meetings(institution, people):
    """Does nothing if the institution already has meetings."""
    if Meeting.objects.filter(institution=institution).exists():
        return
    organizer = people[0]
    spanish = institution.default_language == "es"
    now = timezone.now()
    for weeks_ago, title, minutes, hands in (
        (
            6,
            "Asamblea abierta: ¿qué nos falta?" if spanish else "Open assembly: what is missing?",
            "We heard from 30 neighbors. Food and repairs came up most.\n"
            "- Start a survey in both languages\n- Ask the church about the room",
            (24, 2, 3),
        ),
        (
            2,
            "Asamblea: elegir el foco" if spanish else "Assembly: choosing our focus",
            "The survey results were presented.\n"
            "- Most people named food running out before payday\n- Vote planned in the app",
            (31, 4, 1),
        ),
    ):
        # Past meetings are history, so they are written directly (planning refuses past dates).
        meeting = Meeting.objects.create(
            institution=institution,
            title=title,
            purpose="",
            starts_at=(now - timedelta(weeks=weeks_ago)).replace(hour=23, minute=0, second=0, microsecond=0),
            duration_minutes=90,
            place_name="Community room, building C",
            is_public=True,
            languages="English and Spanish",
            interpretation="Spanish",
            status=Meeting.Status.HELD,
            minutes=minutes,
            minutes_published=True,
            guests_count=hands[0] - len(people),
            children_count=6,
            created_by=organizer,
            facilitator=organizer,
            note_taker=people[-1],
        )
        Attendance.objects.bulk_create(
            Attendance(institution=institution, meeting=meeting, user=user) for user in people
        )
        MeetingDecision.objects.create(
            institution=institution,
            meeting=meeting,
            question="Run a needs survey in both languages" if weeks_ago == 6 else "Vote on the focus in the app",
            votes_for=hands[0],
            votes_against=hands[1],
            votes_abstain=hands[2],
        )
    upcoming = services.meeting_create(
        institution=institution,
        author=organizer,
        title="Asamblea pública: plan para el foco" if spanish else "Public assembly: a plan for our focus",
        purpose="Share what we learned from earlier efforts and agree on the first steps.",
        starts_at=(now + timedelta(days=9)).replace(minute=0, second=0, microsecond=0),
        duration_minutes=120,
        place_name="Community room, building C",
        address="1200 Oak Street",
        directions="Bus 12 to Oak & 3rd. Ring the bell marked 'Community'.",
        accessibility="Step-free entrance from the car park; accessible toilet on the ground floor.",
        is_public=True,
        languages="English and Spanish",
        interpretation="Spanish, English",
        facilitator=organizer,
        note_taker=people[-1],
    )
    for title, minutes in (("Welcome and introductions", 10), ("What others have tried", 25), ("Our first steps", 40)):
        services.agenda_item_add(meeting=upcoming, actor=organizer, title=title, minutes_allotted=minutes)
    for user in people[:2]:
        services.member_rsvp(meeting=upcoming, user=user)
    for name, fields in (
        (
            "Marisol",
            {"party_size": 3, "children": 2, "children_ages": "3 and 6", "language": "es", "interpretation": "English"},
        ),
        ("D. K.", {"party_size": 1, "transport_from": "Tower B", "food": True, "dietary": "vegetarian"}),
        ("Ahmed", {"party_size": 2, "food": True, "dietary": "halal"}),
        ("Rose", {"party_size": 1, "eldercare": True, "access_needs": "I use a wheelchair"}),
    ):
        services.rsvp_create(meeting=upcoming, name=name, **fields)
    services.suggestion_send(meeting=upcoming, name="Luz", text="Can we talk about the broken lift in tower B?")
