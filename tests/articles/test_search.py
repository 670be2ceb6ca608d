"""Full-text search of articles: the article list, the API search, both databases.

The tests without a marker hold on SQLite (the fallback) and on PostgreSQL
(ranked full-text search). Those that need PostgreSQL run in-process when the
suite runs on it, and otherwise through test_the_postgres_search_holds, which
runs this file again against a PostgreSQL database of its own.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from articles.models import Article
from articles.search import articles_search, search_terms
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; test_the_postgres_search_holds runs it there")


@pytest.fixture
def library():
    return {
        "base": make_article(
            "Russia moved radar units to the naval base near the coast.",
            title="Radar units at the naval base",
            publisher="Reuters",
            language="en",
            published=dt.date(2025, 10, 2),
        ),
        "drill": make_article(
            "A radar drill took place; the base was closed.",
            title="A drill",
            publisher="AP",
            language="en",
            published=dt.date(2025, 9, 1),
        ),
        "other": make_article(
            "Fishing quotas were agreed in Brussels.",
            title="Quotas",
            publisher="Reuters",
            language="fr",
            published=dt.date(2025, 10, 5),
        ),
    }


def _found(query: str) -> list[str]:
    return [a.title for a in articles_search(Article.objects.all(), query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("radar base", ["Radar units at the naval base", "A drill"]),
        ('"naval base"', ["Radar units at the naval base"]),
        ("radar -drill", ["Radar units at the naval base"]),
        ("radar quotas", []),
        ("REUTERS quotas", ["Quotas"]),
    ],
)
def test_every_term_must_match_best_first(library, query, expected):
    assert _found(query) == expected


def test_the_terms_of_a_query(library):
    assert search_terms('radar "naval base" -drill or x') == (
        ["radar", "naval base", "x"],
        ["drill"],
    )


def test_a_title_match_ranks_above_a_text_match():
    make_article("Nothing but the word sanctions, once.", title="Budget")
    make_article("New sanctions were announced.", title="Sanctions announced")

    assert _found("sanctions") == ["Sanctions announced", "Budget"]


def test_postgres_stems_words_and_reads_or(library, postgres_only):
    assert _found("radars") == ["Radar units at the naval base", "A drill"]
    assert set(_found("quotas or drill")) == {"Quotas", "A drill"}


def test_postgres_search_uses_the_gin_index(library, postgres_only):
    with connection.cursor() as cursor:
        # Three rows: force the choice. Without plain index scans too, a walk
        # of the words table's primary key, filtering every row, is not one.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = articles_search(Article.objects.all(), "radar").explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")

    assert "article_document_vector" in plan


def _words_row(article) -> tuple:
    """The article's words for search and the version of their row (xmin)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text, xmin::text FROM articles_articledocument "
            "WHERE article_id = %s",
            [article.pk],
        )
        return cursor.fetchone()


def test_postgres_words_follow_an_edit_of_the_title(library, postgres_only):
    drill = library["drill"]
    drill.title = "A submarine exercise"
    drill.save()

    assert _found("submarine") == ["A submarine exercise"]
    assert _found("drill") == ["A submarine exercise"]  # still in its text
    assert "submarin" in _words_row(drill)[0]


def test_postgres_status_writes_leave_the_words_alone(library, postgres_only):
    # The reason the words have a table of their own: claiming and finishing
    # an article rewrites its row, and must not index its text again.
    base = library["base"]
    before = _words_row(base)

    Article.objects.filter(pk=base.pk).update(status=Article.Status.PROCESSING)
    Article.objects.filter(pk=base.pk).update(
        status=Article.Status.DONE, error="", claimed_by=""
    )
    base.refresh_from_db()
    base.save()  # every column written, the same values

    assert _words_row(base) == before


def test_postgres_words_go_with_their_article(library, postgres_only):
    base = library["base"]
    base.delete()

    assert _words_row(base) is None
    assert _found("radar") == ["A drill"]


# The article list page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=radar", ["Radar units at the naval base", "A drill"]),
        ("q=radar&publisher=ap", ["A drill"]),
        ("publisher=Reuters&language=fr", ["Quotas"]),
        ("published_from=2025-10-01", ["Quotas", "Radar units at the naval base"]),
        ("published_to=2025-09-30&status=done", ["A drill"]),
        ("status=failed", []),
    ],
)
def test_the_article_list_searches_and_filters(viewer_client, library, query, expected):
    page = viewer_client.get(f"/articles/?{query}").context["page"]

    assert [a.title for a in page.object_list] == expected


def test_the_list_keeps_its_filters_in_the_page_links(viewer_client, library):
    response = viewer_client.get("/articles/?q=radar&publisher=AP&published_from=x")

    assert response.context["filters"] == "q=radar&publisher=AP"


def test_the_article_list_costs_no_query_per_row(
    viewer_client, django_assert_max_num_queries
):
    event = make_event()
    for n in range(30):
        article = make_article(f"Report {n}: Venezuela asked Russia for radars.")
        make_mention(event, article, "Venezuela asked Russia for radars.")
    with django_assert_max_num_queries(8):
        response = viewer_client.get("/articles/?q=radars+venezuela")

    assert response.status_code == 200
    assert {a.event_count for a in response.context["page"].object_list} == {1}


# The API -------------------------------------------------------------------------


@pytest.fixture
def api(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def test_the_api_search_answers_articles_and_events(api, library):
    event = make_event(what="radar units")
    make_mention(event, library["base"], "Russia moved radar units")
    make_event("CHN", "TWN", what="drills")

    body = api.get("/api/v1/search/?q=radar units").json()

    assert [a["title"] for a in body["articles"]] == ["Radar units at the naval base"]
    assert body["articles"][0]["event_count"] == 1
    assert [e["id"] for e in body["events"]] == [event.pk]


@pytest.mark.parametrize("query", ["", "q=radar&limit=0", "q=radar&limit=500"])
def test_a_bad_search_gets_a_400(api, query):
    response = api.get(f"/api/v1/search/?{query}")

    assert response.status_code == 400
    assert set(response.json()) <= {"q", "limit"}


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_postgres_search_holds():
    assert_passes_on_postgres(__file__, but="test_the_postgres_search_holds")
