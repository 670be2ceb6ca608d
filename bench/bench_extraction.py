"""Throughput and memory of the extractor against spaCy alone, in one run.

    .venv/bin/python -m bench.bench_extraction [--articles 1000]

Reads the news articles of ../shared/corpus/news (line 1 origin, line 2 date),
repeats them to the wanted number, then times spaCy's nlp.pipe alone and the
whole extract() over the same texts. extract() runs in a process of its own
(as a worker does), which reports its RSS after 100 and after all articles and
its own peak RSS. Not part of the test suite: the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# As a worker runs (tensions/settings.py sets it there): OpenBLAS on one
# thread, for both sides, before numpy loads with spaCy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tensions.extraction import extract  # noqa: E402
from tensions.extraction.engine import nlp  # noqa: E402

NEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news"


def rss_mb() -> float:
    """The current resident set size of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles(count: int) -> list[str]:
    """`count` article bodies, the corpus repeated as needed."""
    texts = [
        "\n".join(path.read_text(encoding="utf-8").splitlines()[2:])
        for path in sorted(NEWS.glob("*.txt"))
    ]
    return list(itertools.islice(itertools.cycle(texts), count))


def extract_only(texts: list[str]) -> dict:
    """Run extract() alone over `texts`: what a worker process does."""
    extract("Warm-up: Russia attacked Ukraine.")  # load the model and dictionaries
    rss_at_100 = None
    events = 0
    start = time.perf_counter()
    for n, text in enumerate(texts, 1):
        events += len(extract(text))
        if n == 100:
            rss_at_100 = rss_mb()
    return {
        "rate": len(texts) / (time.perf_counter() - start),
        "events": events,
        "rss_at_100": rss_at_100,
        "rss_at_end": rss_mb(),
        # the kernel's high-water mark can lag the current RSS by a page or two
        "peak": max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss_mb()
        ),
    }


def spacy_only(texts: list[str]) -> float:
    """Articles per second of spaCy's nlp.pipe alone over the same texts."""
    extract("Warm-up: Russia attacked Ukraine.")
    start = time.perf_counter()
    for _ in nlp().pipe(texts):
        pass
    return len(texts) / (time.perf_counter() - start)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--extract-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    count = args.articles
    if not NEWS.is_dir():
        print(f"no corpus at {NEWS}; nothing to measure")
        return 1
    texts = articles(count)
    if args.extract_only:
        print(json.dumps(extract_only(texts)))
        return 0
    # extract() in a process of its own, so that its peak RSS is its own and
    # not the spaCy baseline's (which parses whole articles in batches).
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_extraction", "--articles", str(count),
         "--extract-only"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1],
    )  # fmt: skip
    worker = json.loads(child.stdout.splitlines()[-1])
    spacy_rate = spacy_only(texts)
    rss_100 = worker["rss_at_100"]
    print(f"articles: {count}, events: {worker['events']}")
    print(f"spaCy nlp.pipe alone: {spacy_rate:.1f} articles/s")
    print(f"extract():            {worker['rate']:.1f} articles/s")
    print(f"ratio extract/spaCy:  {worker['rate'] / spacy_rate:.2f} (target >= 0.8)")
    after_100 = f"{rss_100:.0f} MB" if rss_100 is not None else "n/a"
    print(f"extract() process RSS after 100: {after_100}, "
          f"after {count}: {worker['rss_at_end']:.0f} MB")  # fmt: skip
    print(f"extract() process peak RSS: {worker['peak']:.0f} MB (target <= 500)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"spaCy baseline process peak RSS: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
