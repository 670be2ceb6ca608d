import logging
import os
import time

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")

app = Celery("tensions")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_init.connect
def _extractor_loaded(**kwargs) -> None:
    """Load the language model and dictionaries in the worker's main process,
    before it starts its pool: each pool process is forked with them (pages
    shared, not copied), and the worker says "ready" only once it can work.
    Loaded in each pool process instead, the first batch waited for it after
    "ready" (about 0.4 s), and N processes loaded N copies at once."""
    started = time.perf_counter()
    _extractor_warm()
    logger.info(
        "extractor loaded in the main process in %.1f s",
        time.perf_counter() - started,
    )


@worker_process_init.connect
def _extractor_ready(**kwargs) -> None:
    """A pool process forked from a main process that loaded the extractor
    has it already; one started otherwise loads it here, before its first
    task."""
    started = time.perf_counter()
    inherited = _extractor_cached()
    if not inherited:
        _extractor_warm()
    logger.info(
        "extractor %s in %.2f s",
        "inherited from the main process" if inherited else "loaded",
        time.perf_counter() - started,
    )


def _extractor_warm() -> None:
    from tensions import extraction

    extraction.extract("Chile thanked Peru.")


def _extractor_cached() -> bool:
    from tensions.extraction import engine

    return engine.nlp.cache_info().currsize > 0
