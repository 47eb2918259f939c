"""Settings that depend on the environment the suite runs in."""

from dualpower.settings import _redis_url_for_test_worker


def test_each_parallel_test_worker_gets_a_redis_database_of_its_own():
    given = "redis://127.0.0.1:6379/7"
    urls = [_redis_url_for_test_worker(given, f"gw{n}") for n in range(3)]
    assert urls == ["redis://127.0.0.1:6379/8", "redis://127.0.0.1:6379/9", "redis://127.0.0.1:6379/10"]
    assert _redis_url_for_test_worker("redis://:secret@redis:6379", "gw0") == "redis://:secret@redis:6379/1"


def test_a_worker_process_uses_the_database_it_was_given_once(settings):
    """Inside an xdist worker REDIS_URL has moved on exactly once: the process's environment holds the
    same URL, so a subprocess started by a test (a Celery worker) reuses it instead of moving again."""
    import os

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and settings.REDIS_URL:
        assert os.environ["REDIS_URL"] == os.environ["DUALPOWER_WORKER_REDIS"] == settings.REDIS_URL
    else:
        assert "DUALPOWER_WORKER_REDIS" not in os.environ
