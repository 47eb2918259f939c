"""Who may do what in an institution. Views, templates and tests all ask these."""

from .models import Membership


def is_member(membership):
    return membership is not None and membership.is_active


def is_organizer(membership):
    return is_member(membership) and membership.role == Membership.Role.ORGANIZER


def can_manage_members(membership):
    return is_organizer(membership)


def can_request_to_join(user, membership):
    return user.is_authenticated and not is_member(membership)
