import logging

from celery import shared_task
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from tensions import relations
from tensions.services import REFRESH_PENDING

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError, BrokerError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def refresh_relations() -> int:
    """Recompute the pair rows processing marked stale (beat runs it too)."""
    cache.delete(REFRESH_PENDING)  # articles committing from now on send another
    total = taken = relations.relations_refresh_stale()
    while taken == relations.STALE_BATCH:  # more were waiting: keep going
        taken = relations.relations_refresh_stale()
        total += taken
    return total
