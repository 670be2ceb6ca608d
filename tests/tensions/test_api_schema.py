"""The OpenAPI schema: complete, warning-free, served without a CDN, and true to the
API (schemathesis drives every operation through the WSGI app, no server)."""

import datetime as dt
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tensions.relations import relations_rebuild
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15

MAIN_OPERATIONS = [
    ("/api/v1/events/", "get"),
    ("/api/v1/events/{id}/", "patch"),
    ("/api/v1/events/{id}/merge/", "post"),
    ("/api/v1/articles/", "post"),
    ("/api/v1/relations/", "get"),
    ("/api/v1/timeline/", "get"),
    ("/api/v1/search/", "get"),
]


@pytest.fixture
def schema_json(viewer_api):
    return viewer_api.get("/api/schema/?format=json").json()


def test_the_schema_builds_without_a_warning(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_every_parameter_of_every_operation_is_described(schema_json):
    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, operations in schema_json["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]

    assert undescribed == []


@pytest.mark.parametrize(("path", "method"), MAIN_OPERATIONS)
def test_the_main_operations_have_examples(schema_json, path, method):
    operation = schema_json["paths"][path][method]
    bodies = [
        media
        for part in (operation.get("requestBody", {}), *operation["responses"].values())
        for media in part.get("content", {}).values()
    ]

    assert any(media.get("examples") for media in bodies)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_their_scripts_from_the_sidecar_not_a_cdn(viewer_client, page):
    html = viewer_client.get(page).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assets += re.findall(r'"([^"\s]+\.js)"', html)

    assert assets
    assert not re.search(r"cdn\.|jsdelivr|unpkg|cdnjs", html)
    # nothing from another site at all, fonts included
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    for url in assets:
        assert url.startswith("/static/drf_spectacular_sidecar/"), url
        assert finders.find(url.removeprefix("/static/")), url


# Every operation against the schema --------------------------------------------------


@pytest.fixture
def _test_connection_kept():
    """WSGI calls end with close_old_connections, which on PostgreSQL would close
    the test's own connection (and its transaction); Django's test client
    disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_schema(_test_connection_kept):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application()
    )


@pytest.fixture
def analyst_headers(analyst, fresh_throttles):
    event = make_event("USA", "VEN", type="ASSAULT", date=dt.date(2025, 10, 3))
    article = make_article("The United States struck. A second report.")
    make_mention(event, article, "The United States struck.")
    make_mention(event, article, "A second report.")
    make_event("RUS", "UKR", type="THREATEN", date=dt.date(2025, 9, 9))
    relations_rebuild()
    return {"Authorization": f"Token {Token.objects.create(user=analyst).key}"}


def _exercise(operation, headers: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        cache.clear()  # many calls: stay under the rate limits
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )

    run()


def test_no_operation_fails_or_strays_from_the_schema(wsgi_schema, analyst_headers):
    failures, tried = [], 0
    for result in wsgi_schema.get_all_operations():
        operation = result.ok()
        tried += 1
        try:
            _exercise(operation, analyst_headers)
        except (Exception, BaseExceptionGroup) as error:  # every one, listed
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")

    assert tried >= 15
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_browsers_are_told_to_load_nothing_from_another_site(viewer_client, page):
    policy = viewer_client.get(page)["Content-Security-Policy"]
    rules = dict(rule.split(" ", 1) for rule in policy.split("; "))
    assert rules["default-src"] == "'self'"
    assert all(
        "http" not in sources and "*" not in sources for sources in rules.values()
    )
