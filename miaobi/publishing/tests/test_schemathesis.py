"""Property-based API run against the OpenAPI schema: no 5xx, every response matches the schema.

Bounded (max_examples per operation) so the run stays well under a minute. Calls go through the
WSGI application in-process, inside the test's database transaction, as a member with a token.
"""
import pytest
import schemathesis
from schemathesis import checks
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from miaobi.accounts.entitlements import grant_plan
from miaobi.accounts.models import Plan, User
from miaobi.orders.services import create_order
from miaobi.publishing.tokens import create_token

MAX_EXAMPLES = 20


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request (it sees the test's open
    transaction as unusable); the test client avoids that, and so must this in-process WSGI run."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, make_article, settings, keep_test_connection):
    settings.MIAOBI_API_RATE = "off"
    settings.MIAOBI_API_IP_RATE = "off"
    make_article()
    make_article(genre="xinde")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def member_token(db, catalogue):
    user = User.objects.create_user("schemamember", password="x")
    grant_plan(user, Plan.objects.get(code="month"), source="test")
    create_order(customer=user, topic="接口测试订单", length_chars=2000, contact_mobile="13900004444",
                 deadline=timezone.now() + timezone.timedelta(days=2))
    return create_token(user, "schemathesis")[1]


def test_api_conforms_to_its_schema(api_schema, member_token):
    """Every operation: MAX_EXAMPLES generated requests, each checked (status, content type, body schema)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            # Writes apply business rules no schema can state (a deadline at least an hour ahead, one
            # contact, screened words): a schema-valid brief may rightly be refused there.
            excluded = [checks.positive_data_acceptance] if operation.method.upper() == "POST" else []
            case.call_and_validate(headers={"Authorization": f"Bearer {member_token}"}, excluded_checks=excluded)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - report every failing operation at once
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
