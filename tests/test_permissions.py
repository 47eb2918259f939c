"""The permission matrix: every URL of ours × every kind of caller × GET and POST.

Add a row here for each new URL; a URL without a row fails `test_every_url_is_in_the_matrix`.
POSTs are sent with no data: they must answer with the expected status, never a 500.

Callers: anon (not signed in), outsider (signed in, in no institution), other (member of
another institution), member and organizer of the institution in the URL.
Private institution pages send anonymous callers to log in (302) and answer 404 to every
signed-in non-member, whether the page exists or not.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django_scopes import scope

from consultation.services import outreach_record, round_answer, round_create, round_open
from decisions import services as decision_services
from institutions.models import Membership
from needs.services import need_create
from notifications.services import unsubscribe_token
from tests.factories import InvitationFactory, JoinRequestFactory, proposal_in_voting, survey_example
from tests.fixtures import FAST_PASSWORD_HASHERS, make_people
from tests.urlwalk import project_url_names

ROLES = ("anon", "outsider", "other", "member", "organizer")


def statuses(anon, outsider, other, member, organizer):
    return dict(zip(ROLES, (anon, outsider, other, member, organizer), strict=True))


# Shorthands for the common rows.
EVERYONE_200 = statuses(200, 200, 200, 200, 200)
ALL_405 = statuses(405, 405, 405, 405, 405)
SIGNED_IN = statuses(302, 200, 200, 200, 200)
MEMBERS_ONLY = statuses(302, 404, 404, 200, 200)
MEMBERS_405 = statuses(302, 404, 404, 405, 405)
ORGANIZERS_ONLY = statuses(302, 404, 404, 403, 200)
ORGANIZER_POST_ONLY = statuses(302, 404, 404, 403, 405)


def step_row():
    return {"get": MEMBERS_ONLY, "post": MEMBERS_405}


# name -> {"kwargs": which example objects the URL needs, "get": {...}, "post": {...}}
MATRIX = {
    "home": {"get": EVERYONE_200, "post": ALL_405},
    "profile": {"get": SIGNED_IN, "post": statuses(302, 400, 400, 400, 400)},
    "set_language": {"get": ALL_405, "post": statuses(302, 302, 302, 302, 302)},
    "institution_create": {"get": SIGNED_IN, "post": statuses(302, 400, 400, 400, 400)},
    "healthz": {"get": EVERYONE_200, "post": ALL_405},
    # The benchmarks' reference views: "ok" for everyone, nothing read, nothing revealed.
    "bench_bare": {"get": EVERYONE_200, "post": ALL_405},
    "bench_bare_session": {"get": EVERYONE_200, "post": ALL_405},
    "notifications:preferences": {"get": SIGNED_IN, "post": statuses(302, 302, 302, 302, 302)},
    # The signed token is the authorization (one-click unsubscribe from a mail client).
    "notifications:unsubscribe": {"args": {"token": "unsubscribe"}, "get": EVERYONE_200, "post": EVERYONE_200},
    "institutions:home": {"get": EVERYONE_200, "post": ALL_405},
    # Members and organizers are sent back home with a note; a signed-in non-member may ask.
    "institutions:join": {"get": statuses(302, 200, 200, 302, 302), "post": statuses(302, 302, 302, 302, 302)},
    "institutions:invitation_accept": {
        "args": {"token": "token"},
        "get": EVERYONE_200,
        "post": statuses(302, 302, 302, 302, 302),
    },
    "institutions:members": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    # Empty is a valid answer (no other organization): saved, back to the members page.
    "institutions:affiliations": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 302, 302)},
    # The only organizer cannot leave: 400 with the reason, and nothing changes.
    "institutions:leave": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 302, 400)},
    "institutions:member_role": {
        "args": {"pk": "membership"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "institutions:member_remove": {
        "args": {"pk": "membership"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "institutions:invitations": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "institutions:invitation_revoke": {
        "args": {"pk": "invitation"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "institutions:join_request_decide": {
        "args": {"pk": "join_request"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "institutions:settings": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "institutions:audit": {"get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    # An empty form: the typed name does not match (400), nothing is scheduled.
    "institutions:delete": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "institutions:my_data": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "decisions:index": step_row(),
    "decisions:new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "decisions:detail": {"args": {"pk": "proposal"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # An empty ballot is refused with the reason; both are on the voter roll.
    "decisions:vote": {"args": {"pk": "proposal"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 400, 400)},
    # The organizer wrote the proposal; a plain member may not move it (403); no action given: 400.
    "decisions:transition": {"args": {"pk": "proposal"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 403, 400)},
    # Revising is for the author, and only before voting: this proposal is in voting.
    "decisions:revise": {
        "args": {"pk": "proposal"},
        "get": statuses(302, 404, 404, 403, 403),
        "post": statuses(302, 404, 404, 403, 403),
    },
    "decisions:versions": {"args": {"pk": "proposal"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "decisions:comment_add": {
        "args": {"pk": "proposal"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 400),
    },
    # The member wrote the comment a moment ago: only they may edit it.
    "decisions:comment_edit": {
        "args": {"pk": "proposal", "comment_pk": "comment"},
        "get": statuses(302, 404, 404, 200, 403),
        "post": statuses(302, 404, 404, 400, 403),
    },
    "decisions:comment_hide": {
        "args": {"pk": "proposal", "comment_pk": "comment"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "decisions:results": {"args": {"pk": "proposal"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "decisions:results_csv": {"args": {"pk": "closed_proposal"}, "get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    "needs:index": step_row(),
    "needs:new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "needs:detail": {"args": {"pk": "need"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:edit": {"args": {"pk": "need"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "needs:propose_focus": {
        "args": {"pk": "need"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Needs surveys: members read, organizers build; "survey" is open with one answered response.
    "needs:surveys": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:survey_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "needs:survey": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:survey_edit": {"args": {"pk": "survey"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    # No action chosen: sent back with a note.
    "needs:survey_status": {
        "args": {"pk": "survey"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # With responses, deleting needs the title typed: an empty form is refused.
    "needs:survey_delete": {
        "args": {"pk": "survey"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "needs:survey_qr": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:question_new": {"args": {"pk": "survey"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "needs:question_edit": {
        "args": {"pk": "survey", "question_pk": "question"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "needs:question_move": {
        "args": {"pk": "survey", "question_pk": "question"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # The question has answers: removal is refused with a note, nothing changes.
    "needs:question_remove": {
        "args": {"pk": "survey", "question_pk": "question"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "needs:survey_contacts": {
        "args": {"pk": "survey"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 405),
    },
    "needs:contact_delete": {
        "args": {"pk": "survey", "contact_pk": "contact"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Paper: members print the survey; organizers type in paper answers (an empty sheet is refused).
    "needs:survey_print": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:survey_entry": {"args": {"pk": "survey"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "needs:survey_results": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "needs:survey_export": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # Members read written answers; only organizers add themes (an empty name is refused).
    "needs:survey_answers": {"args": {"pk": "survey"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "needs:answer_tag": {
        "args": {"pk": "survey", "answer_pk": "answer"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "needs:theme_need": {
        "args": {"pk": "survey", "theme_pk": "theme"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # The survey's public link: anyone answers without an account; an empty answer misses a required one.
    "needs:answer": {"args": {"token": "survey_token"}, "get": EVERYONE_200, "post": statuses(400, 400, 400, 400, 400)},
    "needs:answer_thanks": {"args": {"token": "survey_token"}, "get": EVERYONE_200, "post": ALL_405},
    "consultation:index": step_row(),
    "consultation:outreach": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "consultation:rounds": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "consultation:round_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    # "round" is open with an answer from each group; "draft_round" has not been opened yet.
    "consultation:round_detail": {"args": {"pk": "round"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "consultation:round_edit": {
        "args": {"pk": "draft_round"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "consultation:round_open": {
        "args": {"pk": "draft_round"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "consultation:round_close": {
        "args": {"pk": "round"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # An empty answer is refused with the reason.
    "consultation:round_answer": {
        "args": {"pk": "round"},
        "get": MEMBERS_ONLY,
        "post": statuses(302, 404, 404, 400, 400),
    },
    "consultation:round_focus": {
        "args": {"pk": "round", "need_pk": "need"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # The round's public link is the authorization: anyone may answer, no account needed.
    "consultation:round_public": {
        "args": {"token": "round_token"},
        "get": EVERYONE_200,
        "post": statuses(400, 400, 400, 400, 400),
    },
    "consultation:round_thanks": {"args": {"token": "round_token"}, "get": EVERYONE_200, "post": ALL_405},
    "research:index": step_row(),
    "research:new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "research:detail": {"args": {"pk": "note"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # Any member may improve a note; an empty form is refused.
    "research:edit": {"args": {"pk": "note"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "research:history": {"args": {"pk": "note"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "research:version": {"args": {"pk": "note", "number": "note_version"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # No choice sent: refused with the reason.
    "research:key_reading": {
        "args": {"pk": "note"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    # No file sent: refused with the reason.
    "research:attachment_add": {
        "args": {"pk": "note"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 400),
    },
    "research:attachment": {
        "args": {"pk": "note", "attachment_pk": "attachment"},
        "get": MEMBERS_ONLY,
        "post": MEMBERS_405,
    },
    # The member uploaded the file: they, like an organizer, may remove it.
    "research:attachment_remove": {
        "args": {"pk": "note", "attachment_pk": "attachment"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 302),
    },
    "research:need_summary": {"args": {"pk": "need"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "meetings:index": step_row(),
    # "meeting" is public and planned for next week, with an agenda item, a suggestion and an RSVP.
    "meetings:new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "meetings:detail": {"args": {"pk": "meeting"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "meetings:edit": {"args": {"pk": "meeting"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "meetings:cancel": {"args": {"pk": "meeting"}, "get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "meetings:rsvp_member": {"args": {"pk": "meeting"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 302, 302)},
    "meetings:agenda_new": {
        "args": {"pk": "meeting"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "meetings:agenda_edit": {
        "args": {"pk": "meeting", "item_pk": "agenda_item"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "meetings:agenda_move": {
        "args": {"pk": "meeting", "item_pk": "agenda_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "meetings:agenda_remove": {
        "args": {"pk": "meeting", "item_pk": "agenda_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # An empty suggestion is refused with a note (and a redirect back to the meeting).
    "meetings:suggest": {"args": {"pk": "meeting"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 302, 302)},
    "meetings:suggestion_decide": {
        "args": {"pk": "meeting", "suggestion_pk": "suggestion"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # The public meeting page: anyone RSVPs or suggests without an account; empty forms are refused.
    "meetings:public": {"args": {"pk": "meeting"}, "get": EVERYONE_200, "post": statuses(400, 400, 400, 400, 400)},
    "meetings:public_suggest": {
        "args": {"pk": "meeting"},
        "get": ALL_405,
        "post": statuses(400, 400, 400, 400, 400),
    },
    # The private link e-mailed after an RSVP is the authorization.
    "meetings:rsvp_manage": {
        "args": {"token": "rsvp_token"},
        "get": EVERYONE_200,
        "post": statuses(400, 400, 400, 400, 400),
    },
    # Calendars. A public meeting's .ics is for anyone (a members' meeting's answers 404 to non-members,
    # see meetings/tests/test_calendar.py); the member's private feed token is the authorization.
    "meetings:ics": {"args": {"pk": "meeting"}, "get": EVERYONE_200, "post": ALL_405},
    "meetings:public_feed": {"get": EVERYONE_200, "post": ALL_405},
    "meetings:private_feed": {"args": {"token": "feed_token"}, "get": EVERYONE_200, "post": ALL_405},
    "meetings:calendar": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "meetings:feed_reset": {"get": MEMBERS_405, "post": statuses(302, 404, 404, 302, 302)},
    # During and after "meeting": organizers take attendance and record decisions and action items;
    # members read the minutes, and only organizers or the note-taker write them. Empty forms are refused.
    "meetings:attendance": {
        "args": {"pk": "meeting"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "meetings:minutes": {"args": {"pk": "meeting"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "meetings:decision_new": {
        "args": {"pk": "meeting"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "meetings:decision_delete": {
        "args": {"pk": "meeting", "decision_pk": "meeting_decision"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "meetings:action_new": {
        "args": {"pk": "meeting"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "meetings:action_delete": {
        "args": {"pk": "meeting", "action_pk": "action_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # On paper: members print the agenda and minutes; the sign-in sheet carries RSVP names (organizers).
    "meetings:agenda_print": {"args": {"pk": "meeting"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "meetings:signin_sheet": {"args": {"pk": "meeting"}, "get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    "meetings:minutes_print": {"args": {"pk": "meeting"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # The example meeting's minutes are published: anyone reads them.
    "meetings:minutes_public": {"args": {"pk": "meeting"}, "get": EVERYONE_200, "post": ALL_405},
    "logistics:index": step_row(),
    # "task" was written by the organizer and is unclaimed; "owned_task" is the member's.
    "logistics:task_new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "logistics:task": {"args": {"pk": "task"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:task_claim": {"args": {"pk": "task"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 302, 302)},
    # Only the owner gives a task back: anyone else is refused with the reason.
    "logistics:task_release": {
        "args": {"pk": "owned_task"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    "logistics:task_assign": {
        "args": {"pk": "task"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:task_status": {"args": {"pk": "task"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:mine": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:board": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    # "support_line" (setup) needs a volunteer; the member took "taken_support_line" (cleanup).
    "logistics:meeting_support": {"args": {"meeting_pk": "meeting"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:support_take": {
        "args": {"meeting_pk": "meeting", "line_pk": "support_line"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 302),
    },
    # Only the volunteer gives a line back: anyone else is refused with the reason.
    "logistics:support_release": {
        "args": {"meeting_pk": "meeting", "line_pk": "taken_support_line"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    # Procedures: "procedure" (revised once, to version 2) is in use; "archived_procedure" is archived.
    # Members read and acknowledge; organizers write. An empty acknowledgement names no version: 400.
    "logistics:procedures": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:procedure_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:procedures_unread": {"get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    "logistics:procedure": {"args": {"pk": "procedure"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:procedure_acknowledge": {
        "args": {"pk": "procedure"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 400),
    },
    "logistics:procedure_revise": {
        "args": {"pk": "procedure"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:procedure_archive": {
        "args": {"pk": "procedure"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:procedure_unarchive": {
        "args": {"pk": "archived_procedure"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:procedure_version": {
        "args": {"pk": "procedure", "number": "procedure_version"},
        "get": MEMBERS_ONLY,
        "post": MEMBERS_405,
    },
    # Shifts: "occurrence" is three days ahead, the member holds a place on it; the organizer gave up a
    # place on "late_occurrence" (in a few hours), posting "stand_in".
    "logistics:shifts": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:shift_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:shift": {"args": {"pk": "shift"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:shift_edit": {
        "args": {"pk": "shift"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:shift_end": {
        "args": {"pk": "shift"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:occurrence": {"args": {"pk": "occurrence"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    # Already signed up: the member is refused with the reason; the organizer gets a place.
    "logistics:occurrence_signup": {
        "args": {"pk": "occurrence"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 302),
    },
    # Only someone signed up can cancel: the organizer is not.
    "logistics:occurrence_cancel": {
        "args": {"pk": "occurrence"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    "logistics:occurrence_skip": {
        "args": {"pk": "occurrence"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # The date is not skipped: nothing to restore.
    "logistics:occurrence_restore": {
        "args": {"pk": "occurrence"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    # The member is not the lead (403); the organizer sent no marks (400).
    "logistics:occurrence_attendance": {
        "args": {"pk": "occurrence"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 403, 400),
    },
    # The organizer cannot stand in for their own place.
    "logistics:stand_in_take": {
        "args": {"pk": "stand_in"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    "logistics:my_shifts": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    # The member's private calendar link is the authorization.
    "logistics:shift_feed": {"args": {"token": "feed_token"}, "get": EVERYONE_200, "post": ALL_405},
    "logistics:shift_counts": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:roles": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:role_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    # Members read a role; organizers change it (an empty form: 400).
    "logistics:role": {"args": {"pk": "role"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:role_archive": {
        "args": {"pk": "role"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:settings": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    # "supply_item" is low and the member is getting more; "archived_supply_item" is archived.
    "logistics:supplies": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:supply_new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "logistics:supply": {"args": {"pk": "supply_item"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "logistics:supply_count": {
        "args": {"pk": "supply_item"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 400),
    },
    # The member is already getting it (taking it again keeps it theirs); the organizer is refused.
    "logistics:supply_get": {
        "args": {"pk": "supply_item"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    "logistics:supply_release": {
        "args": {"pk": "supply_item"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 400),
    },
    "logistics:supply_assign": {
        "args": {"pk": "supply_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:supply_archive": {
        "args": {"pk": "supply_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:supply_restore": {
        "args": {"pk": "archived_supply_item"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # "space" has a booking made by the organizer ("space_booking"): only they (or organizers) cancel it.
    "logistics:spaces": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:space_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:space": {"args": {"pk": "space"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:space_edit": {
        "args": {"pk": "space"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:space_archive": {
        "args": {"pk": "space"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:space_book": {"args": {"pk": "space"}, "get": MEMBERS_405, "post": statuses(302, 404, 404, 400, 400)},
    "logistics:booking_cancel": {
        "args": {"pk": "space", "booking_pk": "space_booking"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Money: "ledger_entry" is an expense the (only) organizer recorded, waiting for a second organizer's
    # approval, so deciding on it is refused (400); the member is owed "owed_ledger_entry"; the
    # "ledger_category" has entries, so it cannot be deleted; the public page is switched on.
    "logistics:ledger": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_entry_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:ledger_entry": {"args": {"pk": "ledger_entry"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_entry_edit": {
        "args": {"pk": "ledger_entry"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_entry_approve": {
        "args": {"pk": "ledger_entry"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_entry_reject": {
        "args": {"pk": "ledger_entry"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_entry_void": {
        "args": {"pk": "ledger_entry"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_entry_paid_back": {
        "args": {"pk": "owed_ledger_entry"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "logistics:ledger_receipt": {"args": {"pk": "ledger_entry"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_owed": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_totals": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_csv": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "logistics:ledger_categories": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "logistics:ledger_category_rename": {
        "args": {"pk": "ledger_category"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_category_archive": {
        "args": {"pk": "ledger_category"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_category_delete": {
        "args": {"pk": "ledger_category"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "logistics:ledger_public": {"get": EVERYONE_200, "post": ALL_405},
    "evaluation:index": step_row(),
    "evaluation:health": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:digest_preview": {"get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    # Check-ins: the member answered this period (with a follow-up wanted); an empty answer is refused (400).
    "evaluation:checkins": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "evaluation:checkin_answers": {"get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    "evaluation:checkin_member": {
        "args": {"pk": "checkin_member"},
        "get": ORGANIZERS_ONLY,
        "post": ORGANIZER_POST_ONLY,
    },
    "evaluation:settings": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    # Self-evaluations: an open round the member and someone of the community answered. An empty answer is 400.
    "evaluation:selfevals": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:selfeval_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "evaluation:selfeval": {"args": {"pk": "selfeval"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:selfeval_answer": {
        "args": {"pk": "selfeval"},
        "get": MEMBERS_ONLY,
        "post": statuses(302, 404, 404, 400, 400),
    },
    "evaluation:selfeval_close": {
        "args": {"pk": "selfeval"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "evaluation:selfeval_public": {
        "args": {"token": "selfeval_token"},
        "get": EVERYONE_200,
        "post": statuses(400, 400, 400, 400, 400),
    },
    "evaluation:selfeval_thanks": {"args": {"token": "selfeval_token"}, "get": EVERYONE_200, "post": ALL_405},
    # Grievances: the example is filed by the member, and the organizer is NOT a facilitator, so the
    # organizer gets 404 on it (a grievance is seen only by its filer and the facilitators). The member,
    # not being a facilitator, may add notes but not change the status (403). How facilitators see and
    # change grievances is tested in evaluation/tests/test_grievances.py.
    "evaluation:grievances": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:grievance_new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "evaluation:grievance": {
        "args": {"pk": "grievance"},
        "get": statuses(302, 404, 404, 200, 404),
        "post": MEMBERS_405,
    },
    "evaluation:grievance_status": {
        "args": {"pk": "grievance"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 403, 404),
    },
    "evaluation:grievance_note": {
        "args": {"pk": "grievance"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 400, 404),
    },
    "evaluation:facilitators": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "evaluation:facilitator_remove": {
        "args": {"pk": "facilitator"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Incidents: one the member recorded; organizers correct and delete.
    "evaluation:incidents": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:incident_new": {"get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "evaluation:incident": {"args": {"pk": "incident"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:incident_edit": {
        "args": {"pk": "incident"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "evaluation:incident_delete": {
        "args": {"pk": "incident"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Field logs: the member logged "log_entry" a moment ago (theirs to correct); "log_form" has a required
    # metric; an empty form is refused (400); archiving and deleting go back to a list (302).
    "evaluation:logs": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:log_entry": {"args": {"pk": "log_entry"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:log_entry_edit": {
        "args": {"pk": "log_entry"},
        "get": MEMBERS_ONLY,
        "post": statuses(302, 404, 404, 400, 400),
    },
    "evaluation:log_entry_delete": {
        "args": {"pk": "log_entry"},
        "get": MEMBERS_405,
        "post": statuses(302, 404, 404, 302, 302),
    },
    "evaluation:log_form_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "evaluation:log_fill": {"args": {"pk": "log_form"}, "get": MEMBERS_ONLY, "post": statuses(302, 404, 404, 400, 400)},
    "evaluation:log_form_edit": {
        "args": {"pk": "log_form"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "evaluation:log_form_archive": {
        "args": {"pk": "log_form"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "evaluation:log_form_csv": {"args": {"pk": "log_form"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:metrics": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:metric_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "evaluation:metric": {"args": {"pk": "metric"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:metric_edit": {
        "args": {"pk": "metric"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "evaluation:metric_archive": {
        "args": {"pk": "metric"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "evaluation:changes": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "evaluation:change_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "evaluation:change_edit": {
        "args": {"pk": "change"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "evaluation:change_delete": {
        "args": {"pk": "change"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "followthrough:index": step_row(),
    # All boxes unticked is a valid choice (nothing shown): an empty POST saves it.
    "followthrough:public_page": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 302)},
    "followthrough:timeline": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    # Goals: "goal" has a milestone and a linked task; refused input answers 400, done actions go back (302).
    # Sustainability and independence: empty forms are refused (400).
    "followthrough:sustainability": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "followthrough:term_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "followthrough:independence": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "followthrough:independence_check": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "followthrough:goals": {"get": MEMBERS_ONLY, "post": MEMBERS_405},
    "followthrough:goal_new": {"get": ORGANIZERS_ONLY, "post": statuses(302, 404, 404, 403, 400)},
    "followthrough:goal": {"args": {"pk": "goal"}, "get": MEMBERS_ONLY, "post": MEMBERS_405},
    "followthrough:goal_edit": {
        "args": {"pk": "goal"},
        "get": ORGANIZERS_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "followthrough:goal_status": {
        "args": {"pk": "goal"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "followthrough:milestone_add": {
        "args": {"pk": "goal"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "followthrough:goal_link_add": {
        "args": {"pk": "goal"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    # An empty POST marks the milestone reached today.
    "followthrough:milestone_reached": {
        "args": {"pk": "milestone"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    "followthrough:milestone_move": {
        "args": {"pk": "milestone"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 400),
    },
    "followthrough:goal_link_remove": {
        "args": {"pk": "goal_link"},
        "get": ORGANIZER_POST_ONLY,
        "post": statuses(302, 404, 404, 403, 302),
    },
    # Export: organizers only; the download needs the job's token and a link not yet expired (a wrong
    # token or an expired link is 404: followthrough/tests/test_export.py).
    "followthrough:export": {"get": ORGANIZERS_ONLY, "post": ORGANIZER_POST_ONLY},
    "followthrough:export_start": {"get": ORGANIZER_POST_ONLY, "post": statuses(302, 404, 404, 403, 302)},
    "followthrough:export_download": {
        "args": {"pk": "export_job", "token": "export_token"},
        "get": ORGANIZERS_ONLY,
        "post": ORGANIZER_POST_ONLY,
    },
}


@pytest.fixture
def world(institution, other_institution, organizer, member, outsider, other_member, settings, tmp_path):
    """One institution with an organizer and a member, plus people outside it, and one of each object."""
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded files stay out of var/media
    return build_world(institution, organizer, member, outsider, other_member)


@pytest.fixture(scope="class")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The same world, built once for a class of tests (one test per URL, say) instead of once per test.

    It is built inside a transaction that is rolled back after the class's last test; each test runs
    in its own savepoint inside it (pytest-django's `db`, which a test using this fixture must request),
    so no test sees another's changes. The tests sit in a class so that the module's other tests, which
    build their own people, run outside that transaction.
    """
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        people = make_people()
        del people["other_institution"]  # there, but no example objects of its own
        example = build_world(**people)
        yield example
        transaction.set_rollback(True)
    cache.clear()


