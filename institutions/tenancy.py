"""The one place that turns `/i/<slug>/` into an institution and the caller's membership,
plus the matching pieces for views (access levels) and Celery tasks (tenant scope)."""

import functools

from celery import shared_task
from django.db import transaction
from django_scopes import scope

# Access levels a tenant view can declare; the middleware enforces them.
PUBLIC = "public"  # anyone, signed in or not
MEMBER = "member"  # active members; others get 404
ORGANIZER = "organizer"  # active organizers; other members get 403


def tenant_access(level):
    """Mark a view function (or class) with the access level the tenant middleware enforces."""
    if level not in {PUBLIC, MEMBER, ORGANIZER}:
        raise ValueError(level)

    def decorator(view):
        view.tenant_access = level
        return view

    return decorator


def access_level_of(view_func):
    level = getattr(view_func, "tenant_access", None)
    if level is None:
        level = getattr(getattr(view_func, "view_class", None), "tenant_access", MEMBER)
    return level


def tenant_task(**task_options):
    """A Celery task for one institution.

    The task body receives the reloaded institution and runs inside its scope. Queue it with
    `task.enqueue(institution=..., **kwargs)`, which sends only once the current transaction
    commits (so the worker never looks for rows that are not there yet). Arguments must be
    primary keys and plain values, never model instances.
    """

    def decorator(fn):
        @shared_task(name=f"{fn.__module__}.{fn.__name__}", **task_options)
        @functools.wraps(fn)
        def run(institution_id, **kwargs):
            from .models import Institution

            institution = Institution.objects.filter(pk=institution_id).first()
            if institution is None:
                return None  # deleted since it was queued: nothing to do
            with scope(institution=institution):
                return fn(institution, **kwargs)

        def enqueue(*, institution, **kwargs):
            transaction.on_commit(lambda: run.delay(institution.pk, **kwargs))

        run.enqueue = enqueue
        return run

    return decorator
