"""The API under load: generated events in PostgreSQL, gunicorn, a loopback client.

    .venv/bin/python -m bench.bench_api [--events 1000000] [--seconds 20]
        [--rounds 5] [--clients 8] [--workers 4] [--plans bench/api_plans.txt]
        [--database NAME [--keep]]

Needs the PostgreSQL of tests/stack.py (a database of its own, dropped at the
end; `--database` names it, and with `--keep` it stays, so that a later run
with the same name and --events reuses its rows instead of generating them).
Generated events are written with COPY, the pair-period rows rebuilt with
`rebuild_relations`, then gunicorn serves the app with the production settings
(DEBUG off, throttles set out of reach) and a small threaded client with
keep-alive connections measures, in one run, requests per second and p50/p99
latency of:

  health     /api/v1/health/ (a trivial JSON answer of the same app)
  events     the events of one pair over one year (first page)
  relations  the monthly relations of that pair over that year

The --seconds of each measurement are cut into --rounds slices, taken in turn
(health, events cold, events warm, relations cold, relations warm, then again),
so that a change in the machine's speed during the run weighs on all alike.
Each API path is measured twice: cold, every answer computed afresh (the client
sends `Cache-Control: no-cache`, so the answer cache of tensions/api_cache.py is
neither read nor written), then warm (answers kept per data version may be
served). Both are full 200 answers.

It prints the ratios to health (targets: events ≥ 0.5, relations ≥ 0.3; p99 under
5× p50) and writes EXPLAIN ANALYZE plans of the main queries to --plans.
Not part of the test suite: the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2

from bench.plans import explained
from tensions.extraction import taxonomy
from tests.stack import (
    require_servers,
    stack_create,
    stack_destroy,
)

PAIR = ("USA", "VEN")
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
SPAN = (dt.date(2021, 1, 1), dt.date(2025, 12, 31))
COUNTRIES = [
    "USA",
    "VEN",
    "RUS",
    "UKR",
    "CHN",
    "TWN",
    "IRN",
    "ISR",
    "IND",
    "PAK",
    "PRK",
    "KOR",
    "JPN",
    "TUR",
    "SYR",
    "IRQ",
    "SAU",
    "YEM",
    "COL",
    "BRA",
    "MEX",
    "CUB",
    "FRA",
    "DEU",
    "GBR",
    "POL",
    "SRB",
    "EGY",
    "ETH",
    "ERI",
]
STATUSES = ("occurred",) * 6 + ("planned", "possible", "alleged", "denied")
TYPES = tuple(taxonomy.TYPE_NAMES)
_EVENT_COLUMNS = [
    "type",
    "mode",
    "context",
    "status",
    "channel",
    "date",
    "date_precision",
    "first_reported",
    "what",
    "intensity",
    "confidence",
    "review_state",
    "mention_count",
    "article_count",
    "publisher_count",
    "created_at",
    "updated_at",
    "source_actor_id",
    "source_country_id",
    "target_actor_id",
    "target_country_id",
    "day",
    "version",
]


# Data ----------------------------------------------------------------------


def actors_make(conn) -> dict[str, int]:
    """One state actor per country, as the extractor would make them."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO tensions_actor (key, name, kind, title, aliases, country_id) "
            "SELECT 'state:' || code || ':' || lower(name), name, 'state', '', "
            "'[]'::jsonb, code FROM tensions_country WHERE code = ANY(%s) "
            "ON CONFLICT (key) DO NOTHING",
            (list(COUNTRIES),),
        )
        cur.execute(
            "SELECT country_id, id FROM tensions_actor WHERE kind = 'state' "
            "AND country_id = ANY(%s)",
            (list(COUNTRIES),),
        )
        return dict(cur.fetchall())


def _event_line(rng: random.Random, actors: dict[str, int], now: str) -> str:
    if rng.random() < 0.05:  # the pair the bench reads gets a busy share
        source, target = PAIR if rng.random() < 0.5 else PAIR[::-1]
    else:
        source, target = rng.sample(COUNTRIES, 2)
    kind = rng.choice(TYPES)
    day = SPAN[0] + dt.timedelta(days=rng.randrange((SPAN[1] - SPAN[0]).days))
    values = (
        kind, "", '["military"]', rng.choice(STATUSES), "", day, "day", day,
        "generated", taxonomy.intensity(kind, ""), round(rng.uniform(0.3, 1), 2),
        "unreviewed", 1, 1, 1, now, now, actors[source], source, actors[target],
        target, day, 1,
    )  # fmt: skip
    return "\t".join(str(v) for v in values) + "\n"


def events_make(conn, total: int, seed: int = 7) -> float:
    """COPY `total` generated events in chunks; returns the seconds it took."""
    rng, actors = random.Random(seed), actors_make(conn)
    now = dt.datetime.now(dt.UTC).isoformat()
    started = time.perf_counter()
    with conn.cursor() as cur:
        for first in range(0, total, 100_000):
            rows = min(100_000, total - first)
            chunk = io.StringIO(
                "".join(_event_line(rng, actors, now) for _ in range(rows))
            )
            cur.copy_from(chunk, "tensions_event", columns=_EVENT_COLUMNS)
    conn.commit()
    return time.perf_counter() - started


# Load ----------------------------------------------------------------------


def summary(slices: list[tuple[list[float], int]], seconds: float) -> dict:
    """Requests per second, p50 and p99 (ms) of a path's slices of `seconds` in all."""
    latencies = sorted(t for found, _ in slices for t in found)
    errors = sum(bad for _, bad in slices)
    return {
        "rps": len(latencies) / seconds,
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "requests": len(latencies),
        "errors": errors,
    }