def build_world(institution, organizer, member, outsider, other_member):
    with scope(institution=institution):
        membership = Membership.objects.get(user=member)
    proposal = proposal_in_voting(institution, organizer, method="consent")
    closed = proposal_in_voting(institution, organizer, title="Buy a freezer")
    with scope(institution=institution):
        comment = decision_services.comment_add(proposal=proposal, author=member, text="Could we start in May?")
        decision_services.voting_close(proposal=closed)
        need = need_create(institution=institution, author=member, title="Food runs out before payday")
        outreach_record(
            institution=institution,
            member=member,
            happened_on=need.created_at.date(),
            channel="door",
            people_count=4,
            needs=[need],
        )
        repairs = need_create(institution=institution, author=member, title="Repairs take months")
        consultation_round = round_create(
            institution=institution, author=organizer, title="What first?", needs=[need, repairs]
        )
        round_open(consultation_round=consultation_round, actor=organizer)
        answer = {need.pk: {"urgency": 5, "rank": 1}, repairs.pk: {"urgency": 3, "rank": 2}}
        round_answer(consultation_round=consultation_round, ratings=answer, member=member)
        round_answer(consultation_round=consultation_round, ratings=answer, language="es")
        draft_round = round_create(institution=institution, author=organizer, title="Next", needs=[need, repairs])
    survey = survey_example(institution, organizer)
    with scope(institution=institution):
        survey_objects = survey_world(survey)
        meeting_objects = meeting_world(institution, organizer)
        calendar_objects = calendar_world(institution, member)
        research_objects = research_world(institution, member, need)
        logistics_objects = logistics_world(institution, organizer, member, need, meeting_objects["meeting"])
        shift_objects = shifts_world(institution, organizer, member)
        procedure_objects = procedures_world(institution, organizer, member)
        supplies_objects = supplies_world(institution, organizer, member)
        money_objects = money_world(institution, organizer, member)
        selfeval_objects = selfeval_world(institution, organizer, member)
        checkins_objects = checkins_world(institution, organizer, member)
        logs_objects = logs_world(institution, organizer, member)
        goals_objects = goals_world(institution, organizer, member)
        governance_world(institution, organizer, member)
        public_objects = public_world(institution, organizer, member)
        export_objects = export_world(institution, organizer)
    return {
        "institution": institution,
        "users": {"anon": None, "outsider": outsider, "other": other_member, "member": member, "organizer": organizer},
        "objects": {
            "membership": membership.pk,
            "invitation": InvitationFactory(institution=institution).pk,
            "token": InvitationFactory(institution=institution).token,
            "join_request": JoinRequestFactory(institution=institution).pk,
            "proposal": proposal.pk,
            "closed_proposal": closed.pk,
            "comment": comment.pk,
            "unsubscribe": unsubscribe_token(member, institution, "reminder"),
            "need": need.pk,
            **survey_objects,
            **meeting_objects,
            **calendar_objects,
            **research_objects,
            **logistics_objects,
            **shift_objects,
            **procedure_objects,
            **supplies_objects,
            **money_objects,
            **selfeval_objects,
            **checkins_objects,
            **logs_objects,
            **goals_objects,
            **public_objects,
            **export_objects,
            "round": consultation_round.pk,
            "round_token": consultation_round.public_token,
            "draft_round": draft_round.pk,
        },
    }


