"""Step 6 for the clinic-defense demo group: months of field logs around a recorded change, member
check-ins, self-evaluations, a grievance and incidents, and one organizer carrying most of the
tasks lately, so that several health signs light up on the demo's health page."""

from datetime import timedelta

from django.utils import timezone

from logistics.models import Task

from .demo_checkins import seed_checkins
from .demo_logs import seed_logs
from .demo_selfeval import seed_selfeval

BUSY_TASKS = [
    "Print the new flyers",
    "Call the clinic manager about Saturday",
    "Pick up water from the store",
    "Answer the reporter's e-mail",
    "Update the escort rota",
    "Collect the vests from the laundry",
    "Write up the police incident",
    "Book the room for the assembly",
    "Order more rainbow umbrellas",
    "Meet the new volunteers",
    "Fix the sign stands",
    "Send the thank-you notes",
    "Check the first-aid kit",
    "Recount the donations tin",
    "Plan the training evening",
    "Drop the banner at the printer",
    "Translate the flyer into Spanish",
    "Scan the sign-in sheets",
    "Reply to the neighbours' association",
    "Refill the water cooler",
    "Take the minutes of the assembly",
    "Count the new vests",
    "Phone the volunteers who missed Saturday",
    "Bring the table back to storage",
    "Ask the church about the hall",
    "Post the meeting notice",
    "Buy batteries for the megaphone",
    "Sort the donated umbrellas",
]


def seed_busy_organizer(institution, people):
    """The first organizer did nearly every task of the last ten weeks (burnout shows); does nothing
    if those tasks are there already."""
    busy, *others = people
    if Task.objects.filter(institution=institution, title=BUSY_TASKS[0]).exists():
        return
    now = timezone.now()
    rows = []
    for index, title in enumerate(BUSY_TASKS):
        owner = busy if index % 9 else others[index % len(others)]
        done_at = now - timedelta(days=2 + index * 2.5)
        rows.append(
            Task(
                institution=institution,
                title=title,
                owner=owner,
                created_by=busy,
                status=Task.Status.DONE,
                done_at=done_at,
                created_at=done_at - timedelta(days=3),
                effort=Task.Effort.SMALL,
            )
        )
    Task.objects.bulk_create(rows)


def seed_evaluation(institution, people):
    seed_logs(institution, people)
    seed_checkins(institution, people)
    seed_selfeval(institution, people)
    seed_busy_organizer(institution, people)
