"""dualpower/cache.py: Django's Redis cache with one redis-py client per pool, on a private Redis."""

import threading

from dualpower.cache import SharedClientRedisCache
from tests.test_worker_faults import own_redis  # noqa: F401  (the fixture: a redis-server of this test's own)


def test_one_client_serves_every_call_and_the_cache_works(own_redis):  # noqa: F811
    cache = SharedClientRedisCache(own_redis.url, {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    assert cache.add("visits", 1, 60) and not cache.add("visits", 5, 60)
    assert cache.incr("visits") == 2
    cache.set_many({"a": {"nested": [1, 2]}, "b": "two"}, 60)
    assert cache.get_many(["a", "b", "missing"]) == {"a": {"nested": [1, 2]}, "b": "two"}
    cache.delete("a")
    assert cache.get("a") is None and cache._cache.get_client() is client


def test_threads_sharing_the_client_lose_no_increment(own_redis):  # noqa: F811
    cache = SharedClientRedisCache(own_redis.url, {})
    cache.set("count", 0, 60)

    def count():
        for _ in range(200):
            cache.incr("count")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("count") == 1600


def test_a_window_count_takes_one_round_trip_and_always_expires(own_redis):  # noqa: F811
    cache = SharedClientRedisCache(own_redis.url, {})
    assert [cache.count_in_window("window", 30) for _ in range(3)] == [1, 2, 3]
    client = cache._cache.get_client()
    key = cache.make_and_validate_key("window")
    ttl = client.ttl(key)
    assert 0 < ttl <= 30
    cache.count_in_window("window", 500)  # a later call never stretches the window
    assert client.ttl(key) <= ttl
    assert cache.get("window") == 4


def test_any_key_redis_can_hold_is_used_without_a_warning(own_redis, recwarn):  # noqa: F811
    cache = SharedClientRedisCache(own_redis.url, {})
    key = "public-page:es::/i/casa del pueblo/?lang=es " + "x" * 300  # spaces and over memcached's 250
    cache.set(key, "kept", 60)
    assert cache.get(key) == "kept"
    assert [str(w.message) for w in recwarn] == []
