import logging
from time import monotonic

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

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
    """Process the oldest queued articles, batch after batch; returns how many.

    When more are waiting, another task is sent first, so that every worker
    process takes a batch of its own. While more wait, the task claims the
    next batch itself, for up to TENSIONS_PROCESS_TASK_SECONDS: a task per
    batch left the process idle between batches, for the acknowledgement, the
    next task's delivery and its start. Safe to run twice: a redelivered task
    carries the same claim and takes its own articles again; a re-run replaces
    an article's machine-made evidence in one transaction.
    """
    claim = self.request.id or ""
    services.wake_taken()  # before the claim: what comes after wakes another
    deadline = monotonic() + _claiming_seconds()
    processed, more = 0, True
    while more:
        articles, more = services.articles_claim(claim=claim)
        if more:
            services.wake()
        processed += len(articles)
        if not _batch_process(articles, claim):
            break
        more = more and monotonic() < deadline
    if processed and not services.articles_waiting():
        # The queue is drained: bring the pair rows up to date now, not after
        # the refresh's delay, so that pages show the whole upload at once.
        refresh_relations()
    return processed


def _claiming_seconds() -> float:
    """How long a task goes on claiming batches: at most half of its soft time
    limit, so that the last batch it claims has the other half to itself, and
    an article that ran out of time (articles.services.articles_process) ends
    the task: the limit is past the deadline."""
    return min(
        settings.TENSIONS_PROCESS_TASK_SECONDS, settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    )


def _batch_process(articles: list, claim: str) -> bool:
    """Process a claimed batch; False if the task ran out of time or failed
    (its articles failed with the reason: the task takes no more)."""
    try:
        services.articles_process(articles=articles)
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        services.articles_fail_claimed(claim=claim, reason="Processing took too long.")
        return False
    except Exception as exc:  # a bug must not leave articles processing forever
        logger.exception("processing a batch of %d articles failed", len(articles))
        services.articles_fail_claimed(claim=claim, reason=f"Internal error: {exc}")
        return False
    return True


@shared_task
def sweep_stuck_articles() -> int:
    """Queue again what a worker never finished; and fold the changes the
    pages add up: articles per status (home, articles.summary) and events per
    country (the timeline's picker, tensions.relations)."""
    summary.status_counts_compact()
    relations.country_events_compact()
    return len(services.articles_requeue_stuck())
