"""The events and articles lists: cursor pages, filters, ordering, throttling."""

import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tensions.api import EventFilter
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def _walk(api, url: str) -> list[dict]:
    rows, pages = [], 0
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url, pages = body["next"], pages + 1
    assert pages > 1
    return rows


def test_walking_the_event_cursor_reaches_every_row_once(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 4}
    made = [make_event(date=dt.date(2025, 10, 1 + i % 3)) for i in range(9)]
    made += [make_event(date=None, first_reported=None) for _ in range(2)]

    rows = _walk(api, "/api/v1/events/")

    assert sorted(r["id"] for r in rows) == sorted(e.pk for e in made)
    assert [r["date"] for r in rows][-2:] == [None, None]


def test_walking_by_intensity_keeps_ties_in_one_order(api):
    made = [make_event(type=t) for t in ["ASSAULT", "AGREE", "REQUEST"] * 3]

    rows = _walk(api, "/api/v1/events/?ordering=intensity&page_size=2")

    assert sorted(r["id"] for r in rows) == sorted(e.pk for e in made)
    keys = [(r["intensity"], r["id"]) for r in rows]
    assert keys == sorted(keys)


def test_the_page_size_is_capped(api, settings):
    settings.API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        make_event()

    body = api.get("/api/v1/events/?page_size=100").json()

    assert len(body["results"]) == 2 and body["next"]


def test_walking_the_article_cursor_reaches_every_row_once(api):
    made = [make_article() for _ in range(5)]

    rows = _walk(api, "/api/v1/articles/?page_size=2")

    assert [r["id"] for r in rows] == sorted((a.pk for a in made), reverse=True)


def _catalogue():
    report = make_article(
        "Tanks rolled.\n\nThe border was shelled.", publisher="Kyiv Post"
    )
    other = make_article(publisher="Tass")
    shelled = make_event(
        "RUS",
        "UKR",
        type="ASSAULT",
        mode="missile",
        context=["military"],
        confidence=0.9,
        review_state="confirmed",
        what="the border",
    )
    make_mention(shelled, report, "The border was shelled.")
    make_mention(shelled, other, other.text.splitlines()[0])
    called = make_event("USA", "CHN", type="CONSULT", channel="phone")
    called.context = ["economic", "diplomatic"]
    called.save()
    return {"shelled": shelled.pk, "called": called.pk}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("mode=missile", {"shelled"}),
        ("context=military", {"shelled"}),
        ("context=diplomatic", {"called"}),
        ("channel=phone", {"called"}),
        ("min_confidence=0.8", {"shelled"}),
        ("review_state=confirmed", {"shelled"}),
        ("review_state=unreviewed", {"called"}),
        ("min_articles=2", {"shelled"}),
        ("publisher=kyiv post", {"shelled"}),
        ("publisher=Reuters", set()),
        ("q=BORDER", {"shelled"}),
        ("q=was shelled", {"shelled"}),
        ("q=nothing like it", set()),
    ],
)
def test_events_filter_by(api, query, expected):
    ids = _catalogue()

    rows = api.get(f"/api/v1/events/?{query}").json()["results"]

    assert {r["id"] for r in rows} == {ids[name] for name in expected}


def test_an_unknown_context_gets_a_400(api):
    assert api.get("/api/v1/events/?context=weather").status_code == 400


@pytest.mark.parametrize(
    "ordering, first", [("intensity", "ASSAULT"), ("-intensity", "AGREE")]
)
def test_events_order_by_intensity(api, ordering, first):
    for type in ["REQUEST", "ASSAULT", "AGREE"]:
        make_event(type=type)

    rows = api.get(f"/api/v1/events/?ordering={ordering}").json()["results"]

    assert rows[0]["type"] == first


@pytest.mark.parametrize("ordering, first", [("date", 1), ("-date", 3)])
def test_events_order_by_date(api, ordering, first):
    for day in [2, 3, 1]:
        make_event(date=dt.date(2025, 10, day))

    rows = api.get(f"/api/v1/events/?ordering={ordering}").json()["results"]

    assert rows[0]["date"] == f"2025-10-0{first}"


