"""Export jobs: asking for an export, building it (called by the Celery task), the download link that
is valid for EXPORT_LINK_HOURS, and forgetting old archives. The archive's format is in archive.py."""

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from institutions.models import Institution
from institutions.services import audit_record

from . import archive
from .models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_LINK_HOURS = 48  # how long a finished export can be downloaded; then it is deleted
STALE_RUNNING_HOURS = 6  # a job "running" this long lost its worker: it counts as failed
ACTIVE = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)


# Rules --------------------------------------------------------------------------------------------------


def can_export(membership):
    """Only organizers export the institution (and only they may download it)."""
    return membership is not None and membership.is_active and membership.is_organizer


def link_is_valid(job, now=None):
    now = now or timezone.now()
    return (
        job.status == ExportJob.Status.READY and bool(job.file) and job.expires_at is not None and job.expires_at > now
    )


# Selectors ----------------------------------------------------------------------------------------------


def jobs_of(institution, limit=5):
    """The latest export jobs, newest first, with who asked."""
    return list(ExportJob.objects.filter(institution=institution).select_related("requested_by")[:limit])


def get_download_or_404(institution, pk, token):
    """The job whose archive may be downloaded with this token now; 404 for a wrong token, an expired
    link, or a job that is not ready (one answer for all)."""
    job = ExportJob.objects.filter(institution=institution, pk=pk).first()
    if job is None or not secrets.compare_digest(job.token.encode(), str(token).encode()) or not link_is_valid(job):
        raise Http404
    job.institution = institution  # the lookup above made sure; saves reading it again
    return job


# Services -----------------------------------------------------------------------------------------------


@transaction.atomic
def export_request(*, institution, actor) -> ExportJob:
    """Queue an export of everything the institution holds. While one is queued or running, asking again
    gives that one instead of a second."""
    from .tasks_export import build_export

    # The institution's row is the lock: two presses at once still make one job.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    running = ExportJob.objects.filter(institution=institution, status__in=ACTIVE).first()
    if running is not None:
        return running
    job = ExportJob.objects.create(institution=institution, requested_by=actor)
    audit_record(institution=institution, actor=actor, action="export.requested", job=job.pk)
    build_export.enqueue(institution=institution, job_id=job.pk)
    return job


def export_downloaded(*, job, actor) -> None:
    """Note in the audit log who took a copy of everything, and when."""
    audit_record(institution=job.institution, actor=actor, action="export.downloaded", job=job.pk)


def _progress(job_pk, percent, step):
    ExportJob.objects.filter(pk=job_pk).update(progress=min(percent, 100), step=step[:200])


def export_build(*, job_id, institution):
    """Write the archive of a queued job (called by the task). A job that is already running, ready or
    failed is left alone, so a duplicate delivery of the task does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, institution=institution, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=0, step="starting"
    )
    if not claimed:
        return None
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"exports/{institution.pk}/{institution.slug}-{stamp}-{secrets.token_urlsafe(9)}.zip"
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        archive.write_archive(institution, path, on_step=lambda percent, step: _progress(job_id, percent, step))
    except Exception as error:  # the page says it failed; the log has the details
        logger.exception("export %s of %s failed", job_id, institution.slug)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return None
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.READY,
        progress=100,
        step="done",
        file=name,
        size=path.stat().st_size,
        finished_at=now,
        expires_at=now + timedelta(hours=EXPORT_LINK_HOURS),
    )
    return ExportJob.objects.get(pk=job_id)


def exports_forget(*, now=None):
    """Delete the archives whose link has expired (the job stays, without its file), and mark jobs that
    lost their worker as failed. Returns how many archives were deleted."""
    now = now or timezone.now()
    with scopes_disabled():  # a sweep across institutions
        ExportJob.objects.filter(status__in=ACTIVE, requested_at__lt=now - timedelta(hours=STALE_RUNNING_HOURS)).update(
            status=ExportJob.Status.FAILED, error=_("The export stopped before it finished.")
        )
        expired = ExportJob.objects.filter(expires_at__lte=now).exclude(file="")
        deleted = 0
        for job in expired.iterator():
            default_storage.delete(job.file.name)
            ExportJob.objects.filter(pk=job.pk).update(file="")
            deleted += 1
    return deleted
