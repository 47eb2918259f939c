"""Demo data: a needs survey with a few hundred answers in English and Spanish, online and on paper."""

import random
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Answer, Need, Response, Survey

# Written answers people might give, with the theme an organizer would tag them with.
WRITTEN = [
    ("en", "The rent went up twice this year and wages did not.", "rent"),
    ("en", "We wait months for the landlord to fix the heating.", "repairs"),
    ("en", "I can't come to meetings in the evening, there is nobody to watch my kids.", "childcare"),
    ("en", "By the 25th the fridge is empty.", "food"),
    ("en", "Mold in the bathroom, my daughter has asthma.", "repairs"),
    ("en", "Too many of us are one paycheck from losing the apartment.", "rent"),
    ("es", "El alquiler sube cada año y el sueldo no.", "rent"),
    ("es", "Llevamos tres meses sin agua caliente.", "repairs"),
    ("es", "No tengo con quién dejar a los niños para ir a las reuniones.", "childcare"),
    ("es", "A fin de mes no alcanza para la comida.", "food"),
    ("es", "El ascensor de la torre B lleva semanas roto.", "repairs"),
    ("es", "Nos da miedo reclamar al casero.", "rent"),
]


def seed_survey(institution, people):
    """An open needs survey with about 300 responses, themes on the written answers, and a need
    question linked to the institution's needs. Does nothing if the institution has a survey."""
    if Survey.objects.filter(institution=institution).exists():
        return None
    organizer = people[0]
    base = institution.default_language
    other = "en" if base == "es" else "es"
    spanish_first = base == "es"
    survey = services.survey_create(
        institution=institution,
        author=organizer,
        title="Encuesta de las torres" if spanish_first else "Neighborhood needs survey",
        intro=(
            "Queremos saber qué les hace falta a las familias de las torres. Son cinco minutos y es anónima."
            if spanish_first
            else "Tell us what is missing for you and your neighbors. It takes five minutes and is anonymous."
        ),
        base_language=base,
        languages=[base, other],
    )
    translated_title = "Tower needs survey" if spanish_first else "Encuesta de necesidades del barrio"
    services.survey_update(survey=survey, actor=organizer, translations={other: {"title": translated_title}})

    def text(en, es):
        return (es, {other: {"text": en}}) if spanish_first else (en, {other: {"text": es}})

    def add(kind, en, es, choices=(), **fields):
        wording, translations = text(en, es)
        return services.question_add(
            survey=survey,
            actor=organizer,
            kind=kind,
            text=wording,
            translations=translations,
            choices=[text(c_en, c_es) for c_en, c_es in choices],
            **fields,
        )

    hardest = add(
        "single",
        "What is hardest for your household right now?",
        "¿Qué es lo más difícil para tu hogar ahora mismo?",
        [
            ("Paying rent", "Pagar el alquiler"),
            ("Food", "La comida"),
            ("Repairs", "Las reparaciones"),
            ("Childcare", "El cuidado de los niños"),
        ],
        required=True,
        allow_other=True,
    )
    helps = add(
        "multiple",
        "What would help?",
        "¿Qué ayudaría?",
        [
            ("A food pantry", "Una despensa"),
            ("A tenants' committee", "Un comité de inquilinos"),
            ("Childcare at meetings", "Cuidado de niños en las reuniones"),
            ("Rides", "Transporte"),
        ],
    )
    rents = add("yes_no", "Do you rent your home?", "¿Alquilas tu vivienda?")
    yes = rents.choices.all()[0]
    share = add(
        "number",
        "What share of your income goes to rent (in percent)?",
        "¿Qué parte de tus ingresos va al alquiler (en porcentaje)?",
        show_if_choice=yes,
        min_value=0,
        max_value=100,
    )
    safe = add("scale", "How safe do you feel in your building?", "¿Qué tan seguro te sientes en tu edificio?")
    needs = list(Need.objects.filter(institution=institution).order_by("pk")[:4])
    matters = None
    if needs:
        wording, translations = text(
            "Which of these needs matter most to you?", "¿Cuáles de estas necesidades te importan más?"
        )
        matters = services.question_add(
            survey=survey, actor=organizer, kind="needs", text=wording, translations=translations, needs=needs
        )
    more = add("long_text", "Anything else we should know?", "¿Algo más que debamos saber?")
    services.survey_open(survey=survey, actor=organizer)

    rng = random.Random(institution.pk)
    hardest_choices = list(hardest.choices.all())
    help_choices = list(helps.choices.all())
    no = rents.choices.all()[1]
    matter_choices = list(matters.choices.all()) if matters else []
    now = timezone.now()
    themes = {
        name: services.theme_add(survey=survey, actor=organizer, name=name)
        for name in ("rent", "repairs", "childcare", "food")
    }
    for index in range(300):
        language = base if rng.random() < 0.6 else other
        renter = rng.random() < 0.85
        answers = {
            hardest: {"choices": [rng.choices(hardest_choices, weights=[5, 4, 3, 2])[0].pk]},
            helps: {"choices": sorted({choice.pk for choice in rng.sample(help_choices, rng.randint(1, 3))})},
            rents: {"choices": [yes.pk if renter else no.pk]},
            safe: {"number": rng.choices([1, 2, 3, 4, 5], weights=[2, 3, 4, 3, 1])[0]},
        }
        if index % 17 == 0:
            answers[hardest]["other"] = "Ruido" if language == "es" else "Noise at night"
        if renter:
            answers[share] = {"number": rng.randint(25, 70)}
        if matter_choices:
            answers[matters] = {"choices": [rng.choice(matter_choices).pk]}
        written = None
        if rng.random() < 0.3:
            written = rng.choice([entry for entry in WRITTEN if entry[0] == language] or WRITTEN)
            answers[more] = {"text": written[1]}
        response = services.response_submit(
            survey=survey,
            language=language,
            answers=answers,
            channel=Response.Channel.PAPER if index % 4 == 0 else Response.Channel.WEB,
            entered_by=organizer if index % 4 == 0 else None,
            contact=("Vecina" if language == "es" else "Neighbor", f"555-01{index:02}") if index % 60 == 0 else None,
        )
        # Spread the answers over the last six weeks, more at the start (a door-knocking push).
        days_ago = int(42 * rng.random() ** 0.5)
        Response.objects.filter(pk=response.pk).update(
            submitted_at=now - timedelta(days=42 - days_ago, hours=rng.randint(0, 12))
        )
        if written and index % 3:  # most written answers tagged so far; some still waiting
            answer = Answer.objects.get(response=response, question=more)
            services.answer_tag(answer=answer, themes=[themes[written[2]]])
    return survey
