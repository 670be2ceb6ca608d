"""Scoring the engine against annotated cases: precision, recall and F1 over
(source country, target country, type), status accuracy on the matches, and
whether sentences with no interstate event stay empty.

    python -m tensions.extraction.evaluate              # all three suites
    python -m tensions.extraction.evaluate cases.jsonl  # one file of cases
    python -m tensions.extraction.evaluate --misses     # also list each case's
                                                        # misses and extras

The suites: the team's own cases (tests/extraction/cases.jsonl) and the two
external gold suites read from ../shared/corpus/gold beside the repository
(see gold.py for how they are mapped). The PLOVER records are scored twice:
with the two scoring conventions (a record's actors of one country make one
event; a planned visit or meeting is PLOVER's AGREE) and without them ("strict"),
so that neither figure has to be taken on trust. A case is {"id", "text", "published",
"events": [{"source", "target", "type" or "types", "status"?, "symmetric"?,
"excluded"?}]}. Gold events the engine does not code by design (no target,
both sides in one country) carry "excluded" and are counted, not scored.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import gold
from .engine import extract
from .results import Event

Key = tuple[str | None, str | None, str]
ROOT = Path(__file__).resolve().parents[2]
OWN_CASES = ROOT / "tests" / "extraction" / "cases.jsonl"
GOLD = ROOT.parent / "shared" / "corpus" / "gold"


@dataclass(frozen=True)
class Score:
    true_positives: int
    false_positives: int
    false_negatives: int
    status_correct: int = 0
    status_scored: int = 0
    empty_cases: int = 0
    empty_kept: int = 0
    excluded: int = 0

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
        return self.status_correct / self.status_scored if self.status_scored else 1.0


def load_cases(path: str | Path) -> list[dict]:
    """The annotated cases of a JSON-lines file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def event_key(event: Event) -> Key:
    """What a case annotates of an Event: (source country, target country, type)."""
    target = event.target.country if event.target else None
    return (event.source.country, target, event.type)


def plover_key(event: Event) -> Key:
    """The key of an Event as the PLOVER gold codes it. PLOVER has no status:
    it codes promised future cooperation (a planned visit or meeting included)
    as AGREE and an announced withdrawal
    as CONCEDE (TAXONOMY.md), where this engine keeps the type and says
    `planned` in the status."""
    source, target, kind = event_key(event)
    if event.status == "planned":
        kind = _PLOVER_PLANNED.get(kind, kind)
    return (source, target, kind)


_PLOVER_PLANNED = {
    "AID": "AGREE",
    "CONSULT": "AGREE",
    "COOPERATE": "AGREE",
    "SUPPORT": "AGREE",
    "RETREAT": "CONCEDE",
}
_PLOVER_PLANNED_STRICT = {k: v for k, v in _PLOVER_PLANNED.items() if k != "CONSULT"}


def plover_key_strict(event: Event) -> Key:
    """plover_key without its newest convention: a planned visit or meeting
    stays CONSULT, as first scored, so that a figure need not rest on it."""
    source, target, kind = event_key(event)
    if event.status == "planned":
        kind = _PLOVER_PLANNED_STRICT.get(kind, kind)
    return (source, target, kind)


def found_statuses(case: dict, key=event_key) -> dict[Key, set[str]]:
    """Run the engine on one case: each found key with its statuses."""
    published = case.get("published")
    date = dt.date.fromisoformat(published) if published else None
    found: dict[Key, set[str]] = {}
    for event in _extract(case["text"], date):
        found.setdefault(key(event), set()).add(event.status)
    return found


@functools.lru_cache(maxsize=512)
def _extract(text: str, published: dt.date | None) -> list[Event]:
    # two scorings of one suite read the engine's answer once
    return extract(text, published)


def expected_statuses(case: dict) -> dict[Key, str]:
    """The own set's annotation of a case: each key with its status."""
    return {(e["source"], e["target"], e["type"]): e["status"] for e in case["events"]}


@dataclass
class _Match:
    hits: int = 0
    misses: int = 0
    extra: int = 0
    status_correct: int = 0
    status_scored: int = 0


def match_case(case: dict, found: dict[Key, set[str]]) -> _Match:
    """Match a case's scored events against what the engine found."""
    result = _Match()
    unused = set(found)
    for expected in case["events"]:
        if "excluded" in expected:
            continue
        key = _find(expected, unused)
        if key is None:
            result.misses += 1
            continue
        unused.discard(key)
        result.hits += 1
        if "status" in expected:
            result.status_scored += 1
            result.status_correct += expected["status"] in found[key]
    result.extra = len(unused)
    return result


