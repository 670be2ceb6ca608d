import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from articles import services

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def process_article(self, article_id: int) -> str:
    try:
        article = services.article_process(
            article_id=article_id, claim=self.request.id or ""
        )
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        services.article_fail(article_id=article_id, reason="Processing took too long.")
        return "failed"
    except Exception as exc:  # a bug must not leave the article processing forever
        logger.exception("processing article %s failed", article_id)
        services.article_fail(article_id=article_id, reason=f"Internal error: {exc}")
        return "failed"
    return article.status if article else "skipped"


@shared_task
def sweep_stuck_articles() -> int:
    return len(services.articles_requeue_stuck())
