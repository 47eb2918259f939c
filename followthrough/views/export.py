"""The export page (organizers): ask for an export of everything, watch it run, download it while
the link is valid."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from institutions.tenancy import ORGANIZER, tenant_access

from .. import export
from ..models import ExportJob

REFRESH_SECONDS = 10


@tenant_access(ORGANIZER)
@require_safe
def page(request):
    jobs = export.jobs_of(request.institution)
    running = any(job.status in export.ACTIVE for job in jobs)
    rows = [
        {
            "job": job,
            "download_url": reverse(
                "followthrough:export_download",
                kwargs={"institution_slug": request.institution.slug, "pk": job.pk, "token": job.token},
            )
            if export.link_is_valid(job)
            else "",
            "expired": job.status == ExportJob.Status.READY and not export.link_is_valid(job),
        }
        for job in jobs
    ]
    return render(
        request,
        "followthrough/export/page.html",
        {
            "rows": rows,
            "running": running,
            # The page reloads itself only when the reader asks for it (?watch=1): an automatic reload they
            # did not choose is a time limit under WCAG 2.2.1 (axe's meta-refresh rule).
            "refresh": REFRESH_SECONDS if running and request.GET.get("watch") else None,
            "reload_seconds": REFRESH_SECONDS,
            "link_hours": export.EXPORT_LINK_HOURS,
        },
    )


@tenant_access(ORGANIZER)
@require_POST
def start(request):
    job = export.export_request(institution=request.institution, actor=request.user)
    if job.status == ExportJob.Status.READY:
        messages.success(request, _("The export is ready."))
    else:
        messages.success(request, _("The export has started. This page shows how far it is."))
    return redirect("followthrough:export", institution_slug=request.institution.slug)


@tenant_access(ORGANIZER)
@require_safe
def download(request, pk, token):
    job = export.get_download_or_404(request.institution, pk, token)
    export.export_downloaded(job=job, actor=request.user)
    filename = f"{request.institution.slug}-export-{job.finished_at:%Y-%m-%d}.zip"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type="application/zip")
