"""The benchmarks' reference views (bench/web.py): the same short answer whoever asks."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["bench_bare", "bench_bare_session"])
def test_bench_reference_views_say_the_same_to_everyone(name, client, member_client, organizer_client):
    url = reverse(name)
    bodies = {c.get(url).content for c in (client, member_client, organizer_client)}
    assert bodies == {b"ok"}


@pytest.mark.parametrize("name", ["bench_bare", "bench_bare_session"])
def test_bench_reference_views_set_no_cookie_for_anonymous_callers(name, client, db):
    assert not client.get(reverse(name)).cookies


def test_bench_reference_views_only_answer_reads(client, db):
    assert client.post(reverse("bench_bare")).status_code == 405
    assert client.post(reverse("bench_bare_session")).status_code == 405
