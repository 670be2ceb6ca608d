"""Every API refusal is JSON with a clear detail, whoever raises it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(analyst_api):
    return analyst_api


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_a_body_over_the_limit_gets_a_json_413(api, settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api.post("/api/v1/articles/", {"text": "word " * 1000}, format=fmt)

    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["detail"]
    assert not Article.objects.exists()


def test_too_many_files_get_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"{n}.txt", b"Chile thanked Peru.") for n in range(3)]

    response = api.post("/api/v1/articles/", {"file": files}, format="multipart")

    assert response.status_code == 413
    assert "at most 2" in response.json()["detail"]


def test_one_file_over_the_limit_does_not_stop_the_others(api, settings):
    settings.TENSIONS_MAX_UPLOAD_BYTES = 100
    small = SimpleUploadedFile("small.txt", b"Chile thanked Peru for the help.")
    big = SimpleUploadedFile("big.txt", b"word " * 100)

    response = api.post("/api/v1/articles/", {"file": [small, big]}, format="multipart")

    assert response.status_code == 201
    assert [e["file"] for e in response.json()["errors"]] == ["big.txt"]


def test_an_unknown_api_path_gets_a_json_404(api):
    response = api.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert "not an API endpoint" in response.json()["detail"]


def test_an_unknown_page_still_gets_the_html_404(analyst_client):
    response = analyst_client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_stale_review_gets_a_json_409(api):
    event = make_event()

    response = api.patch(
        f"/api/v1/events/{event.pk}/",
        {"version": 5, "review_state": "confirmed"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["version"] == 1
