"""Deleting an institution: asked for by an organizer who types its name, carried out after the grace
period by a daily job (unless cancelled), taking every row and stored file with it and nothing else."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from evaluation.demo import seed_evaluation
from institutions import services
from institutions.management.commands.seed_demo import seed_logistics
from institutions.models import AuditEntry, Institution
from institutions.tasks import purge_deleted_institutions
from tests.factories import MembershipFactory


def rows_of(institution):
    """How many rows of each model point at the institution."""
    counts = {}
    with scopes_disabled():
        for model in apps.get_models():
            if any(field.name == "institution" for field in model._meta.fields):
                total = model._base_manager.filter(institution=institution).count()
                if total:
                    counts[model._meta.label] = total
    return counts


def test_deletion_needs_the_exact_name_and_can_be_cancelled(institution, organizer):
    with scope(institution=institution):
        with pytest.raises(ValidationError, match="exactly"):
            services.deletion_request(institution=institution, actor=organizer, confirm_name="eastside")
        services.deletion_request(institution=institution, actor=organizer, confirm_name=institution.name)
        assert institution.deletion_due_at - institution.deletion_requested_at == services.DELETION_GRACE
        services.deletion_cancel(institution=institution, actor=organizer)
        assert institution.deletion_due_at is None
        assert list(AuditEntry.objects.values_list("action", flat=True)[:2]) == [
            "institution.deletion_cancelled",
            "institution.deletion_requested",
        ]


def test_the_daily_job_purges_only_institutions_past_their_grace_period(
    institution,
    other_institution,
    organizer,
    member,
    other_member,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    third = MembershipFactory(institution=institution).user
    with scope(institution=institution):
        seed_logistics(institution, [organizer, member, third])
        seed_evaluation(institution, [organizer, member, third])
        services.deletion_request(institution=institution, actor=organizer, confirm_name=institution.name)
    other_rows = rows_of(other_institution)
    assert purge_deleted_institutions() == 0  # still in its grace period
    Institution.objects.filter(pk=institution.pk).update(deletion_due_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_deleted_institutions() == 1
    assert not Institution.objects.filter(pk=institution.pk).exists()
    assert rows_of(institution) == {}
    assert rows_of(other_institution) == other_rows
    assert (
        not any(path.is_file() for path in (tmp_path / "media").rglob("*")) if (tmp_path / "media").exists() else True
    )


def test_organizers_schedule_and_cancel_from_the_settings(organizer_client, member_client, institution):
    page = reverse("institutions:delete", kwargs={"institution_slug": institution.slug})
    assert member_client.get(page).status_code == 403
    assert organizer_client.post(page, {"confirm_name": "nope"}).status_code == 400
    assert organizer_client.post(page, {"confirm_name": institution.name}).status_code == 302
    home = organizer_client.get(institution.get_absolute_url()).content.decode()
    assert "will be deleted" in home
    assert organizer_client.post(page, {"cancel": "1"}).status_code == 302
    assert "will be deleted" not in organizer_client.get(institution.get_absolute_url()).content.decode()


def test_a_member_downloads_their_own_data_and_nobody_elses(member_client, institution, member, organizer):
    import json

    from logistics import services as logistics

    with scope(institution=institution):
        logistics.task_create(institution=institution, author=organizer, title="Mine to do", owner=member)
        logistics.task_create(institution=institution, author=organizer, title="Olga's own")
    response = member_client.get(reverse("institutions:my_data", kwargs={"institution_slug": institution.slug}))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["person"]["email"] == member.email
    assert [row["title"] for row in data["records"]["logistics.Task"]] == ["Mine to do"]
    assert [row["user_id"] for row in data["records"]["institutions.Membership"]] == [member.pk]


def test_members_reach_their_own_data_from_the_members_page(member_client, institution):
    page = member_client.get(reverse("institutions:members", kwargs={"institution_slug": institution.slug}))
    assert reverse("institutions:my_data", kwargs={"institution_slug": institution.slug}) in page.content.decode()
