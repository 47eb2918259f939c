"""Demo data for step 2: an open consultation round with answers from members and the community."""

import random
from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from needs.models import Need

from . import services
from .models import ConsultationRound

DEMO_TITLE = "Which need should we take on first?"
COMMUNITY_ANSWERS = 40


def seed_round(institution, members):
    """An open round over the institution's candidate needs, answered by ~40 neighbors (in English and
    Spanish) and a few members. Safe to run again: a round that is already there is left as it is."""
    with scope(institution=institution):
        existing = ConsultationRound.objects.filter(institution=institution, title=DEMO_TITLE).first()
        if existing is not None:
            return existing
        needs = list(Need.objects.filter(institution=institution, status=Need.Status.CANDIDATE).order_by("pk"))
        if len(needs) < services.MIN_NEEDS:
            return None
        organizer = members[0]
        consultation_round = services.round_create(
            institution=institution,
            author=organizer,
            title=DEMO_TITLE,
            intro=(
                "We have heard about several needs while asking around. Tell us how urgent each one feels "
                "to you and which one we should work on first."
            ),
            needs=needs,
        )
        started = timezone.now() - timedelta(days=6)
        consultation_round = services.round_open(
            consultation_round=consultation_round, actor=organizer, now=started - timedelta(hours=1)
        )
        # Fixed seed: the demo looks the same every time. The first need tends to come out on top.
        rng = random.Random(institution.slug)
        for number in range(COMMUNITY_ANSWERS):
            services.round_answer(
                consultation_round=consultation_round,
                ratings=_ratings(rng, needs),
                language="es" if number % 3 else "en",
                now=started + timedelta(hours=3 * number),
            )
        for member in members[:3]:
            services.round_answer(consultation_round=consultation_round, ratings=_ratings(rng, needs), member=member)
        return consultation_round


def _ratings(rng, needs):
    weights = [len(needs) - index + rng.random() * 2 for index in range(len(needs))]
    order = sorted(range(len(needs)), key=lambda index: -weights[index])
    return {
        needs[index].pk: {"urgency": min(5, max(1, round(weights[index]) + rng.choice((-1, 0, 1)))), "rank": place}
        for place, index in enumerate(order, start=1)
    }
