"""Whole JSON answers of the API's lists, kept per version of the data.

The version is PostgreSQL's current snapshot (its xmin, xmax and the
transactions in progress): two reads under the same snapshot see the same
committed rows, and a commit makes every later snapshot differ from every
earlier one. So a kept answer is only ever served to a read that would have
computed the same one (or, at worst, one that began just before a commit gets
the answer just after it). Nothing has to be invalidated by the code that
writes: ingestion, review, rebuilds and the admin all change the snapshot.

Only on PostgreSQL, only for JSON, only outside a transaction that has written
rows of its own (others cannot see them yet), and never for a client that asks
for a fresh answer (`Cache-Control: no-cache`, which the benchmark uses to time
answers computed afresh): such an answer is neither read from nor written to
the cache. Answers live in the "api" cache, each process's own
bounded memory. API_CACHE_SECONDS=0 turns it off.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from rest_framework.settings import api_settings

_SNAPSHOT = (
    "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL"
)


def data_version() -> str | None:
    """The snapshot answers are kept under, or None when they must not be."""
    if not _versions_kept():
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT)
        snapshot, clean = cursor.fetchone()
    return snapshot if clean else None


def kept_per_version(list_view):
    """Keep a list view's 200 JSON answers per data version, after the view's
    authentication, permissions and throttles have let the request through."""

    @functools.wraps(list_view)
    def list(self, request, *args, **kwargs):
        # A fresh answer is neither read nor kept: under an unchanged version
        # the kept one is the same answer, so keeping it again would only cost
        # the version query on every such request.
        key = None if _wants_fresh(request) else _key(request)
        if key is None:
            return list_view(self, request, *args, **kwargs)
        if (kept := caches["api"].get(key)) is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = list_view(self, request, *args, **kwargs)
        if response.status_code != 200:
            return response
        if isinstance(response, SimpleTemplateResponse):  # not rendered yet
            response.add_post_render_callback(functools.partial(_keep, key))
        else:
            _keep(key, response)
        return response

    return list


def _keep(key: str, response) -> None:
    kept = (response.content, response["Content-Type"])
    caches["api"].set(key, kept, settings.API_CACHE_SECONDS)


def _key(request) -> str | None:
    if not _json_answer(request):
        return None
    version = data_version()
    if version is None:
        return None
    # Links in the answer are absolute; page sizes may change with the settings.
    shape = (
        version,
        request.build_absolute_uri(),
        request.accepted_media_type,
        api_settings.PAGE_SIZE,
        settings.API_MAX_PAGE_SIZE,
    )
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()
    return f"api-answer:1:{digest}"


def computed_afresh(request) -> bool:
    """Whether a list answer to this request is surely computed, not read from
    the cache (False when that is decided only by the version query)."""
    return _wants_fresh(request) or not _versions_kept() or not _json_answer(request)


def _versions_kept() -> bool:
    """Whether answers are kept at all: on PostgreSQL, with API_CACHE_SECONDS."""
    return connection.vendor == "postgresql" and bool(settings.API_CACHE_SECONDS)


def _json_answer(request) -> bool:
    """Whether the answer is JSON (the browsable API shows who is signed in)."""
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == "json"


def _wants_fresh(request) -> bool:
    # META, not request.headers: that would copy every header of the request.
    return "no-cache" in request.META.get("HTTP_CACHE_CONTROL", "").lower()
