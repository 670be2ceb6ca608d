"""The processing queue at a glance, for the dashboard's home page."""

from __future__ import annotations

from articles.models import Article
from tensions import prepared

FAILURES_SHOWN = 5
_BY_STATUS = f"SELECT status, COUNT(*) FROM {Article._meta.db_table} GROUP BY status"


def processing_summary() -> dict:
    """Articles per status, the queue's counts and the latest failures (the
    latter read only when there are some)."""
    # compiled, it cost more than it runs; prepared, less to parse and plan
    by_status = dict(prepared.rows_fetch(_BY_STATUS, ()))
    failures = (
        Article.objects.filter(status=Article.Status.FAILED)
        .only("id", "title", "error", "uploaded_at")
        .order_by("-uploaded_at", "-id")[:FAILURES_SHOWN]
        if by_status.get(Article.Status.FAILED)
        else []
    )
    return {
        "counts": [
            (s.label, s.value, by_status.get(s.value, 0)) for s in Article.Status
        ],
        "total": sum(by_status.values()),
        "queue": {s: by_status.get(s, 0) for s in ("queued", "processing", "failed")},
        "failures": list(failures),
    }
