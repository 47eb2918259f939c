"""Query counts at the sizes the issues name: a survey's results with 10,000 responses, the
meeting list with 500 meetings and a meeting page with 300 RSVPs. Rows are bulk-inserted; each
page must make exactly as many queries as with one row."""

import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from meetings import services as meeting_services
from meetings.models import RSVP, Meeting
from needs import services as needs_services
from needs.models import Answer, Question, Response
from tests.factories import survey_example


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def add_responses(survey, count):
    """`count` responses to the example survey with an answer to each choice and number question."""
    rng = random.Random(count)
    questions = list(Question.objects.filter(survey=survey).prefetch_related("choices"))
    responses = Response.objects.bulk_create(
        Response(
            institution_id=survey.institution_id,
            survey=survey,
            language=rng.choice(["en", "es"]),
            channel=rng.choice(["web", "paper"]),
            submitted_at=timezone.now() - timedelta(days=rng.randint(0, 40)),
        )
        for _ in range(count)
    )
    rows = []
    for response in responses:
        for question in questions:
            choices = list(question.choices.all())
            if question.kind == "ranking":
                rows += [
                    Answer(institution_id=survey.institution_id, response=response, question=question, choice=c, rank=i)
                    for i, c in enumerate(choices, start=1)
                ]
            elif choices:
                choice = rng.choice(choices)
                rows.append(
                    Answer(institution_id=survey.institution_id, response=response, question=question, choice=choice)
                )
            elif question.is_numeric:
                rows.append(
                    Answer(
                        institution_id=survey.institution_id,
                        response=response,
                        question=question,
                        number=rng.randint(1, 5),
                    )
                )
            else:
                rows.append(
                    Answer(institution_id=survey.institution_id, response=response, question=question, text="text")
                )
    Answer.objects.bulk_create(rows, batch_size=5000)


def test_survey_results_and_export_with_10000_responses(institution, organizer, organizer_client):
    survey = survey_example(institution, organizer)
    with scope(institution=institution):
        questions = {q.text: q for q in Question.objects.filter(survey=survey)}
        hardest, helps = questions["What is hardest?"], questions["What would help?"]
        # One paper answer in Spanish to both cross-tabbed questions, so every part of the page has data.
        needs_services.response_submit(
            survey=survey,
            language="es",
            channel="paper",
            answers={
                hardest: {"choices": [hardest.choices.first().pk]},
                helps: {"choices": [helps.choices.first().pk]},
            },
        )
    kwargs = {"institution_slug": institution.slug, "pk": survey.pk}
    results = reverse("needs:survey_results", kwargs=kwargs)
    crosstab = f"{results}?row={hardest.pk}&col={helps.pk}&channel=paper&language=es"
    export = reverse("needs:survey_export", kwargs=kwargs)
    urls = [results, crosstab, export]
    for url in urls:
        organizer_client.get(url)  # warm caches
    small = [queries_for(organizer_client, url) for url in urls]
    with scope(institution=institution):
        add_responses(survey, 10_000)
        assert Response.objects.filter(survey=survey).count() == 10_001
    assert [queries_for(organizer_client, url) for url in urls] == small


def test_meeting_list_with_500_meetings_and_a_meeting_with_300_rsvps(institution, organizer, organizer_client):
    with scope(institution=institution):
        meeting = meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title="Assembly",
            starts_at=timezone.now() + timedelta(days=3),
            place_name="Room",
        )
        meeting_services.rsvp_create(meeting=meeting, name="First", children=1)
    slug = institution.slug
    urls = [
        reverse("meetings:index", kwargs={"institution_slug": slug}),
        meeting.get_absolute_url(),
        reverse("meetings:public", kwargs={"institution_slug": slug, "pk": meeting.pk}),
        reverse("meetings:attendance", kwargs={"institution_slug": slug, "pk": meeting.pk}),
        reverse("meetings:signin_sheet", kwargs={"institution_slug": slug, "pk": meeting.pk}),
    ]
    for url in urls:
        organizer_client.get(url)
    small = [queries_for(organizer_client, url) for url in urls]
    now = timezone.now()
    with scope(institution=institution):
        Meeting.objects.bulk_create(
            Meeting(
                institution=institution,
                title=f"Meeting {n}",
                starts_at=now + timedelta(days=n % 60 - 30, hours=n % 24),
                place_name="Room",
                is_public=n % 2 == 0,
                status="held" if n % 60 < 30 else "planned",
            )
            for n in range(500)
        )
        RSVP.objects.bulk_create(
            RSVP(
                institution=institution,
                meeting=meeting,
                name=f"Neighbor {n}",
                party_size=1 + n % 3,
                children=n % 2,
                children_ages="4",
                transport_from="Tower B" if n % 7 == 0 else "",
                food=n % 3 == 0,
                dietary="vegetarian" if n % 5 == 0 else "",
                interpretation="Spanish" if n % 4 == 0 else "",
            )
            for n in range(300)
        )
        assert Meeting.objects.count() == 501 and RSVP.objects.filter(meeting=meeting).count() == 301
    assert [queries_for(organizer_client, url) for url in urls] == small


def test_task_board_and_my_work_with_200_members_and_2000_tasks(institution, organizer, member, client_for):
    from institutions.models import Membership
    from logistics import services as logistics
    from logistics.models import Task

    with scope(institution=institution):
        task = logistics.task_create(institution=institution, author=organizer, title="First", owner=member)
    slug = institution.slug
    pages = [
        (client_for(organizer), reverse("logistics:board", kwargs={"institution_slug": slug})),
        (client_for(member), reverse("logistics:mine", kwargs={"institution_slug": slug})),
        (client_for(member), reverse("logistics:index", kwargs={"institution_slug": slug}) + "?show=mine"),
        (client_for(organizer), reverse("logistics:index", kwargs={"institution_slug": slug})),
        (client_for(organizer), task.get_absolute_url()),
    ]
    for client, url in pages:
        client.get(url)
    small = [queries_for(client, url) for client, url in pages]
    User = type(member)
    users = User.objects.bulk_create(
        User(email=f"helper{n}@example.org", name=f"Helper {n}", password="!") for n in range(198)
    )
    today = timezone.localdate()
    with scope(institution=institution):
        Membership.objects.bulk_create(Membership(institution=institution, user=user) for user in users)
        people = [*users, member, organizer, None]
        Task.objects.bulk_create(
            Task(
                institution=institution,
                title=f"Task {n}",
                owner=people[n % len(people)] if n % 7 else member,
                effort=1 + n % 3,
                status=("open", "in_progress", "done", "dropped")[n % 4],
                due_on=today + timedelta(days=n % 30 - 10),
                created_by=organizer,
            )
            for n in range(2000)
        )
        assert Task.objects.count() == 2001
        assert Membership.objects.filter(institution=institution, status="active").count() == 200
    assert [queries_for(client, url) for client, url in pages] == small
