"""Each event's API text, which a PostgreSQL trigger keeps beside its row
(migration tensions 0013): after every way an event or its actors change, the
text must be what the general path renders, and a compact events page is
written from it."""

import datetime as dt

import pytest
from django.db import connection
from rest_framework.renderers import JSONRenderer

from articles.models import Article
from articles.services import article_create, article_process, article_reprocess
from tensions import api, api_fast, review
from tensions.models import Actor, Event
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_event, merge_made

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the texts are a PostgreSQL trigger's; test_..._on_postgres")


@pytest.fixture(autouse=True)
def _fresh_answers(settings):
    settings.API_CACHE_SECONDS = 0
    settings.API_FAST_PATH = True


def _rendered(pk: int) -> str:
    """The event as the general path renders it: EventSerializer's fields."""
    rows = api.events_sorted(Event.objects.filter(pk=pk)).values(
        *api.EVENT_ROW_COLUMNS, "sort_day"
    )
    return JSONRenderer().render(api.event_row_data(rows.get())).decode()


def _kept(pk: int) -> str | None:
    """The event as its kept texts write it (None when there are none), read
    with the page's own select and rows."""
    select, _, convert = api_fast._events_texts(signed=False)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} WHERE e.id = %s", [pk])
        row = convert(cursor.fetchone())
    if api_fast._text_missing(row):
        return None
    text = api_fast._event_text_json(row, *api_fast._url_json())
    # As the page is written (api_fast._json_page) and the renderer writes.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _all_kept() -> None:
    for pk in Event.objects.values_list("pk", flat=True):
        assert _kept(pk) == _rendered(pk), pk


@pytest.mark.parametrize(
    "fields",
    [
        {"what": "line\u2028sep\u2029ara\ttab \"quoted\" back\\slash \x01\x1f é"},
        {"what": "\b\f\n\r 中文 🚀 <script>&amp;</script>"},
        {"context": ['say "no"', "back\\slash", "naïve", "line\u2028", "\x02"]},
        {"context": []},
        {"context": ["military", "economic", "maritime"]},
        {"intensity": -10.0, "confidence": 1e-05},
        {"intensity": 10, "confidence": 1},
        {"intensity": 0.1 + 0.2, "confidence": 0.0},
        {"intensity": -0.0, "confidence": 1 / 3},
        {"intensity": 2.5e-07, "confidence": 0.0001},
        {"intensity": -3.3000000000000003, "confidence": 0.99999999999999},
        {"target": None, "date": None, "first_reported": None},
        {"date": dt.date(1, 1, 1), "first_reported": dt.date(9999, 12, 31)},
        {"type": "ASSAULT", "mode": "unconventional", "channel": "phone"},
        {"source_actor": "Un «chef» d'État \"X\"", "target_actor": "新华社\\"},
        {"review_state": "edited", "version": 7, "mention_count": 12},
    ],
)  # fmt: skip
def test_the_kept_text_is_the_rendered_event(postgres_only, fields):
    event = make_event("USA", fields.pop("target", "VEN"), **fields)

    assert _kept(event.pk) == _rendered(event.pk)


@pytest.mark.parametrize(
    "context", [{"nested": [1, 2.5]}, [1, "two"], "text", [["a"]], [None]]
)
def test_a_context_not_of_strings_is_left_to_the_columns(postgres_only, context):
    event = make_event("USA", "VEN", context=context)

    assert _kept(event.pk) is None  # the page writes it from its columns


def test_the_texts_follow_every_way_an_event_changes(postgres_only, analyst):
    first = make_event("VEN", "RUS", source_actor="Nicolás Maduro")
    second = make_event("USA", "VEN", target_actor="Nicolás Maduro")
    make_event("USA", None, what="alone")
    _all_kept()

    Event.objects.filter(pk=first.pk).update(what="by queryset", intensity=-7.5)
    _all_kept()
    event = Event.objects.get(pk=second.pk)
    event.status, event.context = "denied", ["cyber"]
    event.save()  # saved whole, as a model
    _all_kept()
    review.event_reject(event_id=event.pk, user=analyst, version=event.version)
    _all_kept()

    # An actor's name, kind, title or country: each of its events, both sides.
    actor = Actor.objects.get(name="Nicolás Maduro")
    actor.name, actor.title = "N. Maduro", 'President of "Venezuela"'
    actor.save()
    _all_kept()
    Actor.objects.filter(pk=actor.pk).update(kind="state", country_id="CUB")
    _all_kept()
    assert "N. Maduro" in _kept(first.pk) and "CUB" in _kept(second.pk)
    Actor.objects.filter(pk=actor.pk).update(country_id=None)
    _all_kept()


def test_the_texts_follow_processing_and_merges(postgres_only, analyst, seed_text):
    upload = article_create(text=seed_text)
    article_process(article_id=upload.article.pk, claim="first")
    _all_kept()
    assert Event.objects.exists()
    article_reprocess(article=Article.objects.get(pk=upload.article.pk))
    article_process(article_id=upload.article.pk, claim="again")
    _all_kept()

    merge_made(analyst)
    _all_kept()


def test_a_compact_page_is_written_from_the_texts(
    postgres_only, viewer_api, monkeypatch
):
    for n in range(3):
        make_event("USA", "VEN", what=f"kept {n}")
    columns = []
    original = api_fast._event_json
    monkeypatch.setattr(
        api_fast, "_event_json", lambda *a: columns.append(1) or original(*a)
    )

    answer = viewer_api.get(EVENTS + "?pair=USA,VEN")

    assert answer.status_code == 200 and len(answer.json()["results"]) == 3
    assert columns == []  # no event written from its columns


def test_a_page_with_an_event_left_to_the_columns_is_still_whole(
    postgres_only, viewer_api, settings
):
    make_event("USA", "VEN", what="kept")
    make_event("USA", "VEN", what="left", context={"not": "a list"})

    fast = viewer_api.get(EVENTS + "?pair=USA,VEN")
    settings.API_FAST_PATH = False
    general = viewer_api.get(EVENTS + "?pair=USA,VEN")

    assert fast.status_code == 200 and len(fast.json()["results"]) == 2
    assert fast.content == general.content


# PostgreSQL, from a suite that runs on SQLite -------------------------------------


def test_the_texts_hold_on_postgres():
    assert_passes_on_postgres(__file__, but="test_the_texts_hold_on_postgres")