def survey_world(survey):
    """Example objects of a survey: one response with a written answer, a theme and a contact."""
    from needs import services as needs_services
    from needs.models import Question

    questions = {question.text: question for question in Question.objects.filter(survey=survey)}
    hardest, more = questions["What is hardest?"], questions["Tell us more"]
    response = needs_services.response_submit(
        survey=survey,
        language="en",
        answers={hardest: {"choices": [hardest.choices.first().pk]}, more: {"text": "Rent keeps rising"}},
        contact=("Ana", "555-0101"),
    )
    theme = needs_services.theme_add(survey=survey, actor=None, name="rent")
    return {
        "survey": survey.pk,
        "survey_token": survey.token,
        "question": hardest.pk,
        "answer": response.answers.get(question=more).pk,
        "theme": theme.pk,
        "contact": survey.contacts.get().pk,
    }


def meeting_world(institution, organizer):
    """A public meeting next week with an agenda item, a suggestion from the public, an RSVP, attendance,
    published minutes, a decision and an action item."""
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services as meeting_services

    meeting = meeting_services.meeting_create(
        institution=institution,
        author=organizer,
        title="Tenants' assembly",
        starts_at=timezone.now() + timedelta(days=7),
        place_name="Community room",
        is_public=True,
    )
    item = meeting_services.agenda_item_add(meeting=meeting, actor=organizer, title="Repairs")
    suggestion = meeting_services.suggestion_send(meeting=meeting, text="Talk about the boiler")
    rsvp = meeting_services.rsvp_create(meeting=meeting, name="Ana", party_size=2, children=1)
    # Recorded ahead of time (the meeting stays planned): attendance, published minutes, a show-of-hands
    # decision and an action item.
    meeting_services.attendance_record(
        meeting=meeting, actor=organizer, present_user_ids=[organizer.pk], guests=2, children=1
    )
    meeting_services.minutes_save(
        meeting=meeting, actor=organizer, minutes="We met.", records={item.pk: "Boiler first."}, publish=True
    )
    decision = meeting_services.decision_record(
        meeting=meeting, actor=organizer, question="Fix the boiler first?", votes_for=9, votes_against=1
    )
    action = meeting_services.action_item_add(meeting=meeting, actor=organizer, text="Call the landlord")
    return {
        "meeting": meeting.pk,
        "agenda_item": item.pk,
        "suggestion": suggestion.pk,
        "rsvp_token": rsvp.token,
        "meeting_decision": decision.pk,
        "action_item": action.pk,
    }


