"""Every page has a query budget, and its query count does not grow with the data."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from consultation.services import outreach_record
from institutions import services
from needs.models import Need
from needs.services import need_create
from tests.factories import InvitationFactory, JoinRequestFactory, MembershipFactory
from tests.test_permissions import MATRIX, url_for, world  # noqa: F401  (world is a fixture)

# Most queries any page may make for its most-privileged viewer (session, user, tenant,
# membership, the page's own reads).
BUDGETS = {
    "home": 6,
    "profile": 5,
    "institution_create": 5,
    "healthz": 3,
    # nothing of their own: a signed-in viewer's session and user (read by the session-lifetime middleware)
    "bench_bare": 2,
    "bench_bare_session": 2,
    # counts, join request, votes awaited, published minutes
    # (+ upcoming public meetings, whether the money is public; + members: the seven steps' progress, one query)
    # every public section on: page choice, meetings, minutes, ledger settings, decisions (2), surveys and
    # rounds (2), money (3), the latest closed self-evaluation (2), goals with milestones (2)
    "institutions:home": 25,
    "institutions:join": 8,
    "institutions:invitation_accept": 8,
    "institutions:members": 9,
    "institutions:affiliations": 6,
    "institutions:leave": 8,
    "institutions:member_remove": 8,
    "institutions:invitations": 8,
    "institutions:settings": 7,
    "institutions:audit": 8,
    "institutions:delete": 5,
    # one query per model that points at a person (found from the models)
    "institutions:my_data": 80,
    # proposal, roll entry, my ballot, options, comments
    "decisions:detail": 10,
    "decisions:comment_edit": 8,
    "decisions:comment_hide": 8,
    "decisions:revise": 7,
    "decisions:versions": 8,
    # proposal, options, roll counts, ballots, and the ballot list
    "decisions:results": 11,
    "decisions:results_csv": 9,
    "decisions:new": 6,
    "notifications:preferences": 6,
    "needs:index": 6,
    # per week, per member
    "consultation:index": 7,
    # needs for the form, entries, their needs (prefetched)
    "consultation:outreach": 8,
    # rounds with their need and answer counts
    "consultation:rounds": 6,
    # candidate needs (ticked, and the choices)
    "consultation:round_new": 7,
    # round, need count, needs with their results, respondents, my answer
    "consultation:round_detail": 10,
    # round, its needs (ticked, and the choices)
    "consultation:round_edit": 8,
    # round, its needs, my earlier answer
    "consultation:round_answer": 8,
    # round by token, its needs
    "consultation:round_public": 7,
    "consultation:round_thanks": 6,
    "needs:new": 6,
    # surveys with their response counts
    "needs:surveys": 6,
    "needs:survey_new": 5,
    # survey, questions (choices, conditions), response count
    "needs:survey": 9,
    "needs:survey_edit": 7,
    "needs:survey_delete": 8,
    "needs:survey_qr": 7,
    # survey, earlier choices, needs to ask about
    "needs:question_new": 8,
    # question, its choices, answered?, earlier choices, needs
    "needs:question_edit": 11,
    "needs:survey_contacts": 8,
    # survey, questions (conditions), choices
    "needs:survey_print": 8,
    # survey, questions (conditions), choices, my paper responses today and in all
    "needs:survey_entry": 9,
    # survey, questions, choices; totals, over time, per question, per choice, scale values
    "needs:survey_results": 13,
    # survey, questions, choices; then the stream: responses, answers (read in chunks)
    "needs:survey_export": 9,
    # survey, themes with counts, questions, answers page with its themes, count
    "needs:survey_answers": 12,
    # survey by token, questions with choices (the page only)
    "needs:answer": 8,
    "needs:answer_thanks": 6,
    # need, proposals, outreach, survey picks and themes, research notes
    "needs:detail": 11,
    # tags in use, notes with their tags and needs, needs to filter by
    "research:index": 10,
    # needs to choose from
    "research:new": 6,
    # note, its needs, tags and files
    "research:detail": 9,
    # note, its needs (ticked, and the choices)
    "research:edit": 8,
    "research:history": 7,
    "research:version": 7,
    "research:attachment": 5,
    # need, its notes (with file counts), their tags
    "research:need_summary": 8,
    "needs:edit": 7,
    "notifications:unsubscribe": 5,
    # meetings with RSVP counts (upcoming and earlier)
    "meetings:index": 7,
    "meetings:new": 7,
    # meeting, agenda, my RSVP, support summary, suggestions, RSVP list
    "meetings:detail": 11,
    "meetings:edit": 8,
    "meetings:cancel": 7,
    "meetings:agenda_new": 8,
    "meetings:agenda_edit": 9,
    # meeting, agenda (public: the session and throttle are not read)
    "meetings:public": 7,
    "meetings:rsvp_manage": 6,
    # meeting, its agenda titles
    "meetings:ics": 6,
    # meetings, their agenda titles
    "meetings:public_feed": 6,
    # live feed of an active member, meetings, their agenda titles
    "meetings:private_feed": 7,
    # my private feed
    "meetings:calendar": 6,
    # meeting, members (with RSVP and presence), RSVPs for the support summary
    "meetings:attendance": 8,
    # meeting, agenda, decisions, action items, attendance count; proposals and members for the forms
    "meetings:minutes": 12,
    # meeting, agenda
    "meetings:agenda_print": 7,
    # meeting, RSVP names
    "meetings:signin_sheet": 7,
    # meeting, agenda, decisions, action items, attendance count
    "meetings:minutes_print": 10,
    "meetings:minutes_public": 10,
    # meetings, needs and members for the form
    "logistics:task_new": 8,
    # task; meetings, needs and members for the forms
    "logistics:task": 9,
    "logistics:mine": 6,
    # loads grouped by owner, active members
    "logistics:board": 7,
    # meeting; support summary and lines (the sync, which writes only when RSVPs changed)
    "logistics:meeting_support": 8,
    # the step home: tasks, unfilled meeting support, stand-ins, short shifts, unread procedures, low
    # supplies, expenses to approve
    "logistics:index": 12,
    # procedures with the viewer's reading state and read counts; active member count
    "logistics:procedures": 7,
    "logistics:procedure_new": 5,
    # active procedures, active members, latest version read per member and procedure
    "logistics:procedures_unread": 8,
    # procedure, my acknowledgement, the versions
    "logistics:procedure": 8,
    # procedure, version, the one before
    "logistics:procedure_version": 8,
    "logistics:procedure_revise": 6,
    # the next two weeks' dates with counts, open stand-in requests, any roles?
    "logistics:shifts": 8,
    # roles and members for the form
    "logistics:shift_new": 7,
    "logistics:shift_edit": 8,
    # shift, its coming dates with counts
    "logistics:shift": 7,
    # date, who holds a place, open stand-ins, the procedure read?, settings (late window)
    "logistics:occurrence": 9,
    # my places, my calendar link
    "logistics:my_shifts": 7,
    "logistics:shift_feed": 6,
    # counts per member and month, the members
    "logistics:shift_counts": 7,
    "logistics:roles": 6,
    "logistics:role_new": 6,
    # role, its shifts, procedures for the form
    "logistics:role": 8,
    "logistics:settings": 6,
    # items (low first, with getters), archived items
    "logistics:supplies": 7,
    "logistics:supply_new": 5,
    # item; members for the organizer's "who is getting more" form
    "logistics:supply": 7,
    # spaces with their upcoming booking counts
    "logistics:spaces": 6,
    "logistics:space_new": 5,
    # space; bookings this week and next, later ones; upcoming meetings for the form
    "logistics:space": 9,
    "logistics:space_edit": 6,
    # money: settings, totals, waiting, owed count, months and categories for the filters, a page of entries
    "logistics:ledger": 13,
    # settings, categories and members for the form
    "logistics:ledger_entry_new": 8,
    # entry with its people, settings, its history
    "logistics:ledger_entry": 8,
    "logistics:ledger_entry_edit": 9,
    "logistics:ledger_receipt": 5,
    # owed entries, owed per person, settings
    "logistics:ledger_owed": 8,
    # settings, totals, by category, by month, by source
    "logistics:ledger_totals": 10,
    # settings, then the entries read in chunks as the CSV streams
    "logistics:ledger_csv": 6,
    "logistics:ledger_categories": 6,
    # the totals page's reads and a page of counted lines
    "logistics:ledger_public": 12,
    # the indicators' snapshot: a fixed set of aggregates over every app (see evaluation/snapshot.py)
    "evaluation:health": 40,
    # the snapshot, the week's numbers, meetings missing support, check-ins due, recipients
    "evaluation:digest_preview": 53,
    # settings, my check-in, the averages, the members per period, my earlier ones
    "evaluation:checkins": 10,
    # settings, the period's answers with names and follow-up tasks, the members who have not answered
    "evaluation:checkin_answers": 8,
    "evaluation:checkin_member": 7,
    "evaluation:settings": 6,
    # field logs: forms with their metrics, months with entries, a page of entries with their values
    "evaluation:logs": 11,
    # entry with its form, author and link; its values
    "evaluation:log_entry": 7,
    # entry; its fields, values and any metric taken off the form
    "evaluation:log_entry_edit": 9,
    # metrics and roles for the form
    "evaluation:log_form_new": 7,
    # form; its fields and metrics
    "evaluation:log_fill": 7,
    # form with its fields; metrics and roles for the form
    "evaluation:log_form_edit": 9,
    # form, the metric columns (two), entries and values read in chunks as the CSV streams
    "evaluation:log_form_csv": 9,
    "evaluation:metrics": 6,
    "evaluation:metric_new": 5,
    # metric, the weekly aggregate, changes, before/after (one aggregate), the "viewed" update
    "evaluation:metric": 10,
    "evaluation:metric_edit": 6,
    "evaluation:changes": 6,
    "evaluation:change_new": 5,
    "evaluation:change_edit": 6,
    # self-evaluations: rounds with their answer counts
    "evaluation:selfevals": 6,
    "evaluation:selfeval_new": 5,
    # round, my answers, results, comments, the trend's rounds and their averages
    "evaluation:selfeval": 11,
    # round, my earlier answers
    "evaluation:selfeval_answer": 7,
    "evaluation:selfeval_public": 6,
    "evaluation:selfeval_thanks": 6,
    # grievances: am I a facilitator, the grievances I may see, the facilitators
    "evaluation:grievances": 8,
    "evaluation:grievance_new": 6,
    # am I a facilitator, the grievance, its trail, the facilitators
    "evaluation:grievance": 9,
    # facilitators, the members who could be named
    "evaluation:facilitators": 7,
    "evaluation:incidents": 6,
    "evaluation:incident_new": 5,
    "evaluation:incident": 6,
    "evaluation:incident_edit": 6,
    # goals with their milestone and evidence counts (one query)
    "followthrough:goals": 6,
    "followthrough:goal_new": 6,
    # goal, milestones, links with their targets; the organizer's forms: members, metrics, proposals, tasks
    "followthrough:goal": 12,
    "followthrough:goal_edit": 7,
    # terms with member and election; tasks and shifts per quarter (two grouped queries); organizers ever (two)
    "followthrough:sustainability": 10,
    # organizers and proposals for the form
    "followthrough:term_new": 8,
    # income by source, outside givers, affiliations, the latest self-check
    "followthrough:independence": 9,
    "followthrough:independence_check": 5,
    # the seven steps' progress (one query of EXISTS subqueries)
    "followthrough:index": 8,
    # one query per kind of event (founding needs none), each limited to the page
    "followthrough:timeline": 14,
    # the latest export jobs with who asked (one query, limited); the download reads its job, audits it
    "followthrough:export": 6,
    "followthrough:export_download": 6,
    # the page's sections and whether the ledger is public
    "followthrough:public_page": 7,
}
STEP_BUDGET = 7

PAGES = [name for name, row in MATRIX.items() if 200 in row["get"].values()]


def viewer_for(row):
    """The most-privileged caller who gets the page (an organizer sees the most)."""
    for role in ("organizer", "member", "other", "outsider", "anon"):
        if row["get"][role] == 200:
            return role
    raise AssertionError("page nobody can see")


def grow(example, n=50):
    """Add n of everything a page could list: members, invitations, requests, audit entries, and
    comments and ballots on the example proposals."""
    from decisions import services as decisions
    from decisions.models import Ballot, Proposal, RollEntry

    institution, organizer = example["institution"], example["users"]["organizer"]
    for _ in range(n):
        MembershipFactory(institution=institution)
        InvitationFactory(institution=institution)
        JoinRequestFactory(institution=institution)
    with scope(institution=institution):
        for index in range(n):
            services.audit_record(
                institution=institution, actor=organizer, action="invitation.created", target=f"t{index}", role="member"
            )
        open_vote = Proposal.objects.get(pk=example["objects"]["proposal"])
        world_need = Need.objects.get(pk=example["objects"]["need"])
        closed_vote = Proposal.objects.get(pk=example["objects"]["closed_proposal"])
        for index in range(n):
            decisions.comment_add(proposal=open_vote, author=organizer, text=f"comment {index}")
            need = need_create(institution=institution, author=organizer, title=f"need {index}", people_count=index)
            outreach_record(
                institution=institution,
                member=organizer,
                happened_on=date.today(),
                channel="door",
                people_count=index + 1,
                needs=[need, world_need],
            )
        grow_consultation(example, n)
        grow_surveys(example, n)
        grow_meetings(example, n)
        grow_research(example, n)
        grow_logistics(example, n)
        grow_shifts(example, n)
        grow_procedures(example, n)
        grow_supplies(example, n)
        grow_money(example, n)
        grow_checkins(example, n)
        grow_selfeval(example, n)
        grow_public(example, n)
        grow_logs(example, n)
        grow_goals(example, n)
        grow_governance(example, n)
        grow_timeline(example, n)
        grow_export(example, n)
        for proposal, choice in ((open_vote, {"choice": "agree"}), (closed_vote, {"choice": "yes"})):
            voters = [MembershipFactory(institution=institution).user for _ in range(n)]
            RollEntry.objects.bulk_create(RollEntry(proposal=proposal, user=user, has_voted=True) for user in voters)
            Ballot.objects.bulk_create(Ballot(proposal=proposal, voter=user, choice=choice) for user in voters)


def grow_consultation(example, n):
    """n answers from each group to the example round, and n more rounds to list."""
    from consultation import services as consultation
    from consultation.models import ConsultationRound

    institution, organizer = example["institution"], example["users"]["organizer"]
    consultation_round = ConsultationRound.objects.get(pk=example["objects"]["round"])
    first, second = (need.pk for need in consultation_round.needs.order_by("pk"))
    for index in range(n):
        ratings = {
            first: {"urgency": 1 + index % 5, "rank": 1 + index % 2},
            second: {"urgency": 3, "rank": 2 - index % 2},
        }
        member = MembershipFactory(institution=institution).user
        consultation.round_answer(consultation_round=consultation_round, ratings=ratings, language="es")
        consultation.round_answer(consultation_round=consultation_round, ratings=ratings, member=member)
        consultation.round_create(
            institution=institution, author=organizer, title=f"round {index}", needs=consultation_round.needs.all()
        )


def grow_surveys(example, n):
    """n more surveys, and n responses to the example survey (written answers tagged, contacts)."""
    from needs import services as needs_services
    from needs.models import Question, Survey, Theme

    institution, organizer = example["institution"], example["users"]["organizer"]
    survey = Survey.objects.get(pk=example["objects"]["survey"])
    questions = {question.text: question for question in Question.objects.filter(survey=survey)}
    hardest, more = questions["What is hardest?"], questions["Tell us more"]
    choices = list(hardest.choices.all())
    themes = [Theme.objects.get(pk=example["objects"]["theme"])]
    for index in range(n):
        themes.append(needs_services.theme_add(survey=survey, actor=organizer, name=f"theme {index}"))
        response = needs_services.response_submit(
            survey=survey,
            language="es" if index % 2 else "en",
            answers={hardest: {"choices": [choices[index % 3].pk], "other": "other"}, more: {"text": f"text {index}"}},
            contact=("Name", f"555-{index:04}"),
        )
        for answer in response.answers.exclude(text=""):
            needs_services.answer_tag(answer=answer, themes=themes[-3:])
        needs_services.survey_create(institution=institution, author=organizer, title=f"survey {index}")


def grow_meetings(example, n):
    """n more meetings (half with published minutes), and n RSVPs (with support needs), agenda items,
    suggestions, members present, decisions and action items on the example one."""
    from datetime import timedelta

    from django.utils import timezone

    from decisions.models import Proposal
    from meetings import services as meeting_services
    from meetings.models import Meeting

    institution, organizer = example["institution"], example["users"]["organizer"]
    meeting = Meeting.objects.get(pk=example["objects"]["meeting"])
    proposal = Proposal.objects.get(pk=example["objects"]["closed_proposal"])
    present = [organizer.pk]
    for index in range(n):
        present.append(MembershipFactory(institution=institution).user.pk)
        hands = {"votes_for": index + 1, "votes_abstain": 1} if index % 2 else {"proposal": proposal}
        meeting_services.decision_record(meeting=meeting, actor=organizer, question=f"question {index}", **hands)
        meeting_services.action_item_add(
            meeting=meeting, actor=organizer, text=f"task {index}", owner=organizer, due_on=timezone.localdate()
        )
        meeting_services.rsvp_create(
            meeting=meeting,
            name=f"Neighbor {index}",
            party_size=1 + index % 3,
            children=index % 2,
            children_ages="5",
            transport_from="Tower B" if index % 4 == 0 else "",
            interpretation="Spanish" if index % 5 == 0 else "",
            food=True,
        )
        meeting_services.member_rsvp(meeting=meeting, user=MembershipFactory(institution=institution).user)
        meeting_services.agenda_item_add(meeting=meeting, actor=organizer, title=f"item {index}")
        meeting_services.suggestion_send(meeting=meeting, text=f"idea {index}")
        other = meeting_services.meeting_create(
            institution=institution,
            author=organizer,
            title=f"meeting {index}",
            starts_at=timezone.now() + timedelta(days=1 + index % 20, hours=index),
            place_name="Room",
            is_public=index % 2 == 0,
        )
        if other.is_public:
            meeting_services.minutes_save(meeting=other, actor=organizer, minutes="We met.", records={}, publish=True)
    meeting_services.attendance_record(meeting=meeting, actor=organizer, present_user_ids=present, guests=n, children=n)


def grow_research(example, n):
    """n more notes about the example need (tagged, some key reading, each with a file), and n edits and
    a few more files on the example note."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from research import services as research
    from research.models import FieldNote

    institution, organizer = example["institution"], example["users"]["organizer"]
    note = FieldNote.objects.get(pk=example["objects"]["note"])
    need = Need.objects.get(pk=example["objects"]["need"])
    pdf = b"%PDF-1.4\n%%EOF\n"
    for index in range(n):
        other = research.note_create(
            institution=institution,
            author=organizer,
            title=f"note {index}",
            tried=f"tried {index}",
            outcome=("worked", "partly", "failed", "unknown")[index % 4],
            needs=[need],
            tags=f"food, tag {index % 7}",
        )
        if index % 5 == 0:
            research.note_mark_key_reading(note=other, actor=organizer, key_reading=True)
        research.attachment_add(note=other, uploader=organizer, upload=SimpleUploadedFile(f"f{index}.pdf", pdf))
        note = research.note_update(note=note, editor=organizer, lessons=f"lesson {index}", tags=f"food, t{index}")
    for index in range(5):
        research.attachment_add(note=note, uploader=organizer, upload=SimpleUploadedFile(f"more{index}.pdf", pdf))


