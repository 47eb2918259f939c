"""Hostile and malformed requests get a clear answer and change nothing; none ends in a 500."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from consultation.models import ConsultationResponse, ConsultationRound, NeedRating
from institutions.models import AuditEntry, Institution, Invitation, JoinRequest, Membership
from meetings.models import RSVP, AgendaItem, Meeting, Suggestion
from needs.models import Answer, Choice, Question, Response, Survey, SurveyContact, Theme
from research.models import Attachment, FieldNote, FieldNoteVersion, Tag
from tests.test_permissions import MATRIX, shared_world, url_for, world  # noqa: F401  (fixtures)


def snapshot():
    """Row counts and the fields that requests could change, to prove 'no change'."""
    with scopes_disabled():
        return (
            list(Institution.objects.order_by("pk").values_list("name", "slug", "need_statement")),
            list(Membership.objects.order_by("pk").values_list("role", "status")),
            Invitation.objects.count(),
            JoinRequest.objects.count(),
            AuditEntry.objects.count(),
            list(ConsultationRound.objects.order_by("pk").values_list("title", "status")),
            ConsultationResponse.objects.count(),
            NeedRating.objects.count(),
            [model.objects.count() for model in (Survey, Question, Choice, Response, Answer, Theme, SurveyContact)],
            list(Survey.objects.order_by("pk").values_list("title", "status", "translations")),
            list(Question.objects.order_by("pk").values_list("text", "kind", "position")),
            [model.objects.count() for model in (RSVP, AgendaItem, Suggestion)],
            list(Meeting.objects.order_by("pk").values_list("title", "status", "starts_at", "place_name")),
            [model.objects.count() for model in (FieldNoteVersion, Tag, Attachment)],
            list(FieldNote.objects.order_by("pk").values_list("title", "outcome", "version", "key_reading")),
            logistics_snapshot(),
        )


def logistics_snapshot():
    from logistics import models as logistics

    return (
        list(logistics.Task.objects.order_by("pk").values_list("title", "status", "owner", "due_on")),
        list(logistics.SupportLine.objects.order_by("pk").values_list("volunteer", "active")),
        list(logistics.VolunteerRole.objects.order_by("pk").values_list("name", "procedure", "archived_at")),
        list(logistics.Shift.objects.order_by("pk").values_list("place", "weekdays", "max_people", "ended_at")),
        list(logistics.ShiftOccurrence.objects.order_by("pk").values_list("starts_at", "cancelled_at")),
        list(logistics.ShiftSignup.objects.order_by("pk").values_list("member", "status", "attendance")),
        list(logistics.StandInRequest.objects.order_by("pk").values_list("taken_by", "closed_at")),
        list(logistics.Procedure.objects.order_by("pk").values_list("title", "current", "archived_at")),
        [model.objects.count() for model in (logistics.ProcedureVersion, logistics.ProcedureAcknowledgement)],
        list(logistics.SupplyItem.objects.order_by("pk").values_list("name", "needed", "on_hand", "getter")),
        list(logistics.Space.objects.order_by("pk").values_list("name", "access_details", "archived_at")),
        list(logistics.SpaceBooking.objects.order_by("pk").values_list("space", "starts_at", "ends_at")),
        list(
            logistics.LedgerEntry.objects.order_by("pk").values_list(
                "amount", "kind", "approval", "reimbursement", "voided_at", "version"
            )
        ),
        list(logistics.LedgerCategory.objects.order_by("pk").values_list("name", "archived_at")),
        list(logistics.LogisticsSettings.objects.values_list("currency", "approval_threshold", "late_cancel_hours")),
    )


@pytest.mark.parametrize(
    "path",
    [
        "/i/%00/",
        "/i/../members/",
        "/i/" + "a" * 5000 + "/",
        "/i/caf%C3%A9/",
        "/i/%FF%FE/",
        "/i/eastside-pantry/members/999999999999999999999/remove/",
        "/i/eastside-pantry/members/-1/remove/",
        "/i/eastside-pantry/invite/" + "x" * 3000 + "/",
        "/i/eastside-pantry/invite/%00/",
        "/i/no-such-place/members/",
    ],
)
def test_malformed_or_unknown_urls_answer_404(organizer_client, institution, path):
    response = organizer_client.get(path)
    assert response.status_code == 404


def test_unknown_ids_answer_404_for_every_object_url(world, organizer_client):  # noqa: F811
    for name, row in MATRIX.items():
        args = row.get("args", {})
        if not args or "token" in args:
            continue
        for unknown in args:  # each id in turn is unknown, the others real
            kwargs = {kwarg: (987654 if kwarg == unknown else world["objects"][key]) for kwarg, key in args.items()}
            url = reverse(name, kwargs={"institution_slug": world["institution"].slug, **kwargs})
            for method in ("get", "post"):
                assert getattr(organizer_client, method)(url).status_code in {404, 405}, url


def test_objects_of_another_institution_are_404(world, other_institution, client_for):  # noqa: F811
    """An organizer of the other institution cannot touch this one's rows through their own slug."""
    from tests.factories import OrganizerFactory

    their_organizer = OrganizerFactory(institution=other_institution).user
    client = client_for(their_organizer)
    before = snapshot()
    for name, row in MATRIX.items():
        args = row.get("args", {})
        if args and ":" in name and not name.startswith("notifications:"):
            kwargs = {kwarg: world["objects"][key] for kwarg, key in args.items()}
            url = reverse(name, kwargs={"institution_slug": other_institution.slug, **kwargs})
            assert client.post(
                url,
                {
                    "role": "organizer",
                    "decision": "accept",
                    "choice": "agree",
                    "action": "close",
                    "text": "x",
                    "reason": "x",
                },
            ).status_code in {404, 405}, url
    assert snapshot() == before


