"""Ingestion end to end: 1,000 generated articles through the API to `done`.

    .venv/bin/python -m bench.bench_ingestion [--articles 1000] [--sentences 8]
        [--rounds 5]

Needs the PostgreSQL and Redis of tests/stack.py. Each round is four runs,
each on a fresh database:

- sequential, one worker process and two (a prefork worker with
  --concurrency 2): upload every article through the API (JSON Lines files of
  100 records) with no worker running, then start the worker and time from the
  moment it is ready (its log says so) until all are done and no pair row
  awaits its refresh;
- concurrent, one process and two: the worker is started first and the clock
  runs from the first upload until all are done, as when analysts upload while
  the worker runs.

A round's ratios compare its own runs, one after the other. This machine's
speed drifts by a tenth and more within minutes (bench/README.md), so the
rounds alternate which of the two runs first, and the summary gives every
round's figure and their median.

Extraction alone is timed in this process over the same texts through
`articles.services.article_extract`, the very call the worker makes (same
text, publication date and time budget), so that the overhead (everything but
extraction: HTTP, parsing, duplicate checks, queueing, recording events and pair
rows) shows as a share of the total. Checks that no article is lost or
processed twice. Not part of the test suite: the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import requests

from tests.articles.samples import article_texts, jsonl
from tests.stack import require_servers, stack_create, stack_destroy

CHUNK = 100


PUBLISHED = "2025-10-28"


def upload(stack, texts: list[str]) -> float:
    """Send the texts through the API; returns the seconds it took."""
    started = time.perf_counter()
    for first in range(0, len(texts), CHUNK):
        records = [
            {"text": t, "published": PUBLISHED} for t in texts[first : first + CHUNK]
        ]
        response = requests.post(
            f"{stack.url}/api/v1/articles/",
            files=[("file", (f"part{first}.jsonl", jsonl(records)))],
            headers={"Authorization": f"Token {stack.token}"},
            timeout=600,
        )
        response.raise_for_status()
        assert not response.json()["errors"], response.json()["errors"][:3]
    return time.perf_counter() - started


def wait_done(stack, total: int, timeout: float = 3600) -> float:
    """Seconds until no article waits or is being processed and no pair row
    awaits refresh (check() then counts every article's status).

    Polled every 50 ms over one connection, with a question answered from the
    status index: a new connection per poll (a PostgreSQL backend forked each
    time) cost about 6.8 ms of CPU, and counting the finished articles (every
    row read) 0.87 ms, CPU taken from the processes measured, which only the
    two-process runs, keeping both cores busy, paid for."""
    started = time.perf_counter()
    conn = psycopg2.connect(stack.database_url)
    conn.autocommit = True  # each poll sees what has committed since
    try:
        with conn.cursor() as cursor:
            while time.perf_counter() - started < timeout:
                cursor.execute(_UNFINISHED)
                if not any(cursor.fetchone()):
                    return time.perf_counter() - started
                time.sleep(0.05)
    finally:
        conn.close()
    raise RuntimeError(f"not all {total} articles finished in {timeout}s")


_UNFINISHED = (
    "SELECT EXISTS (SELECT FROM articles_article "
    "WHERE status IN ('queued', 'processing')), "
    "EXISTS (SELECT FROM tensions_stalecell)"
)


def ready_at(log: str) -> float:
    """When the worker's log says it is ready (seconds since the epoch)."""
    line = next(line for line in log.splitlines() if line.endswith(" ready."))
    stamp = line[1 : line.index(": ")]  # [2026-11-25 06:48:50,883: INFO/...
    return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def check(stack, total: int) -> dict:
    statuses = dict(
        stack.sql("SELECT status, count(*) FROM articles_article GROUP BY 1")
    )
    twice = stack.sql("SELECT count(*) FROM articles_article WHERE attempts <> 1")[0][0]
    dup_mentions = stack.sql(
        "SELECT count(*) FROM (SELECT 1 FROM tensions_mention "
        "GROUP BY article_id, event_id, start HAVING count(*) > 1) d"
    )[0][0]
    events = stack.sql("SELECT count(*) FROM tensions_event")[0][0]
    extraction = stack.sql("SELECT sum(extraction_seconds) FROM articles_article")
    lost = total - sum(statuses.values())
    maintained = stack.sql(_PAIR_ROWS)
    stack.manage("rebuild_relations")
    return {
        "statuses": statuses,
        "processed_not_once": twice,
        "lost": lost,
        "duplicate_mentions": dup_mentions,
        "events": events,
        "extraction_in_worker_s": float(extraction[0][0] or 0),
        "pair_rows_as_rebuilt": maintained == stack.sql(_PAIR_ROWS),
    }


_PAIR_ROWS = (
    "SELECT source_id, target_id, period, start, events, by_type::text, "
    "round(conflict::numeric, 6), round(cooperation::numeric, 6) "
    "FROM tensions_dyadperiod ORDER BY 1, 2, 3, 4"
)


def cpu_seconds(stack) -> dict[int, tuple[str, float]]:
    """Each process's CPU time so far (user and system, its own and that of
    the children it has reaped, from /proc), keyed by pid and named by what it
    is to this run: the web server, the worker's main process or its pool,
    PostgreSQL (its backends end with their connection, and the server reaps
    them), Redis, this bench. Between two snapshots the difference is where
    the machine's cores went."""
    sessions = {p.pid: name for name, p in stack.processes.items()}
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            stat = (folder / "stat").read_text()
            command = (folder / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended since the listing
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after the command's name
        pid, session = int(folder.name), int(fields[3])
        seconds = sum(int(ticks) for ticks in fields[11:15]) / tick
        if session in sessions:
            name = sessions[session]
            if name.startswith("worker"):
                name += " main" if pid == session else " pool"
        elif command.startswith("postgres") or "/postgres " in command:
            name = "PostgreSQL"
        elif "redis-server" in command:
            name = "Redis"
        elif pid == os.getpid():
            name = "bench"
        else:
            continue
        found[pid] = (name, seconds)
    return found


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per kind of process between two snapshots. A process that
    ended between them has its time in its parent's (of the same kind, as the
    stack's processes are): what it had before is taken off."""
    spent: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        spent[name] = spent.get(name, 0.0) + seconds - before.get(pid, (name, 0.0))[1]
    for pid, (name, seconds) in before.items():
        if pid not in after:
            spent[name] = spent.get(name, 0.0) - seconds
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


def batches(stack, wall: float, total: float) -> dict:
    """Where the worker's time went, from the article rows: a batch's articles
    share the moment it was claimed and the moment it was finished."""
    rows = stack.sql(
        "SELECT extract(epoch FROM started_at), extract(epoch FROM finished_at), "
        "count(*), sum(extraction_seconds) FROM articles_article "
        "GROUP BY started_at, finished_at ORDER BY started_at"
    )
    busy = sum(float(end - begin) for begin, end, _, _ in rows)
    extraction = sum(float(seconds or 0) for _, _, _, seconds in rows)
    return {
        "count": len(rows),
        "first_claim_s": float(rows[0][0]) - wall,
        "busy_s": busy,
        "extraction_s": extraction,
        "after_last_s": wall + total - float(rows[-1][1]),
    }


def run(texts: list[str], workers: int, *, concurrent: bool) -> dict:
    """One run on a fresh database; with `concurrent` the worker runs during
    the upload and `process_s` is counted from the first upload."""
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        stack = stack_create(Path(folder))
        # As in production: the shared cache (Redis) every process sees.
        stack.extra_env.update(CACHE_URL=stack.broker_url, CACHE_KEY_PREFIX=stack.queue)
        try:
            stack.start_web()
            stack.token = stack.create_user("bench", "bench-password-1")
            if concurrent:
                stack.start_worker(concurrency=workers)
            cpu_start = cpu_seconds(stack)
            started, wall = time.perf_counter(), time.time()
            upload_seconds = upload(stack, texts)
            upload_cpu = None  # concurrent: the upload's CPU is the run's
            if not concurrent:
                upload_cpu = cpu_spent(cpu_start, cpu_seconds(stack))
                stack.start_worker(concurrency=workers)
                # From the moment the worker said it was ready, not from when
                # this process noticed (the log is read every 0.25 s, and the
                # worker claims its first batch at once).
                wall = ready_at(stack.log("worker"))
                started = time.perf_counter() - (time.time() - wall)
                # The worker's start (loading the model) aside; what it did
                # before this process noticed it ready is missed.
                cpu_start = cpu_seconds(stack)
            wait_done(stack, len(texts))
            process_s = time.perf_counter() - started
            cpu = cpu_spent(cpu_start, cpu_seconds(stack))
            return {
                "workers": workers,
                "concurrent": concurrent,
                "upload_s": upload_seconds,
                "process_s": process_s,
                "batches": batches(stack, wall, process_s),
                "cpu": cpu,
                "upload_cpu": upload_cpu,
                **check(stack, len(texts)),
            }
        finally:
            stack_destroy(stack)


def extraction_seconds(texts: list[str]) -> float:
    """Extraction alone, as the worker calls it, over the stored texts."""
    import django

    django.setup()
    from articles.models import Article
    from articles.services import article_extract

    published = dt.date.fromisoformat(PUBLISHED)
    articles = [Article(text=t.strip(), published=published) for t in texts]
    article_extract(article=articles[0])  # load the model first, as a worker does
    started = time.perf_counter()
    for article in articles:
        article_extract(article=article)
    return time.perf_counter() - started


def total_seconds(r: dict) -> float:
    """The run's time: a sequential run's upload came first and counts too."""
    return r["process_s"] if r["concurrent"] else r["upload_s"] + r["process_s"]


def overhead_in_worker(r: dict) -> float:
    """The overhead's share (%) against extraction as the worker timed it."""
    return 100 * (1 - r["extraction_in_worker_s"] / total_seconds(r))


def ratio_ceiling(one: dict, two: dict, cores: int) -> float:
    """The most two processes could reach against one, given the CPU time the
    two-process run needed (every process counted: web, PostgreSQL, worker,
    Redis, this bench): that run cannot end sooner than its CPU time spread
    over the machine's cores."""
    return one["process_s"] / (sum(two["cpu"].values()) / cores)


def outside_pool(r: dict) -> float:
    """The share (%) of a run's CPU time spent outside the worker pool, which
    is where extraction runs."""
    spent = r["cpu"]
    return 100 * (1 - spent.get("worker pool", 0.0) / sum(spent.values()))


def report(r: dict, count: int, extract_s: float) -> None:
    """Print one run; for one worker process, the overhead too."""
    total = total_seconds(r)
    what = "upload and processing together" if r["concurrent"] else "processing"
    print(
        f"{'concurrent' if r['concurrent'] else 'sequential'}, {r['workers']} "
        f"worker process(es): upload {r['upload_s']:.1f} s, {what} "
        f"{r['process_s']:.1f} s ({count / r['process_s']:.1f} articles/s); "
        f"statuses {r['statuses']}, lost {r['lost']}, "
        f"processed not exactly once {r['processed_not_once']}, "
        f"duplicate mentions {r['duplicate_mentions']}, events {r['events']}, "
        f"pair rows as a rebuild makes them {r['pair_rows_as_rebuilt']}"
    )
    for name, spent in ("the upload", r["upload_cpu"]), (what, r["cpu"]):
        if spent is not None:
            cpu = ", ".join(f"{kind} {s:.1f}" for kind, s in spent.items())
            print(f"  CPU seconds by process, {name}: {cpu}")
    b = r["batches"]
    rest = b["busy_s"] - b["extraction_s"]
    busy = (
        f"{b['count']} batches busy {b['busy_s']:.1f} s (extraction "
        f"{b['extraction_s']:.1f} s, the rest {rest:.1f} s)"
    )
    if r["workers"] != 1:
        print(
            f"  workers: first claim {b['first_claim_s']:.1f} s after the clock "
            f"started; {busy}, summed over the processes; after the last batch "
            f"{b['after_last_s']:.1f} s"
        )
        return
    upload = "" if r["concurrent"] else f" (upload {100 * r['upload_s'] / total:.0f}%)"
    print(
        f"  overhead (everything but extraction): "
        f"{100 * (1 - extract_s / total):.0f}% of {total:.1f} s{upload}"
    )
    # Timed by the worker itself during the run: on a busy machine both sides
    # of this share are slowed alike.
    in_worker = r["extraction_in_worker_s"]
    print(
        f"  extraction as the worker timed it: {in_worker:.1f} s; overhead "
        f"on that footing: {overhead_in_worker(r):.0f}%; processing "
        f"beyond it: {r['process_s'] - in_worker:.1f} s"
    )
    idle = r["process_s"] - b["first_claim_s"] - b["busy_s"] - b["after_last_s"]
    print(
        f"  worker: first claim {b['first_claim_s']:.1f} s after the clock "
        f"started; {busy}; idle between batches {idle:.1f} s; after the last "
        f"batch {b['after_last_s']:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--sentences", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tensions.settings")
    require_servers()
    texts = article_texts(args.articles, seed=11, sentences=args.sentences)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts)} articles, {words:.0f} words each on average")
    extract_s = extraction_seconds(texts)
    print(
        f"extraction alone, one process: {extract_s:.1f} s "
        f"({1000 * extract_s / len(texts):.0f} ms/article)"
    )
    rounds = []
    for number in range(args.rounds):
        order = (1, 2) if number % 2 == 0 else (2, 1)  # drift falls on both
        results = {
            (concurrent, workers): run(texts, workers, concurrent=concurrent)
            for concurrent in (False, True)
            for workers in order
        }
        print(f"round {number + 1} of {args.rounds}, the runs in order:")
        for r in results.values():
            report(r, len(texts), extract_s)
        rounds.append(results)
    summary(rounds)
    ok = all(
        r["lost"] == 0 and r["processed_not_once"] == 0 and r["pair_rows_as_rebuilt"]
        for results in rounds
        for r in results.values()
    )
    sys.exit(0 if ok else 1)


def summary(rounds: list[dict]) -> None:
    """Each round's ratios, the most the two-process run's CPU time allowed
    and its share outside the pool, and the one-process overhead (on the
    worker's footing, counting the upload when it came first); their medians."""

    def line(label: str, figures: list[float], form: str) -> None:
        each = ", ".join(form.format(f) for f in figures)
        print(f"  {label}: {each}; median {form.format(statistics.median(figures))}")

    print(f"summary of {len(rounds)} round(s):")
    cores = len(os.sched_getaffinity(0))  # the cores this bench may use
    for concurrent in (False, True):
        mode = "concurrent" if concurrent else "sequential"
        ratios = [
            r[concurrent, 1]["process_s"] / r[concurrent, 2]["process_s"]
            for r in rounds
        ]
        line(f"{mode}, two processes against one", ratios, "{:.2f}x")
        ceilings = [
            ratio_ceiling(r[concurrent, 1], r[concurrent, 2], cores) for r in rounds
        ]
        line(
            f"{mode}, the most the two-process run's CPU time allowed ({cores} cores)",
            ceilings,
            "{:.2f}x",
        )
        outside = [outside_pool(r[concurrent, 2]) for r in rounds]
        line(f"{mode}, two processes, CPU outside the worker pool", outside, "{:.0f}%")
        overheads = [overhead_in_worker(r[concurrent, 1]) for r in rounds]
        line(f"{mode}, one process, overhead (worker's footing)", overheads, "{:.0f}%")


if __name__ == "__main__":
    main()
