"""`{% log_links occurrence %}`: on a shift date that has started, a "Log this shift" link per log form
of the shift's role (one query; none before the shift starts or on a skipped date)."""

from django import template
from django.utils import timezone

from ..logs import forms_for_role

register = template.Library()


@register.inclusion_tag("evaluation/logs/includes/log_links.html")
def log_links(occurrence):
    if occurrence.cancelled_at is not None or occurrence.starts_at > timezone.now():
        return {"links": []}
    forms_found = forms_for_role(occurrence.institution, occurrence.shift.role_id)
    return {"links": forms_found, "occurrence": occurrence, "slug": occurrence.institution.slug}
