"""The task: a few lines that call the service, safe to run twice."""

import datetime as dt

import pytest

from articles.models import Article
from articles.services import article_create
from articles.tasks import process_article
from tensions.models import Event, Mention

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(Mention.objects.values_list("event__type", "event__status", "start"))


def test_running_the_task_twice_changes_nothing(seed_text):
    article = article_create(text=seed_text, published=dt.date(2025, 10, 31)).article

    assert process_article.apply(args=[article.pk]).get() == "done"
    first = (_rows(), Event.objects.count())
    assert process_article.apply(args=[article.pk]).get() == "skipped"

    assert (_rows(), Event.objects.count()) == first
    assert Article.objects.get(pk=article.pk).attempts == 1


def test_a_bug_in_processing_fails_the_article_instead_of_leaving_it_processing(
    monkeypatch,
):
    from articles import services

    def broken(*args, **kwargs):
        raise KeyError("unexpected")

    monkeypatch.setattr(services, "events_record", broken)
    article = article_create(text="Russia warned Norway on Monday.").article

    assert process_article.apply(args=[article.pk]).get() == "failed"

    article.refresh_from_db()
    assert article.status == Article.Status.FAILED
    assert "unexpected" in article.error
