"""Streamed exports of events: CSV and JSON Lines with the filters of the list."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from rest_framework.test import APIClient

from tensions.exports import COLUMNS
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(viewer):
    cache.clear()
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def _body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_the_csv_export_streams_every_row_under_a_header(api, settings):
    settings.API_EXPORT_CHUNK = 2
    made = [make_event() for _ in range(5)]
    make_event("USA", "CHN", type="ASSAULT", mode="missile", context=["military"])

    response = api.get("/api/v1/events/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(_body(response))))
    assert tuple(header) == COLUMNS
    assert len(rows) == len(made) + 1
    missile = dict(zip(header, rows[0], strict=True))
    assert missile["type"] == "ASSAULT" and missile["cameo_root"] == "18"
    assert missile["context"] == "military"
    assert missile["goldstein"] == missile["intensity"]
    assert missile["url"].startswith("http://testserver/events/")


def test_the_jsonl_export_applies_the_filters(api):
    make_event("VEN", "RUS")
    kept = make_event("USA", "CHN", channel="phone")

    response = api.get("/api/v1/events/export.jsonl?pair=CHN,USA")

    assert response["Content-Type"] == "application/x-ndjson"
    (line,) = _body(response).splitlines()
    row = json.loads(line)
    assert set(row) == set(COLUMNS)
    assert row["id"] == kept.pk and row["channel"] == "phone"
    assert row["source_actor"] == "United States"


def test_the_format_can_be_a_query_parameter(api):
    make_event()

    response = api.get("/api/v1/events/export/?format=jsonl")

    assert len(_body(response).splitlines()) == 1


def test_a_bad_filter_on_an_export_gets_a_json_400(api):
    response = api.get("/api/v1/events/export.csv?pair=VEN")

    assert response.status_code == 400
    assert "pair" in response.json()


def test_anonymous_exports_are_refused():
    assert APIClient().get("/api/v1/events/export.csv").status_code == 401
