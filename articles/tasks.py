import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from articles import services, summary
from articles.services import TRANSIENT_ERRORS
from tensions import relations
from tensions.tasks import refresh_relations

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def process_queue(self) -> int:
    """Process the oldest queued articles, one batch; returns how many.

    When more are waiting, another task is sent first, so that every worker
    process takes a batch of its own. Safe to run twice: a redelivered task
    carries the same claim and takes its own articles again; a re-run replaces
    an article's machine-made evidence in one transaction.
    """
    claim = self.request.id or ""
    services.wake_taken()  # before the claim: what comes after wakes another
    articles, more = services.articles_claim(claim=claim)
    if more:
        services.wake()
    try:
        services.articles_process(articles=articles)
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        services.articles_fail_claimed(claim=claim, reason="Processing took too long.")
    except Exception as exc:  # a bug must not leave articles processing forever
        logger.exception("processing a batch of %d articles failed", len(articles))
        services.articles_fail_claimed(claim=claim, reason=f"Internal error: {exc}")
    if articles and not services.articles_waiting():
        # The queue is drained: bring the pair rows up to date now, not after
        # the refresh's delay, so that pages show the whole upload at once.
        refresh_relations()
    return len(articles)


@shared_task
def sweep_stuck_articles() -> int:
    """Queue again what a worker never finished; and fold the changes the
    pages add up: articles per status (home, articles.summary) and events per
    country (the timeline's picker, tensions.relations)."""
    summary.status_counts_compact()
    relations.country_events_compact()
    return len(services.articles_requeue_stuck())
