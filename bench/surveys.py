"""Survey building blocks for the benchmarks: a survey with one question of each kind, and one
respondent's answers to it. Used by bench/survey_results.py and bench/dataset.py."""


def build_survey(institution, organizer):
    from needs import services

    survey = services.survey_create(
        institution=institution, author=organizer, title="What does the block need?", languages=["es"]
    )

    def add(kind, text, es, choices=(), **fields):
        return services.question_add(
            survey=survey,
            actor=organizer,
            kind=kind,
            text=text,
            translations={"es": {"text": es}},
            choices=[(en, {"es": {"text": es_text}}) for en, es_text in choices],
            **fields,
        )

    needs = [
        services.need_create(institution=institution, author=organizer, title=title)
        for title in ("Food at month's end", "Rent", "Childcare", "Repairs", "Transport")
    ]
    streets = [("North", "Norte"), ("South", "Sur"), ("East", "Este"), ("West", "Oeste"), ("Centre", "Centro")]
    add("single", "Where do you live?", "¿Dónde vives?", streets, allow_other=True)
    helps = [("A pantry", "Una despensa"), ("Rides", "Transporte"), ("Tool library", "Herramientas")]
    helps += [("Tenant help", "Ayuda a inquilinos"), ("Tutoring", "Tutorías"), ("Clinic", "Clínica")]
    add("multiple", "What would help?", "¿Qué ayudaría?", helps, allow_other=True)
    add("yes_no", "Do you rent?", "¿Alquilas?")
    add("number", "How many people live with you?", "¿Cuántas personas viven contigo?", min_value=0, max_value=30)
    add("scale", "How hard is it to get by?", "¿Qué tan difícil es?")
    ranking = [("Housing", "Vivienda"), ("Health", "Salud"), ("Work", "Trabajo"), ("School", "Escuela")]
    add("ranking", "Rank these", "Ordena", ranking)
    services.question_add(survey=survey, actor=organizer, kind="needs", text="Which needs matter most?", needs=needs)
    add("short_text", "One word for the neighbourhood", "Una palabra para el barrio")
    add("long_text", "Tell us more", "Cuéntanos más")
    services.survey_open(survey=survey, actor=organizer)
    return survey


def answer_rows(rng, questions, base):
    """One respondent's answers: kwargs for Answer rows, by question kind."""
    for question in questions:
        choices = question.bench_choices
        kind = question.kind
        if kind in ("single", "yes_no"):
            if rng.random() < 0.95:
                yield {"question": question, "choice_id": rng.choice(choices), **base}
            if question.allow_other and rng.random() < 0.05:
                yield {"question": question, "text": "Over by the river", **base}
        elif kind in ("multiple", "needs"):
            for choice in rng.sample(choices, rng.randint(1, 3)):
                yield {"question": question, "choice_id": choice, **base}
            if question.allow_other and rng.random() < 0.03:
                yield {"question": question, "text": "=a formula someone typed", **base}
        elif kind == "number" and rng.random() < 0.8:
            yield {"question": question, "number": rng.randint(0, 8), **base}
        elif kind == "scale" and rng.random() < 0.9:
            yield {"question": question, "number": rng.choice((1, 2, 3, 3, 4, 4, 5)), **base}
        elif kind == "ranking":
            for rank, choice in enumerate(rng.sample(choices, rng.randint(2, len(choices))), start=1):
                yield {"question": question, "choice_id": choice, "rank": rank, **base}
        elif kind == "short_text" and rng.random() < 0.3:
            yield {"question": question, "text": rng.choice(("home", "loud", "friendly", "tired")), **base}
        elif kind == "long_text" and rng.random() < 0.15:
            yield {"question": question, "text": "The laundromat closed and the bus comes once an hour. " * 2, **base}
