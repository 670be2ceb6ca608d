"""The processing queue at a glance, for the dashboard's home page."""

from __future__ import annotations

from django.db.models import Count

from articles.models import Article

FAILURES_SHOWN = 5


def processing_summary() -> dict:
    """Articles per status, the queue's counts and the latest failures (2 queries)."""
    by_status = dict(
        Article.objects.order_by().values_list("status").annotate(n=Count("id"))
    )
    failures = (
        Article.objects.filter(status=Article.Status.FAILED)
        .only("id", "title", "error", "uploaded_at")
        .order_by("-uploaded_at", "-id")[:FAILURES_SHOWN]
    )
    return {
        "counts": [
            (s.label, s.value, by_status.get(s.value, 0)) for s in Article.Status
        ],
        "total": sum(by_status.values()),
        "queue": {s: by_status.get(s, 0) for s in ("queued", "processing", "failed")},
        "failures": list(failures),
    }
