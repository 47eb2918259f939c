"""Who may do what with research notes. Views, templates and tests all ask these."""

from institutions.rules import is_member, is_organizer


def can_mark_key_reading(membership):
    return is_organizer(membership)


def can_remove_attachment(membership, attachment):
    """Organizers, whoever uploaded the file, and the note's author."""
    if not is_member(membership):
        return False
    user_id = membership.user_id
    return is_organizer(membership) or user_id in {attachment.uploaded_by_id, attachment.note.author_id}
