"""Each write, tried by each role: viewers read, analysts review, admins too."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tensions.models import Event, Revision
from tensions.roles import is_analyst, user_role
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

ROLES = [("viewer", 403), ("analyst", 302), ("admin", 302)]


@pytest.fixture
def event():
    event = make_event()
    article = make_article("Title\n\nVenezuela asked Russia. Again asked.")
    make_mention(event, article, "Venezuela asked Russia.")
    make_mention(event, article, "Again asked.")
    return event


@pytest.fixture
def user_of(request):
    return lambda role: request.getfixturevalue(role)


def _writes(event):
    mention = event.mentions.first()
    other = make_event("USA", "VEN", type="ASSAULT")
    return [
        ("tensions:event_review", {"action": "confirm", "version": 1}),
        ("tensions:event_review", {"action": "reject", "version": 1}),
        (
            "tensions:event_edit",
            {
                "version": 1,
                "type": "REQUEST",
                "status": "possible",
                "source_country": "VEN",
                "target_country": "RUS",
            },
        ),
        ("tensions:event_merge", {"version": 1, "other": other.pk}),
        ("tensions:mention_split", {"version": 1, "mention": mention.pk}),
    ]


@pytest.mark.parametrize(("role", "expected"), ROLES)
@pytest.mark.parametrize("write", range(5))
def test_each_review_write_needs_the_analyst_role(
    client, user_of, event, role, expected, write
):
    name, data = _writes(event)[write]
    client.force_login(user_of(role))

    response = client.post(reverse(name, args=[event.pk]), data)

    assert response.status_code == expected
    assert Revision.objects.exists() == (expected == 302)


def test_anonymous_review_is_sent_to_log_in(client, event):
    response = client.post(
        reverse("tensions:event_review", args=[event.pk]),
        {"action": "confirm", "version": 1},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user)}")
    return client


@pytest.mark.parametrize(
    ("role", "expected"), [("viewer", 403), ("analyst", 200), ("admin", 200)]
)
def test_api_review_needs_the_analyst_role(user_of, event, role, expected):
    api = _api(user_of(role))

    response = api.patch(
        f"/api/v1/events/{event.pk}/", {"version": 1, "what": "radars"}, format="json"
    )

    assert response.status_code == expected
    assert api.get(f"/api/v1/events/{event.pk}/").status_code == 200


def test_api_answers_409_with_the_current_version_on_a_stale_edit(analyst, event):
    api = _api(analyst)
    api.patch(f"/api/v1/events/{event.pk}/", {"version": 1, "what": "a"}, format="json")

    response = api.patch(
        f"/api/v1/events/{event.pk}/", {"version": 1, "what": "b"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["current"]["what"] == "a"
    assert response.json()["current"]["version"] == 2


def test_api_refuses_a_bad_edit_with_a_message(analyst, event):
    response = _api(analyst).patch(
        f"/api/v1/events/{event.pk}/",
        {"version": 1, "source_country": "RUS"},
        format="json",
    )

    assert response.status_code == 400
    assert "same country" in response.json()["target_country"][0]
    assert Event.objects.get().version == 1


def test_a_stale_web_edit_shows_the_current_version(analyst_client, event):
    url = reverse("tensions:event_edit", args=[event.pk])
    form = {
        "version": 1,
        "type": "REQUEST",
        "status": "possible",
        "source_country": "VEN",
        "target_country": "RUS",
        "what": "mine",
    }
    analyst_client.post(url, form | {"what": "theirs"})

    response = analyst_client.post(url, form)

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert "theirs" in response.content.decode()
    assert Event.objects.get().what == "theirs"


def test_roles_nest(viewer, analyst, admin):
    assert [user_role(u) for u in (viewer, analyst, admin)] == [
        "viewer",
        "analyst",
        "admin",
    ]
    assert not is_analyst(viewer)
