"""Meeting reminders: 24 hours and 2 hours before, once per person, in their language, with the
place, the agenda and a calendar file. (The same job on a real worker: tests/test_worker_meetings.py.)"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django_scopes import scope
from icalendar import Calendar

from institutions.models import Membership
from meetings import services
from meetings.models import RSVP, Meeting
from meetings.tasks import remind_meeting, send_meeting_reminders
from notifications.models import Delivery
from notifications.services import mail_preference_set
from tests.factories import MembershipFactory, UserFactory


def plan(institution, organizer, *, starts_in, agenda=("Repairs", "Rent"), **fields):
    values = {
        "title": "Tenants' assembly",
        "starts_at": timezone.now() + starts_in,
        "place_name": "Community room",
        "address": "12 Main St",
        "is_public": True,
    }
    values.update(fields)
    with scope(institution=institution):
        meeting = services.meeting_create(institution=institution, author=organizer, **values)
        for title in agenda:
            services.agenda_item_add(meeting=meeting, actor=organizer, title=title)
    return meeting


def rsvp(meeting, **fields):
    """An RSVP as the public form saves it (the private-link mail is not part of these tests)."""
    values = {"name": "Ana", "email": "Ana@Example.org", "language": "es"}
    values.update(fields)
    with scope(institution=meeting.institution):
        return RSVP.objects.create(institution=meeting.institution, meeting=meeting, **values)


def member_rsvp(meeting, user):
    with scope(institution=meeting.institution):
        return services.member_rsvp(meeting=meeting, user=user)


def reminders(meeting=None):
    deliveries = Delivery.objects.filter(key__startswith="meeting-reminder:")
    if meeting is not None:
        deliveries = deliveries.filter(key__startswith=f"meeting-reminder:{meeting.pk}:")
    return deliveries


def to(mailoutbox, address):
    return [message for message in mailoutbox if message.to == [address]]


def html_of(message):
    return message.alternatives[0].content


def test_everyone_coming_is_reminded_once_even_when_the_job_runs_twice(institution, organizer, member, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20))
    rsvp(meeting)
    rsvp(meeting, name="No address", email="")
    member_rsvp(meeting, member)
    rsvp(meeting, name="Not coming", email="gone@example.org", status=RSVP.Status.CANCELLED)

    send_meeting_reminders()
    send_meeting_reminders()  # a second beat, a retried job: nobody hears twice

    assert sorted(message.to[0] for message in mailoutbox) == ["Ana@Example.org", "mo@example.org"]
    keys = set(reminders().values_list("key", flat=True))
    assert keys == {
        f"meeting-reminder:{meeting.pk}:0:24h:ana@example.org",
        f"meeting-reminder:{meeting.pk}:0:24h:mo@example.org",
    }
    assert set(reminders().values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_the_reminder_has_the_place_the_time_the_agenda_a_link_and_a_calendar_file(
    institution, organizer, member, mailoutbox
):
    institution.time_zone = "America/Chicago"
    institution.save()
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20), directions="Ring the bell")
    public_rsvp = rsvp(meeting, language="en")
    member_rsvp(meeting, member)

    send_meeting_reminders()

    when = formats.date_format(timezone.localtime(meeting.starts_at, ZoneInfo("America/Chicago")), "DATETIME_FORMAT")
    (ana,) = to(mailoutbox, "Ana@Example.org")
    assert ana.subject == f"Reminder: “Tenants' assembly”, {when}"
    for body in (ana.body, html_of(ana)):
        assert when in body and "(America/Chicago)" in body
        assert "Community room" in body and "12 Main St" in body and "Ring the bell" in body
        assert "Repairs" in body and "Rent" in body
        # Her private link to change or cancel the RSVP.
        assert f"{settings.SITE_URL}/i/{institution.slug}/meetings/rsvp/{public_rsvp.token}/" in body
    (mo,) = to(mailoutbox, "mo@example.org")
    assert f"{settings.SITE_URL}{meeting.get_absolute_url()}" in mo.body
    assert "List-Unsubscribe" in mo.extra_headers  # members can turn reminders off

    ((filename, content, mimetype),) = ana.attachments
    assert (filename, mimetype) == (f"meeting-{meeting.pk}.ics", "text/calendar")
    event = Calendar.from_ical(content).events[0]
    assert str(event["SUMMARY"]) == "Tenants' assembly" and event.start.tzinfo is not None
    assert event.start.astimezone(ZoneInfo("UTC")) == meeting.starts_at.replace(microsecond=0)


def test_two_hours_before_comes_a_second_reminder(institution, organizer, member, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20))
    member_rsvp(meeting, member)
    send_meeting_reminders()
    # Time passes: the meeting now starts in 90 minutes.
    with scope(institution=institution):
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + timedelta(minutes=90))
    send_meeting_reminders()
    send_meeting_reminders()

    assert sorted(reminders().values_list("key", flat=True)) == [
        f"meeting-reminder:{meeting.pk}:0:24h:mo@example.org",
        f"meeting-reminder:{meeting.pk}:0:2h:mo@example.org",
    ]
    assert len(mailoutbox) == 2 and mailoutbox[1].subject.startswith("Soon: “Tenants' assembly” starts at ")


def test_a_meeting_planned_inside_two_hours_gets_only_the_two_hour_reminder(institution, organizer, member, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(minutes=90))
    member_rsvp(meeting, member)
    send_meeting_reminders()
    # Even a 24-hour task queued earlier and run late gives way.
    assert remind_meeting(institution.pk, meeting_id=meeting.pk, window="24h") == 0
    assert list(reminders().values_list("key", flat=True)) == [f"meeting-reminder:{meeting.pk}:0:2h:mo@example.org"]
    assert len(mailoutbox) == 1


def test_no_reminder_once_the_meeting_has_started_or_too_early(institution, organizer, member, mailoutbox):
    later = plan(institution, organizer, starts_in=timedelta(days=3))
    started = plan(institution, organizer, starts_in=timedelta(hours=1))
    member_rsvp(later, member)
    member_rsvp(started, member)
    with scope(institution=institution):
        Meeting.objects.filter(pk=started.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    send_meeting_reminders()
    # A task queued before the start and run after it sends nothing.
    assert remind_meeting(institution.pk, meeting_id=started.pk, window="2h") == 0
    assert remind_meeting(institution.pk, meeting_id=later.pk, window="24h") == 0
    assert not reminders().exists() and mailoutbox == []


def test_a_cancelled_meeting_sends_no_reminder(institution, organizer, member, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20))
    member_rsvp(meeting, member)
    with scope(institution=institution):
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED, cancel_reason="Storm")
    send_meeting_reminders()
    assert remind_meeting(institution.pk, meeting_id=meeting.pk, window="24h") == 0
    assert not reminders().exists() and mailoutbox == []


def test_every_active_member_hears_about_a_members_meeting_in_their_language(
    institution, organizer, member, mailoutbox
):
    member.language = "es"
    member.save()
    gone = MembershipFactory(institution=institution, user=UserFactory(email="gone@example.org"))
    with scope(institution=institution):
        Membership.objects.filter(pk=gone.pk).update(status=Membership.Status.LEFT)
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20), is_public=False)

    send_meeting_reminders()

    languages = dict(reminders().values_list("email", "language"))
    assert languages == {"mo@example.org": "es", "olga@example.org": "en"}
    (mo,) = to(mailoutbox, "mo@example.org")
    assert '<html lang="es">' in html_of(mo)
    (olga,) = to(mailoutbox, "olga@example.org")
    assert '<html lang="en">' in html_of(olga)
    assert f"{settings.SITE_URL}{meeting.get_absolute_url()}" in olga.body


def test_a_spanish_rsvp_is_reminded_in_spanish(institution, organizer, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20))
    rsvp(meeting, language="es")
    send_meeting_reminders()
    assert reminders().get().language == "es"
    (ana,) = mailoutbox
    assert '<html lang="es">' in html_of(ana)
    with translation.override("es"):
        when = formats.date_format(timezone.localtime(meeting.starts_at, ZoneInfo("UTC")), "DATETIME_FORMAT")
    assert when in ana.body  # dates written the Spanish way


def test_a_member_who_turned_reminders_off_is_not_reminded(institution, organizer, member, mailoutbox):
    meeting = plan(institution, organizer, starts_in=timedelta(hours=20))
    member_rsvp(meeting, member)
    mail_preference_set(user=member, institution=institution, kind="reminder", enabled=False)
    send_meeting_reminders()
    send_meeting_reminders()
    assert reminders().get().status == Delivery.Status.SKIPPED
    assert mailoutbox == []


HOSTILE = "<script>alert('x')</script> & \"friends\""


def test_hostile_text_is_escaped_in_html_and_plain_in_text(institution, organizer, mailoutbox):
    meeting = plan(
        institution,
        organizer,
        starts_in=timedelta(hours=20),
        title=HOSTILE,
        place_name="<b>Hall</b>",
        agenda=["<img src=x onerror=alert(1)>"],
    )
    rsvp(meeting, name="<i>Ana</i>", language="en")
    send_meeting_reminders()
    (message,) = mailoutbox
    html = html_of(message)
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<img" not in html and "<b>Hall" not in html and "<i>Ana" not in html
    # Plain text is not HTML: it says exactly what was typed.
    assert HOSTILE in message.subject and HOSTILE in message.body
    assert "<img src=x onerror=alert(1)>" in message.body and "Hello <i>Ana</i>," in message.body
    event = Calendar.from_ical(message.attachments[0][1]).events[0]
    assert str(event["SUMMARY"]) == HOSTILE


def test_the_reminder_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["send-meeting-reminders"]
    assert entry == {"task": "meetings.tasks.send_meeting_reminders", "schedule": 5 * 60}


def test_a_moved_meeting_is_reminded_of_again_and_decliners_are_left_out(
    institution, organizer, member, mailoutbox, django_capture_on_commit_callbacks
):
    """After a change of time the calendar sequence moves on, so the reminder goes again;
    a member who said they are not coming to a members' meeting hears nothing."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from meetings import services
    from meetings.tasks import remind_meeting

    with scope(institution=institution):
        meeting = services.meeting_create(
            institution=institution,
            author=organizer,
            title="Members' meeting",
            starts_at=timezone.now() + timedelta(hours=20),
            place_name="Room",
            is_public=False,
        )
        services.member_rsvp(meeting=meeting, user=member, going=False)
    remind_meeting(institution.pk, meeting_id=meeting.pk, window="24h")
    assert sorted(m.to[0] for m in mailoutbox) == [organizer.email]
    with scope(institution=institution):
        services.meeting_update(meeting=meeting, actor=organizer, starts_at=meeting.starts_at + timedelta(hours=1))
    remind_meeting(institution.pk, meeting_id=meeting.pk, window="24h")
    remind_meeting(institution.pk, meeting_id=meeting.pk, window="24h")
    assert sorted(m.to[0] for m in mailoutbox) == [organizer.email, organizer.email]
