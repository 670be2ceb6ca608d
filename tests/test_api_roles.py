"""Every API endpoint × every role: what each may do, and the JSON refusal when not."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "analyst", "admin")
RANK = {role: n for n, role in enumerate(ROLES)}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def rows():
    event = make_event()
    article = make_article("Venezuela asked Russia. Again asked.", publisher="AP")
    for sentence in ("Venezuela asked Russia.", "Again asked."):
        make_mention(event, article, sentence)
    return {
        "event": event.pk,
        "other": make_event("USA", "VEN", type="ASSAULT").pk,
        "mention": event.mentions.order_by("start").last().pk,
        "article": article.pk,
    }


# (method, url, body, the least role allowed, the status it gets)
ENDPOINTS = [
    ("get", "/api/v1/health/", None, "anonymous", 200),
    ("get", "/api/v1/articles/", None, "viewer", 200),
    ("get", "/api/v1/articles/{article}/", None, "viewer", 200),
    ("post", "/api/v1/articles/", {"text": "Chile thanked Peru."}, "analyst", 201),
    ("post", "/api/v1/articles/{article}/reprocess/", {}, "analyst", 202),
    ("get", "/api/v1/events/?pair=VEN,RUS", None, "viewer", 200),
    ("get", "/api/v1/events/{event}/", None, "viewer", 200),
    ("get", "/api/v1/events/export.csv", None, "viewer", 200),
    ("patch", "/api/v1/events/{event}/", {"version": 1, "review_state": "confirmed"},
     "analyst", 200),
    ("post", "/api/v1/events/{event}/merge/", {"version": 1, "other": "{other}"},
     "analyst", 200),
    ("post", "/api/v1/events/{event}/split/", {"version": 1, "mention": "{mention}"},
     "analyst", 201),
    ("get", "/api/v1/countries/", None, "viewer", 200),
    ("get", "/api/v1/countries/VEN/", None, "viewer", 200),
    ("get", "/api/v1/actors/", None, "viewer", 200),
    ("get", "/api/v1/relations/?country=VEN", None, "viewer", 200),
    ("get", "/api/v1/timeline/?pair=VEN,RUS", None, "viewer", 200),
    ("get", "/api/v1/search/?q=asked", None, "viewer", 200),
]  # fmt: skip


def _client(role: str, request) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        token = Token.objects.create(user=request.getfixturevalue(role))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _filled(value, rows: dict):
    if isinstance(value, dict):
        return {k: _filled(v, rows) for k, v in value.items()}
    return value.format(**rows) if isinstance(value, str) else value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "body", "least", "allowed"),
    ENDPOINTS,
    ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS],
)
def test_each_role_on_each_endpoint(
    request, rows, role, method, url, body, least, allowed
):
    client = _client(role, request)
    url, body = _filled(url, rows), _filled(body, rows)

    response = getattr(client, method)(url, body, format="json")

    if RANK[role] >= RANK[least]:
        assert response.status_code == allowed, response.content[:300]
    else:
        refused = 401 if role == "anonymous" else 403
        assert response.status_code == refused
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]
