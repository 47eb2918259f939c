"""`{% ledger_waiting as waiting %}`: the expenses waiting for a second organizer, for the
logistics home page (one query, for organizers only; members get an empty list without a query)."""

from django import template

from ..money import can_keep_ledger, currency_of, waiting_for_approval

register = template.Library()

HOME_LIMIT = 5


@register.simple_tag(takes_context=True)
def ledger_waiting(context):
    """{"entries": up to HOME_LIMIT waiting expenses, "more": whether there are others, "currency": …}."""
    institution, membership = context.get("institution"), context.get("membership")
    if institution is None or not can_keep_ledger(membership):
        return {"entries": [], "more": False, "currency": ""}
    entries = list(waiting_for_approval(institution, limit=HOME_LIMIT + 1))
    return {
        "entries": entries[:HOME_LIMIT],
        "more": len(entries) > HOME_LIMIT,
        "currency": currency_of(entries[0]) if entries else "",
    }
