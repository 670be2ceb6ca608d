"""The processing queue at a glance, for the dashboard's home page."""

from __future__ import annotations

from django.db import connection

from articles.models import Article

FAILURES_SHOWN = 5


def processing_summary() -> dict:
    """Articles per status, the queue's counts and the latest failures (the
    latter read only when there are some)."""
    with connection.cursor() as cursor:  # compiled, it cost more than it runs
        cursor.execute(
            f"SELECT status, COUNT(*) FROM {Article._meta.db_table} GROUP BY status"
        )
        by_status = dict(cursor.fetchall())
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
