"""The task: takes a batch of queued articles, safe to run twice."""

import datetime as dt

import pytest
from django.db import OperationalError, connection
from kombu.exceptions import OperationalError as BrokerError

from articles import services
from articles.models import Article
from articles.services import article_create, article_reprocess
from articles.tasks import process_queue
from tensions.models import Event, Mention

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(Mention.objects.values_list("event__type", "event__status", "start"))


def test_running_the_task_twice_changes_nothing(seed_text):
    article = article_create(text=seed_text, published=dt.date(2025, 10, 31)).article

    assert process_queue.apply().get() == 1
    first = (_rows(), Event.objects.count())
    assert process_queue.apply().get() == 0  # nothing queued: nothing taken
    article_reprocess(article=article)
    assert process_queue.apply().get() == 1  # the same article, processed again

    assert (_rows(), Event.objects.count()) == first
    article.refresh_from_db()
    assert (article.status, article.attempts) == (Article.Status.DONE, 2)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        BrokerError("Error 111 connecting to redis: Connection refused."),
    ],
    ids=["database", "broker"],
)
def test_a_transient_error_retries_the_task(error, monkeypatch):
    article = article_create(text="Chile thanked Peru.").article
    claim, calls = services.articles_claim, []

    def flaky(**kwargs):
        calls.append(kwargs["claim"])
        if len(calls) == 1:
            raise error
        return claim(**kwargs)

    monkeypatch.setattr(services, "articles_claim", flaky)

    # Run eagerly, a retry runs again at once (a worker waits, with backoff).
    assert process_queue.apply(task_id="t").get() == 1
    assert calls == ["t", "t"]  # the retry carries the same claim
    article.refresh_from_db()
    assert article.status == Article.Status.DONE


def test_a_permanent_error_fails_the_batch_at_once_with_the_reason(monkeypatch):
    article = article_create(text="Chile thanked Peru.").article

    def broken(**kwargs):
        raise ValueError("the engine met a bug")

    monkeypatch.setattr(services, "articles_process", broken)

    assert process_queue.apply().get() == 1  # no retry: it ends
    article.refresh_from_db()
    assert (article.status, article.attempts) == (Article.Status.FAILED, 1)
    assert article.error == "Internal error: the engine met a bug"


def test_a_redelivered_task_takes_its_own_articles_again(seed_text):
    article = article_create(text=seed_text, published=dt.date(2025, 10, 31)).article
    # The worker died after claiming: the article is processing for that task.
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PROCESSING, claimed_by="task-1"
    )

    assert process_queue.apply(task_id="task-2").get() == 0  # not another's
    assert process_queue.apply(task_id="task-1").get() == 1

    article.refresh_from_db()
    assert article.status == Article.Status.DONE
    assert Mention.objects.filter(article=article).exists()


def test_a_batch_is_bounded_and_sends_a_task_for_the_rest(settings, monkeypatch):
    from articles import services

    settings.TENSIONS_PROCESS_BATCH_ARTICLES = 2
    settings.TENSIONS_PROCESS_TASK_SECONDS = 0  # one batch per task
    for n in range(5):
        article_create(text=f"Chile thanked Peru on day {n}.")
    woken = []
    monkeypatch.setattr(services, "wake", lambda: woken.append(1))

    assert process_queue.apply().get() == 2
    assert len(woken) == 1  # another worker process may take the next batch
    assert Article.objects.filter(status=Article.Status.DONE).count() == 2

    assert process_queue.apply().get() == 2
    assert process_queue.apply().get() == 1
    assert len(woken) == 2  # the last batch took all that was left
    assert not Article.objects.exclude(status=Article.Status.DONE).exists()


