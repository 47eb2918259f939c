"""`{% step_progress institution as progress %}`: where the institution stands in the seven steps."""

from django import template

from .. import steps

register = template.Library()


@register.simple_tag
def step_progress(institution):
    return steps.step_progress(institution)
