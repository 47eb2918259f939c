"""`{% unread_procedures as unread %}`: the procedures the viewer has not read, for the logistics home
(one query), so pages that are not about procedures need no change to their views."""

from django import template

from logistics.procedures import unread_for

register = template.Library()

# The home page names a few and links to the list for the rest.
HOME_LIMIT = 5


@register.simple_tag(takes_context=True)
def unread_procedures(context, limit=HOME_LIMIT):
    request = context.get("request")
    institution = getattr(request, "institution", None)
    if institution is None or not request.user.is_authenticated:
        return []
    return list(unread_for(institution, request.user)[: limit + 1])