def calendar_world(institution, member):
    """The member's private calendar feed."""
    from meetings.services import calendar_feed_for

    return {"feed_token": calendar_feed_for(user=member, institution=institution).token}


def research_world(institution, member, need):
    """A research note about the need, edited once, with a PDF the member attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from research import services as research_services

    note = research_services.note_create(
        institution=institution,
        author=member,
        title="Church pantry closes",
        tried="A weekly pantry in a borrowed room.",
        outcome="partly",
        needs=[need],
        tags="food, space",
    )
    note = research_services.note_update(note=note, editor=member, lessons="Hold your own keys.")
    attachment = research_services.attachment_add(
        note=note, uploader=member, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    return {"note": note.pk, "note_version": 1, "attachment": attachment.pk}


def logistics_world(institution, organizer, member, need, meeting_pk):
    """An unclaimed task the organizer wrote for the need, a task the member is doing, and the
    meeting's support checklist: setup needs a volunteer, the member took cleanup."""
    from logistics import services as logistics_services
    from meetings.models import Meeting

    task = logistics_services.task_create(
        institution=institution, author=organizer, title="Borrow a van", need=need, effort=2
    )
    owned = logistics_services.task_create(institution=institution, author=organizer, title="Buy rice", owner=member)
    lines = {
        line.key: line for line in logistics_services.support_lines_sync(meeting=Meeting.objects.get(pk=meeting_pk))
    }
    logistics_services.support_line_volunteer(line=lines["cleanup"], member=member)
    return {
        "task": task.pk,
        "owned_task": owned.pk,
        "support_line": lines["setup"].pk,
        "taken_support_line": lines["cleanup"].pk,
    }


