"""Redis down: the site keeps serving from the database, sessions survive, rate limits fall back."""
import logging
import os
import signal
import subprocess
import sys

import pytest

from miaobi.library import fragments
from miaobi.scale import cache as resilient
from miaobi.search import ratelimit

from .servers import ROOT, PrivateRedis, free_port

NOBODY = f"redis://127.0.0.1:{free_port()}/0"  # a port where nothing listens
PASSWORD = "Qingshan-2026"


@pytest.fixture
def use_redis(settings):
    """Point the default cache at a Redis URL as REDIS_URL would (sessions become cached_db)."""
    def point(url: str) -> None:
        redis = {
            "BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
            "OPTIONS": {"CLIENT_CLASS": "miaobi.scale.cache.ResilientClient", "IGNORE_EXCEPTIONS": True,
                        "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
        settings.CACHES = {"default": redis, "shared": redis, "fragments": settings.CACHES["fragments"]}
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        fragments.forget_local_memo()

    resilient.breaker.down_since = None
    ratelimit._local_counters.clear()
    yield point
    resilient.breaker.down_since = None
    fragments.forget_local_memo()


def outage_logs(caplog, text: str) -> list:
    return [r for r in caplog.records if r.name == "miaobi.cache" and text in r.getMessage()]


def test_redis_url_turns_on_the_resilient_cache_and_cached_sessions():
    code = ("from django.conf import settings as s; c = s.CACHES['default']; "
            "print(c['BACKEND'], c['OPTIONS']['CLIENT_CLASS'], c['OPTIONS']['IGNORE_EXCEPTIONS'], s.SESSION_ENGINE)")
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/5", "DJANGO_SETTINGS_MODULE": "miaobi.settings"}
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["django_redis.cache.RedisCache", "miaobi.scale.cache.ResilientClient", "True",
                   "django.contrib.sessions.backends.cached_db"]


def test_pages_login_and_search_work_with_nothing_listening(client, make_article, use_redis, django_user_model,
                                                            caplog):
    article = make_article(title="在全县防汛工作会议上的讲话")
    django_user_model.objects.create_user(username="13900000001", mobile="13900000001", password=PASSWORD)
    use_redis(NOBODY)
    caplog.set_level(logging.INFO)

    assert client.get("/").status_code == 200
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200 and "防汛工作会议" in page.content.decode()
    assert client.get("/search/", {"q": "水利"}).status_code == 200
    response = client.post("/accounts/login/", {"identifier": "13900000001", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200  # the session came back from the database
    assert resilient.cache_unavailable()
    assert len(outage_logs(caplog, "Redis unreachable")) == 1  # once, not once per request


def test_rate_limits_still_apply_with_redis_down(client, catalogue, use_redis, settings):
    use_redis(NOBODY)
    settings.MIAOBI_SEARCH_RATE = "3/h"  # no window ends mid-test
    ip = {"REMOTE_ADDR": "10.20.0.1"}
    assert [client.get("/search/", {"q": "水利"}, **ip).status_code for _ in range(4)] == [200, 200, 200, 429]
    settings.MIAOBI_API_IP_RATE = "2/h"
    statuses = [client.get("/api/v1/articles", **ip).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert int(client.get("/api/v1/articles", **ip)["Retry-After"]) >= 1


def test_login_throttling_does_not_depend_on_the_cache(client, catalogue, use_redis, django_user_model):
    django_user_model.objects.create_user(username="13900000002", mobile="13900000002", password=PASSWORD)
    use_redis(NOBODY)
    for _ in range(3):
        client.post("/accounts/login/", {"identifier": "13900000002", "password": "wrong"})
    response = client.post("/accounts/login/", {"identifier": "13900000002", "password": PASSWORD})
    assert response.status_code == 429 and "再试" in response.content.decode()


@pytest.mark.skipif(not __import__("shutil").which("redis-server"), reason="redis-server not installed")
def test_a_hung_redis_then_recovered(client, make_article, use_redis, settings, caplog):
    """A private Redis, frozen (SIGSTOP: calls time out) and thawed with its data intact.

    Only the first call of the outage waits for the socket timeout; the breaker turns the rest into
    instant misses.
    """
    redis = PrivateRedis()
    try:
        use_redis(redis.url)
        caplog.set_level(logging.INFO)
        article = make_article()
        settings.MIAOBI_SEARCH_RATE = "3/h"  # no window ends mid-test
        ip = {"REMOTE_ADDR": "10.20.0.2"}
        assert client.get("/search/", {"q": "水利"}, **ip).status_code == 200
        import redis as redis_py

        keys = redis_py.Redis.from_url(redis.url).keys("*ratelimit:search*")
        assert keys, "with Redis the counter lives in Redis, shared by every worker"
        before = fragments.generation()

        redis.process.send_signal(signal.SIGSTOP)
        assert client.get(article.get_absolute_url()).status_code == 200
        fragments.library_changed()  # an editor publishes while Redis hangs
        assert [client.get("/search/", {"q": "水利"}, **ip).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert len(outage_logs(caplog, "Redis unreachable")) == 1

        redis.process.send_signal(signal.SIGCONT)
        resilient.breaker.retry_at = 0.0  # skip the rest of the breaker's pause
        fragments.forget_local_memo()
        after = fragments.generation()
        assert after != before, "the change made during the outage retires what was cached before it"
        from django.core.cache import caches

        assert caches["shared"].get(fragments.GENERATION_KEY) == after
        assert len(outage_logs(caplog, "reachable again")) == 1
        assert not resilient.cache_unavailable()
    finally:
        redis.process.send_signal(signal.SIGCONT)
        redis.stop()


def test_local_memory_cache_is_never_unavailable(catalogue):
    assert not resilient.cache_unavailable()
    assert ratelimit.count_hit("scale-test:key", 60) == 1
    assert ratelimit.count_hit("scale-test:key", 60) == 2
