"""Reads for needs."""

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404

from .models import Need


def needs_of(institution, status=None):
    needs = Need.objects.filter(institution=institution)
    return needs.filter(status=status) if status else needs


def get_need_or_404(institution, pk):
    return get_object_or_404(Need.objects.select_related("created_by", "institution"), institution=institution, pk=pk)


def proposals_about(need):
    """Proposals that concern this need (e.g. to choose it as the focus), newest first."""
    from decisions.models import Proposal

    return Proposal.objects.filter(concerns_type=ContentType.objects.get_for_model(Need), concerns_id=need.pk).order_by(
        "-created_at"
    )[:20]
