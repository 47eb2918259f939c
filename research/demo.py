"""Demo data for step 3: research notes on earlier efforts, for each demo institution."""

from django_scopes import scope

from institutions.models import Institution
from needs.models import Need

from . import services
from .models import FieldNote

# Notes for each kind of institution: (title, who, where, when, outcome, tried, evidence, lessons, tags,
# words that pick the needs it concerns, key reading).
PANTRY_NOTES = [
    (
        "St. Mark's basement pantry closes after the church needs its room back",
        "St. Mark's volunteers, with tenants from tower B",
        "St. Mark's church basement, 3 blocks from the towers",
        "2017 to 2019",
        "partly",
        "A weekly pantry on Saturday mornings, stocked from the regional food bank and a collection "
        "box at the church door. Volunteers were mostly parishioners; tenants picked up food but did "
        "not help run it.",
        "About 60 households a week at its peak (the volunteers' sign-in sheets). It closed within a "
        "month when the parish council gave the room to a daycare.",
        "Food reached people, but nobody outside the church could keep it going: the room, the keys and "
        "the food bank account were all the church's. Hold your own space and accounts, and have tenants "
        "run shifts from the start.",
        "food, space, independence",
        ("food",),
        True,
    ),
    (
        "Tower A freezer share",
        "Three families on the 4th floor of tower A",
        "Tower A",
        "winter 2022",
        "worked",
        "Families pooled money for bulk meat and vegetables at the wholesale market once a month and "
        "kept them in one chest freezer, with a paper log on the lid.",
        "Each family said they saved about $40 a month. The log shows 11 of 12 monthly buys happened.",
        "Small, trusted groups and a simple written log worked well. It stopped growing past three "
        "families because nobody had room for a second freezer.",
        "food, bulk buying",
        ("food",),
        False,
    ),
    (
        "City 'Fresh Fridays' mobile market",
        "City health department",
        "Parking lot behind the towers",
        "2021",
        "failed",
        "A truck selling discounted produce every other Friday from 10 am to 1 pm.",
        "Sales records published by the city: fewer than 15 buyers a visit; cancelled after 5 months. "
        "Most tenants work on Friday mornings.",
        "A service at a time when people are at work does not reach them. Ask people when they can come "
        "before choosing a time.",
        "food, timing, city programs",
        ("food",),
        False,
    ),
    (
        "Childcare swap during union meetings",
        "Westside Tenants Union",
        "Westside, in the library's community room",
        "2020 to now",
        "worked",
        "Two members who did not need to attend each meeting watched the children in the room next "
        "door, on a rota; the union bought games and snacks.",
        "Attendance by parents went from 3 to 14 over six months (their meeting sign-in sheets).",
        "A rota with two adults at a time, a room with a door nearby, and snacks. They ask parents to "
        "sign the children in and out.",
        "childcare, meetings",
        ("childcare",),
        True,
    ),
    (
        "Repair request letter campaign",
        "Our tenants' committee",
        "Towers A to C",
        "spring 2024",
        "unknown",
        "We collected written repair complaints and delivered them together to the management office, "
        "with copies to the housing inspector.",
        "42 letters delivered. Management answered 9 so far; we do not know yet whether the inspector acted.",
        "Keep copies and dates of every letter, and plan a follow-up date before delivering.",
        "repairs, letters",
        ("repair",),
        False,
    ),
]

CLINIC_NOTES = [
    (
        "Clinic escort program in Tacoma",
        "Tacoma Clinic Defense",
        "Tacoma, WA",
        "about 2 and a half years",
        "worked",
        "Volunteers stood outside the clinic on protest days, escorted patients in, held calm and "
        "friendly signs, and logged how many protesters came and how patients reacted.",
        "Their logs showed the protest groups losing volunteers over time; results took about 24 months.",
        "Stay calm and positive so patients can tell you apart from the protesters, and show up every "
        "single time: persistence is what wore the protesters down.",
        "escorts, persistence, logs",
        ("unsafe", "record"),
        True,
    ),
    (
        "Counter-protest with loud chants",
        "A student group",
        "Riverside clinic",
        "2018",
        "failed",
        "Students answered the protesters with chants and megaphones on two Saturdays.",
        "Clinic staff said patients found the noise more frightening, not less. The group stopped after a month.",
        "Patients need quiet and calm. Confronting the protesters made the entrance feel less safe.",
        "counter-protest, noise",
        ("unsafe",),
        False,
    ),
    (
        "Bus stop buddy system",
        "Neighbors on Elm Street",
        "Elm Street bus stop to the clinic door",
        "summer 2023",
        "partly",
        "Neighbors met patients at the bus stop and walked with them to the door.",
        "Patients told clinic staff they felt safer; but only 5 volunteers, so Saturdays were often uncovered.",
        "It helps when it happens. It needs a shift rota and enough people to cover every Saturday.",
        "escorts, volunteers",
        ("unsafe",),
        False,
    ),
    (
        "Volunteer incident notebook",
        "Riverside Clinic Defense",
        "Riverside clinic",
        "this year",
        "unknown",
        "A shared notebook where each volunteer writes down, after every shift, how many protesters "
        "came, what they did, and how patients reacted.",
        "Three Saturdays recorded so far.",
        "Too early to say. Keep it going and look at it every month.",
        "logs, records",
        ("record",),
        False,
    ),
]


def seed_notes(institution, people):
    """A few research notes with outcomes and tags, linked to the matching needs. Safe to run again:
    notes already there (by title) are left as they are."""
    specs = CLINIC_NOTES if institution.kind == Institution.Kind.COUNTER else PANTRY_NOTES
    with scope(institution=institution):
        needs = list(Need.objects.filter(institution=institution))
        existing = set(FieldNote.objects.filter(institution=institution).values_list("title", flat=True))
        authors = [person for person in people if person is not None]
        for number, spec in enumerate(specs):
            title, ran_by, place, period, outcome, tried, evidence, lessons, tags, need_words, key = spec
            if title in existing:
                continue
            author = authors[number % len(authors)]
            note = services.note_create(
                institution=institution,
                author=author,
                title=title,
                ran_by=ran_by,
                place=place,
                period=period,
                outcome=outcome,
                tried=tried,
                evidence=evidence,
                lessons=lessons,
                tags=tags,
                needs=[need for need in needs if any(word in need.title.lower() for word in need_words)],
            )
            if key:
                services.note_mark_key_reading(note=note, actor=authors[0], key_reading=True)
