"""Proposal pages: list, new, detail with discussion and ballot, revisions, results."""

import csv
import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from dualpower.forms import blank_form, posted_data
from dualpower.public_pages import cached_for, only_participation_changes
from dualpower.views import htmx_fragment
from institutions.tenancy import MEMBER, ORGANIZER, tenant_access

from . import rules, selectors, services
from .ballots import CHOICE_LABELS, CHOICES, BallotError, ballot_from_post, ballot_text, total_text
from .forms import CommentForm, HideCommentForm, OpenVotingForm, ProposalForm, ReviseForm
from .models import Comment

FILTERS = {
    "voting": gettext_lazy("Open for voting"),
    "discussion": gettext_lazy("In discussion"),
    "closed": gettext_lazy("Closed"),
    "mine": gettext_lazy("Mine"),
}


def _proposal(request, pk):
    return selectors.get_proposal_or_404(request.institution, pk)


def _shared_proposal(request, pk):
    """(proposal, options, comments, the proposal's head rendered), the same for every member: read
    once and kept while nothing but votes come in (dualpower/public_pages.py); a comment, a revision
    or a step in the vote's life is a change that has them read again. One copy per language, for
    the rendered head."""

    def read():
        proposal = _proposal(request, pk)
        options = selectors.options_of(proposal)
        return proposal, options, list(selectors.comments_of(proposal)), _proposal_head(proposal, options)

    return cached_for(request.institution, f"proposal:2:{pk}", read, ignores_participation=True, per_language=True)


def _proposal_head(proposal, options):
    """The proposal as everyone sees it, rendered: its status, title, author, text, how it is decided
    and its options. Nothing in it depends on who is looking, nor on votes."""
    return render_to_string(
        "decisions/includes/proposal_head.html",
        {"proposal": proposal, "options": options, "institution": proposal.institution},
    )


@tenant_access(MEMBER)
@require_safe
def proposal_list(request):
    status_filter = request.GET.get("show")
    if status_filter not in FILTERS:
        status_filter = None
    proposals = selectors.proposals_for(request.institution, request.user, status_filter=status_filter)[:100]
    return render(
        request,
        "decisions/index.html",
        {
            "proposals": proposals,
            "filters": FILTERS,
            "current_filter": status_filter,
            "awaiting": selectors.awaiting_vote_count(request.institution, request.user),
        },
    )


@tenant_access(MEMBER)
def proposal_new(request):
    form = ProposalForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                institution=request.institution,
                author=request.user,
                title=data["title"],
                text=data["text"],
                method=data["method"],
                options=form.option_labels(),
                threshold=data["threshold"],
                dots_per_voter=data["dots_per_voter"],
                quorum_percent=data["quorum_percent"],
                secret=data["secret"],
                hide_results_until_closed=data["hide_results_until_closed"],
                deadline=data["deadline"],
                about_outside_organization=data["about_outside_organization"],
            )
        except services.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your draft is saved. Open it for discussion when you are ready."))
            return redirect(proposal.get_absolute_url())
    return render(request, "decisions/new.html", {"form": form}, status=400 if form.errors else 200)


def _prefill(submitted, choice):
    """The ballot form's values: what was just submitted (after an error), else the saved ballot's
    `choice` (None: no saved open ballot)."""
    if submitted is not None:
        return {**submitted.dict(), "approve": submitted.getlist("approve")}
    if choice is None:
        return {}
    values = {
        "choice": choice.get("choice", ""),
        "reason": choice.get("reason", ""),
        "approve": [str(pk) for pk in choice.get("approve", [])],
    }
    values.update({f"score-{pk}": str(v) for pk, v in choice.get("scores", {}).items()})
    values.update({f"dots-{pk}": str(v) for pk, v in choice.get("dots", {}).items()})
    values.update({f"rank-{pk}": str(place) for place, pk in enumerate(choice.get("ranking", []), start=1)})
    return values


def _detail_context(request, proposal, submitted=None, options=None, comments=None, head=None, **extra):
    roll_entry, my_choice = selectors.roll_entry_and_choice(proposal, request.user)
    membership = request.membership
    if options is None:
        options = selectors.options_of(proposal)
    return {
        "proposal": proposal,
        "proposal_head": _proposal_head(proposal, options) if head is None else head,
        "options": options,
        "comments": selectors.comments_of(proposal) if comments is None else comments,
        "roll_entry": roll_entry,
        "my_ballot": my_choice is not None,
        "prefill": _prefill(submitted, my_choice),
        "ranks": range(1, len(options) + 1),
        "scores": range(0, 6),
        "can_vote": rules.can_vote(membership, proposal, roll_entry),
        "can_comment": rules.can_comment(membership, proposal),
        "can_advance": rules.can_advance(membership, proposal),
        "can_revise": rules.can_revise(membership, proposal),
        "can_hide": rules.can_hide_comment(membership),
        "can_see_results": rules.can_see_results(membership, proposal),
        "comment_form": blank_form(CommentForm),
        "choices": [(value, CHOICE_LABELS[value]) for value in CHOICES.get(proposal.method, ())],
        "open_form": OpenVotingForm(initial={"deadline": proposal.deadline}),
        "now": timezone.now(),
        **extra,
    }


