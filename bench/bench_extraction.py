"""Throughput and memory of the extractor against spaCy alone, in one run.

    .venv/bin/python -m bench.bench_extraction [--articles 1000]

Reads the news articles of ../shared/corpus/news (line 1 origin, line 2 date),
repeats them to the wanted number, then times spaCy's nlp.pipe alone and the
whole extract() over the same texts, and reports RSS after 100 and after all
articles. Not part of the test suite: the figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
from pathlib import Path

from tensions.extraction import extract
from tensions.extraction.engine import nlp

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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    count = parser.parse_args(argv).articles
    if not NEWS.is_dir():
        print(f"no corpus at {NEWS}; nothing to measure")
        return 1
    texts = articles(count)
    extract("Warm-up: Russia attacked Ukraine.")  # load the model and dictionaries
    start = time.perf_counter()
    for _ in nlp().pipe(texts):
        pass
    spacy_rate = count / (time.perf_counter() - start)
    rss_at_100 = None
    events = 0
    start = time.perf_counter()
    for n, text in enumerate(texts, 1):
        events += len(extract(text))
        if n == 100:
            rss_at_100 = rss_mb()
    extract_rate = count / (time.perf_counter() - start)
    print(f"articles: {count}, events: {events}")
    print(f"spaCy nlp.pipe alone: {spacy_rate:.1f} articles/s")
    print(f"extract():            {extract_rate:.1f} articles/s")
    print(f"ratio extract/spaCy:  {extract_rate / spacy_rate:.2f} (target >= 0.8)")
    print(f"RSS after 100: {rss_at_100:.0f} MB, after {count}: {rss_mb():.0f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB (target <= 500)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
