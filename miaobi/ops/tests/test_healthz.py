"""The load balancer asks /healthz whether this process can serve."""
import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_healthy_site_answers_200_and_is_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "version": response.json()["version"]}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


def test_a_broken_database_is_503_and_named(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error" and response.json()["cache"] == "ok"
    assert "10.0.0.5" not in response.content.decode()  # the reason goes to the log, not to the world
    assert "database failed: OperationalError" in caplog.text


def test_a_cache_that_loses_writes_is_503(client, monkeypatch):
    from django.core.cache import caches

    monkeypatch.setattr(type(caches["default"]), "get", lambda self, key, default=None, version=None: default)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error" and response.json()["database"] == "ok"


def test_healthz_takes_only_safe_methods(client):
    assert client.post("/healthz").status_code == 405


def test_favicon_ico_points_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]