def grow_logistics(example, n):
    """n tasks: owned by new members, the example member and nobody, some done, some for the need
    and the meeting, and due on different days (some overdue)."""
    from datetime import timedelta

    from django.utils import timezone

    from logistics import services as logistics
    from meetings.models import Meeting

    institution, organizer = example["institution"], example["users"]["organizer"]
    member = example["users"]["member"]
    need = Need.objects.get(pk=example["objects"]["need"])
    meeting = Meeting.objects.get(pk=example["objects"]["meeting"])
    for index in range(n):
        owner = (MembershipFactory(institution=institution).user, member, None, organizer)[index % 4]
        task = logistics.task_create(
            institution=institution,
            author=organizer,
            title=f"task {index}",
            owner=owner,
            effort=1 + index % 3,
            due_on=timezone.localdate() + timedelta(days=index % 10 - 5),
            need=need if index % 2 else None,
            meeting=meeting if index % 3 == 0 else None,
        )
        if index % 5 == 0:
            logistics.task_set_status(task=task, actor=organizer, status="done")
    # The checklist catches up with the RSVPs grow_meetings added (a few bulk writes, once), as on the
    # first visit after they changed; the budget counts the page as people see it after that.
    logistics.support_lines_sync(meeting=meeting)


def grow_supplies(example, n):
    """n supply items (half low, some with getters, a few archived) and n spaces; n bookings of the
    example space, spread over this week, next week and later; n upcoming meetings come from grow_meetings."""
    from datetime import timedelta

    from django.utils import timezone

    from logistics import supplies
    from logistics.models import Space

    institution, organizer = example["institution"], example["users"]["organizer"]
    member = example["users"]["member"]
    space = Space.objects.get(pk=example["objects"]["space"])
    start = timezone.now() + timedelta(days=3)
    for index in range(n):
        item = supplies.supply_item_create(
            institution=institution, actor=member, name=f"item {index}", on_hand=index % 7, needed=4, low_at=1
        )
        if index % 3 == 0:
            supplies.supply_getter_take(item=item, member=(member, organizer)[index % 2])
        if index % 10 == 9:
            supplies.supply_item_archive(item=item, actor=organizer)
        supplies.space_create(institution=institution, actor=organizer, name=f"space {index}", capacity=index + 1)
        when = start + timedelta(days=index, hours=index % 5)
        supplies.space_book(
            space=space, member=member, starts_at=when, ends_at=when + timedelta(hours=1), purpose=f"booking {index}"
        )