@tenant_access(MEMBER)
@require_safe
def proposal_detail(request, pk):
    proposal, options, comments, head = _shared_proposal(request, pk)
    context = _detail_context(request, proposal, options=options, comments=comments, head=head)
    return render(request, "decisions/detail.html", context)


@tenant_access(MEMBER)
@require_POST
def vote(request, pk):
    only_participation_changes(request)  # a ballot, and the voter marked on the roll (not a row save)
    proposal, options, comments, head = _shared_proposal(request, pk)
    status, receipt, error = 200, None, None
    try:
        choice = ballot_from_post(proposal, [option.pk for option in options], request.POST)
        receipt = services.vote_cast(
            proposal=proposal, member=request.user, choice=choice, option_ids=[option.pk for option in options]
        )
    except BallotError as problem:
        error, status = str(problem), 400
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("Your vote is counted.")
            if receipt is None
            else _(
                "Your secret ballot is counted. Your receipt code is %(code)s: keep it to find your ballot in the "
                "published list."
            )
            % {"code": receipt},
        )
    if request.htmx:
        context = _detail_context(
            request, proposal, receipt=receipt, submitted=request.POST, options=options, comments=comments, head=head
        )
        return htmx_fragment(request, "decisions/detail.html#ballot", context, status=status)
    if error:
        context = _detail_context(
            request, proposal, submitted=request.POST, options=options, comments=comments, head=head
        )
        return render(request, "decisions/detail.html", context, status=status)
    return redirect(proposal.get_absolute_url())


