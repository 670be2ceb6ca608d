"""The hand-written SQL of the events and relations lists (tensions/api_fast.py)
gives the general path's answers, byte for byte, and leaves the rest to it."""

import base64
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tensions import api_auth, api_fast
from tensions.relations import relations_rebuild
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_event
from tests.tensions.sql import statement_text

pytestmark = pytest.mark.django_db

EVENTS, RELATIONS = "/api/v1/events/", "/api/v1/relations/"
_PAIRS = [("USA", "VEN"), ("VEN", "USA"), ("RUS", "UKR"), ("USA", None), ("UKR", "RUS")]
_TYPES = ["ASSAULT", "AGREE", "REQUEST", "THREATEN"]
_STATUSES = ["occurred", "planned", "possible", "alleged", "denied"]
_REVIEWS = ["unreviewed", "confirmed", "unreviewed", "edited", "rejected"]
_CHANNELS = ["", "phone", "", "letter"]


@pytest.fixture(autouse=True)
def _fresh_answers(settings):
    """Each request computes its answer: none is served from the answer cache."""
    settings.API_CACHE_SECONDS = 0
    settings.API_FAST_PATH = True


@pytest.fixture
def api(viewer_api):
    return viewer_api


@pytest.fixture
def taken(monkeypatch):
    """For each list request, whether the fast path answered it ("signed" when
    it did while checking the client's token)."""
    paths = []

    def spied(original):
        def spy(*args, **kwargs):
            page = original(*args, **kwargs)
            paths.append(page is not None)
            return page

        return spy

    def signed_spy(*args, **kwargs):
        if (found := signed(*args, **kwargs)) is not None:
            paths.append("signed")
        return found

    for name in ("events_page", "relations_page"):
        monkeypatch.setattr(api_fast, name, spied(getattr(api_fast, name)))
    signed = api_fast.events_page_signed
    monkeypatch.setattr(api_fast, "events_page_signed", signed_spy)
    return paths


@pytest.fixture
def events():
    """Pairs both ways, a one-sided event, undated ones (one placed by its first
    report), many ties of day and intensity, every review state."""
    made = []
    for i in range(40):
        source, target = _PAIRS[i % len(_PAIRS)]
        date = None if i % 9 == 0 else dt.date(2024, 1 + i % 12, 1 + i % 3)
        reported = dt.date(2024, 6, 2) if date is None and i % 2 else date
        made.append(
            make_event(
                source,
                target,
                type=_TYPES[i % 4],
                mode="missile" if i % 6 == 0 else "",
                status=_STATUSES[i % 5],
                date=date,
                first_reported=reported,
                confidence=round(0.3 + (i % 7) / 10, 2),
                review_state=_REVIEWS[i % 5],
                article_count=i % 4,
                channel=_CHANNELS[i % 4],
                context=["military", "economic"] if i % 3 == 0 else [],
                what=f"señal número {i} — «test»",
            )
        )
    return made


def _both(api, settings, url: str, **headers):
    """The answer of the fast path, once checked equal to the general path's."""
    settings.API_FAST_PATH = True
    fast = api.get(url, **headers)
    settings.API_FAST_PATH = False
    general = api.get(url, **headers)
    settings.API_FAST_PATH = True
    assert fast.status_code == general.status_code, url
    assert fast.content == general.content, url
    assert dict(fast.headers) == dict(general.headers)
    return fast


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?pair=USA,VEN",
        "?pair=ven,%20usa",
        "?pair=USA,VEN&date_from=2024-03-01&date_to=2024-09-30",
        "?day_from=2024-06-01",
        "?day_to=2024-06-02&ordering=date",
        "?date_from=2024-06-02&day_to=2024-12-31",
        "?country=usa",
        "?country=%20RUS%20",
        "?source=USA",
        "?target=ven",
        "?source=rus&target=UKR",
        "?source=XYZ",
        "?type=ASSAULT",
        "?type=ASSAULT&type=AGREE&type=ASSAULT",
        "?status=planned&status=occurred",
        "?channel=phone",
        "?mode=missile",
        "?mode=",
        "?review_state=confirmed&review_state=edited",
        "?review_state=rejected",
        "?rejected=1",
        "?rejected=1&review_state=rejected",
        "?rejected=yes",
        "?min_confidence=0.55",
        "?min_confidence=%201",
        "?min_articles=2",
        "?ordering=intensity",
        "?ordering=-intensity&pair=USA,VEN",
        "?ordering=date&page_size=5",
        "?ordering=",
        "?page_size=abc",
        "?page_size=0",
        "?page_size=100000",
        "?pair=USA,VEN&type=ASSAULT&status=occurred&min_confidence=0.4"
        "&day_from=2024-01-01&day_to=2024-12-31&ordering=-intensity",
        "?pair=USA,VEN&date_from=2030-01-01",
    ],
)
def test_the_fast_events_list_answers_as_the_general_path(
    api, settings, events, taken, query
):
    answer = _both(api, settings, EVENTS + query)

    assert answer.status_code == 200
    assert taken[-2:] == [True, False]  # the fast path answered the first


