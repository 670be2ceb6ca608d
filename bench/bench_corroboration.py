"""Recording an article's events with 1,000 and with 100,000 events stored.

    .venv/bin/python -m bench.bench_corroboration [--existing 1000,100000]
                                                  [--articles 50]

Needs the PostgreSQL of tests/stack.py (a fresh database per size, dropped at
the end). For each size, that many events are stored under the same keys (8
pairs of countries × 2 types × one status family = 16 cluster keys) at the same
density, one per key and day, so a larger store is a longer history. Every
stored report has its own object, so each is an event of its own, as the
canonical clustering makes it. Then `--articles` new articles, each with four
reports on days of one week inside the history (one in four with the object of
a stored report), go
through `events_record` as the worker calls it; the time per article and the
queries per article are printed, and the refresh of the pair rows they marked
stale. The target is a time per article roughly flat from the smallest size to
the largest. Not part of the test suite: the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.stack import postgres_url, require_servers, stack_create, stack_destroy

PAIRS = [
    ("USA", "VEN"),
    ("VEN", "USA"),
    ("RUS", "UKR"),
    ("UKR", "RUS"),
    ("CHN", "TWN"),
    ("IND", "PAK"),
    ("ISR", "IRN"),
    ("FRA", "DEU"),
]
TYPES = ["ASSAULT", "ACCUSE"]
PER_KEY_AND_DAY = 1
FIRST_DAY = dt.date(2015, 1, 1)


def history_days(existing: int) -> int:
    return max(1, existing // (len(PAIRS) * len(TYPES) * PER_KEY_AND_DAY))


def store(existing: int) -> None:
    """`existing` one-report events, written in bulk (as a rebuild would)."""
    from articles.models import Article, content_hash
    from tensions.corroboration import cluster_key
    from tensions.models import Event, Mention

    actors = {code: _state(code) for pair in PAIRS for code in pair}
    days = history_days(existing)
    for first in range(0, existing, 5000):
        numbers = range(first, min(first + 5000, existing))
        rows = [_row(n, days) for n in numbers]
        articles = Article.objects.bulk_create(
            Article(
                text=f"Stored report {n}.",
                content_hash=content_hash(f"Stored report {n}."),
                title=f"Stored {n}",
                published=day,
                status="done",
            )
            for n, (_, _, day) in zip(numbers, rows, strict=True)
        )
        events = Event.objects.bulk_create(
            Event(
                type=type_,
                status="occurred",
                source_actor=actors[source],
                target_actor=actors[target],
                source_country_id=source,
                target_country_id=target,
                date=day,
                date_precision="day",
                first_reported=day,
                day=day,
                what=f"object{n}",
                intensity=-5 if type_ == "ASSAULT" else -3,
                mention_count=1,
                article_count=1,
            )
            for n, ((source, target), type_, day) in zip(numbers, rows, strict=True)
        )
        Mention.objects.bulk_create(
            Mention(
                event=event,
                article=article,
                sentence="A stored sentence.",
                start=0,
                end=18,
                extractor_version="bench",
                cluster_key=cluster_key(
                    type=event.type,
                    status="occurred",
                    source=event.source_country_id,
                    target=event.target_country_id,
                ),
                type=event.type,
                status="occurred",
                source_actor=event.source_actor,
                target_actor=event.target_actor,
                source_country_id=event.source_country_id,
                target_country_id=event.target_country_id,
                date=event.date,
                day=event.date,
                what=event.what,
                intensity=event.intensity,
            )
            for event, article in zip(events, articles, strict=True)
        )


def _state(code: str):
    from tensions.models import Actor

    actor, _ = Actor.objects.get_or_create(
        key=Actor.make_key(name=code, kind="state", country=code),
        defaults={"name": code, "kind": "state", "country_id": code},
    )
    return actor


def _row(n: int, days: int) -> tuple:
    rng = random.Random(n)
    return (
        PAIRS[n % len(PAIRS)],
        TYPES[(n // len(PAIRS)) % len(TYPES)],
        FIRST_DAY + dt.timedelta(days=rng.randrange(days)),
    )


def new_reports(existing: int, count: int) -> list[list]:
    """Four engine events per new article, on days inside the history."""
    from tensions.extraction.results import Actor, Event, Evidence

    rng = random.Random(7)
    days = history_days(existing)
    articles = []
    for a in range(count):
        found = []
        # An article tells of one week: its reports sit within days of each other.
        week = FIRST_DAY + dt.timedelta(days=rng.randrange(days))
        for i in range(4):
            source, target = rng.choice(PAIRS)
            matching = rng.random() < 0.25 and existing
            what = f"object{rng.randrange(existing)}" if matching else f"new{a}-{i}"
            found.append(
                Event(
                    type=rng.choice(TYPES),
                    status="occurred",
                    source=Actor(source, "state", source),
                    target=Actor(target, "state", target),
                    evidence=(Evidence("A new sentence.", 20 * i, 20 * i + 15),),
                    date=week + dt.timedelta(days=rng.randrange(7)),
                    date_precision="day",
                    what=what,
                )
            )
        articles.append(found)
    return articles


def measure(existing: int, count: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article, content_hash
    from tensions.relations import relations_refresh_stale
    from tensions.services import countries_load, events_record

    countries_load()
    started = time.perf_counter()
    store(existing)
    stored_s = time.perf_counter() - started
    reports = new_reports(existing, count)
    articles = [
        Article.objects.create(
            text=f"New article {a}.",
            content_hash=content_hash(f"New article {a}."),
            published=FIRST_DAY + dt.timedelta(days=history_days(existing) // 2),
        )
        for a in range(count)
    ]
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for article, found in zip(articles, reports, strict=True):
            events_record(
                article=article,
                events=found,
                extractor_version="bench",
                relations_later=True,
            )
    record_s = time.perf_counter() - started
    started = time.perf_counter()
    relations_refresh_stale()
    refresh_s = time.perf_counter() - started
    return {
        "existing": existing,
        "stored_s": stored_s,
        "ms_per_article": 1000 * record_s / count,
        "queries_per_article": len(queries) / count,
        "refresh_ms_per_article": 1000 * refresh_s / count,
    }


def run(existing: int, count: int, server: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-corroboration-") as folder:
        stack = stack_create(Path(folder), postgres=server)
        try:
            os.environ["DATABASE_URL"] = stack.database_url
            import django
            from django.db import connections

            django.setup()
            connections.close_all()
            connections["default"].settings_dict["NAME"] = stack.database_url.rsplit(
                "/", 1
            )[1]
            result = measure(existing, count)
            connections.close_all()
            return result
        finally:
            stack_destroy(stack)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", default="1000,100000")
    parser.add_argument("--articles", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # No worker runs here: the refresh tasks processing enqueues go nowhere.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    require_servers()
    sizes = [int(size) for size in args.existing.split(",")]
    server = postgres_url()
    results = [run(size, args.articles, server) for size in sizes]
    for r in results:
        print(
            f"{r['existing']:>7,} events stored ({r['stored_s']:.0f} s to store): "
            f"events_record {r['ms_per_article']:.1f} ms/article, "
            f"{r['queries_per_article']:.1f} queries/article; refresh of the pair "
            f"rows {r['refresh_ms_per_article']:.1f} ms/article"
        )
    ratio = results[-1]["ms_per_article"] / results[0]["ms_per_article"]
    print(f"time per article, largest store against smallest: {ratio:.2f}x")
    sys.exit(0)


if __name__ == "__main__":
    main()
