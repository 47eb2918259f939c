"""Who may do what with a task: used by views, templates and tests alike."""


def can_edit_task(membership, task):
    """The person who wrote the task, the person doing it, and organizers may change it."""
    if membership is None or not membership.is_active:
        return False
    return membership.is_organizer or membership.user_id in (task.created_by_id, task.owner_id)


def can_claim_task(membership, task):
    return membership is not None and membership.is_active and task.owner_id is None and task.is_active


def can_release_task(membership, task):
    return membership is not None and task.owner_id == membership.user_id and task.is_active
