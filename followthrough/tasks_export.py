"""The export's Celery tasks: building one institution's archive, and the daily sweep of old ones."""

from celery import shared_task

from institutions.tenancy import tenant_task

from . import export


@tenant_task()
def build_export(institution, job_id):
    """Build the archive of one queued export job (a duplicate delivery does nothing)."""
    job = export.export_build(job_id=job_id, institution=institution)
    return job.pk if job else None


@shared_task
def forget_old_exports():
    """Daily: delete archives whose download link has expired."""
    return export.exports_forget()
