import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
application = get_wsgi_application()

from django.core.cache import cache  # noqa: E402 (once the settings are known)

from tensions.celery import app as celery_app  # noqa: E402

# The URLconf, and with it every view, serializer and form module, is imported
# now, as the server process starts, rather than by its first request: an upload
# or a page landing on a new gunicorn worker waited ~0.3 s for those imports.
get_resolver().url_patterns  # noqa: B018 (loaded for its side effect)

# So are the broker's transport, the task registry and the shared cache's
# backend, which the first upload needs to wake a worker: each gunicorn
# worker's first upload waited ~0.07 s for them. Nothing connects here.
celery_app.producer_pool  # noqa: B018
celery_app.tasks  # noqa: B018
cache.get  # noqa: B018