def _clients_run(port, path, headers, seconds, clients) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = [0]
    lock, deadline = threading.Lock(), time.perf_counter() + seconds

    def client():
        conn, mine, bad = http.client.HTTPConnection("127.0.0.1", port), [], 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            bad += response.status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


# Plans ----------------------------------------------------------------------


def plans(stack, token: str, paths: dict[str, str]) -> str:
    """EXPLAIN ANALYZE of each query the app runs for each path (in this process,
    against the bench database)."""
    os.environ.update(stack.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, out = Client(HTTP_HOST="127.0.0.1"), []
    with psycopg2.connect(stack.database_url) as conn, conn.cursor() as cur:
        for name, path in paths.items():
            with CaptureQueriesContext(connection) as captured:
                status = client.get(
                    path,
                    HTTP_AUTHORIZATION=f"Token {token}",
                    HTTP_CACHE_CONTROL="no-cache",
                ).status_code
            out.append(f"## {name}: GET {path} -> {status}\n")
            for query in captured.captured_queries:
                out += _plan(cur, query["sql"])
    return "\n".join(out)


def _plan(cur, sql: str) -> list[str]:
    found = explained(cur, sql, analyze="ANALYZE, BUFFERS")
    if found is None:
        return []
    # Left out: the token's own lookup and the version query (the events page
    # that reads its token in its statement is explained, token and all).
    if "pg_current_snapshot" in found[0] or (
        "authtoken_token" in found[0] and "tensions_" not in found[0]
    ):
        return []
    text, plan = found
    return [f"{text}\n{sql if sql != text else ''}\n{plan}\n"]


# Run ----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="slices per path")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--plans", default="bench/api_plans.txt")
    parser.add_argument("--database", help="its name (default: a new random one)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    require_servers()
    a, b = PAIR
    paths = {
        "health": "/api/v1/health/",
        "events": f"/api/v1/events/?pair={a},{b}&date_from={YEAR[0]}&date_to={YEAR[1]}",
        "relations": f"/api/v1/relations/?pair={a},{b}&period=month"
        f"&date_from={YEAR[0]}&date_to={YEAR[1]}",
        "events, unfiltered": "/api/v1/events/",
    }
    env = {"API_THROTTLE_ANON": "10000000/s", "API_THROTTLE_USER": "10000000/s"}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        stack = stack_create(Path(folder), name=args.database, env=env)
        try:
            _run(stack, args, paths)
        finally:
            stack_destroy(stack, keep_database=args.keep)


def _fill(stack, events: int) -> None:
    if stack.sql("SELECT count(*) FROM tensions_event")[0][0]:
        raise SystemExit(f"{stack.database_url} holds other events: drop it first")
    with psycopg2.connect(stack.database_url) as conn:
        copy_s = events_make(conn, events)
    started = time.perf_counter()
    stack.manage("rebuild_relations", timeout=3600)  # over 5 min at 1M events
    rebuild_s = time.perf_counter() - started
    print(
        f"{events:,} events copied in {copy_s:.1f} s; relations rebuilt in "
        f"{rebuild_s:.1f} s"
    )


def _run(stack, args, paths: dict[str, str]) -> None:
    if stack.sql("SELECT count(*) FROM tensions_event")[0][0] == args.events:
        print(f"reusing the {args.events:,} events of {stack.database_url}")
        token = stack.manage("drf_create_token", "bench").split()[2]
    else:
        _fill(stack, args.events)
        token = stack.create_user("bench", "bench-password-1")
    stack.vacuum_analyze()  # reused or new: at rest, as autovacuum leaves it
    stack.start(
        "web", "gunicorn", "tensions.wsgi", "--bind", f"127.0.0.1:{stack.port}",
        "--workers", str(args.workers), "--worker-class", "gthread",
        "--threads", "2", "--keep-alive", "30", "--timeout", "60",
    )  # fmt: skip
    stack._wait_for(stack._web_answers, "web server answering", "web")
    auth = {"Authorization": f"Token {token}"}
    cold = {**auth, "Cache-Control": "no-cache"}
    runs = {
        "health": ("health", {}),
        "events cold": ("events", cold),
        "events warm": ("events", auth),
        "relations cold": ("relations", cold),
        "relations warm": ("relations", auth),
    }
    # Interleaved: this machine's speed drifts by tens of percent within minutes,
    # so each path gets a slice of every round instead of one stretch of its own.
    for path, headers in runs.values():
        _clients_run(stack.port, paths[path], headers, 2.0, args.clients)  # warm-up
    slices: dict[str, list[tuple[list[float], int]]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, (path, headers) in runs.items():
            slices[name].append(
                _clients_run(
                    stack.port, paths[path], headers, args.seconds / args.rounds,
                    args.clients,
                )
            )  # fmt: skip
    results = {}
    for name in runs:
        results[name] = r = summary(slices[name], args.seconds)
        print(
            f"{name:15} {r['rps']:8.1f} rps  p50 {r['p50']:7.1f} ms  "
            f"p99 {r['p99']:7.1f} ms  p99/p50 {r['p99'] / r['p50']:4.1f}  "
            f"({r['requests']} requests, {r['errors']} not 200)"
        )
    for name in list(runs)[1:]:
        target = 0.5 if name.startswith("events") else 0.3
        ratio = results[name]["rps"] / results["health"]["rps"]
        print(f"{name:15} / health: {ratio:.2f} (target ≥ {target})")
    Path(args.plans).write_text(plans(stack, token, paths))
    print(f"query plans written to {args.plans}")
    print(json.dumps(results))
    ok = all(r["errors"] == 0 for r in results.values())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
