"""Writes for needs."""

from django.db import transaction
from django.utils import timezone

from institutions.services import audit_record

from .models import Need


@transaction.atomic
def need_create(*, institution, author, title, description="", evidence="", people_count=0) -> Need:
    need = Need(
        institution=institution,
        created_by=author,
        title=title.strip(),
        description=description.strip(),
        evidence=evidence.strip(),
        people_count=people_count,
    )
    need.full_clean(exclude=["created_by"])
    need.save()
    audit_record(institution=institution, actor=author, action="need.created", title=need.title)
    return need


@transaction.atomic
def need_update(*, need, actor, **fields) -> Need:
    old_status = need.status
    for name, value in fields.items():
        setattr(need, name, value.strip() if isinstance(value, str) else value)
    need.full_clean(exclude=["created_by"])
    need.save()
    if need.status != old_status:
        audit_record(
            institution=need.institution,
            actor=actor,
            action="need.status_changed",
            title=need.title,
            status=need.status,
        )
    return need


@transaction.atomic
def focus_chosen(*, proposal, concerned) -> Need:
    """A proposal to make this need the institution's focus has passed (registered with decisions)."""
    need = Need.objects.with_scope(institution=proposal.institution).select_for_update().get(pk=concerned.pk)
    if need.status != Need.Status.FOCUS:
        need.status = Need.Status.FOCUS
        need.focus_chosen_at = timezone.now()
        need.save(update_fields=["status", "focus_chosen_at"])
        audit_record(institution=need.institution, actor=None, action="need.focus_chosen", title=need.title)
    return need


def focus_proposal_start(*, need, author):
    """Draft a proposal (majority vote) to make this need the focus; members discuss and vote on it."""
    from django.utils.translation import gettext as _

    from decisions.services import proposal_create

    return proposal_create(
        institution=need.institution,
        author=author,
        method="majority",
        concerns=need,
        title=_("Make “%(need)s” our focus") % {"need": need.title},
        text=_(
            "Proposal: the institution chooses this need as its focus and puts its work into meeting it.\n\n%(desc)s"
        )
        % {"desc": need.description or need.title},
    )
