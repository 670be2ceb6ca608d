"""The profile page: one API token per user, shown once, replaced or revoked."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _reads_with(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/countries/").status_code


def test_the_profile_needs_a_login(client):
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_new_token_is_shown_once_and_works(viewer_client, viewer):
    created = viewer_client.post("/accounts/profile/", {"action": "create"})
    key = Token.objects.get(user=viewer).key

    assert key in created.content.decode()
    assert key not in viewer_client.get("/accounts/profile/").content.decode()
    assert _reads_with(key) == 200


def test_replacing_the_token_stops_the_old_one(viewer_client, viewer):
    viewer_client.post("/accounts/profile/", {"action": "create"})
    old = Token.objects.get(user=viewer).key

    viewer_client.post("/accounts/profile/", {"action": "create"})

    assert Token.objects.get(user=viewer).key != old
    assert _reads_with(old) == 401


def test_a_revoked_token_is_refused(viewer_client, viewer):
    viewer_client.post("/accounts/profile/", {"action": "create"})
    key = Token.objects.get(user=viewer).key

    response = viewer_client.post("/accounts/profile/", {"action": "revoke"})

    assert response.status_code == 302
    assert not Token.objects.filter(user=viewer).exists()
    assert _reads_with(key) == 401


def test_a_user_never_touches_another_users_token(viewer_client, analyst):
    theirs = Token.objects.create(user=analyst)

    viewer_client.post("/accounts/profile/", {"action": "revoke"})

    assert Token.objects.filter(pk=theirs.pk).exists()


def test_the_nav_links_to_the_profile(viewer_client):
    assert 'href="/accounts/profile/"' in viewer_client.get("/").content.decode()