def test_a_task_claims_batch_after_batch_while_more_wait(settings, monkeypatch):
    from articles import services

    settings.TENSIONS_PROCESS_BATCH_ARTICLES = 2
    settings.TENSIONS_PROCESS_BATCH_FLOOR = 1
    for n in range(5):
        article_create(text=f"Chile thanked Peru on day {n}.")
    claims, woken = [], []
    claim = services.articles_claim

    def counted(**kwargs):
        taken, more = claim(**kwargs)
        claims.append(len(taken))
        return taken, more

    monkeypatch.setattr(services, "wake", lambda: woken.append(1))
    monkeypatch.setattr(services, "articles_claim", counted)

    assert process_queue.apply().get() == 5

    assert claims == [2, 2, 1]  # 5 waiting, then 3, then 1: one task
    assert len(woken) == 2  # each claim that left more sent a wake-up
    assert not Article.objects.exclude(status=Article.Status.DONE).exists()


def test_a_task_stops_claiming_at_its_deadline_and_leaves_the_rest_queued(
    settings, monkeypatch
):
    from articles import tasks

    settings.TENSIONS_PROCESS_BATCH_ARTICLES = 2
    settings.TENSIONS_PROCESS_TASK_SECONDS = 10
    for n in range(5):
        article_create(text=f"Chile thanked Peru on day {n}.")
    # The task starts at 100 s; its first batch ends at 105, its second at 111.
    clock = iter([100.0, 105.0, 111.0])
    monkeypatch.setattr(tasks, "monotonic", lambda: next(clock))

    assert process_queue.apply().get() == 4

    assert Article.objects.filter(status=Article.Status.QUEUED).count() == 1


def test_a_task_claims_for_at_most_half_of_its_soft_time_limit(settings):
    """The last batch a task claims has the other half; an article that ran the
    task out of time (past the limit, so past the deadline) ends the task."""
    from articles.tasks import _claiming_seconds

    settings.CELERY_TASK_SOFT_TIME_LIMIT = 300
    settings.TENSIONS_PROCESS_TASK_SECONDS = 1000
    assert _claiming_seconds() == 150
    settings.TENSIONS_PROCESS_TASK_SECONDS = 30
    assert _claiming_seconds() == 30


def test_as_the_queue_drains_claims_share_what_is_left(settings):
    """While two batches or more wait a claim takes a whole batch; after that,
    half of what waits (not fewer than the floor), so that two processes end
    within a few articles of each other instead of one taking the last batch."""
    from articles.services import articles_claim

    settings.TENSIONS_PROCESS_BATCH_ARTICLES = 8
    settings.TENSIONS_PROCESS_BATCH_FLOOR = 3
    for n in range(21):
        article_create(text=f"Chile thanked Peru on day {n}.")

    sizes = []
    while True:
        taken, more = articles_claim(claim=f"claim {len(sizes)}")
        if not taken:
            break
        sizes.append(len(taken))
        assert more == (sum(sizes) < 21)

    # 21 waiting: a whole batch; then half of 13 and of 6; the last 3 at
    # once (the floor).
    assert sizes == [8, 7, 3, 3]
    assert not Article.objects.filter(status=Article.Status.QUEUED).exists()


def test_a_batch_stops_at_its_characters_but_always_takes_one(settings):
    from articles.services import articles_claim

    settings.TENSIONS_PROCESS_BATCH_CHARACTERS = 60
    long = article_create(text="Chile thanked Peru. " * 10).article  # 200 chars
    short = [article_create(text=f"Peru thanked Chile {n}.").article for n in range(4)]

    first, more = articles_claim(claim="a")
    second, _ = articles_claim(claim="b")

    assert [a.pk for a in first] == [long.pk] and more
    assert [a.pk for a in second] == [a.pk for a in short[:2]]  # 23 + 23 <= 60


def test_a_bug_in_processing_fails_the_article_instead_of_leaving_it_processing(
    monkeypatch,
):
    from articles import services

    def broken(*args, **kwargs):
        raise KeyError("unexpected")

    monkeypatch.setattr(services, "events_record_many", broken)
    article = article_create(text="Russia warned Norway on Monday.").article

    assert process_queue.apply().get() == 1

    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "unexpected" in article.error


