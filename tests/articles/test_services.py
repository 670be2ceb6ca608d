"""Uploading and processing articles."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleSketch
from articles.services import (
    article_create,
    article_process,
    articles_claim,
    articles_requeue_stuck,
)
from tensions.models import Event, Mention
from tests.articles import samples

pytestmark = pytest.mark.django_db


def test_an_upload_is_saved_queued_and_enqueued_after_commit(
    django_capture_on_commit_callbacks, analyst
):
    with django_capture_on_commit_callbacks() as callbacks:
        upload = article_create(text="Chile thanked Peru.", uploaded_by=analyst)

    assert upload.created
    assert upload.article.status == Article.Status.QUEUED
    assert upload.article.uploaded_by == analyst
    assert len(callbacks) == 1


def test_the_same_text_with_other_whitespace_is_the_same_article():
    first = article_create(text="Chile  thanked\nPeru.")
    second = article_create(text="  Chile thanked Peru.  ")

    assert not second.created
    assert second.article == first.article
    assert Article.objects.count() == 1


def test_a_text_stored_since_the_caller_looked_is_the_stored_article():
    # Another upload stored the text after this one's lookup (`stored` is
    # what it found): the insert stores nothing, the transaction goes on.
    text = samples.STORY
    first = article_create(text=text)
    sketch_rows = ArticleSketch.objects.count()

    with transaction.atomic():
        second = article_create(text=text, stored={})
        assert Article.objects.count() == 1

    assert not second.created
    assert second.article == first.article
    assert ArticleSketch.objects.count() == sketch_rows > 0
    assert set(ArticleSketch.objects.values_list("article_id", flat=True)) == {
        first.article.pk
    }


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_it_refuses_an_empty_text(text):
    with pytest.raises(ValidationError) as refused:
        article_create(text=text)

    assert "no text" in str(refused.value)
    assert not Article.objects.exists()


def test_it_refuses_a_publication_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        article_create(text="Some text.", published=tomorrow)
    assert not Article.objects.exists()


def test_it_refuses_a_text_over_the_limit(settings):
    settings.TENSIONS_MAX_ARTICLE_CHARS = 10
    with pytest.raises(ValidationError, match="limit is 10"):
        article_create(text="Eleven chars")


def test_without_a_date_the_upload_time_stands_in_and_says_so():
    article = article_create(text="Some text.").article

    assert article.published == timezone.localdate()
    assert article.published_source == Article.DateSource.UPLOAD_TIME


def test_a_broker_outage_never_loses_the_upload(
    monkeypatch, django_capture_on_commit_callbacks
):
    from articles import services, tasks

    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(services._broker, "down_until", 0.0)
    monkeypatch.setattr(tasks.process_queue, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        upload = article_create(text="Chile thanked Peru.")
    with django_capture_on_commit_callbacks(execute=True):
        article_create(text="Peru thanked Chile.")

    assert Article.objects.get(pk=upload.article.pk).status == Article.Status.QUEUED
    assert Article.objects.filter(status=Article.Status.QUEUED).count() == 2
    assert len(attempts) == 1  # after one failure it stops waiting on the broker


def _claim(article, claim: str) -> bool:
    taken, _ = articles_claim(claim=claim, ids=[article.pk])
    return bool(taken)


def test_only_one_claim_wins():
    article = article_create(text="Some text.").article

    assert _claim(article, "task-1")
    assert not _claim(article, "task-2")
    # A retry of the same task may take its own claim again.
    assert _claim(article, "task-1")


def test_the_founding_article_is_processed_into_events(seed_text):
    article = article_create(text=seed_text, published=dt.date(2025, 10, 31)).article

    done = article_process(article_id=article.pk, claim="t")

    assert done.status == Article.Status.DONE
    assert done.attempts == 1 and done.extractor_version
    found = set(
        Event.objects.values_list("source_country", "target_country", "type", "status")
    )
    assert {
        ("VEN", "RUS", "REQUEST", "occurred"),
        ("VEN", "CHN", "REQUEST", "occurred"),
        ("USA", "VEN", "ASSAULT", "occurred"),
        ("USA", "VEN", "ASSAULT", "possible"),
    } <= found
    for mention in Mention.objects.all():
        assert done.text[mention.start : mention.end] == mention.sentence


def test_an_engine_failure_marks_the_article_failed_with_the_reason(settings):
    settings.TENSIONS_EXTRACTION_BUDGET_SECONDS = 0.000001
    article = article_create(
        text="Russia warned Norway that it would act. " * 200
    ).article

    failed = article_process(article_id=article.pk, claim="t")

    assert failed.status == Article.Status.FAILED
    assert "took longer" in failed.error
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_stuck_articles_are_queued_again_and_a_worker_woken(settings, monkeypatch):
    from articles import services

    settings.TENSIONS_STUCK_AFTER_SECONDS = 60
    woken = []
    monkeypatch.setattr(services, "wake", lambda **_: woken.append(1))
    stuck = article_create(text="Stuck text.").article
    fresh = article_create(text="Fresh text.").article
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Article.objects.filter(pk=stuck.pk).update(
        status=Article.Status.PROCESSING, started_at=long_ago
    )
    assert len(woken) == 2  # each upload's own, after its commit

    requeued = articles_requeue_stuck()

    assert requeued == [stuck.pk]
    assert Article.objects.get(pk=stuck.pk).status == Article.Status.QUEUED
    assert Article.objects.get(pk=fresh.pk).status == Article.Status.QUEUED
    assert len(woken) == 3  # one wake-up for all that were stuck
    assert articles_requeue_stuck() == [] and len(woken) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_queueing_many_articles_wakes_a_worker_once(monkeypatch):
    from django.db import transaction

    from articles import services

    woken = []
    monkeypatch.setattr(services, "wake", lambda: woken.append(1))
    with transaction.atomic():
        for n in range(5):
            article_create(text=f"Chile thanked Peru on day {n}.")
        assert woken == []  # nothing before the commit

    assert woken == [1]


def test_the_sweeper_leaves_alone_an_article_finished_since_it_looked(
    settings, monkeypatch
):
    settings.TENSIONS_STUCK_AFTER_SECONDS = 60
    article = article_create(text="Stuck text.").article
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(queued_at=long_ago)
    stuck = Article.objects.stuck

    def finished_meanwhile(*, before):
        found = stuck(before=before)
        Article.objects.filter(pk=article.pk).update(status=Article.Status.DONE)
        return found

    monkeypatch.setattr(Article.objects, "stuck", finished_meanwhile, raising=False)
    assert articles_requeue_stuck() == []
    assert Article.objects.get(pk=article.pk).status == Article.Status.DONE


@pytest.fixture
def sent(settings, monkeypatch):
    """The process_queue tasks sent, with a cache every process shares."""
    from articles import tasks

    settings.TENSIONS_SHARED_CACHE = True  # the test's cache, as Redis would be
    cache.delete(services.WAKE_PENDING)
    monkeypatch.setattr(services._broker, "down_until", 0.0)
    made = []
    monkeypatch.setattr(tasks.process_queue, "delay", lambda: made.append(1))
    yield made
    cache.delete(services.WAKE_PENDING)


def test_no_wake_up_is_sent_while_one_waits_for_a_worker(sent):
    services.wake()
    services.wake()
    assert sent == [1]

    services.wake_taken()  # a task starts, before it claims
    services.wake()
    assert sent == [1, 1]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweeper_wakes_a_worker_even_when_one_seems_to_wait(sent, settings):
    settings.TENSIONS_STUCK_AFTER_SECONDS = 60
    services.wake()  # its task was lost with the broker, say
    article = article_create(text="Stuck after a lost wake-up.").article
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Article.objects.filter(pk=article.pk).update(queued_at=long_ago)

    assert sent == [1]  # the upload's wake-up waited behind the lost one

    assert articles_requeue_stuck() == [article.pk]
    assert sent == [1, 1]


def test_a_wake_up_the_broker_refused_does_not_hold_back_the_next(
    settings, monkeypatch
):
    from articles import tasks

    settings.TENSIONS_SHARED_CACHE = True
    cache.delete(services.WAKE_PENDING)
    monkeypatch.setattr(services._broker, "down_until", 0.0)

    def refused():
        raise OSError("broker down")

    monkeypatch.setattr(tasks.process_queue, "delay", refused)
    services.wake()
    monkeypatch.setattr(services._broker, "down_until", 0.0)
    made = []
    monkeypatch.setattr(tasks.process_queue, "delay", lambda: made.append(1))
    services.wake()

    assert made == [1]
    cache.delete(services.WAKE_PENDING)


def test_a_process_queue_task_takes_the_mark_off_before_it_claims(sent, monkeypatch):
    from articles import tasks

    services.wake()
    marked = []
    claim = services.articles_claim

    def claiming(**kwargs):
        marked.append(cache.get(services.WAKE_PENDING))
        return claim(**kwargs)

    monkeypatch.setattr(services, "articles_claim", claiming)
    tasks.process_queue.apply()

    assert marked == [None]


def test_a_text_stored_meanwhile_by_another_upload_is_that_article():
    # Another upload stored the text after this one looked (`stored` is what
    # this one read): it is the existing article, and the caller's
    # transaction, with no savepoint per record, goes on unharmed.
    first = article_create(text="Chile thanked Peru.")
    with transaction.atomic():
        again = article_create(text="Chile  thanked Peru.", stored={})
        other = article_create(text="Peru thanked Chile.", stored={})

    assert not again.created and again.article == first.article
    assert other.created
    assert Article.objects.count() == 2


@pytest.mark.parametrize("taken_by", ["an analyst", "the sweeper"])
def test_an_article_taken_back_while_extracted_is_left_to_its_new_holder(
    taken_by, seed_text, settings
):
    article = article_create(text=seed_text, published=dt.date(2025, 10, 31)).article
    first, _ = articles_claim(claim="first")
    # While "first" extracts it, it is queued again and "second" takes it.
    if taken_by == "an analyst":
        services.articles_reprocess(articles=Article.objects.filter(pk=article.pk))
    else:
        settings.TENSIONS_STUCK_AFTER_SECONDS = 0
        articles_requeue_stuck()
    second, _ = articles_claim(claim="second")

    services.articles_process(articles=first)  # "first" ends: not recorded
    article.refresh_from_db()
    assert (article.status, article.claimed_by) == ("processing", "second")
    assert not Mention.objects.exists()

    services.articles_process(articles=second)
    article.refresh_from_db()
    assert (article.status, article.attempts) == ("done", 2)
    mentions = Mention.objects.filter(article=article)
    assert mentions.count() == len({(m.event_id, m.start) for m in mentions}) > 0


@pytest.mark.parametrize("outcome", ["failed", "unsupported"])
def test_an_outcome_for_an_article_taken_back_meanwhile_is_not_written(
    outcome, settings
):
    article = article_create(text="Chile thanked Peru.").article
    first, _ = articles_claim(claim="first")
    services.articles_reprocess(articles=Article.objects.filter(pk=article.pk))
    if outcome == "failed":
        settings.TENSIONS_EXTRACTION_BUDGET_SECONDS = 1e-6  # extraction fails
    else:
        first[0].language = "fr"  # as if detected so: not to be extracted

    services.articles_process(articles=first)

    article.refresh_from_db()
    assert (article.status, article.error) == ("queued", "")
