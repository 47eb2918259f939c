"""Factories for the whole project. Tenant rows are created with scopes disabled."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from institutions.models import Institution, Invitation, JoinRequest, Membership

PASSWORD = "a-long-test-password"


class ScopedFactory(factory.django.DjangoModelFactory):
    """Creates tenant rows without needing an active scope."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Community Pantry {n}")
    slug = factory.Sequence(lambda n: f"pantry-{n}")
    kind = Institution.Kind.ALTERNATIVE
    need_statement = "Neighbours run out of food at the end of the month."


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class OrganizerFactory(MembershipFactory):
    role = Membership.Role.ORGANIZER


class InvitationFactory(ScopedFactory):
    class Meta:
        model = Invitation

    institution = factory.SubFactory(InstitutionFactory)
    email = ""
    max_uses = 5


class JoinRequestFactory(ScopedFactory):
    class Meta:
        model = JoinRequest

    institution = factory.SubFactory(InstitutionFactory)
    user = factory.SubFactory(UserFactory)
    message = "I live in building C and would like to help."


def proposal_in_voting(
    institution,
    author,
    *,
    method="majority",
    options=(),
    secret=False,
    quorum_percent=0,
    hide_results_until_closed=False,
    **fields,
):
    """A proposal with voting open (roll frozen now), for tests of voting and results."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from decisions import services

    with scope(institution=institution):
        proposal = services.proposal_create(
            institution=institution,
            author=author,
            title=fields.pop("title", "Open the pantry on Sundays"),
            text="We have enough volunteers now.",
            method=method,
            options=options,
            secret=secret,
            quorum_percent=quorum_percent,
            hide_results_until_closed=hide_results_until_closed,
            **fields,
        )
        return services.voting_open(proposal=proposal, actor=author, deadline=timezone.now() + timedelta(days=3))


def survey_example(institution, author, *, status="open", needs=(), access_code=""):
    """A survey with one question of most kinds (English base, Spanish translations), for tests.

    Questions, in order: "What is hardest?" (single, with other), "What would help?" (multiple),
    "Do you rent?" (yes/no), "How much is your rent?" (number, shown only if "Yes"; new page),
    "How hard is it?" (scale), "Rank these" (ranking), "Tell us more" (long text), and "Which needs
    matter most?" when `needs` are given.
    """
    from django_scopes import scope

    from needs import services

    with scope(institution=institution):
        survey = services.survey_create(
            institution=institution,
            author=author,
            title="What do you need?",
            intro="A short survey.",
            base_language="en",
            languages=["en", "es"],
            access_code=access_code,
        )
        services.survey_update(
            survey=survey, actor=author, translations={"es": {"title": "¿Qué necesitas?", "intro": "Una encuesta."}}
        )

        def add(kind, text, es, choices=(), **fields):
            return services.question_add(
                survey=survey,
                actor=author,
                kind=kind,
                text=text,
                translations={"es": {"text": es}},
                choices=[(en, {"es": {"text": es_text}}) for en, es_text in choices],
                **fields,
            )

        add(
            "single",
            "What is hardest?",
            "¿Qué es lo más difícil?",
            [("Rent", "El alquiler"), ("Food", "La comida"), ("Childcare", "El cuidado de niños")],
            allow_other=True,
            required=True,
        )
        add("multiple", "What would help?", "¿Qué ayudaría?", [("A pantry", "Una despensa"), ("Rides", "Transporte")])
        rents = add("yes_no", "Do you rent?", "¿Alquilas?")
        add(
            "number",
            "How much is your rent?",
            "¿Cuánto pagas de alquiler?",
            show_if_choice=rents.choices.get(text="Yes"),
            min_value=0,
            max_value=100_000,
        )
        add("scale", "How hard is it?", "¿Qué tan difícil es?")
        add("ranking", "Rank these", "Ordena", [("Housing", "Vivienda"), ("Health", "Salud"), ("Work", "Trabajo")])
        add("long_text", "Tell us more", "Cuéntanos más")
        if needs:
            services.question_add(
                survey=survey, actor=author, kind="needs", text="Which needs matter most?", needs=list(needs)
            )
        if status != "draft":
            services.survey_open(survey=survey, actor=author)
        if status == "closed":
            services.survey_close(survey=survey, actor=author)
        return survey


def one_off_shift(institution, organizer, role, *, hours, max_people=2, place="Pantry"):
    """A one-off shift of two hours starting `hours` from now (to the minute), needing one person."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from logistics import shifts

    zone = ZoneInfo(institution.time_zone)
    start = (timezone.now() + timedelta(hours=hours)).astimezone(zone).replace(second=0, microsecond=0)
    return shifts.shift_create(
        institution=institution,
        actor=organizer,
        role=role,
        place=place,
        repeat="once",
        weekdays="",
        starts_on=start.date(),
        until=None,
        start_time=start.time(),
        end_time=(start + timedelta(hours=2)).time(),
        min_people=1,
        max_people=max_people,
        lead=None,
        notes="",
    )
