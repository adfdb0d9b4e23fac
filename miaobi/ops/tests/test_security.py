"""Production settings: `miaobi check --deploy` is clean, and every page carries the security headers."""
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import run_miaobi

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "MIAOBI_HTTPS": "1", "ALLOWED_HOSTS": "example.org"}
MIAOBI = Path(settings.BASE_DIR) / "miaobi"


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_miaobi("check", "--deploy", "--fail-level", "WARNING",
                        env={**PRODUCTION, "MIAOBI_DATA_DIR": str(tmp_path)})
    assert "System check identified no issues" in result.stdout


def test_check_deploy_without_https_names_what_is_missing(tmp_path):
    env = {**PRODUCTION, "MIAOBI_HTTPS": "0", "MIAOBI_DATA_DIR": str(tmp_path)}
    result = run_miaobi("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, make_article):
    article = make_article()
    for url in ["/", article.get_absolute_url(), "/search/?q=水利", "/order/new/", "/accounts/login/", "/healthz"]:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_behind_https_cookies_are_secure_and_hsts_is_sent(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert client.get("/").status_code == 301  # plain HTTP is sent to HTTPS
    assert client.get("/healthz").status_code == 200  # … but the load balancer's probe is not
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>|\son[a-z]+\s*=|javascript:|"
                    r"\sstyle\s*=|<style", re.IGNORECASE)


def test_no_template_has_inline_script_handler_or_style():
    """The CSP forbids them: they would silently stop working (JSON-LD data blocks are allowed)."""
    found = []
    for path in [*MIAOBI.glob("jinja2/**/*.html"), *MIAOBI.glob("*/templates/**/*.html")]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(MIAOBI)}:{n}: {line.strip()[:80]}")
    assert found == []
