"""The REST API: authentication, upload contract, filters."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles.models import Article
from tensions.services import events_record
from tests.factories import article_make, found_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(analyst):
    client = APIClient()
    token = Token.objects.create(user=analyst)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_anonymous_writes_are_refused():
    response = APIClient().post("/api/v1/articles/", {"text": "Text."}, format="json")

    assert response.status_code == 401
    assert not Article.objects.exists()


def test_anonymous_reads_are_refused():
    assert APIClient().get("/api/v1/events/").status_code == 401


def test_health_needs_no_login():
    assert APIClient().get("/api/v1/health/").json() == {"ok": True}


def test_a_json_upload_answers_with_the_created_article(api):
    response = api.post(
        "/api/v1/articles/",
        {
            "text": "Russia warned Norway.",
            "title": "Warning",
            "published": "2025-10-01",
        },
        format="json",
    )

    assert response.status_code == 201
    (article,) = response.json()["articles"]
    assert article["status"] == "queued" and article["created"] is True
    assert article["url"] == f"/articles/{article['id']}/"


def test_a_second_upload_points_to_the_existing_article(api):
    first = api.post("/api/v1/articles/", {"text": "Same."}, format="json").json()
    second = api.post("/api/v1/articles/", {"text": " Same. "}, format="json")

    assert second.status_code == 200
    assert second.json()["articles"][0]["id"] == first["articles"][0]["id"]


def test_multipart_files_each_become_an_article_and_a_bad_one_loses_no_other(api):
    good = SimpleUploadedFile("good.txt", b"Chile thanked Peru for the help.")
    binary = SimpleUploadedFile("bad.txt", b"\x00\x01\x02binary\x03")

    response = api.post(
        "/api/v1/articles/", {"file": [good, binary]}, format="multipart"
    )

    assert response.status_code == 201
    body = response.json()
    assert [a["title"] for a in body["articles"]] == [
        "Chile thanked Peru for the help."
    ]
    assert body["errors"] == [
        {"file": "bad.txt", "message": "the file is binary data, not text."}
    ]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": "   "}, "text"),
        ({"text": "Text.", "published": "2999-01-01"}, "published"),
        ({"text": "Text.", "url": "not a url"}, "url"),
        ({}, "text"),
    ],
)
def test_bad_input_gets_a_400_with_field_errors(api, payload, field):
    response = api.post("/api/v1/articles/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Article.objects.exists()


def test_an_unreadable_file_gets_a_400_saying_so(api):
    image = SimpleUploadedFile("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)

    response = api.post("/api/v1/articles/", {"file": [image]}, format="multipart")

    assert response.status_code == 400
    assert "a PNG image" in response.json()["file"][0]


def test_a_file_over_the_limit_gets_a_json_413(api, settings):
    settings.TENSIONS_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("big.txt", b"word " * 100)

    response = api.post("/api/v1/articles/", {"file": [big]}, format="multipart")

    assert response.status_code == 413
    assert "big.txt (500 bytes)" in response.json()["detail"]
    assert not Article.objects.exists()


def _events():
    article = article_make()
    events_record(
        article=article,
        events=[
            found_event("VEN", "RUS", date=dt.date(2025, 10, 1)),
            found_event(
                "USA",
                "VEN",
                type="ASSAULT",
                status="possible",
                start=40,
                date=dt.date(2025, 11, 1),
            ),
            found_event(
                "CHN", "TWN", type="THREATEN", start=80, date=dt.date(2025, 9, 1)
            ),
        ],
        extractor_version="t",
    )
    return article


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"VEN-RUS", "USA-VEN", "CHN-TWN"}),
        ("country=VEN", {"VEN-RUS", "USA-VEN"}),
        ("pair=VEN,USA", {"USA-VEN"}),
        ("type=ASSAULT&type=THREATEN", {"USA-VEN", "CHN-TWN"}),
        ("status=possible", {"USA-VEN"}),
        ("date_from=2025-09-15&date_to=2025-10-15", {"VEN-RUS"}),
        ("source=chn", {"CHN-TWN"}),
    ],
)
def test_events_filter(api, query, expected):
    _events()

    rows = api.get(f"/api/v1/events/?{query}").json()["results"]

    assert {f"{r['source_country']}-{r['target_country']}" for r in rows} == expected


def test_a_bad_pair_gets_a_400(api):
    assert api.get("/api/v1/events/?pair=VEN").status_code == 400


def test_an_article_shows_its_status_and_events(api):
    article = _events()

    body = api.get(f"/api/v1/articles/{article.pk}/").json()

    assert body["status"] == "queued"
    assert len(body["events"]) == 3


def test_listing_events_costs_a_fixed_number_of_queries(
    api, django_assert_max_num_queries
):
    for _ in range(3):
        _events()
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/events/").status_code == 200