def grow_procedures(example, n):
    """n more procedures, each read by a new member, and n more versions of the example procedure (read
    by those members)."""
    from logistics import procedures
    from logistics.models import Procedure

    institution, organizer = example["institution"], example["users"]["organizer"]
    procedure = Procedure.objects.get(pk=example["objects"]["procedure"])
    for index in range(n):
        reader = MembershipFactory(institution=institution).user
        other = procedures.procedure_create(
            institution=institution, author=organizer, title=f"procedure {index}", body=f"step {index}"
        )
        procedures.procedure_acknowledge(procedure=other, member=reader, version_number=1)
        procedures.procedure_revise(
            procedure=procedure, author=organizer, title=procedure.title, body=f"Unlock.\nstep {index}", change_note="x"
        )
        procedures.procedure_acknowledge(procedure=procedure, member=reader, version_number=procedure.current.number)


def grow_shifts(example, n):
    """n more roles, each with a weekly shift; n new members signed up for the example date (made
    bigger), some cancelling late; n past dates with attendance marked for the example member."""
    from datetime import time, timedelta

    from django.utils import timezone

    from logistics import shifts
    from logistics.models import Shift, ShiftOccurrence

    institution, organizer = example["institution"], example["users"]["organizer"]
    member = example["users"]["member"]
    occurrence = ShiftOccurrence.objects.get(pk=example["objects"]["occurrence"])
    Shift.objects.filter(pk=occurrence.shift_id).update(max_people=n + 10)
    late = ShiftOccurrence.objects.get(pk=example["objects"]["late_occurrence"])
    Shift.objects.filter(pk=late.shift_id).update(max_people=n + 10)
    today = timezone.localdate()
    for index in range(n):
        role = shifts.role_save(institution=institution, actor=organizer, name=f"role {index}")
        shift = shifts.shift_create(
            institution=institution,
            actor=organizer,
            role=role,
            place=f"place {index}",
            repeat="weekly",
            weekdays=str(index % 7),
            starts_on=today + timedelta(days=1),
            until=None,
            start_time=time(8, 0),
            end_time=time(10, 0),
            min_people=2,
            max_people=4,
            lead=None,
            notes="",
        )
        person = MembershipFactory(institution=institution).user
        shifts.signup_take(occurrence=occurrence, member=person)
        if index % 5 == 0:
            shifts.signup_cancel(signup=shifts.signup_take(occurrence=late, member=person), actor=person)
        past = shift.occurrences.first()
        shifts.signup_take(occurrence=past, member=member)
        shifts.signup_take(occurrence=past, member=person)
        ShiftOccurrence.objects.filter(pk=past.pk).update(
            starts_at=timezone.now() - timedelta(days=index % 90 + 1),
            ends_at=timezone.now() - timedelta(days=index % 90 + 1) + timedelta(hours=2),
        )
        shifts.attendance_mark(
            occurrence=ShiftOccurrence.objects.get(pk=past.pk),
            actor=organizer,
            marks={signup.pk: ("done", "missed", "excused")[index % 3] for signup in past.signups.all()},
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:  # a streamed body (CSV export) queries as it is read
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def test_every_page_has_a_budget():
    assert {name for name in PAGES if ":index" not in name} <= set(BUDGETS)


def test_pages_stay_within_budget_and_do_not_grow(world, client_for):  # noqa: F811
    """Every page is counted with the example data, then all again after `grow()` added 50 of
    everything. One growth for all pages: growing the data is the slow part."""
    clients = {role: client_for(world["users"][role]) for role in ("anon", "outsider", "other", "member", "organizer")}
    pages = {name: (clients[viewer_for(MATRIX[name])], url_for(name, world)) for name in PAGES}
    small = {}
    for name, (client, url) in pages.items():
        client.get(url)  # warm per-process caches (content types, translations)
        small[name] = count_queries(client, url)
    grow(world)
    problems = []
    for name, (client, url) in pages.items():
        large = count_queries(client, url)
        if large != small[name]:
            problems.append(f"{url}: {small[name]} queries with little data, {large} with more")
        if small[name] > BUDGETS.get(name, STEP_BUDGET):
            problems.append(f"{url} makes {small[name]} queries (budget {BUDGETS.get(name, STEP_BUDGET)})")
    assert not problems, "\n".join(problems)


def grow_money(example, n):
    """n ledger entries of every kind and standing (income by source, expenses waiting, not approved,
    voided, owed to new members and paid back), in n categories over many months, and n edits of the
    example entry (its history)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from logistics import money
    from logistics.models import LedgerEntry

    institution, organizer = example["institution"], example["users"]["organizer"]
    approver = MembershipFactory(institution=institution, role="organizer").user
    today = timezone.localdate()
    sources = LedgerEntry.Source.values
    for index in range(n):
        category = money.category_create(institution=institution, actor=organizer, name=f"category {index}")
        income = index % 3 == 0
        entry = money.entry_record(
            institution=institution,
            recorder=organizer,
            kind="income" if income else "expense",
            occurred_on=today - timedelta(days=20 * index),
            amount=Decimal(f"{index * 37 % 500}.{index % 100:02d}") + Decimal("0.01"),
            category=category,
            description=f"=line {index}",
            source=sources[index % len(sources)] if income else "",
            paid_by=None if income or index % 4 else MembershipFactory(institution=institution).user,
        )
        if entry.approval == LedgerEntry.Approval.PENDING and index % 2:
            decide = money.entry_approve if index % 3 else money.entry_reject
            decide(entry=entry, organizer=approver)
        if index % 7 == 0:
            money.entry_void(entry=entry, actor=organizer, reason="duplicate")
        elif entry.reimbursement == "owed" and index % 8 == 0 and money.is_counted(entry):
            money.reimbursement_mark_paid(entry=entry, actor=organizer)
    waiting = LedgerEntry.objects.get(pk=example["objects"]["ledger_entry"])
    for index in range(n):
        waiting = money.entry_update(
            entry=waiting,
            editor=organizer,
            base_version=waiting.version,
            **{**{name: getattr(waiting, name) for name in money.EDITABLE_FIELDS}, "description": f"banner {index}"},
        )


def grow_checkins(example, n):
    """n members answering this period and the last (some asking for a follow-up), and n earlier
    check-ins of the example member for their history."""
    from evaluation import checkins
    from evaluation.models import CheckIn
    from institutions.models import Membership

    institution = example["institution"]
    period = checkins.current_period(institution)
    earlier = checkins.period_before(period, "monthly")
    for index in range(n):
        person = MembershipFactory(institution=institution).user
        CheckIn.objects.create(
            institution=institution, member=person, period_start=earlier, feel=1 + index % 5, energy=2, hours=index
        )
        checkins.check_in_save(
            institution=institution,
            member=person,
            feel=1 + index % 5,
            energy=1 + index % 3,
            hours=index,
            rather_doing=f"rather {index}",
            suggestion=f"change {index}",
            wants_follow_up=index % 5 == 0,
        )
    member = Membership.objects.get(institution=institution, user_id=example["objects"]["checkin_member"]).user
    start = checkins.period_before(earlier, "monthly")
    for _ in range(n):
        CheckIn.objects.create(institution=institution, member=member, period_start=start, feel=3, energy=3, hours=2)
        start = checkins.period_before(start, "monthly")


def grow_logs(example, n):
    """n more metrics, all put on the example log form, n more forms, n changes over two years, and n
    entries by n new members over n weeks with a value for every metric."""
    from datetime import timedelta
    from decimal import Decimal

    from evaluation import logs
    from evaluation.models import LogEntry, LogForm, LogValue, Metric

    institution, organizer = example["institution"], example["users"]["organizer"]
    log_form = LogForm.objects.get(pk=example["objects"]["log_form"])
    added = [
        logs.metric_save(institution=institution, actor=organizer, name=f"metric {index}", kind=kind)
        for index, kind in zip(range(n), ["count", "number", "rating"] * n, strict=False)
    ]
    fields = [(field.metric, field.required) for field in logs.form_fields(log_form)]
    logs.log_form_save(
        institution=institution,
        actor=organizer,
        log_form=log_form,
        name=log_form.name,
        role=log_form.role,
        fields=fields + [(metric, False) for metric in added],
    )
    today = logs.local_today(institution)
    for index in range(n):
        logs.log_form_save(
            institution=institution, actor=organizer, name=f"form {index}", fields=[(added[index], index % 2 == 0)]
        )
        made_on = today - timedelta(weeks=index * 2)
        logs.change_save(institution=institution, actor=organizer, made_on=made_on, title=f"change {index}")
    metrics = list(Metric.objects.filter(forms=log_form))
    entries = LogEntry.objects.bulk_create(
        LogEntry(
            institution=institution,
            form=log_form,
            author=MembershipFactory(institution=institution).user,
            happened_on=today - timedelta(weeks=index),
            notes=f"=note {index}",
        )
        for index in range(n)
    )
    LogValue.objects.bulk_create(
        LogValue(institution=institution, entry=entry, metric=metric, value=Decimal(index % 5 + 1))
        for index, entry in enumerate(entries)
        for metric in metrics
    )


def grow_selfeval(example, n):
    """n more self-evaluation rounds with answers and comments (and n more community answers on the
    example round), n facilitators, n grievances the member filed and n notes on the example one, and
    n incidents of every kind."""
    from datetime import timedelta

    from django.utils import timezone

    from evaluation import grievances, incidents, selfeval
    from evaluation.models import Grievance, Incident, SelfEvaluation
    from evaluation.models.selfeval import QUESTION_KEYS

    institution, organizer = example["institution"], example["users"]["organizer"]
    member = example["users"]["member"]
    example_round = SelfEvaluation.objects.get(pk=example["objects"]["selfeval"])
    for index in range(n):
        earlier = selfeval.round_open(institution=institution, actor=organizer, title=f"Round {index}")
        SelfEvaluation.objects.filter(pk=earlier.pk).update(opened_at=timezone.now() - timedelta(days=30 * (index + 1)))
        rating = index % 5 + 1
        selfeval.answers_submit(evaluation=earlier, answers=dict.fromkeys(QUESTION_KEYS, (rating, f"c{index}")))
        selfeval.answers_submit(evaluation=example_round, answers=dict.fromkeys(QUESTION_KEYS, (rating, f"n{index}")))
        grievances.facilitator_name(
            institution=institution, actor=organizer, user=MembershipFactory(institution=institution).user
        )
        grievances.grievance_file(institution=institution, filer=member, subject=f"g{index}", description="x")
        incidents.incident_record(
            institution=institution,
            actor=member,
            happened_on=timezone.localdate() - timedelta(days=index),
            kind=Incident.Kind.values[index % len(Incident.Kind.values)],
            description=f"incident {index}",
        )
    example_grievance = Grievance.objects.get(pk=example["objects"]["grievance"])
    for index in range(n):
        grievances.grievance_note_add(grievance=example_grievance, actor=member, note=f"note {index}")


def grow_goals(example, n):
    """n more goals, and n more milestones (half reached) and evidence links on the example goal."""
    from followthrough import goals
    from followthrough.models import Goal
    from logistics import services as logistics_services

    institution, organizer = example["institution"], example["users"]["organizer"]
    goal = Goal.objects.get(pk=example["objects"]["goal"])
    for index in range(n):
        other = goals.goal_create(institution=institution, actor=organizer, title=f"goal {index}")
        goals.milestone_add(goal=other, title=f"step {index}")
        milestone = goals.milestone_add(goal=goal, title=f"milestone {index}")
        if index % 2:
            goals.milestone_reach(milestone=milestone, actor=organizer)
        task = logistics_services.task_create(institution=institution, author=organizer, title=f"evidence {index}")
        goals.goal_link_add(goal=goal, task=task, note=f"note {index}")


def grow_timeline(example, n):
    """n meetings held and n decisions closed over the past years, n needs chosen as the focus, and n
    members who joined in n different months: more than a page of the timeline."""
    from datetime import timedelta

    from django.utils import timezone

    from decisions.models import Proposal
    from meetings.models import Meeting

    institution = example["institution"]
    now = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(
            institution=institution, title=f"held {index}", starts_at=now - timedelta(days=20 * index), status="held"
        )
        for index in range(n)
    )
    Proposal.objects.bulk_create(
        Proposal(
            institution=institution,
            title=f"decided {index}",
            text="x",
            status=Proposal.Status.CLOSED,
            outcome=Proposal.Outcome.PASSED,
            closed_at=now - timedelta(days=30 * index),
        )
        for index in range(n)
    )
    Need.objects.filter(institution=institution).update(status=Need.Status.FOCUS, focus_chosen_at=now)
    for index in range(n):
        MembershipFactory(institution=institution, joined_at=now - timedelta(days=31 * index))


def grow_export(example, n):
    """n older export jobs: ready, expired, failed, each asked for by someone."""
    from datetime import timedelta

    from django.utils import timezone

    from followthrough.models import ExportJob

    institution, organizer = example["institution"], example["users"]["organizer"]
    long_ago = timezone.now() - timedelta(days=30)
    statuses = ("ready", "failed")
    ExportJob.objects.bulk_create(
        ExportJob(
            institution=institution,
            requested_by=organizer,
            requested_at=long_ago - timedelta(hours=index),
            status=statuses[index % 2],
            expires_at=long_ago,
            token=f"grown-{index}",
        )
        for index in range(n)
    )


def grow_governance(example, n):
    """n more past terms, n self-checks, n incomes from n organizations, n tasks and shifts done, n role
    changes to organizer, and n members with affiliations."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from followthrough import governance
    from followthrough.models import OrganizerTerm
    from logistics import money
    from logistics import services as logistics_services
    from logistics.models import ShiftSignup

    institution, organizer = example["institution"], example["users"]["organizer"]
    today = timezone.localdate()
    OrganizerTerm.objects.bulk_create(
        OrganizerTerm(
            institution=institution,
            member=organizer,
            starts_on=today - timedelta(days=400 + index * 10),
            ends_on=today - timedelta(days=390 + index * 10),
        )
        for index in range(n)
    )
    for index in range(n):
        governance.independence_check_record(
            institution=institution,
            actor=organizer,
            done_on=today - timedelta(days=index + 1),
            answers={key: ("yes", f"n{index}") for key in governance.QUESTION_KEYS},
        )
        money.entry_record(
            institution=institution,
            recorder=organizer,
            kind="income",
            occurred_on=today - timedelta(days=index * 3),
            amount=Decimal("10.00"),
            description=f"gift {index}",
            source="outside_organization",
            source_name=f"Org {index}",
        )
        person = MembershipFactory(institution=institution, affiliations=f"Club {index}")
        task = logistics_services.task_create(
            institution=institution, author=organizer, owner=person.user, title=f"done {index}"
        )
        logistics_services.task_set_status(task=task, actor=organizer, status="done")
        services.audit_record(
            institution=institution,
            actor=organizer,
            action="membership.role_changed",
            person=f"person {index}",
            old="member",
            new="organizer",
        )
    ShiftSignup.objects.filter(institution=institution).update(attendance=ShiftSignup.Attendance.DONE)


def grow_public(example, n):
    """For the public page: n closed proposals (every other one a secret ballot) and n closed
    self-evaluation rounds, answered by members and the community."""
    from datetime import timedelta

    from django.utils import timezone

    from decisions import services as decisions
    from evaluation import selfeval
    from evaluation.models import SelfEvaluation
    from evaluation.models.selfeval import QUESTION_KEYS
    from tests.factories import proposal_in_voting

    institution, organizer = example["institution"], example["users"]["organizer"]
    member = example["users"]["member"]
    for index in range(n):
        proposal = proposal_in_voting(institution, organizer, title=f"Decided {index}", secret=index % 2 == 0)
        decisions.vote_cast(proposal=proposal, member=member, choice={"choice": "yes"})
        decisions.voting_close(proposal=proposal)
        closed = selfeval.round_open(institution=institution, actor=organizer, title=f"Closed round {index}")
        selfeval.answers_submit(evaluation=closed, answers=dict.fromkeys(QUESTION_KEYS, (3, "")), member=member)
        selfeval.answers_submit(evaluation=closed, answers=dict.fromkeys(QUESTION_KEYS, (index % 5 + 1, "")))
        selfeval.round_close(evaluation=closed, actor=organizer)
        SelfEvaluation.objects.filter(pk=closed.pk).update(opened_at=timezone.now() - timedelta(days=60 + index))
