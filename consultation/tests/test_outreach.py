from datetime import date, timedelta

from django.urls import reverse
from django_scopes import scope

from consultation.models import OutreachEntry
from consultation.selectors import outreach_evidence, outreach_per_member, outreach_per_week
from consultation.services import outreach_record
from needs.services import need_create
from tests.factories import InstitutionFactory


def url(name, institution):
    return reverse(f"consultation:{name}", kwargs={"institution_slug": institution.slug})


def test_member_logs_outreach_and_it_becomes_evidence(member_client, institution, member):
    with scope(institution=institution):
        need = need_create(institution=institution, author=member, title="Repairs take months")
    response = member_client.post(
        url("outreach", institution),
        {
            "happened_on": "2026-11-20",
            "channel": "door",
            "place": "Tower B",
            "people_count": 14,
            "notes": "Mold in three flats",
            "needs": [need.pk],
        },
    )
    assert response.status_code == 302
    with scope(institution=institution):
        entry = OutreachEntry.objects.get()
        assert list(entry.needs.all()) == [need] and entry.member == member
        assert outreach_evidence(need) == {"entries": 1, "people": 14}
    detail = member_client.get(reverse("needs:detail", kwargs={"institution_slug": institution.slug, "pk": need.pk}))
    assert "It came up in 1 round of asking around, with 14 people in all." in detail.content.decode()


def test_another_institutions_need_cannot_be_attached(member_client, institution, member):
    other = InstitutionFactory()
    with scope(institution=other):
        foreign = need_create(institution=other, author=member, title="Not yours")
    response = member_client.post(
        url("outreach", institution),
        {"happened_on": "2026-11-20", "channel": "door", "people_count": 3, "needs": [foreign.pk]},
    )
    assert response.status_code == 400
    with scope(institution=institution):
        assert not OutreachEntry.objects.exists()


def test_bad_outreach_is_refused_and_keeps_what_was_typed(member_client, institution):
    response = member_client.post(
        url("outreach", institution),
        {"happened_on": "not a date", "channel": "door", "people_count": 0, "notes": "kept words"},
    )
    assert response.status_code == 400 and "kept words" in response.content.decode()


def test_totals_per_week_and_per_member(institution, organizer, member):
    today = date.today()
    with scope(institution=institution):
        outreach_record(institution=institution, member=member, happened_on=today, channel="door", people_count=5)
        outreach_record(institution=institution, member=member, happened_on=today, channel="street", people_count=7)
        outreach_record(
            institution=institution,
            member=organizer,
            happened_on=today - timedelta(weeks=2),
            channel="meeting",
            people_count=20,
        )
        weeks = outreach_per_week(institution)
        members = outreach_per_member(institution)
    assert [(entries, people) for _week, entries, people in weeks] == [(2, 12), (1, 20)]
    assert members == [("Olga", 1, 20), ("Mo", 2, 12)]
