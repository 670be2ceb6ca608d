"""Dashboard pages under load: requests per second against a trivial page.

    .venv/bin/python -m bench.bench_dashboard [--events 100000] [--seconds 15]
        [--rounds 5] [--database NAME [--keep]]

Needs the PostgreSQL of tests/stack.py. On a fresh database of its own (a new
name each run, or --database NAME: dropped at the end unless --keep, and a
later run with the same name and --events reuses its rows instead of
generating them again, so that the pages can be profiled against them): bulk
inserts generated events (5 years, 60 countries, a few busy pairs as the news
has them), builds the DyadPeriod aggregates with tensions.relations, gathers
the planner's statistics and sets the visibility map (VACUUM ANALYZE, as
autovacuum does in production; this cluster runs without it), starts
gunicorn with production settings (DEBUG off), logs in, then drives each page
from keep-alive connections on loopback, in one run (the --seconds of each page
cut into --rounds slices taken in turn, page after page, so that a change in the
machine's speed weighs on all alike): a trivial page (the
"About the index" page: session, user, a template), the timeline of the busiest
pair over the whole span, the home page and the busiest country's page. Target:
each page at least 0.3x the trivial page's rate. Not part of the test suite.

Twice, each time with the trivial page: warm, with the shared cache of
production (Redis, CACHE_URL) where pages keep what they drew under the data
version, so that after the first request they come from the cache; and cold,
with gunicorn restarted on CACHE_URL=dummy://, where nothing is cached at all
(every request computes its page, as the first one after a change does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import redis
import requests

from tests.stack import (
    Stack,
    require_servers,
    stack_create,
    stack_destroy,
)

COUNTRIES = 60
YEARS = 5
BATCH = 5000
TARGET = 0.3


def populate(database_url: str, events: int, seed: int = 7) -> dict:
    """Generated events in bulk, then the relations; returns what to request."""
    _django(database_url)

    from tensions import relations
    from tensions.extraction import taxonomy
    from tensions.models import Actor, Country, Event

    rng = random.Random(seed)
    pairs = _pairs(rng)
    codes = sorted({a for a, _ in pairs})
    actors = _actors(Actor, Country, codes)
    weights = [1 / (rank + 1) for rank in range(len(pairs))]  # a few busy pairs
    end = dt.date.today()
    span = 365 * YEARS
    types = taxonomy.TYPE_NAMES
    started = time.perf_counter()
    for first in range(0, events, BATCH):
        chosen = rng.choices(pairs, weights, k=min(BATCH, events - first))
        Event.objects.bulk_create(
            _event(Event, taxonomy, rng, actors, pair, types, end, span)
            for pair in chosen
        )
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    cells = relations.relations_rebuild()
    rebuilt = time.perf_counter() - started
    busiest = pairs[0]
    return {
        "pair": busiest,
        "country": busiest[0],
        "start": end - dt.timedelta(days=span),
        "end": end,
        "pair_events": Event.objects.for_dyad(*busiest).count(),
        "insert_s": inserted,
        "rebuild_s": rebuilt,
        "cells": cells,
    }


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
    import django

    django.setup()


def _pairs(rng: random.Random) -> list[tuple[str, str]]:
    """The ordered pairs of the first countries, shuffled: the first is busiest."""
    from tensions.models import Country

    codes = list(
        Country.objects.filter(historic=False)
        .order_by("code")
        .values_list("code", flat=True)[:COUNTRIES]
    )
    pairs = [(a, b) for a in codes for b in codes if a != b]
    rng.shuffle(pairs)
    return pairs


def _actors(Actor, Country, codes: list[str]) -> dict:
    names = dict(Country.objects.filter(code__in=codes).values_list("code", "name"))
    Actor.objects.bulk_create(
        [
            Actor(
                key=Actor.make_key(name=names[c], kind="state", country=c),
                name=names[c],
                kind="state",
                country_id=c,
            )
            for c in codes
        ],
        ignore_conflicts=True,
    )
    return {a.country_id: a for a in Actor.objects.filter(kind="state")}


def _event(Event, taxonomy, rng, actors, pair, types, end, span):
    source, target = pair
    type_name = rng.choice(types)
    day = end - dt.timedelta(days=rng.randrange(span))
    articles = rng.choice((1, 1, 1, 2, 3))
    return Event(
        type=type_name,
        status=rng.choice(taxonomy.STATUSES),
        source_actor=actors[source],
        target_actor=actors[target],
        source_country_id=source,
        target_country_id=target,
        date=day,
        day=day,
        first_reported=day,
        date_precision="day",
        what="generated",
        intensity=taxonomy.intensity(type_name, ""),
        confidence=round(rng.uniform(0.3, 1.0), 2),
        mention_count=articles,
        article_count=articles,
        publisher_count=articles,
    )


def _populated(stack: Stack, events: int) -> dict:
    """What to request: from the rows a kept database holds, or from new ones."""
    held = stack.sql("SELECT count(*) FROM tensions_event")[0][0]
    if held == events:
        print(f"reusing the {events} events of {stack.database_url}")
        return reused(stack.database_url)
    if held:
        raise SystemExit(f"{stack.database_url} holds other events: drop it first")
    data = populate(stack.database_url, events)
    print(
        f"{events} events inserted in {data['insert_s']:.1f} s; "
        f"{data['cells']} pair-period rows built in {data['rebuild_s']:.1f} s"
    )
    stack.create_user("bench", "bench-password-1")
    return data


def reused(database_url: str) -> dict:
    """What `populate` returned for the events it made (same codes and seed;
    the span ends today, as it did on the day they were made)."""
    _django(database_url)
    from tensions.models import Event

    busiest = _pairs(random.Random(7))[0]
    end = dt.date.today()
    return {
        "pair": busiest,
        "country": busiest[0],
        "start": end - dt.timedelta(days=365 * YEARS),
        "end": end,
        "pair_events": Event.objects.for_dyad(*busiest).count(),
    }


def log_in(base: str, username: str, password: str) -> str:
    """The session cookie of a logged-in user."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    done = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    done.raise_for_status()
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> dict:
    """Requests per second from `clients` threads, each on one keep-alive
    connection, for `seconds`; every answer must be a 200."""
    counts, failures, latencies = [0] * clients, [], []
    stop = time.perf_counter() + seconds

    def drive(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop:
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
                return
            latencies.append(time.perf_counter() - began)
            counts[i] += 1
        connection.close()

    threads = [threading.Thread(target=drive, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path}: answered {failures[0]}")
    latencies.sort()
    return {
        "rps": sum(counts) / elapsed,
        "requests": sum(counts),
        "seconds": elapsed,
        "median_ms": 1000 * latencies[len(latencies) // 2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=5, help="slices per page")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database", help="the database's name")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    require_servers()
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        stack = stack_create(Path(folder), name=args.database)
        try:
            results = _run(stack, args)
        finally:
            stack_destroy(stack, keep_database=args.keep)
            _forget_cache(stack.broker_url, stack.queue)
    verdicts = [_report(phase, found) for phase, found in results.items()]
    sys.exit(0 if all(verdicts) else 1)


def _run(stack, args) -> dict[str, dict]:
    """Populate (or reuse), then load every page warm (shared cache) and cold."""
    data = _populated(stack, args.events)
    stack.vacuum_analyze()  # reused or new: at rest, as autovacuum leaves it
    a, b = data["pair"]
    span = {"start": data["start"], "end": data["end"]}
    pages = {
        "trivial (about)": "/about/index/",
        f"timeline {a}-{b} ({data['pair_events']} events, 5 years)": (
            "/timeline/?" + urlencode({"countries": [a, b], **span}, True)
        ),
        "home": "/",
        f"country {data['country']}": f"/countries/{data['country']}/",
    }
    caches = {
        "warm (Redis cache)": stack.broker_url,  # its own key prefix, below
        "cold (nothing cached)": "dummy://",
    }
    results = {}
    for phase, cache_url in caches.items():
        stack.extra_env.update(CACHE_URL=cache_url, CACHE_KEY_PREFIX=stack.queue)
        stack.stop("web")
        stack.start_web()
        cookie = log_in(stack.url, "bench", "bench-password-1")
        for path in pages.values():
            load(stack.port, path, cookie, 2, 1)  # warm up each worker
        # Interleaved: this machine's speed drifts by tens of percent within
        # minutes, so each page gets a slice of every round, not a stretch of
        # its own.
        slices: dict[str, list[dict]] = {name: [] for name in pages}
        for _ in range(args.rounds):
            for name, path in pages.items():
                slices[name].append(
                    load(stack.port, path, cookie, args.seconds / args.rounds,
                         args.clients)
                )  # fmt: skip
        results[phase] = {name: _summed(found) for name, found in slices.items()}
    return results


def _summed(slices: list[dict]) -> dict:
    """One page's slices as one measurement (the median of their medians)."""
    medians = sorted(found["median_ms"] for found in slices)
    return {
        "rps": sum(f["requests"] for f in slices) / sum(f["seconds"] for f in slices),
        "requests": sum(f["requests"] for f in slices),
        "median_ms": medians[len(medians) // 2],
    }


def _report(phase: str, results: dict) -> bool:
    base = results["trivial (about)"]["rps"]
    ok = True
    print(f"\n{phase}\n{'page':52} {'rps':>7} {'median ms':>10} {'ratio':>6}")
    for name, r in results.items():
        ratio = r["rps"] / base
        ok &= ratio >= TARGET
        print(f"{name:52} {r['rps']:7.1f} {r['median_ms']:10.1f} {ratio:6.2f}")
    verdict = "met" if ok else "NOT met"
    print(f"target ({phase}): every page >= {TARGET}x the trivial page: {verdict}")
    return ok


def _forget_cache(url: str, prefix: str) -> None:
    """The bench's keys in the shared Redis (the data version never expires)."""
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


if __name__ == "__main__":
    main()
