"""The home page's articles per status: on PostgreSQL added up from the changes
triggers append (articles.models.StatusCount), which must always equal a count
of the articles themselves."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from articles import services, summary
from articles.models import Article, StatusCount
from articles.services import article_create, article_process, articles_claim
from tests.stack import assert_passes_on_postgres

pytestmark = pytest.mark.django_db


def _counted() -> dict[str, int]:
    rows = Article.objects.values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows if n}


def _shown() -> dict[str, int]:
    counts = summary.processing_summary()["counts"]
    return {value: n for _, value, n in counts if n}


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("triggers are PostgreSQL's; test_the_counts_hold_on_postgres")


def test_the_counts_follow_every_way_an_article_changes_status(seed_text):
    for n in range(6):
        article_create(text=f"Chile thanked Peru on day {n}.")
    article_create(  # another language: unsupported from the start
        text="Le gouvernement du Chili a remercié le Pérou pour son aide et son "
        "soutien pendant les inondations de la semaine dernière, selon le ministre "
        "des affaires étrangères, qui a parlé avec ses homologues mardi."
    )
    assert _shown() == _counted()

    taken, _ = articles_claim(claim="first", limit=2)  # processing
    assert _shown() == _counted() and _shown()["processing"] == 2
    services.articles_process(articles=taken)  # done
    article_process(article_id=Article.objects.filter(status="queued")[0].pk, claim="x")
    services.articles_claim(claim="stuck", limit=1)
    Article.objects.filter(claimed_by="stuck").update(
        started_at=timezone.now() - dt.timedelta(days=1)
    )
    services.articles_requeue_stuck()  # processing → queued
    services.articles_fail_claimed(claim="nobody", reason="nothing claimed")
    taken, _ = articles_claim(claim="failing", limit=1)
    services.articles_fail_claimed(claim="failing", reason="a test")  # failed
    Article.objects.filter(status="done")[:1].get().delete()
    Article.objects.filter(status="queued").update(title="Renamed")  # no change

    assert _shown() == _counted()
    assert set(_counted()) >= {"queued", "done", "failed", "unsupported"}


def test_changes_are_appended_and_folded_into_one_row_per_status(postgres_only):
    for n in range(4):
        article_create(text=f"Chile thanked Peru on day {n}.")
    before = StatusCount.objects.count()
    Article.objects.update(title="Renamed")  # no status moved: nothing appended
    assert StatusCount.objects.count() == before
    articles_claim(claim="c", limit=3)  # one statement: two rows (−3, +3)
    assert StatusCount.objects.count() == before + 2

    folded = summary.status_counts_compact()

    assert folded == before + 2
    rows = dict(StatusCount.objects.values_list("status", "n"))
    assert rows == {"queued": 1, "processing": 3} == _counted() == _shown()


def test_the_sweeper_folds_the_changes(postgres_only):
    from articles.tasks import sweep_stuck_articles

    for n in range(3):
        article_create(text=f"Chile thanked Peru on day {n}.")
    sweep_stuck_articles.apply().get()

    assert dict(StatusCount.objects.values_list("status", "n")) == {"queued": 3}


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_counts_hold_on_postgres():
    assert_passes_on_postgres(__file__, but="test_the_counts_hold_on_postgres")
