"""Uploading articles and processing them into events."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from articles.models import Article, content_hash, normalise_text
from tensions import extraction
from tensions.services import events_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    article: Article
    created: bool


def article_create(
    *,
    text: str,
    title: str = "",
    publisher: str = "",
    author: str = "",
    url: str = "",
    published: dt.date | None = None,
    uploaded_by=None,
    filename: str = "",
) -> Upload:
    """Save an article as queued and enqueue it after commit.

    The same text (whitespace folded) is never stored twice: the existing
    article is returned with `created=False`.
    """
    _validate(text=text, published=published)
    digest = content_hash(text)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing:
        return Upload(existing, created=False)
    fields = {
        "text": text.strip(),
        "title": title.strip()[:500] or _title_from(text),
        "publisher": publisher.strip(),
        "author": author.strip(),
        "url": url.strip(),
        "published": published,
        "published_source": Article.DateSource.FORM,
        "uploaded_by": uploaded_by,
        "filename": filename[:255],
        "content_hash": digest,
        "queued_at": timezone.now(),
    }
    if published is None:
        fields["published"] = timezone.localdate()
        fields["published_source"] = Article.DateSource.UPLOAD_TIME
    try:
        with transaction.atomic():
            article = Article.objects.create(**fields)
    except IntegrityError:
        # Another upload of the same text won the race.
        return Upload(Article.objects.get(content_hash=digest), created=False)
    article_enqueue(article=article)
    return Upload(article, created=True)


def _validate(*, text: str, published: dt.date | None) -> None:
    if not text or not text.strip():
        raise ValidationError({"text": "The article has no text."}, code="empty")
    limit = settings.TENSIONS_MAX_ARTICLE_CHARS
    if len(text) > limit:
        raise ValidationError(
            {
                "text": f"The article has {len(text):,} characters; "
                f"the limit is {limit:,}."
            },
            code="too_long",
        )
    if published and published > timezone.localdate():
        raise ValidationError(
            {"published": "The publication date is in the future."}, code="future"
        )


def _title_from(text: str) -> str:
    first_line = normalise_text(text.strip().splitlines()[0])
    return first_line[:120] + ("…" if len(first_line) > 120 else "")


def article_enqueue(*, article: Article) -> None:
    """Process the article once the current transaction commits.

    If the broker is unreachable the article stays queued; the sweeper
    enqueues it again later, so the upload is never lost.
    """
    from articles.tasks import process_article

    article_id = article.pk

    def send():
        try:
            process_article.delay(article_id)
        except Exception:  # the broker is down: the sweeper will retry
            logger.warning("could not enqueue article %s; it stays queued", article_id)

    transaction.on_commit(send)


def article_reprocess(*, article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.QUEUED, queued_at=timezone.now(), error="", claimed_by=""
    )
    article_enqueue(article=article)


def article_claim(*, article_id: int, claim: str) -> bool:
    """Mark the article processing for `claim`; False if another worker has it.

    A retry of the same task carries the same claim and may take it again; a
    claim older than the stuck timeout is fair game for anyone.
    """
    stale = timezone.now() - dt.timedelta(seconds=settings.TENSIONS_STUCK_AFTER_SECONDS)
    claimable = Q(status=Article.Status.QUEUED) | Q(
        Q(claimed_by=claim) | Q(started_at__lt=stale), status=Article.Status.PROCESSING
    )
    taken = Article.objects.filter(claimable, pk=article_id).update(
        status=Article.Status.PROCESSING,
        claimed_by=claim,
        started_at=timezone.now(),
        finished_at=None,
        attempts=F("attempts") + 1,
    )
    return taken == 1


def article_process(*, article_id: int, claim: str) -> Article | None:
    """Extract the events of a claimed article and record them.

    Returns None when another worker got there first. An input the engine
    cannot handle marks the article failed with the reason; database and
    broker errors propagate so that the task is retried.
    """
    if not article_claim(article_id=article_id, claim=claim):
        return None
    article = Article.objects.get(pk=article_id)
    try:
        events = extraction.extract(
            article.text,
            published=article.published,
            budget_seconds=settings.TENSIONS_EXTRACTION_BUDGET_SECONDS,
        )
    except extraction.ExtractionError as exc:
        return article_fail(article_id=article_id, reason=str(exc))
    with transaction.atomic():
        events_record(
            article=article,
            events=events,
            extractor_version=extraction.EXTRACTOR_VERSION,
        )
        _finish(article_id, status=Article.Status.DONE, error="")
    return Article.objects.get(pk=article_id)


def article_fail(*, article_id: int, reason: str) -> Article:
    _finish(article_id, status=Article.Status.FAILED, error=reason[:2000])
    return Article.objects.get(pk=article_id)


def _finish(article_id: int, *, status: str, error: str) -> None:
    Article.objects.filter(pk=article_id).update(
        status=status,
        error=error,
        claimed_by="",
        finished_at=timezone.now(),
        extractor_version=extraction.EXTRACTOR_VERSION,
    )


def articles_requeue_stuck() -> list[int]:
    """Send again every article stuck in queued or processing past the timeout."""
    before = timezone.now() - dt.timedelta(
        seconds=settings.TENSIONS_STUCK_AFTER_SECONDS
    )
    stuck = list(Article.objects.stuck(before=before).values_list("pk", flat=True))
    for article_id in stuck:
        with transaction.atomic():
            article_reprocess(article=Article(pk=article_id))
    if stuck:
        logger.info("re-enqueued %d stuck articles", len(stuck))
    return stuck
