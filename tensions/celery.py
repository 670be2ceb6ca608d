import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")

app = Celery("tensions")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _extractor_ready(**kwargs) -> None:
    """Load the language model and dictionaries as a worker process starts,
    so that the first article of a batch does not wait seconds for them."""
    from tensions import extraction

    extraction.extract("Chile thanked Peru.")
