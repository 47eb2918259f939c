"""`{% low_supplies_for institution as low_items %}`: the logistics home lists low supplies without its
view having to know about them (one query, however many items)."""

from django import template

from .. import supplies

register = template.Library()

HOME_LIMIT = 10


@register.simple_tag
def low_supplies_for(institution):
    return list(supplies.low_supplies(institution, limit=HOME_LIMIT))