def test_one_articles_bug_never_fails_the_others_of_its_batch(monkeypatch):
    from articles import services

    bad = article_create(text="Russia warned Norway on Monday.").article
    good = article_create(text="Chile thanked Peru on Monday.").article
    record = services.events_record_many

    def broken_for_one(*, found, **kwargs):
        if any(article.pk == bad.pk for article in found):
            raise KeyError("unexpected")
        return record(found=found, **kwargs)

    monkeypatch.setattr(services, "events_record_many", broken_for_one)

    assert process_queue.apply().get() == 2

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == Article.Status.FAILED and "unexpected" in bad.error
    assert good.status == Article.Status.DONE
    assert Mention.objects.filter(article=good).exists()


def test_an_article_out_of_time_fails_and_the_rest_go_back_to_the_queue(
    monkeypatch,
):
    from celery.exceptions import SoftTimeLimitExceeded

    from articles import services

    first = article_create(text="Chile thanked Peru on Monday.").article
    slow = article_create(text="Russia warned Norway on Monday.").article
    last = article_create(text="Peru thanked Chile on Monday.").article
    extract = services.article_extract

    def out_of_time(*, article):
        if article.pk == slow.pk:
            raise SoftTimeLimitExceeded()
        return extract(article=article)

    monkeypatch.setattr(services, "article_extract", out_of_time)

    assert process_queue.apply().get() == 3

    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Article.Status.QUEUED,
        slow.pk: Article.Status.FAILED,
        last.pk: Article.Status.QUEUED,
    }
    assert "too long" in Article.objects.get(pk=slow.pk).error
    assert not Mention.objects.exists()


def test_the_batch_that_drains_the_queue_brings_the_pair_rows_up_to_date(
    settings, seed_text
):
    from tensions.models import DyadPeriod, StaleCell

    settings.TENSIONS_PROCESS_BATCH_ARTICLES = 1
    settings.TENSIONS_PROCESS_TASK_SECONDS = 0  # one batch per task
    article_create(text=seed_text, published=dt.date(2025, 10, 31))
    article_create(text="Chile thanked Peru on Monday.")

    assert process_queue.apply().get() == 1  # more wait: the refresh can wait
    assert StaleCell.objects.exists()
    assert process_queue.apply().get() == 1  # the last one: refreshed now

    assert not StaleCell.objects.exists()
    assert DyadPeriod.objects.filter(source="USA", target="VEN").exists()


def test_a_claim_never_takes_what_another_worker_took_since_it_read(monkeypatch):
    """SQLite has no row locks: between the read and the write of a claim,
    another worker may take some of the articles."""
    from articles import services

    if connection.vendor == "postgresql":
        pytest.skip(
            "PostgreSQL locks the rows a claim reads: "
            "test_a_claim_skips_the_rows_another_claim_holds covers it there"
        )

    first = article_create(text="Chile thanked Peru on Monday.").article
    second = article_create(text="Peru thanked Chile on Monday.").article
    batch_of = services._batch_of

    def another_worker_first(rows):
        Article.objects.filter(pk=first.pk).update(
            status=Article.Status.PROCESSING, claimed_by="other"
        )
        return batch_of(rows)

    monkeypatch.setattr(services, "_batch_of", another_worker_first)

    taken, _ = services.articles_claim(claim="me")

    assert [a.pk for a in taken] == [second.pk]
    assert Article.objects.get(pk=first.pk).claimed_by == "other"
    assert Article.objects.get(pk=second.pk).claimed_by == "me"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_claim_skips_the_rows_another_claim_holds():
    """PostgreSQL: rows another worker's claim has locked are neither taken nor
    written, and the claim writes exactly the rows it took."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (CI runs the suite there)")
    import psycopg2

    from articles import services

    first, second, third = (
        article_create(text=f"Chile thanked Peru on day {n}.").article for n in range(3)
    )
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"]
    )
    try:
        with other.cursor() as cursor:  # another worker, mid-claim
            cursor.execute(
                "SELECT id FROM articles_article WHERE id = %s FOR UPDATE", [first.pk]
            )
            taken, _ = services.articles_claim(claim="me")
    finally:
        other.rollback()
        other.close()

    assert [a.pk for a in taken] == [second.pk, third.pk]
    rows = dict(Article.objects.values_list("pk", "claimed_by"))
    assert rows == {first.pk: "", second.pk: "me", third.pk: "me"}