@pytest.mark.parametrize("ordering", ["-date", "intensity"])
def test_a_question_asked_many_times_answers_as_the_general_path(
    api, settings, events, taken, ordering
):
    # On PostgreSQL each shape of question is a statement prepared once per
    # connection, from its sixth run perhaps on one plan for every parameter.
    pairs = ["USA,VEN", "RUS,UKR", "VEN,USA", "USA,RUS", "UKR,RUS"] * 2
    for n, pair in enumerate(pairs):
        query = f"?pair={pair}&day_from=2024-0{1 + n % 9}-01&ordering={ordering}"
        _both(api, settings, EVENTS + query + "&page_size=3")

    assert len(taken) == 20 and all(taken[::2])


@pytest.mark.parametrize(
    "fields",
    [
        {"what": "line\u2028sep\u2029ara\ttab \"quoted\" back\\slash \x01 é"},
        {"context": ['say "no"', "back\\slash", "naïve", "line\u2028"]},
        {"context": {"nested": [1, 2.50, None, True]}},
        {"context": []},
        {"intensity": -9.0, "confidence": 1e-05},
        {"intensity": 0.1 + 0.2, "confidence": 0.0},
        {"intensity": -0.0, "confidence": 1},
        {"target": None, "date": None, "first_reported": None},
        {"type": "ASSAULT", "mode": "unconventional"},
        {"source_actor": "Un «chef» d'État", "target_actor": "新华社"},
    ],
)  # fmt: skip
def test_the_fast_json_writes_values_as_the_renderer(api, settings, taken, fields):
    make_event("USA", fields.pop("target", "VEN"), **fields)

    answer = _both(api, settings, EVENTS + "?country=USA")

    assert answer.status_code == 200 and len(answer.json()["results"]) == 1
    assert taken[-2:] == [True, False]


def test_days_written_once_per_page_stay_each_rows_own(api, settings, taken):
    # The writer keeps a day's text per page: shared, swapped and missing days.
    day, other = dt.date(2024, 3, 1), dt.date(2024, 3, 2)
    for date, reported in [(day, day), (day, other), (other, day), (None, day)]:
        make_event("USA", "VEN", date=date, first_reported=reported)
    make_event("USA", "VEN", date=None, first_reported=None)

    answer = _both(api, settings, EVENTS + "?pair=USA,VEN")

    rows = answer.json()["results"]
    assert sorted((r["date"] or "", r["first_reported"] or "") for r in rows) == [
        ("", ""),
        ("", "2024-03-01"),
        ("2024-03-01", "2024-03-01"),
        ("2024-03-01", "2024-03-02"),
        ("2024-03-02", "2024-03-01"),
    ]
    assert taken[-2:] == [True, False]


@pytest.mark.parametrize("accept", ["application/json; indent=2", "application/json"])
def test_other_renderings_of_the_fast_page_are_the_general_paths(
    api, settings, events, taken, accept
):
    _both(api, settings, EVENTS + "?pair=USA,VEN&page_size=3", HTTP_ACCEPT=accept)

    assert taken[-2:] == [True, False]


@pytest.mark.parametrize("ordering", ["-date", "date", "-intensity", "intensity"])
@pytest.mark.parametrize("filters", ["", "&pair=USA,VEN", "&country=UKR&rejected=1"])
def test_cursor_walks_both_ways_give_the_general_path_pages(
    api, settings, events, taken, ordering, filters
):
    url, seen, forward = f"{EVENTS}?ordering={ordering}&page_size=4{filters}", [], []
    while url:  # to the end ...
        forward.append(url)
        body = _both(api, settings, url).json()
        seen += [row["id"] for row in body["results"]]
        last, url = url, body["next"]
    url = _both(api, settings, last).json()["previous"]
    while url:  # ... and back to the start
        url = _both(api, settings, url).json()["previous"]

    assert len(forward) > 2 and len(seen) == len(set(seen))
    assert all(taken[::2]) and not any(taken[1::2])


def test_a_walk_that_turns_around_keeps_to_the_general_path(
    api, settings, events, taken
):
    url = f"{EVENTS}?ordering=intensity&page_size=3"
    for step in ["next", "next", "previous", "next", "previous", "previous"]:
        url = _both(api, settings, url).json()[step]
        assert url  # offset cursors, turned around: DRF's artefacts, kept

    assert all(taken[::2]) and len(taken) == 12


