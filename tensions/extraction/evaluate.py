"""Scoring the engine against annotated cases (the JSON-lines format of
tests/extraction/cases.jsonl): precision, recall and F1 over
(source country, target country, type), and status accuracy on the matches.

    python -m tensions.extraction.evaluate tests/extraction/cases.jsonl
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .engine import extract
from .results import Event

Key = tuple[str | None, str | None, str]


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    status_correct: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.true_positives if self.true_positives else 1.0


def load_cases(path: str | Path) -> list[dict]:
    """The annotated cases of a JSON-lines file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def event_key(event: Event) -> Key:
    """What a case annotates of an Event: (source country, target country, type)."""
    target = event.target.country if event.target else None
    return (event.source.country, target, event.type)


def found_statuses(case: dict) -> dict[Key, set[str]]:
    """Run the engine on one case: each found key with its statuses."""
    published = case.get("published")
    date = dt.date.fromisoformat(published) if published else None
    found: dict[Key, set[str]] = {}
    for event in extract(case["text"], date):
        found.setdefault(event_key(event), set()).add(event.status)
    return found


def expected_statuses(case: dict) -> dict[Key, str]:
    return {(e["source"], e["target"], e["type"]): e["status"] for e in case["events"]}


def score(cases: list[dict]) -> Score:
    """Micro-averaged scores over all cases."""
    tp = fp = fn = status_ok = 0
    for case in cases:
        expected, found = expected_statuses(case), found_statuses(case)
        hits = expected.keys() & found.keys()
        tp += len(hits)
        fp += len(found.keys() - expected.keys())
        fn += len(expected.keys() - found.keys())
        status_ok += sum(expected[k] in found[k] for k in hits)
    return Score(tp, fp, fn, status_ok)


def main(argv: list[str]) -> int:
    result = score(load_cases(argv[0]))
    print(
        f"precision {result.precision:.3f}  recall {result.recall:.3f}  "
        f"F1 {result.f1:.3f}  status accuracy {result.status_accuracy:.3f}  "
        f"(tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
