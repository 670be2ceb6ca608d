"""EXPLAIN ANALYZE of the queries a page ran, as the app ran them.

A statement the app prepares (tensions/prepared.py) reaches the database as
`PREPARE name AS …; EXECUTE name(…)` the first time and `EXECUTE name(…)` after:
its plan is explained as an EXECUTE after five runs, the plan PostgreSQL keeps
for it from then on (a generic plan, or a custom one each run).
"""

from __future__ import annotations

RUNS_BEFORE_KEPT = 5


def explained(cursor, sql: str, *, analyze: str = "ANALYZE") -> tuple[str, str] | None:
    """(the query's text, its plan) on a psycopg2 or Django cursor; None for
    what is not a read (writes, savepoints, PREPARE alone)."""
    if sql.startswith("PREPARE "):
        prepare, sql = sql.split("\n; ", 1)
        if _prepared_text(cursor, prepare.split()[1]) is None:
            cursor.execute(prepare)
    text = sql
    if sql.startswith("EXECUTE "):
        text = _prepared_text(cursor, sql.split()[1].split("(")[0])
        for _ in range(RUNS_BEFORE_KEPT):
            cursor.execute(sql)
    if not text.lstrip().upper().startswith(("SELECT", "WITH")):
        return None
    cursor.execute(f"EXPLAIN ({analyze}) {sql}")
    return text, "\n".join(row[0] for row in cursor.fetchall())


def _prepared_text(cursor, name: str) -> str | None:
    cursor.execute(
        "SELECT statement FROM pg_prepared_statements WHERE name = %s", [name]
    )
    found = cursor.fetchone()
    return found and found[0].split(" AS ", 1)[-1]