@pytest.mark.parametrize(
    "query",
    [
        "?q=señal",
        "?publisher=Reuters",
        "?context=military",
        "?format=json",
        "?unknown=1",
        "?pair=USA,VEN&pair=RUS,UKR",
        "?date_from=06/01/2024",  # another input format the form accepts
        "?min_confidence=.5",
        "?directed=true",
    ],
)
def test_other_questions_are_left_to_the_general_path(
    api, settings, events, taken, query
):
    answer = _both(api, settings, EVENTS + query)

    assert answer.status_code == 200 and taken[-2:] == [False, False]


@pytest.mark.parametrize(
    "query",
    [
        "?type=NOPE",
        "?type=",
        "?status=occurred&status=nope",
        "?pair=USA",
        "?pair=USA,USA",
        "?date_from=2024-13-01",
        "?day_to=someday",
        "?min_confidence=abc",
        "?min_confidence=NaN",
        "?min_articles=many",
        "?ordering=bogus",
        "?ordering=%20date",
        "?review_state=gone",
    ],
)
def test_invalid_filters_get_the_general_paths_400(api, settings, events, taken, query):
    answer = _both(api, settings, EVENTS + query)

    assert answer.status_code == 400 and taken[-2:] == [False, False]


def test_an_invalid_cursor_gets_the_same_404(api, settings, events):
    cursor = base64.b64encode(b"o=many").decode()

    answer = _both(api, settings, f"{EVENTS}?pair=USA,VEN&cursor={cursor}")

    assert answer.status_code == 404


@pytest.mark.parametrize(
    "ordering, position", [("-date", "2024-02-30"), ("intensity", "strong")]
)
def test_a_cursor_with_a_forged_position_is_left_to_the_general_path(
    api, events, taken, ordering, position
):
    cursor = base64.b64encode(f"p={position}".encode()).decode()

    answer = api.get(f"{EVENTS}?ordering={ordering}&cursor={cursor}")

    assert answer.status_code == 404 and taken == [False]


@pytest.fixture
def cells(events):
    relations_rebuild()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?pair=USA,VEN",
        "?pair=ven,usa&directed=true",
        "?directed=true",
        "?directed=false&country=ven",
        "?country=%20ukr",
        "?period=week",
        "?period=day&date_from=2024-03-02&date_to=2024-06-30",
        "?date_from=2024-03-15",
        "?period=week&date_from=2024-03-13&pair=RUS,UKR",
        "?page_size=2&pair=USA,VEN",
        "?pair=USA,VEN&date_from=2030-01-01",
    ],
)
def test_the_fast_relations_list_answers_as_the_general_path(
    api, settings, cells, taken, query
):
    answer = _both(api, settings, RELATIONS + query)

    assert answer.status_code == 200 and answer.json()["results"] is not None
    assert taken[-2:] == [True, False]


@pytest.mark.parametrize(
    "accept, written",
    [("application/json", True), ("application/json; indent=2", False)],
)
def test_a_relations_page_is_written_as_the_renderer_writes_it(
    api, settings, cells, monkeypatch, accept, written
):
    bodies = []

    def spy(*args):
        bodies.append(original(*args))
        return bodies[-1]

    original = api_fast.relations_json
    monkeypatch.setattr(api_fast, "relations_json", spy)

    for directed in ("false", "true"):
        query = f"?period=week&page_size=4&directed={directed}"
        _both(api, settings, RELATIONS + query, HTTP_ACCEPT=accept)

    assert len(bodies) == 2 and all((body is not None) == written for body in bodies)


@pytest.mark.parametrize("directed", ["false", "true"])
def test_relations_cursor_walks_give_the_general_path_pages(
    api, settings, cells, taken, directed
):
    url, pages = f"{RELATIONS}?period=week&page_size=3&directed={directed}", 0
    while url:
        last, url = url, _both(api, settings, url).json()["next"]
        pages += 1
    while last:
        last = _both(api, settings, last).json()["previous"]

    assert pages > 2 and all(taken[::2]) and not any(taken[1::2])


@pytest.mark.parametrize(
    "query, status",
    [
        ("?directed=1", 200),
        ("?directed=TRUE&pair=USA,VEN", 200),
        ("?period=", 200),
        ("?period=year", 400),
        ("?period=month%20", 400),
        ("?pair=USA", 400),
        ("?date_to=31/12/2024", 200),  # another input format
        ("?date_to=2024-12-32", 400),
        ("?type=ASSAULT", 200),
    ],
)
def test_other_relation_questions_are_left_to_the_general_path(
    api, settings, cells, taken, query, status
):
    answer = _both(api, settings, RELATIONS + query)

    assert answer.status_code == status and taken[-2:] == [False, False]


