"""The processing queue at a glance, for the dashboard's home page."""

from __future__ import annotations

from django.db import connection

from articles.models import Article, StatusCount
from tensions import bulk, prepared

FAILURES_SHOWN = 5
_BY_STATUS = f"SELECT status, COUNT(*) FROM {Article._meta.db_table} GROUP BY status"
# On PostgreSQL, from the changes its triggers append (StatusCount)
_FROM_CHANGES = f"""
SELECT status, SUM(n) FROM {StatusCount._meta.db_table}
GROUP BY status HAVING SUM(n) <> 0
"""


def processing_summary() -> dict:
    """Articles per status, the queue's counts and the latest failures (the
    latter read only when there are some)."""
    # compiled, it cost more than it runs; prepared, less to parse and plan
    counted = _FROM_CHANGES if connection.vendor == "postgresql" else _BY_STATUS
    by_status = {status: int(n) for status, n in prepared.rows_fetch(counted, ())}
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


def status_counts_compact() -> int:
    """Fold the appended status changes into one row per status (PostgreSQL;
    the sweeper runs it); returns how many rows were folded."""
    return bulk.changes_fold(StatusCount, "status")