HOSTILE_VALUES = [
    "",
    " ",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 100_000,
    "\u202e\u200b\ufeff",
    "😀" * 300,
]


class TestHostileValues:
    @pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
    def test_hostile_values_in_every_form_field_never_500(self, shared_world, db, client_for, value):  # noqa: F811
        fields = [
            "name",
            "slug",
            "kind",
            "need_statement",
            "description",
            "default_language",
            "time_zone",
            "email",
            "role",
            "max_uses",
            "valid_days",
            "message",
            "decision",
            "language",
            "next",
            # surveys
            "title",
            "intro",
            "base_language",
            "languages",
            "text",
            "help_text",
            "choices_text",
            "choices_text_es",
            "show_if",
            "min_value",
            "typed_name",
            "themes",
            "page",
            "lang",
            "query",
            "contact_reach",
            # meetings
            "starts_at",
            "place_name",
            "duration_minutes",
            "reason",
            "party_size",
            "children",
            "suggest-text",
            # research notes
            "ran_by",
            "place",
            "period",
            "tried",
            "outcome",
            "evidence",
            "lessons",
            "needs",
            "tags",
            "base_version",
            "change_note",
            "key_reading",
            "file",
            "caption",
        ]
        data = dict.fromkeys(fields, value)
        for name, row in MATRIX.items():
            role = "organizer" if row["post"]["organizer"] != 405 else None
            if role is None:
                continue
            client = client_for(shared_world["users"][role])
            before = snapshot()
            response = client.post(url_for(name, shared_world), data)
            assert response.status_code < 500, name
            if response.status_code == 400:
                assert snapshot() == before, f"{name} changed data although it refused the request"


def test_oversized_body_is_refused_with_400(organizer_client, institution):
    before = snapshot()
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        {"description": "x" * 3_000_000},
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_too_many_fields_are_refused_with_400(organizer_client, institution):
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        {f"field{n}": "1" for n in range(1500)},
    )
    assert response.status_code == 400


def test_non_utf8_form_data_is_answered_not_crashed(organizer_client, institution):
    before = snapshot()
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        data=b"name=\xff\xfe\xfa&need_statement=\xc3\x28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_rejected_form_says_why_and_keeps_what_was_typed(organizer_client, institution):
    response = organizer_client.post(
        reverse("institutions:settings", kwargs={"institution_slug": institution.slug}),
        {
            "name": "Renamed pantry",
            "kind": "alternative",
            "need_statement": "",
            "default_language": "en",
            "time_zone": "Mars/Base",
        },
    )
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert b"Renamed pantry" in response.content
    with scopes_disabled():
        assert Institution.objects.get(pk=institution.pk).name == "Eastside Pantry"


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=200), slug=st.text(max_size=80), need=st.text(max_size=400))
def test_create_institution_form_never_500s(client_for, outsider, name, slug, need):
    client = client_for(outsider)
    response = client.post(
        reverse("institution_create"),
        {
            "name": name,
            "slug": slug,
            "kind": "alternative",
            "need_statement": need,
            "default_language": "en",
            "time_zone": "UTC",
        },
    )
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert Institution.objects.filter(slug=slug.lower()).exists()


@pytest.mark.django_db
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_public_survey_answers_never_500(institution, organizer, data):
    """Whatever a visitor (or a robot) sends to a survey's public link: an answer, never a crash."""
    from django.test import Client
    from django_scopes import scope

    from needs.answering import SurveyAnswerForm
    from needs.selectors import questions_of
    from tests.factories import survey_example

    survey = getattr(institution, "_example_survey", None) or survey_example(institution, organizer)
    institution._example_survey = survey
    with scope(institution=institution):
        form = SurveyAnswerForm(survey=survey, questions=questions_of(survey), language="en")
        names = [*form.fields, "page", "lang", "back"]
        choice_ids = [str(pk) for pk in Choice.objects.filter(question__survey=survey).values_list("pk", flat=True)]
    values = data.draw(
        st.dictionaries(
            st.sampled_from(names),
            st.one_of(st.text(max_size=300), st.integers().map(str), st.sampled_from(choice_ids)),
            max_size=len(names),
        )
    )
    response = Client().post(survey.public_path(), values)
    assert response.status_code in {200, 302, 400, 429}


def test_an_oversized_body_is_refused_before_the_view_writes(organizer_client, world):  # noqa: F811
    """A button whose only field is huge: the claim must not happen and then fail on reading `next`."""
    before = snapshot()
    response = organizer_client.post(url_for("logistics:task_claim", world), {"next": "x" * 3_000_000})
    assert response.status_code == 400
    assert snapshot() == before
