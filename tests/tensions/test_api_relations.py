"""The relations and timeline endpoints: aggregates per pair and period, the index."""

import datetime as dt

import pytest
from django.db import connection

from tensions import api_relations, relations
from tensions.relations import relations_rebuild, tension_index
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db

OCT, NOV = dt.date(2025, 10, 8), dt.date(2025, 11, 3)


@pytest.fixture
def api(viewer_api):
    return viewer_api


@pytest.fixture
def events():
    made = [
        make_event("USA", "VEN", type="ASSAULT", date=OCT, confidence=0.9),
        make_event("VEN", "USA", type="THREATEN", date=OCT, confidence=0.6),
        make_event("VEN", "USA", type="AID", date=NOV),
        make_event("RUS", "VEN", type="AID", date=OCT, confidence=0.8),
        make_event("USA", "VEN", type="ASSAULT", date=OCT, review_state="rejected"),
    ]
    relations_rebuild()
    return made


def _scores(events) -> tuple[float, float]:
    return relations.scores(
        {
            "status": e.status,
            "confidence": e.confidence,
            "article_count": e.article_count,
            "intensity": e.intensity,
        }
        for e in events
    )


def test_an_undirected_pair_sums_both_directions_of_a_month(api, events):
    body = api.get("/api/v1/relations/?pair=VEN,USA&date_to=2025-10-31").json()

    (row,) = body["results"]
    conflict, cooperation = _scores(events[:2])  # the rejected one never counts
    assert (row["source"], row["target"], row["directed"]) == ("USA", "VEN", False)
    assert (row["start"], row["end"], row["events"]) == ("2025-10-01", "2025-10-31", 2)
    assert row["by_type"] == {"ASSAULT": 1, "THREATEN": 1}
    assert row["conflict"] == pytest.approx(conflict)
    assert row["index"] == pytest.approx(tension_index(conflict, cooperation))


def test_summed_counts_keep_their_keys_in_a_jsonb_objects_order():
    # The order the JSON writes them in: a jsonb object's (shorter keys first,
    # then bytes), whatever order the directions came in.
    counts = [{"THREATEN": 2, "AID": 1}, {"ASSAULT": 4, "AID": 3}, {"AGREE": 1}]

    summed = api_relations._counts_sum(counts)

    assert list(summed.items()) == [
        ("AID", 4),
        ("AGREE", 1),
        ("ASSAULT", 4),
        ("THREATEN", 2),
    ]
    assert list(api_relations._counts_sum(counts[::-1]).items()) == list(summed.items())
    assert api_relations._counts_sum([]) == {}
    assert counts[0] == {"THREATEN": 2, "AID": 1}  # the rows' own are unchanged


def test_directed_rows_keep_each_direction_apart(api, events):
    body = api.get(
        "/api/v1/relations/?pair=USA,VEN&directed=true&date_from=2025-10-01"
    ).json()
    rows = {(r["source"], r["target"], r["start"]): r for r in body["results"]}

    assert set(rows) == {("USA", "VEN", "2025-10-01")}
    assert rows["USA", "VEN", "2025-10-01"]["by_type"] == {"ASSAULT": 1}
    assert "source=USA&target=VEN" in rows["USA", "VEN", "2025-10-01"]["events_url"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {("USA", "VEN", "2025-11-01"), ("USA", "VEN", "2025-10-01"),
              ("RUS", "VEN", "2025-10-01")}),
        ("country=rus", {("RUS", "VEN", "2025-10-01")}),
        ("date_from=2025-11-15", {("USA", "VEN", "2025-11-01")}),
        ("period=week&pair=USA,VEN", {("USA", "VEN", "2025-10-06"),
                                      ("USA", "VEN", "2025-11-03")}),
        ("period=day&country=RUS", {("RUS", "VEN", "2025-10-08")}),
    ],
)  # fmt: skip
def test_relations_filter_by(api, events, query, expected):
    rows = api.get(f"/api/v1/relations/?{query}").json()["results"]

    assert {(r["source"], r["target"], r["start"]) for r in rows} == expected


def test_the_events_behind_a_row_are_the_ones_it_counts(api, events):
    (row,) = api.get("/api/v1/relations/?pair=USA,VEN&date_to=2025-10-31").json()[
        "results"
    ]

    listed = api.get(row["events_url"]).json()["results"]

    assert sorted(e["id"] for e in listed) == sorted(e.pk for e in events[:2])


@pytest.mark.parametrize("query", ["pair=USA", "period=year", "date_from=soon"])
def test_bad_relation_filters_get_a_400_naming_the_field(api, query):
    response = api.get(f"/api/v1/relations/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_walking_relations_reaches_every_row_in_pages(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 2}
    for day in range(1, 8):
        make_event("USA", "VEN", date=dt.date(2025, 10, day))
        make_event("CHN", "TWN", type="THREATEN", date=dt.date(2025, 10, day))
    relations_rebuild()
    url, seen, pages = "/api/v1/relations/?period=day", [], 0
    while url:
        body = api.get(url).json()
        seen += [(r["source"], r["target"], r["start"]) for r in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 7 and len(seen) == 14 == len(set(seen))


def test_a_relations_page_costs_a_fixed_number_of_queries(
    api, events, django_assert_max_num_queries
):
    for day in range(1, 20):
        make_event("CHN", "TWN", date=dt.date(2025, 10, day))
    relations_rebuild()
    # One query for the page, by_type and by_status included; on PostgreSQL one
    # more for the data version answers are kept under (tensions/api_cache.py).
    with django_assert_max_num_queries(2 if connection.vendor == "postgresql" else 1):
        assert api.get("/api/v1/relations/?period=day").status_code == 200


def test_the_timeline_gives_a_series_and_marks_per_pair(api, events):
    body = api.get(
        "/api/v1/timeline/?pair=VEN,USA&pair=RUS,VEN"
        "&date_from=2025-09-15&date_to=2025-11-30"
    ).json()

    first, second = body["series"]
    assert [p["start"] for p in first["points"]] == [
        "2025-09-01",
        "2025-10-01",
        "2025-11-01",
    ]
    assert [p["events"] for p in first["points"]] == [0, 2, 1]
    assert first["points"][1]["index"] == pytest.approx(
        tension_index(*_scores(events[:2]))
    )
    assert [m["id"] for m in first["events"]] == [
        events[0].pk,
        events[1].pk,
        events[2].pk,
    ]
    assert [m["id"] for m in second["events"]] == [events[3].pk]
    assert second["label"] == "Russia – Venezuela"


def test_a_directed_timeline_keeps_one_direction(api, events):
    body = api.get(
        "/api/v1/timeline/?pair=VEN,USA&directed=true"
        "&date_from=2025-10-01&date_to=2025-11-30"
    ).json()

    (series,) = body["series"]
    assert [p["events"] for p in series["points"]] == [1, 1]
    assert {m["source_country"] for m in series["events"]} == {"VEN"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "pair"),
        ("pair=USA,USA", "pair"),
        ("pair=USA,VEN&period=day&date_from=1990-01-01", "date_from"),
        ("pair=USA,VEN&date_from=2025-02-01&date_to=2025-01-01", "date_from"),
    ],
)
def test_bad_timeline_queries_get_a_400(api, query, field):
    response = api.get(f"/api/v1/timeline/?{query}")

    assert response.status_code == 400
    assert field in response.json()