def procedures_world(institution, organizer, member):
    """A procedure the member read at version 1, revised since to version 2, and an archived one."""
    from logistics import procedures

    procedure = procedures.procedure_create(
        institution=institution, author=organizer, title="Opening the pantry", body="Unlock the side door."
    )
    procedures.procedure_acknowledge(procedure=procedure, member=member, version_number=1)
    procedures.procedure_revise(
        procedure=procedure, author=organizer, title=procedure.title, body="Unlock.\nLights on.", change_note="Lights"
    )
    archived = procedures.procedure_create(institution=institution, author=organizer, title="Old way", body="Gone.")
    procedures.procedure_archive(procedure=archived, actor=organizer)
    return {"procedure": procedure.pk, "procedure_version": 2, "archived_procedure": archived.pk}


def shifts_world(institution, organizer, member):
    """A weekly escort shift with the member on a date three days ahead, and a one-off shift in a few
    hours where the organizer gave up their place late (a stand-in request)."""
    from datetime import time, timedelta

    from django.utils import timezone

    from logistics import shifts

    role = shifts.role_save(institution=institution, actor=organizer, name="Clinic escort")
    today = timezone.localdate()
    common = {"role": role, "place": "Front door", "until": None, "lead": None, "notes": "", "min_people": 1}
    shift = shifts.shift_create(
        institution=institution,
        actor=organizer,
        repeat="weekly",
        weekdays=str((today + timedelta(days=3)).weekday()),
        starts_on=today + timedelta(days=1),
        start_time=time(8, 0),
        end_time=time(11, 0),
        max_people=3,
        **common,
    )
    occurrence = shift.occurrences.get(date=today + timedelta(days=3))
    shifts.signup_take(occurrence=occurrence, member=member)
    soon = timezone.localtime(timezone.now() + timedelta(hours=4)).replace(second=0, microsecond=0)
    late = shifts.shift_create(
        institution=institution,
        actor=organizer,
        repeat="once",
        weekdays="",
        starts_on=soon.date(),
        start_time=soon.time(),
        end_time=(soon + timedelta(hours=1)).time(),
        max_people=2,
        **common,
    )
    late_occurrence = late.occurrences.get()
    shifts.signup_cancel(signup=shifts.signup_take(occurrence=late_occurrence, member=organizer), actor=organizer)
    return {
        "role": role.pk,
        "shift": shift.pk,
        "occurrence": occurrence.pk,
        "late_occurrence": late_occurrence.pk,
        "stand_in": late_occurrence.stand_in_requests.get().pk,
    }