@pytest.mark.parametrize("path", [EVENTS, RELATIONS])
def test_anonymous_clients_still_get_401(settings, path, taken, fresh_throttles):
    answer = _both(APIClient(), settings, path + "?pair=USA,VEN")

    assert answer.status_code == 401 and taken == []


def test_an_inactive_users_token_still_gets_401(viewer, fresh_throttles, taken):
    token = Token.objects.create(user=viewer)
    viewer.is_active = False
    viewer.save()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(EVENTS + "?pair=USA,VEN").status_code == 401
    assert taken == []


def test_a_token_reads_through_the_fast_path(viewer, fresh_throttles, events, taken):
    token = Token.objects.create(user=viewer)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(EVENTS + "?pair=USA,VEN").status_code == 200
    assert taken == ["signed"]


def test_throttles_still_count_fast_answers(api, settings, events, taken):
    settings.API_THROTTLE_USER = "2/min"

    codes = [api.get(EVENTS + "?pair=USA,VEN").status_code for _ in range(3)]

    assert codes == [200, 200, 429] and taken == [True, True]


# A token checked by the page's own statement ---------------------------------


def _token_client(user) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("?pair=USA,VEN", "*/*"),
        ("?pair=USA,VEN&date_from=2030-01-01", "*/*"),  # an empty page
        ("?country=RUS&ordering=-intensity&page_size=3", "*/*"),
        ("?pair=USA,VEN", "application/json; indent=2"),  # DRF renders the rows
    ],
)
def test_a_token_and_the_page_are_read_by_one_statement(
    viewer, fresh_throttles, settings, events, taken, query, accept
):
    client = _token_client(viewer)

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(EVENTS + query, HTTP_ACCEPT=accept)

    assert answer.status_code == 200
    assert len(queries) == 1 and taken == ["signed"]
    assert "authtoken_token" in statement_text(queries[0]["sql"])
    _both(client, settings, EVENTS + query, HTTP_ACCEPT=accept)  # as the general path


def test_the_browsable_api_shows_the_tokens_user(viewer, fresh_throttles, events):
    answer = _token_client(viewer).get(EVENTS + "?pair=USA,VEN&format=api")

    assert answer.status_code == 200
    assert viewer.username in answer.content.decode()  # loaded when asked for


def test_each_page_of_a_walk_is_read_with_its_token(
    viewer, fresh_throttles, settings, events, taken
):
    client, url, seen, pages = _token_client(viewer), EVENTS + "?page_size=4", [], 0
    while url:
        answer = _both(client, settings, url)
        seen += [row["id"] for row in answer.json()["results"]]
        url, pages = answer.json()["next"], pages + 1

    visible = [e.pk for e in events if e.review_state != "rejected"]
    assert sorted(seen) == sorted(visible) and pages > 5
    assert taken == ["signed", False] * pages  # the general path: the second


def test_a_bad_cursor_is_404_with_a_good_token_and_401_with_a_bad_one(
    viewer, fresh_throttles, events, taken
):
    forged = base64.b64encode(b"p=not-a-day").decode()

    good = _token_client(viewer).get(f"{EVENTS}?cursor={forged}")
    bad = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40).get(
        f"{EVENTS}?cursor={forged}"
    )

    assert good.status_code == 404 and bad.status_code == 401
    assert bad.json()["detail"] == "Invalid token."
    assert taken == [False]  # the good one, answered by the general path


def test_throttles_count_each_tokens_user(
    viewer, analyst, fresh_throttles, settings, events, taken
):
    settings.API_THROTTLE_USER = "2/min"
    first, second = _token_client(viewer), _token_client(analyst)

    codes = [first.get(EVENTS + "?pair=USA,VEN").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert second.get(EVENTS + "?pair=USA,VEN").status_code == 200
    assert taken == ["signed"] * 4  # the refused one was read, then refused


def test_the_signed_in_user_loads_what_the_page_did_not_read(viewer, events):
    key = Token.objects.create(user=viewer).key
    row = (viewer.pk, viewer.is_superuser, viewer.is_staff, viewer.is_active)

    user, token = api_auth.signed_in(key, row)

    assert (user.pk, token.key, token.user_id, token.user) == (
        viewer.pk, key, viewer.pk, user
    )  # fmt: skip
    assert user.username == viewer.username  # loaded when asked for


# PostgreSQL, from a suite that runs on SQLite -------------------------------------


def test_the_fast_path_holds_on_postgresql():
    assert_passes_on_postgres(__file__, but="test_the_fast_path_holds_on_postgresql")
