"""Demo procedures for a clinic-defense group: the escort protocol (revised once), how we respond to
harassment, and the grievance procedure, with some members having read them."""

from django_scopes import scope

from . import procedures
from .models import Procedure

ESCORT_V1 = """Escorts walk patients and the people with them from the car or the bus stop to the clinic door. \
Our job is to make that walk calm and safe, nothing more.

Before the shift:
- Sign in with the shift lead at the corner by the pharmacy and put on your vest.
- Check that your phone is charged and has the shift lead's number.

On the walk:
- Stay calm and speak quietly. Introduce yourself and ask if the person wants an escort; respect a no.
- Never engage protesters: do not answer, argue, film them or make gestures, whatever they say.
- Walk on the street side of the patient, between them and the protesters.
- Keep moving at the patient's pace. Do not stop to talk until you are at the door.

After the shift:
- Tell the shift lead about anything unusual before you leave.
"""

ESCORT_V2 = ESCORT_V1.replace(
    """- Keep moving at the patient's pace. Do not stop to talk until you are at the door.
""",
    """- Keep moving at the patient's pace. Do not stop to talk until you are at the door.
- No physical contact with anyone: not with protesters, and not with patients unless they ask for an arm.

If someone is hurt:
- Get the person to safety first, then call 911 if it is serious.
- Tell the shift lead right away; they call the clinic manager.
- Write down what happened, when and who saw it, the same day, in the incident notebook.
""",
)

HARASSMENT = """This is how we respond when someone in our group is harassed: by a protester, a passer-by, \
or another volunteer.

- Believe the person who tells you. Ask what they need right now.
- Get them away from the harasser. Another escort takes over their place on the line.
- Do not confront the harasser yourself. The shift lead decides whether to call the clinic's security.
- Write down what happened (words used, time, place, descriptions) as soon as you can, and give it to the \
shift lead.

Within a week, two organizers chosen by the person check in with them, and we decide together what \
changes: a different post, a buddy on every shift, a report to the police only if they want one.

Harassment by a volunteer goes to the grievance procedure as well.
"""

GRIEVANCE = """Anyone in the group can raise a grievance: about how they were treated, about a decision, \
or about how a shift is run.

- Tell any organizer, in person or in writing. You can bring a friend to every conversation.
- Within two weeks, two organizers not involved in the matter listen to everyone concerned.
- They propose a way forward in writing. If you are not satisfied, the next members' meeting decides.
- What you tell us stays between the people handling it, unless you agree otherwise.

Nobody loses a shift or a role for raising a grievance.
"""


def seed_procedures(institution, people):
    """The three demo procedures, the escort protocol revised once, some members having read them.
    `people[0]` is an organizer who writes them. Returns them keyed "escort", "harassment" and
    "grievance". When the institution already has procedures it writes nothing and returns those it
    can match by title ({} if none)."""
    titles = {"escort": "Clinic escort protocol", "harassment": "How we respond to harassment"}
    titles["grievance"] = "Grievance procedure"
    people = [person for person in people if person is not None]
    with scope(institution=institution):
        existing = {procedure.title: procedure for procedure in Procedure.objects.filter(institution=institution)}
        if existing:
            return {name: existing[title] for name, title in titles.items() if title in existing}
        if not people:
            return {}
        author = people[0]
        made = {
            name: procedures.procedure_create(institution=institution, author=author, title=titles[name], body=body)
            for name, body in (("escort", ESCORT_V1), ("harassment", HARASSMENT), ("grievance", GRIEVANCE))
        }
        # Half the group read the first escort protocol before it changed: they will see "New version to read".
        others = people[1:]
        for person in others[: max(1, len(others) // 2)]:
            procedures.procedure_acknowledge(procedure=made["escort"], member=person, version_number=1)
        procedures.procedure_revise(
            procedure=made["escort"],
            author=author,
            title=titles["escort"],
            body=ESCORT_V2,
            change_note="Added: no physical contact, and what to do if someone is hurt.",
        )
        procedures.procedure_acknowledge(procedure=made["escort"], member=author, version_number=2)
        for person in people[::2]:
            procedures.procedure_acknowledge(procedure=made["harassment"], member=person, version_number=1)
        for person in {author, people[-1]}:
            procedures.procedure_acknowledge(procedure=made["grievance"], member=person, version_number=1)
        return made