@tenant_access(MEMBER)
@require_POST
def comment_add(request, pk):
    proposal = _proposal(request, pk)
    form = CommentForm(request.POST)
    if not rules.can_comment(request.membership, proposal):
        raise PermissionDenied
    if form.is_valid():
        services.comment_add(proposal=proposal, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your comment is posted."))
        return redirect(proposal.get_absolute_url() + "#discussion")
    context = _detail_context(request, proposal, comment_form=form)
    return render(request, "decisions/detail.html", context, status=400)


def _comment(request, pk, comment_pk):
    proposal = _proposal(request, pk)
    return get_object_or_404(Comment.objects.select_related("proposal__institution"), proposal=proposal, pk=comment_pk)


@tenant_access(MEMBER)
def comment_edit(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    if not comment.editable_by(request.user):
        raise PermissionDenied
    form = CommentForm(posted_data(request), initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        services.comment_edit(comment=comment, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your comment is updated."))
        return redirect(comment.proposal.get_absolute_url() + f"#comment-{comment.pk}")
    return render(
        request, "decisions/comment_edit.html", {"form": form, "comment": comment}, status=400 if form.errors else 200
    )


@tenant_access(ORGANIZER)
def comment_hide(request, pk, comment_pk):
    comment = _comment(request, pk, comment_pk)
    form = HideCommentForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        services.comment_hide(comment=comment, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The comment is hidden. The reason is in the audit log."))
        return redirect(comment.proposal.get_absolute_url() + "#discussion")
    return render(
        request, "decisions/comment_hide.html", {"form": form, "comment": comment}, status=400 if form.errors else 200
    )


@tenant_access(MEMBER)
def revise(request, pk):
    proposal = _proposal(request, pk)
    if not rules.can_revise(request.membership, proposal):
        raise PermissionDenied
    form = ReviseForm(posted_data(request), initial={"title": proposal.title, "text": proposal.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_revise(proposal=proposal, author=request.user, **form.cleaned_data)
        except services.ProposalError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The new version is posted. Earlier versions stay readable."))
            return redirect(proposal.get_absolute_url())
    return render(
        request, "decisions/revise.html", {"form": form, "proposal": proposal}, status=400 if form.errors else 200
    )


def word_diff(old, new):
    """Segments ("same" | "removed" | "added", text) between two texts, word by word."""
    old_words, new_words = old.split(" "), new.split(" ")
    segments = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("same", " ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            segments.append(("removed", " ".join(old_words[a1:a2])))
        if b2 > b1:
            segments.append(("added", " ".join(new_words[b1:b2])))
    return segments


@tenant_access(MEMBER)
@require_safe
def versions(request, pk):
    proposal = _proposal(request, pk)
    all_versions = list(selectors.versions_of(proposal))
    rows = [
        (version, word_diff(previous.text, version.text) if previous else None)
        for previous, version in zip([None, *all_versions[:-1]], all_versions, strict=True)
    ]
    return render(request, "decisions/versions.html", {"proposal": proposal, "rows": list(reversed(rows))})


@tenant_access(MEMBER)
@require_POST
def transition(request, pk):
    """Move a proposal along: open discussion, open voting, close voting now, or withdraw."""
    proposal = _proposal(request, pk)
    if not rules.can_advance(request.membership, proposal):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "discuss":
            services.discussion_open(proposal=proposal, actor=request.user)
            messages.success(request, _("Discussion is open: members can now comment."))
        elif action == "open":
            form = OpenVotingForm(request.POST)
            if not form.is_valid():
                raise services.ProposalError(_("Set when voting closes."))
            services.voting_open(proposal=proposal, actor=request.user, deadline=form.cleaned_data["deadline"])
            messages.success(request, _("Voting is open. The voter roll is fixed from now on."))
        elif action == "close":
            if not services.voting_close(proposal=proposal, actor=request.user):
                raise services.ProposalError(_("Voting is not open on this proposal."))
            messages.success(request, _("Voting is closed and the result is recorded."))
        elif action == "withdraw":
            services.proposal_withdraw(proposal=proposal, actor=request.user)
            messages.success(request, _("The proposal is withdrawn."))
        else:
            raise services.ProposalError(_("Choose what to do with the proposal."))
    except services.ProposalError as error:
        messages.error(request, str(error))
        return render(request, "decisions/detail.html", _detail_context(request, _proposal(request, pk)), status=400)
    return redirect(proposal.get_absolute_url())


@tenant_access(MEMBER)
@require_safe
def results(request, pk):
    proposal = _proposal(request, pk)
    visible = rules.can_see_results(request.membership, proposal)
    context = {
        "proposal": proposal,
        "visible": visible,
        "can_export": rules.can_export_results(request.membership, proposal),
    }
    if visible:
        result = selectors.result_for(proposal)
        options = {str(option.pk): option.label for option in selectors.options_of(proposal)}
        context.update(
            {
                "result": result,
                "totals": [(_total_label(key, options), total_text(value)) for key, value in result.totals.items()],
                "winners": [options.get(str(key), key) for key in result.winners],
                "rounds": [
                    {
                        **round_,
                        "counts": [(options.get(k, k), v) for k, v in round_["counts"].items()],
                        "eliminated": [options.get(str(k), k) for k in round_["eliminated"]],
                    }
                    for round_ in result.rounds
                ],
                "named_ballots": selectors.named_ballots(proposal) if proposal.is_closed else [],
                "receipts": selectors.secret_receipts(proposal) if proposal.secret and proposal.is_closed else [],
                "option_labels": options,
            }
        )
    return render(request, "decisions/results.html", context)


@tenant_access(ORGANIZER)
@require_safe
def results_csv(request, pk):
    proposal = _proposal(request, pk)
    if not rules.can_export_results(request.membership, proposal):
        raise PermissionDenied
    result = selectors.result_for(proposal)
    options = {str(option.pk): option.label for option in selectors.options_of(proposal)}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proposal-{proposal.pk}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["proposal", proposal.title])
    writer.writerow(["method", proposal.get_method_display()])
    writer.writerow(["outcome", proposal.get_outcome_display()])
    writer.writerow(["voter roll", result.roll_size])
    writer.writerow(["ballots", result.turnout])
    writer.writerow(["quorum met", "yes" if result.quorum_met else "no"])
    writer.writerow([])
    writer.writerow(["choice or option", "total"])
    for key, value in result.totals.items():
        writer.writerow([_csv_safe(_total_label(key, options)), total_text(value)])
    writer.writerow([])
    if proposal.secret:
        writer.writerow(["receipt", "ballot"])
        for ballot in selectors.secret_receipts(proposal):
            writer.writerow([ballot.receipt, _csv_safe(ballot_text(ballot.choice, options))])
    else:
        writer.writerow(["voter", "ballot"])
        for ballot in selectors.named_ballots(proposal):
            writer.writerow([_csv_safe(ballot.voter.display_name), _csv_safe(ballot_text(ballot.choice, options))])
    return response


def _total_label(key, options):
    """What a line of totals is about: an option's label, or an answer (yes, stand aside …) in words."""
    return options.get(str(key)) or str(CHOICE_LABELS.get(key, key))


def _csv_safe(value):
    """Keep spreadsheet programs from running a cell as a formula."""
    value = str(value)
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