def url_for(name, world):
    route = dict(project_url_names())[name]
    kwargs = {}
    if "<slug:institution_slug>" in route:
        kwargs["institution_slug"] = world["institution"].slug
    for kwarg, key in MATRIX[name].get("args", {}).items():
        kwargs[kwarg] = world["objects"][key]
    return reverse(name, kwargs=kwargs)


def test_every_url_is_in_the_matrix():
    names = {name for name, _route in project_url_names()}
    assert names - set(MATRIX) == set(), "URLs missing from the permission matrix"
    assert set(MATRIX) - names == set(), "matrix rows for URLs that no longer exist"


def request_undone(client, method, url):
    """Send one request and undo whatever it changed, so every caller meets the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


# One test per URL, each sending GET and POST as every kind of caller, all on one example world
# built once for the module (each request undone, each test in its own savepoint).
class TestEveryUrl:
    @pytest.mark.parametrize("name", list(MATRIX))
    def test_permission_matrix(self, name, shared_world, db, client_for):
        world = shared_world
        url = url_for(name, world)
        clients = {role: client_for(world["users"][role]) for role in ROLES}
        wrong = []
        for method in ("get", "post"):
            for role in ROLES:
                response = request_undone(clients[role], method, url)
                expected = MATRIX[name][method][role]
                if response.status_code != expected:
                    wrong.append(f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected}")
                elif (
                    role == "anon"
                    and expected == 302
                    and name != "set_language"
                    and not response["Location"].startswith(reverse("account_login"))
                ):
                    wrong.append(f"{method.upper()} {url} as anon: not sent to log in")
        assert not wrong, "\n".join(wrong)


def supplies_world(institution, organizer, member):
    """A low supply item the member is getting, an archived one, and a room the organizer booked."""
    from datetime import timedelta

    from django.utils import timezone

    from logistics import supplies

    item = supplies.supply_item_create(institution=institution, actor=member, name="Vests", on_hand=2, needed=10)
    supplies.supply_getter_take(item=item, member=member)
    archived = supplies.supply_item_create(institution=institution, actor=member, name="Old flyers", needed=0)
    supplies.supply_item_archive(item=archived, actor=organizer)
    space = supplies.space_create(
        institution=institution, actor=organizer, name="Back room", access_details="Code 4812"
    )
    starts = timezone.now() + timedelta(days=2)
    booking = supplies.space_book(
        space=space, member=organizer, starts_at=starts, ends_at=starts + timedelta(hours=2), purpose="Sign-making"
    )
    return {"supply_item": item.pk, "archived_supply_item": archived.pk, "space": space.pk, "space_booking": booking.pk}


def money_world(institution, organizer, member):
    """The ledger, shown to the public: a category with entries, an expense above the threshold the
    organizer recorded (with a receipt) waiting for approval, and an expense the member is owed."""
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from logistics import money
    from logistics.models import LogisticsSettings

    LogisticsSettings.objects.update_or_create(institution=institution, defaults={"ledger_public": True})
    category = money.category_create(institution=institution, actor=organizer, name="Printing")
    waiting = money.entry_record(
        institution=institution,
        recorder=organizer,
        kind="expense",
        occurred_on=timezone.localdate(),
        amount=Decimal("250.00"),
        category=category,
        description="Banner for the clinic fence",
        receipt=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    owed = money.entry_record(
        institution=institution,
        recorder=organizer,
        kind="expense",
        occurred_on=timezone.localdate(),
        amount=Decimal("12.50"),
        category=category,
        description="Water for the shift",
        paid_by=member,
    )
    return {"ledger_entry": waiting.pk, "owed_ledger_entry": owed.pk, "ledger_category": category.pk}


def checkins_world(institution, organizer, member):
    """The member's check-in this period, asking for a follow-up, and the organizer's last period."""
    from evaluation import checkins

    checkins.check_in_save(
        institution=institution,
        member=member,
        feel=2,
        energy=2,
        hours=4,
        rather_doing="Less paperwork",
        suggestion="Shorter meetings",
        wants_follow_up=True,
    )
    earlier = checkins.period_before(checkins.current_period(institution), "monthly")
    checkins.CheckIn.objects.create(institution=institution, member=organizer, period_start=earlier, feel=4, energy=3)
    return {"checkin_member": member.pk}


def selfeval_world(institution, organizer, member):
    """An open self-evaluation the member and someone of the community answered; a facilitator (a
    third member, not the organizer) and a grievance the member filed; an incident the member recorded."""
    from evaluation import grievances, incidents, selfeval
    from evaluation.models.selfeval import QUESTION_KEYS
    from tests.factories import MembershipFactory

    evaluation = selfeval.round_open(institution=institution, actor=organizer, title="Spring self-evaluation")
    selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (4, "")), member=member)
    selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (2, "Slow")))
    facilitator = grievances.facilitator_name(
        institution=institution, actor=organizer, user=MembershipFactory(institution=institution).user
    )
    grievance = grievances.grievance_file(
        institution=institution, filer=member, subject="Talked over", description="In every meeting."
    )
    incident = incidents.incident_record(
        institution=institution,
        actor=member,
        happened_on=evaluation.opened_at.date(),
        kind="police",
        description="A patrol car parked by the door.",
    )
    return {
        "selfeval": evaluation.pk,
        "selfeval_token": evaluation.public_token,
        "facilitator": facilitator.pk,
        "grievance": grievance.pk,
        "incident": incident.pk,
    }


def logs_world(institution, organizer, member):
    """Field logs: two metrics (one required on the form), the "Clinic escort" role's log form, an entry
    the member logged a moment ago, and a recorded change."""
    from evaluation import logs
    from logistics.models import VolunteerRole

    present = logs.metric_save(institution=institution, actor=organizer, name="Protesters present", kind="count")
    calm = logs.metric_save(institution=institution, actor=organizer, name="How calm it felt", kind="rating", goal=4)
    log_form = logs.log_form_save(
        institution=institution,
        actor=organizer,
        name="Saturday clinic log",
        role=VolunteerRole.objects.filter(institution=institution, name="Clinic escort").first(),
        fields=[(present, True), (calm, False)],
    )
    today = logs.local_today(institution)
    entry = logs.entry_create(
        log_form=log_form, author=member, happened_on=today, values={present.pk: 6, calm.pk: 4}, notes="Rain"
    )
    change = logs.change_save(institution=institution, actor=organizer, made_on=today, title="Friendly signs")
    return {"metric": present.pk, "log_form": log_form.pk, "log_entry": entry.pk, "change": change.pk}


def goals_world(institution, organizer, member):
    """A goal the member keeps an eye on, with a milestone and a linked task."""
    from followthrough import goals
    from logistics import services as logistics_services

    goal = goals.goal_create(institution=institution, actor=organizer, title="Open every week", owner=member)
    milestone = goals.milestone_add(goal=goal, title="Find a second key holder")
    task = logistics_services.task_create(institution=institution, author=organizer, title="Ask at the assembly")
    link = goals.goal_link_add(goal=goal, task=task, note="First ask")
    return {"goal": goal.pk, "milestone": milestone.pk, "goal_link": link.pk}


def public_world(institution, organizer, member):
    """The public page shows every section, with a closed self-evaluation the member and the community
    answered (the open one is not shown)."""
    from evaluation import selfeval
    from evaluation.models.selfeval import QUESTION_KEYS
    from followthrough import public

    public.public_page_update(institution=institution, actor=organizer, **dict.fromkeys(public.SECTIONS, True))
    evaluation = selfeval.round_open(institution=institution, actor=organizer, title="Last autumn")
    selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (3, "")), member=member)
    selfeval.answers_submit(evaluation=evaluation, answers=dict.fromkeys(QUESTION_KEYS, (4, "")))
    selfeval.round_close(evaluation=evaluation, actor=organizer)
    return {}


def export_world(institution, organizer):
    """A finished export whose download link is still valid (built for real, into the test's media)."""
    from followthrough import export
    from followthrough.models import ExportJob

    job = ExportJob.objects.create(institution=institution, requested_by=organizer)
    job = export.export_build(job_id=job.pk, institution=institution)
    return {"export_job": job.pk, "export_token": job.token}


def governance_world(institution, organizer, member):
    """The organizer's current term, a grant from one organization, a declared affiliation and a self-check."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from followthrough import governance
    from logistics import money

    today = timezone.localdate()
    governance.term_add(
        institution=institution,
        actor=organizer,
        member=organizer,
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=265),
    )
    money.entry_record(
        institution=institution,
        recorder=organizer,
        kind="income",
        occurred_on=today,
        amount=Decimal("500.00"),
        description="Spring grant",
        source="grant",
        source_name="City Fund",
    )
    Membership.objects.filter(institution=institution, user=member).update(affiliations="Tenants Union")
    governance.independence_check_record(
        institution=institution,
        actor=organizer,
        done_on=today,
        answers={key: ("no", "") for key in governance.QUESTION_KEYS},
        summary="Nobody steers us.",
    )


class TestSharedWorldIsolation:
    """A class sharing the world still gives each test the world unchanged: both runs find the
    original title and then change it, so the second fails if the first one's change leaked."""

    @pytest.mark.parametrize("run", [1, 2])
    def test_each_test_starts_from_the_same_world(self, shared_world, db, run):
        from decisions.models import Proposal

        with scope(institution=shared_world["institution"]):
            proposal = Proposal.objects.get(pk=shared_world["objects"]["proposal"])
            assert proposal.title != "Changed by an earlier test"
            Proposal.objects.filter(pk=proposal.pk).update(title="Changed by an earlier test")
