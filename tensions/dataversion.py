"""A token that changes whenever the data the dashboard draws changes.

Pages cache what they compute under it: a write (events recorded, reviewed,
pair rows refreshed) bumps it after commit, and every key made with the old
token is simply never read again. It lives in the default cache, which must be
shared by every process for a bump in a Celery worker to reach the web workers:
Redis when `CACHE_URL` is set (`settings.TENSIONS_SHARED_CACHE`). Without one,
or when the cache does not answer, `current()` is None and pages compute
everything, as they do without a cache. The token also holds a digest of the
code and templates that draw the pages, so that after a deploy nothing the old
code cached is read.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "tensions:data-version"
logger = logging.getLogger(__name__)


def current() -> str | None:
    """The token, or None when pages must not cache."""
    if not settings.TENSIONS_SHARED_CACHE:
        return None
    try:
        version = cache.get(KEY)
        if version is None:  # first use, or evicted: any fresh token will do
            cache.add(KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(KEY)
    except Exception:  # the cache is down: serve fresh pages, slower
        logger.warning("the cache does not answer: pages are not cached")
        return None
    return f"{_code()}-{version}"


@functools.cache
def _code() -> str:
    """A digest of what draws the cached pages (read once per process)."""
    root = settings.BASE_DIR
    paths = [
        *root.glob("templates/**/*.html"),
        *root.glob("tensions/**/*.py"),
        root / "articles" / "summary.py",
    ]
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def bump() -> None:
    """A new token: what was cached under the old one is no longer read.
    A fresh random token rather than a counter, so that two bumps at once,
    or a token evicted meanwhile, can never hand out an old value again."""
    if not settings.TENSIONS_SHARED_CACHE:
        return
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # pages cached before stay until their timeout
        logger.warning("could not bump the data version in the cache")


def bump_on_commit() -> None:
    """Bump once the caller's transaction commits (at once outside one): a
    page computed from the old rows meanwhile is cached under the old token."""
    transaction.on_commit(bump)
