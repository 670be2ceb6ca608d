"""Token authentication in one query: what it lets in and what it refuses."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.tensions.factories import make_event
from tests.tensions.sql import statement_text

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(
    "path",
    [EVENTS, "/api/v1/actors/"],  # read with the page's statement; on its own
)
def test_a_token_signs_its_user_in_with_one_query(analyst, path):
    make_event()
    token = Token.objects.create(user=analyst)
    client = _client(token.key)

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)

    assert answer.status_code == 200
    texts = [statement_text(q["sql"]) for q in queries]
    token_queries = [text for text in texts if "authtoken_token" in text]
    assert len(token_queries) == 1
    assert "auth_user" in token_queries[0]


def test_the_signed_in_user_is_the_tokens_with_its_role(analyst):
    event = make_event()
    token = Token.objects.create(user=analyst)

    answer = _client(token.key).patch(
        f"{EVENTS}{event.pk}/",
        {"version": event.version, "review_state": "confirmed"},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["history"][0]["user"] == analyst.username


def test_a_revoked_token_stops_working_at_once(viewer):
    token = Token.objects.create(user=viewer)
    client = _client(token.key)
    assert client.get(EVENTS).status_code == 200

    token.delete()

    answer = client.get(EVENTS)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."


def test_an_inactive_users_token_is_refused(viewer):
    token = Token.objects.create(user=viewer)
    viewer.is_active = False
    viewer.save()

    answer = _client(token.key).get(EVENTS)

    assert answer.status_code == 401
    assert answer.json()["detail"] == "User inactive or deleted."


@pytest.mark.parametrize("path", [EVENTS, "/api/v1/actors/"])
def test_an_unknown_key_is_refused_while_other_keys_exist(viewer, path):
    Token.objects.create(user=viewer)  # a key that is not the one sent

    answer = _client("0" * 40).get(path)

    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid token."
    assert "Token" in answer["WWW-Authenticate"]
