"""Which reports tell the same happening: clustering that ignores upload order.

A report is one article's account of one happening (the mentions the engine
grouped for it). Reports can only be the same happening when they share a
cluster key: the same pair (countries, or actors when a side has no country),
the same type and the same status family. Within a key, reports are visited in
a canonical order that depends on their content, never on ids or arrival, and
each joins the first cluster whose every member it is compatible with (complete
linkage). The clusters are therefore a function of the set of reports alone.

Plain Python: the services feed it rows and store what it returns.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tensions.extraction import taxonomy

T = TypeVar("T")

# Reports in different families disagree about whether it happened at all, so
# they are different events; within one family the difference is a detail.
STATUS_FAMILIES = {
    taxonomy.OCCURRED: "actual",
    taxonomy.PLANNED: "prospective",
    taxonomy.POSSIBLE: "prospective",
    taxonomy.ALLEGED: "contested",
    taxonomy.DENIED: "contested",
}
SIMILAR_WHAT = 0.2  # Jaccard of content words above which two objects match
_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    ["a", "an", "and", "the", "of", "for", "to", "in", "on", "at", "by", "with"]
    + ["from", "its", "their", "his", "her", "as", "or"]
)
_FIGURE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s+([a-z]+)", re.IGNORECASE
)


@dataclass(frozen=True)
class Report:
    """What clustering needs to know of one article's account."""

    article: str  # the article's content hash: stable whatever the upload order
    index: int  # which of the article's accounts
    day: dt.date | None  # the event's date, else the article's publication
    published: dt.date | None
    mode: str
    what: str

    def order(self) -> tuple:
        return (
            self.day or dt.date.max,
            self.published or dt.date.max,
            self.article,
            self.index,
        )


def status_family(status: str) -> str:
    return STATUS_FAMILIES.get(status, status)


def cluster_key(*, type: str, status: str, source: str, target: str | None) -> str:
    """The key reports must share: `source`/`target` are country codes, or
    `actor:<id>` for a side without a country, or None for no target."""
    return f"{source}|{target or '-'}|{type}|{status_family(status)}"


def clusters(
    reports: Iterable[Report],
    *,
    window_days: int,
    seeds: Iterable[list[Report]] = (),
) -> list[list[Report]]:
    """Reports grouped into happenings, canonically ordered (see module doc).

    `seeds` resumes a clustering: the clusters of the reports that come before
    all of `reports` in canonical order, in the order of their first reports.
    """
    found: list[list[Report]] = [list(seed) for seed in seeds]
    reach = dt.timedelta(days=window_days)
    # The clusters a dated report may still join, in the same order: once a
    # report is more than a window after a cluster's first (earliest) report,
    # so is every later one, so that cluster is closed to dated reports.
    open_ = list(found)
    for report in sorted(reports, key=Report.order):
        if report.day is not None:
            open_ = [
                c for c in open_ if c[0].day is None or c[0].day + reach >= report.day
            ]
        for cluster in found if report.day is None else open_:
            if all(compatible(report, other, window_days) for other in cluster):
                cluster.append(report)
                break
        else:
            found.append([report])
            open_.append(found[-1])
    return found


def compatible(a: Report, b: Report, window_days: int) -> bool:
    """Could two reports (of the same key) tell the same happening?"""
    if a.article == b.article:
        return False  # the engine already merged an article's own accounts
    if a.mode and b.mode and a.mode != b.mode:
        return False
    if a.day and b.day and abs((a.day - b.day).days) > window_days:
        return False
    return similar_what(a.what, b.what)


def similar_what(a: str, b: str) -> bool:
    """Objects match when either is unknown or their content words overlap."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return True
    return len(words_a & words_b) / len(words_a | words_b) >= SIMILAR_WHAT


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """Content words; cached, as clustering compares each object many times."""
    return frozenset(w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS)


def majority(values: Sequence[T], *, key: Callable[[T], object] = lambda v: v) -> T:
    """The most frequent value; ties go to the one seen first (canonical order)."""
    counts = Counter(key(v) for v in values)
    return max(values, key=lambda v: (counts[key(v)], -values.index(v)))


def figures(text: str) -> dict[str, set[str]]:
    """Numbers the text gives, by what they count: {"tons": {"500"}}."""
    found: dict[str, set[str]] = {}
    for number, unit in _FIGURE.findall(text):
        found.setdefault(unit.casefold(), set()).add(number.replace(",", ""))
    return found


@dataclass(frozen=True)
class Disagreement:
    """A detail the reports give differently: each value with who says it."""

    field: str
    values: tuple[tuple[str, tuple[str, ...]], ...]  # (value, (report labels))


DISAGREEMENT_FIELDS = ("date", "status", "mode", "what")


def disagreements(accounts: Sequence[tuple[str, dict]]) -> list[Disagreement]:
    """Details reports disagree on. `accounts` are (label, fields) per article,
    fields holding DISAGREEMENT_FIELDS and "text" (its sentences, for figures)."""
    found = []
    for name in DISAGREEMENT_FIELDS:
        said = {label: str(fields[name]) for label, fields in accounts if fields[name]}
        found += _disagreement(name, said)
    units: dict[str, dict[str, str]] = {}
    for label, fields in accounts:
        for unit, numbers in figures(fields["text"]).items():
            units.setdefault(unit, {})[label] = ", ".join(sorted(numbers))
    for unit, said in sorted(units.items()):
        found += _disagreement(f"figure ({unit})", said) if len(said) > 1 else []
    return found


def _disagreement(name: str, said: dict[str, str]) -> list[Disagreement]:
    by_value: dict[str, list[str]] = {}
    for label, value in said.items():
        by_value.setdefault(value, []).append(label)
    if len(by_value) < 2:
        return []
    values = tuple((v, tuple(labels)) for v, labels in sorted(by_value.items()))
    return [Disagreement(name, values)]
