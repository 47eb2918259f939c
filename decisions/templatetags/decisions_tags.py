from django import template

from decisions.ballots import ballot_text as _ballot_text

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dicts and QueryDicts (a missing key gives an empty string)."""
    if mapping is None:
        return ""
    try:
        return mapping.get(str(key), mapping.get(key, "")) if hasattr(mapping, "get") else ""
    except TypeError:
        return ""


@register.filter
def editable_now(comment, user):
    return comment.editable_by(user)


@register.filter
def ballot_text(choice, option_labels):
    return _ballot_text(choice, option_labels)
