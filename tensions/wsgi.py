import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
application = get_wsgi_application()

# The URLconf, and with it every view, serializer and form module, is imported
# now, as the server process starts, rather than by its first request: an upload
# or a page landing on a new gunicorn worker waited ~0.3 s for those imports.
get_resolver().url_patterns  # noqa: B018 (loaded for its side effect)