def _find(expected: dict, found: set[Key]) -> Key | None:
    types = expected.get("types") or [expected["type"]]
    pairs = [(expected["source"], expected["target"])]
    if expected.get("symmetric"):
        pairs.append((expected["target"], expected["source"]))
    for kind in types:
        for source, target in pairs:
            if (source, target, kind) in found:
                return (source, target, kind)
    return None


def score(cases: list[dict], key=event_key) -> Score:
    """Micro-averaged scores over all cases."""
    totals = _Match()
    empty = kept = excluded = 0
    for case in cases:
        found = found_statuses(case, key)
        result = match_case(case, found)
        for name in ("hits", "misses", "extra", "status_correct", "status_scored"):
            setattr(totals, name, getattr(totals, name) + getattr(result, name))
        excluded += sum("excluded" in e for e in case["events"])
        if _expects_nothing(case):
            empty += 1
            kept += not found
    return Score(
        totals.hits, totals.extra, totals.misses, totals.status_correct,
        totals.status_scored, empty, kept, excluded,
    )  # fmt: skip


def _expects_nothing(case: dict) -> bool:
    return case.get("no_events", not case["events"])


def suites():
    """(name, cases or None where a gold file is missing, key function)."""
    plover = GOLD / "PLOVER_GSR_CAMEO.txt"
    petrarch = GOLD / "PETR2_GSR_validation.xml"
    return [
        (f"own set ({OWN_CASES.relative_to(ROOT)})", load_cases(OWN_CASES), event_key),
        (
            "PLOVER gold records (PLOVER_GSR_CAMEO.txt)",
            gold.plover_cases(plover) if plover.exists() else None,
            plover_key,
        ),
        (
            "PLOVER gold records, strict (a record's actors of one country counted "
            "apart,\n  a planned CONSULT kept CONSULT)",
            gold.plover_cases(plover, merge_same_country=False)
            if plover.exists()
            else None,
            plover_key_strict,
        ),
        (
            "PETRARCH-2 validation (PETR2_GSR_validation.xml)",
            gold.petrarch_cases(petrarch) if petrarch.exists() else None,
            plover_key,
        ),
    ]


def misses(cases: list[dict], key=event_key) -> list[str]:
    """One line per case the engine gets wrong: its missed and extra keys."""
    lines = []
    for case in cases:
        found = found_statuses(case, key)
        unused = set(found)
        missed = []
        for expected in case["events"]:
            if "excluded" in expected:
                continue
            hit = _find(expected, unused)
            if hit is None:
                types = "|".join(expected.get("types") or [expected["type"]])
                missed.append((expected["source"], expected["target"], types))
            unused.discard(hit)
        if missed or unused:
            lines.append(
                f"{case['id']}: missed {missed} extra {sorted(unused, key=str)}\n"
                f"    {case['text'][:300]}"
            )
    return lines


def report(name: str, cases: list[dict], key=event_key) -> str:
    """The printed figures of one suite."""
    result = score(cases, key)
    lines = [
        f"{name}: {len(cases)} cases",
        f"  (source, target, type)  precision {result.precision:.3f}  "
        f"recall {result.recall:.3f}  F1 {result.f1:.3f}  "
        f"(tp {result.true_positives}, fp {result.false_positives}, "
        f"fn {result.false_negatives})",
    ]
    if result.status_scored:
        lines.append(
            f"  status accuracy on matched events {result.status_accuracy:.3f} "
            f"({result.status_correct}/{result.status_scored})"
        )
    if result.empty_cases:
        lines.append(
            f"  no-event cases kept empty {result.empty_kept}/{result.empty_cases}"
        )
    if result.excluded:
        lines.append(
            f"  gold events not scored (no target, or within one country): "
            f"{result.excluded}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    listing = "--misses" in argv
    argv = [a for a in argv if a != "--misses"]
    chosen = [(argv[0], load_cases(argv[0]), event_key)] if argv else suites()
    for name, cases, key in chosen:
        if cases is None:
            print(f"{name}: not found under {GOLD}; skipped")
            continue
        print(report(name, cases, key))
        if listing:
            print("\n".join(misses(cases, key)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
