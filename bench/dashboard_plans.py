"""Every query the dashboard pages run, explained, on a large database.

    .venv/bin/python -m bench.bench_dashboard --database NAME --keep  # makes it
    .venv/bin/python -m bench.dashboard_plans --database NAME
        [--out bench/dashboard_plans.txt]

Renders each page in this process (Django's test client, signed in as the
benchmark's user) with the events bench_dashboard generated, captures the
queries, and runs EXPLAIN ANALYZE on each. Writes the plans to --out and
prints, per page, the queries, their time, the most rows any step of a plan
handled, and every sequential scan of a table holding more than 10,000 rows:
the domain issue wants no full scan per page. Exits 1 if there is one. Not
part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.plans import explained
from tests.stack import _with_database, postgres_url

BIG = 10_000
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
_ROWS = re.compile(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+)")


def pages(data: dict, event_id: int) -> dict[str, str]:
    a, b = data["pair"]
    span = {"start": data["start"], "end": data["end"]}
    return {
        "home": "/",
        f"timeline {a}-{b}, 5 years": (
            "/timeline/?" + urlencode({"countries": [a, b], **span}, True)
        ),
        f"country {a}": f"/countries/{a}/",
        "relations map": "/map/",
        f"events {a}-{b}": "/events/?" + urlencode({"pair": f"{a},{b}"}),
        "an event": f"/events/{event_id}/",
    }


def explain(path: str, client) -> tuple[list[str], list[tuple[str, str]], float, int]:
    """(plans, big sequential scans as (table, query), page ms, most rows a
    plan step handled) of one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = 1000 * (time.perf_counter() - started)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    sizes = _row_counts(connection)
    plans, scans, most = [], [], 0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            found = explained(cursor, query["sql"])
            if found is None:
                continue
            sql, plan = found
            plans.append(f"-- {query['time']} s\n{query['sql']}\n{plan}\n")
            most = max([most, *map(int, _ROWS.findall(plan))])
            scans += [
                (table, sql[:120])
                for table in _SEQ_SCAN.findall(plan)
                if sizes.get(table, 0) > BIG
            ]
    return plans, scans, elapsed, most


def _row_counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_live_tup FROM pg_stat_user_tables")
        return dict(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", default="bench/dashboard_plans.txt")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = _with_database(postgres_url(), args.database)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
    os.environ["CACHE_URL"] = "dummy://"  # every query, as the first request
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.bench_dashboard import reused
    from tensions.models import Event

    settings.ALLOWED_HOSTS = ["*"]
    # Static files as they are (no collected manifest here): URLs only.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    data = reused(os.environ["DATABASE_URL"])
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    event = Event.objects.for_dyad(*data["pair"]).order_by("-day").first()
    out, failed = [], False
    for name, path in pages(data, event.pk).items():
        client.get(path)  # templates and the like loaded once, as a server has
        plans, scans, elapsed, most = explain(path, client)
        print(
            f"{name}: {len(plans)} queries, page {elapsed:.0f} ms, at most "
            f"{most} rows in a plan step",
            end="",
        )
        print(f"; full scans of big tables: {scans}" if scans else "; no full scan")
        failed |= bool(scans)
        out.append(f"==== {name}: {path}\n\n" + "\n".join(plans))
    Path(args.out).write_text("\n".join(out))
    print(f"plans written to {args.out}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