def test_every_event_filter_is_described_in_the_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    listing = schema["paths"]["/api/v1/events/"]["get"]["parameters"]

    undescribed = [p["name"] for p in listing if not p.get("description")]

    assert undescribed == []


def test_a_client_over_its_rate_gets_a_json_429(api, settings):
    settings.API_THROTTLE_USER = "2/min"

    codes = [api.get("/api/v1/events/").status_code for _ in range(3)]
    refused = api.get("/api/v1/events/")

    assert codes == [200, 200, 429]
    assert refused["Retry-After"]
    assert "throttled" in refused.json()["detail"]


def test_anonymous_clients_have_their_own_rate(settings):
    settings.API_THROTTLE_ANON = "1/min"
    anonymous = APIClient()

    codes = [anonymous.get("/api/v1/health/").status_code for _ in range(2)]

    assert codes == [200, 429]


def test_a_missing_event_gets_a_json_404(api):
    response = api.get("/api/v1/events/999999/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Event matches the given query."}


def test_each_filterset_gets_its_own_filters_bound_to_it():
    first, second = EventFilter(), EventFilter()

    pair = first.filters["pair"]
    assert pair is not second.filters["pair"]
    assert pair.parent is first and second.filters["pair"].parent is second
    # A method filter resolves its method on its own FilterSet, not a sibling's.
    assert pair.filter.f is pair and pair.filter.method.__self__ is first


def _spread_of_events() -> list:
    """Events in both directions of pairs, other pairs, one-sided, dated, dated
    only by their first report, and undated."""
    made = []
    for i, (a, b) in enumerate([("USA", "VEN"), ("VEN", "USA"), ("RUS", "VEN")] * 4):
        made.append(make_event(a, b, date=dt.date(2025, 9, 25) + dt.timedelta(i)))
    oct_1, oct_2, oct_3 = (dt.date(2025, 10, day) for day in (1, 2, 3))
    made.append(make_event("USA", None, date=oct_1))
    made.append(make_event("VEN", "USA", date=None, first_reported=oct_2))
    made.append(make_event("USA", "VEN", date=None, first_reported=None))
    made.append(make_event("USA", "VEN", date=oct_3, first_reported=None))
    return made


@pytest.mark.parametrize(
    "query, keep",
    [
        ("pair=VEN,usa", lambda e: {e.source_country_id, e.target_country_id}
         == {"USA", "VEN"}),
        ("date_from=2025-10-01", lambda e: e.date and e.date >= dt.date(2025, 10, 1)),
        ("date_to=2025-10-01", lambda e: e.date and e.date <= dt.date(2025, 10, 1)),
        ("day_from=2025-10-02", lambda e: e.day and e.day >= dt.date(2025, 10, 2)),
        ("day_to=2025-10-02", lambda e: e.day and e.day <= dt.date(2025, 10, 2)),
        ("pair=USA,VEN&day_from=2025-09-28&day_to=2025-10-02",
         lambda e: {e.source_country_id, e.target_country_id} == {"USA", "VEN"}
         and e.day and dt.date(2025, 9, 28) <= e.day <= dt.date(2025, 10, 2)),
    ],
)  # fmt: skip
@pytest.mark.parametrize("ordering", ["-date", "date"])
def test_pair_and_day_filters_walk_exactly_the_matching_events(
    api, query, keep, ordering
):
    made = _spread_of_events()

    rows = _walk(api, f"/api/v1/events/?{query}&ordering={ordering}&page_size=2")

    newest_first = sorted(
        (e for e in made if keep(e)),
        key=lambda e: (e.day or dt.date(1, 1, 1), e.pk),
        reverse=ordering == "-date",
    )
    assert [r["id"] for r in rows] == [e.pk for e in newest_first]
