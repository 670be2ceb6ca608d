"""Relations between countries per period, and the tension index built from them.

THE FORMULA (shown to users on the "About the index" page, tensions:about):

    weight(e)     = STATUS_WEIGHTS[e.status] × e.confidence × (1 + log2(e.articles))
    conflict C    = Σ weight(e) × max(−e.intensity, 0)      over the period's events
    cooperation K = Σ weight(e) × max(+e.intensity, 0)
    tension index = 100 × (C − K) / (C + K + DAMPING)

Intensities come from the type-and-mode table (tensions.extraction.taxonomy).
The index runs from −100 (all cooperation) to +100 (all conflict); DAMPING keeps
a period with one weak report from scoring like a war. Rejected events never
count. A pair's undirected figures are the sums of both directions.

DyadPeriod rows hold C, K and the counts per directed pair and period; the cells
an event counted in and counts in are recomputed from their events, in bulk.
A review recomputes them inside its own transaction; processing an article only
marks them stale (StaleCell), and relations_refresh_stale recomputes the cells
many articles touched at once, soon after (tensions.tasks.refresh_relations).
Writers of DyadPeriod take one lock in turn, so a refresh that read the events
earlier never overwrites one that read them later.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from tensions import bulk, dataversion, prepared
from tensions.extraction import taxonomy
from tensions.models import (
    Country,
    CountryEvents,
    DyadPeriod,
    Event,
    Period,
    StaleCell,
)

STATUS_WEIGHTS = {
    taxonomy.OCCURRED: 1.0,
    taxonomy.ALLEGED: 0.5,
    taxonomy.PLANNED: 0.5,
    taxonomy.POSSIBLE: 0.25,
    taxonomy.DENIED: 0.0,
}
DAMPING = 10.0
SPIKE_SIGMAS = 2.0
SPIKE_MIN_HISTORY = 3

Cell = tuple[str, str, str, dt.date]  # source, target, period, start


def event_weight(*, status: str, confidence: float, articles: int) -> float:
    """How much one event counts: how real, how sure, how corroborated."""
    return STATUS_WEIGHTS[status] * confidence * (1 + math.log2(max(articles, 1)))


def tension_index(conflict: float, cooperation: float) -> float:
    return 100 * (conflict - cooperation) / (conflict + cooperation + DAMPING)


def tension_index_sql(conflict: str, cooperation: str) -> str:
    """tension_index() as an SQL expression of two double columns: the same
    operations in the same order, so the same doubles (rankings sort on it)."""
    return (
        f"(100 * ({conflict} - {cooperation}) "
        f"/ ({conflict} + {cooperation} + {DAMPING!r}))"
    )


def scores(events: Iterable[dict]) -> tuple[float, float]:
    """(conflict, cooperation) of events given as dicts of status, confidence,
    article_count and intensity."""
    conflict = cooperation = 0.0
    for e in events:
        weight = event_weight(
            status=e["status"], confidence=e["confidence"], articles=e["article_count"]
        )
        conflict += weight * max(-e["intensity"], 0)
        cooperation += weight * max(e["intensity"], 0)
    return conflict, cooperation


# Periods ---------------------------------------------------------------------


def period_start(day: dt.date, period: str) -> dt.date:
    if period == Period.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    return day


def period_next(start: dt.date, period: str) -> dt.date:
    if period == Period.WEEK:
        return start + dt.timedelta(days=7)
    if period == Period.MONTH:
        return (start + dt.timedelta(days=32)).replace(day=1)
    return start + dt.timedelta(days=1)


def period_last(start: dt.date, period: str) -> dt.date:
    """The last day of the period starting on `start`."""
    return period_next(start, period) - dt.timedelta(days=1)


def period_previous(start: dt.date, period: str) -> dt.date:
    return period_start(start - dt.timedelta(days=1), period)


def event_cells(event: Event) -> set[Cell]:
    """The DyadPeriod rows an event counts in (none without two countries)."""
    if not (event.source_country_id and event.target_country_id and event.day):
        return set()
    return {
        (
            event.source_country_id,
            event.target_country_id,
            p,
            period_start(event.day, p),
        )
        for p in Period.values
    }


# Maintenance -------------------------------------------------------------------


def relations_refresh(*, cells: Iterable[Cell]) -> None:
    """Recompute the given DyadPeriod rows from their events.

    A few queries whatever the number of cells: per batch of pairs, one read of
    the events in the span the pair's cells cover (an index range on
    event_dyad_day), one delete of the cells left empty, one upsert of the rest.
    """
    dataversion.bump_on_commit()  # the pages drawn from these events are stale
    cells = set(cells)
    if not cells:
        return
    _writers_lock()
    by_pair: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells:
        by_pair.setdefault(cell[:2], []).append(cell)
    pairs = sorted(by_pair)
    for first in range(0, len(pairs), _PAIRS_PER_QUERY):
        batch = {
            pair: by_pair[pair] for pair in pairs[first : first + _PAIRS_PER_QUERY]
        }
        _cells_write(_cells_events(batch))


_PAIRS_PER_QUERY = 200  # keeps each query's OR list well under SQLite's limits
STALE_BATCH = 20_000  # marks recomputed per transaction
_WRITERS_LOCK = 7_201_501  # any constant: the advisory lock of DyadPeriod writers


def _writers_lock() -> None:
    """Held to the end of the transaction (PostgreSQL; SQLite locks all writes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITERS_LOCK])


def cells_mark_stale(*, cells: Iterable[Cell]) -> None:
    """Note cells to recompute later, in the caller's transaction (one insert;
    on PostgreSQL by COPY, without a model instance per cell: a batch of fifty
    articles marks some five hundred)."""
    dataversion.bump_on_commit()  # their events are on the pages already
    marks = sorted(set(cells))
    if not marks:
        return
    if connection.vendor != "postgresql":
        StaleCell.objects.bulk_create(
            StaleCell(source=source, target=target, period=period, start=start)
            for source, target, period, start in marks
        )
        return
    bulk.tuples_copy(
        StaleCell._meta.db_table, ["source", "target", "period", "start"], marks
    )


@transaction.atomic
def relations_refresh_stale(*, limit: int | None = None) -> int:
    """Recompute the cells marked stale (up to `limit` marks); returns how many
    marks were taken. A mark committed after the read stays for the next run."""
    _writers_lock()
    limit = limit or STALE_BATCH
    marks = list(
        StaleCell.objects.order_by("pk").values_list(
            "pk", "source", "target", "period", "start"
        )[:limit]
    )
    if not marks:
        return 0
    # By id, not by range: a mark with a lower id may commit after this read.
    taken = [pk for pk, *_ in marks]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # one array, not a parameter a mark
            cursor.execute(
                f"DELETE FROM {StaleCell._meta.db_table} WHERE id = ANY(%s)", [taken]
            )
    else:
        for first in range(0, len(taken), 500):
            StaleCell.objects.filter(pk__in=taken[first : first + 500]).delete()
    relations_refresh(cells=[tuple(cell) for _, *cell in marks])
    return len(marks)


_CELL_VALUES = ("source_country_id", "target_country_id", "day")
_SCORED_VALUES = ("type", "status", "confidence", "article_count", "intensity")


def _cells_events(by_pair: dict[tuple[str, str], list[Cell]]) -> dict[Cell, list]:
    """The visible events of each cell, in the order the pages list them."""
    span = Q()
    for (source, target), cells in by_pair.items():
        for first, following in _spans(cells):
            span |= Q(
                source_country_id=source,
                target_country_id=target,
                day__gte=first,
                day__lt=following,
            )
    wanted = {cell: [] for cells in by_pair.values() for cell in cells}
    for row in (
        Event.objects.visible().filter(span).values(*_CELL_VALUES, *_SCORED_VALUES)
    ):
        source, target, day = (row[name] for name in _CELL_VALUES)
        for period in Period.values:
            cell = (source, target, period, period_start(day, period))
            if cell in wanted:
                wanted[cell].append(row)
    return wanted


def _spans(cells: list[Cell]) -> list[tuple[dt.date, dt.date]]:
    """The days the cells cover, as few [first, following) ranges as can be."""
    spans: list[list[dt.date]] = []
    for *_, period, start in sorted(cells, key=lambda cell: cell[3]):
        following = period_next(start, period)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], following)
        else:
            spans.append([start, following])
    return [(first, following) for first, following in spans]


def _cells_write(events: dict[Cell, list]) -> None:
    empty = [cell for cell, rows in events.items() if not rows]
    if empty:
        gone = Q()
        for source, target, period, start in empty:
            gone |= Q(source_id=source, target_id=target, period=period, start=start)
        DyadPeriod.objects.filter(gone).delete()
    rows = [_cell_row(cell, found) for cell, found in events.items() if found]
    DyadPeriod.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["source", "target", "period", "start"],
        update_fields=["events", "by_type", "by_status", "conflict", "cooperation"],
    )


def _cell_row(cell: Cell, events: list[dict]) -> DyadPeriod:
    source, target, period, start = cell
    conflict, cooperation = scores(events)
    return DyadPeriod(
        source_id=source,
        target_id=target,
        period=period,
        start=start,
        events=len(events),
        by_type=dict(Counter(e["type"] for e in events)),
        by_status=dict(Counter(e["status"] for e in events)),
        conflict=conflict,
        cooperation=cooperation,
    )


@transaction.atomic
def relations_rebuild() -> int:
    """Every DyadPeriod row from scratch (after a bulk import); returns the count."""
    DyadPeriod.objects.all().delete()
    cells: set[Cell] = set()
    for event in (
        Event.objects.visible()
        .interstate()
        .only("source_country", "target_country", "day")
    ):
        cells |= event_cells(event)
    relations_refresh(cells=cells)
    return DyadPeriod.objects.count()


# The countries in events ---------------------------------------------------------


def countries_with_events() -> list[tuple[str, str]]:
    """(code, name) of the countries in visible events between two countries,
    by name: the timeline's picker. On PostgreSQL from the changes triggers
    append (CountryEvents); on SQLite from the events."""
    if connection.vendor == "postgresql":
        return prepared.rows_fetch(_COUNTRIES_COUNTED, [])
    return _countries_walked()


_COUNTRIES_COUNTED = f"""
SELECT code, name FROM {Country._meta.db_table}
WHERE code IN (
    SELECT country FROM {CountryEvents._meta.db_table}
    GROUP BY country HAVING SUM(n) > 0
)
ORDER BY name
"""


def country_events_compact() -> int:
    """Fold the appended changes into one row per country (PostgreSQL; the
    sweeper runs it); returns how many rows were folded."""
    return bulk.changes_fold(CountryEvents, "country")


def _countries_walked() -> list[tuple[str, str]]:
    """(code, name) of the countries in events, by name, from the events
    themselves: the picker's on SQLite, and what the counts are checked
    against in the tests on PostgreSQL. Each side's codes are walked as a
    skip scan of its index (the next code above the last one found: one probe
    per country that has events), where a probe per country of the table cost
    three times as much. Not EXISTS: with
    statistics, PostgreSQL answers it with a scan of the events per country,
    and each country without events costs a whole scan. Prepared, with no
    parameter (its plan is the same each time): planning it cost 0.2 ms."""
    return prepared.rows_fetch(_COUNTRIES_WITH_EVENTS, [])


def _next_code(column: str, other: str) -> str:
    """The SQL for the smallest `column` above `code` among visible events
    between countries."""
    return (
        f"SELECT MIN({column}) FROM tensions_event WHERE {column} > code "
        f"AND {other} IS NOT NULL AND review_state <> '{Event.ReviewState.REJECTED}'"
    )


_COUNTRIES_WITH_EVENTS = f"""
WITH RECURSIVE sources(code) AS (
    SELECT ''
    UNION ALL
    SELECT ({_next_code("source_country_id", "target_country_id")})
    FROM sources WHERE code IS NOT NULL
), targets(code) AS (
    SELECT ''
    UNION ALL
    SELECT ({_next_code("target_country_id", "source_country_id")})
    FROM targets WHERE code IS NOT NULL
)
SELECT code, name FROM tensions_country
WHERE code IN (SELECT code FROM sources UNION SELECT code FROM targets)
ORDER BY name
"""


# Reading -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairScore:
    a: str
    b: str
    events: int
    conflict: float
    cooperation: float
    previous: float  # the index of the period before
    # computed once, as plain slots: the rankings sort hundreds of scores on
    # them, three times
    index: float = field(init=False)
    change: float = field(init=False)

    def __post_init__(self) -> None:
        index = tension_index(self.conflict, self.cooperation)
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "change", index - self.previous)


def most_tense(scores: list[PairScore], limit: int = 10) -> list[PairScore]:
    active = [s for s in scores if s.events]
    return heapq.nsmallest(limit, active, key=lambda s: (-s.index, s.a, s.b))


def most_active(scores: list[PairScore], limit: int = 10) -> list[PairScore]:
    active = [s for s in scores if s.events]
    return heapq.nsmallest(limit, active, key=lambda s: (-s.events, s.a, s.b))


def largest_change(scores: list[PairScore], limit: int = 10) -> list[PairScore]:
    return heapq.nsmallest(limit, scores, key=lambda s: (-abs(s.change), s.a, s.b))


@dataclass(frozen=True, slots=True)
class Rankings:
    """A period's rankings of pairs (most_tense, largest_change, most_active
    of every undirected pair active in the period or the one before) and its
    count of events between countries; with the sums per `series` period of
    the pairs ranked most tense or most changed."""

    tense: list[PairScore]
    moved: list[PairScore]
    active: list[PairScore]
    events: int
    series: dict[tuple[str, str], dict[dt.date, tuple[int, float, float]]]


def pairs_ranked(
    *,
    period: str,
    start: dt.date,
    series: tuple[str, dt.date, dt.date],
    limit: int = 10,
) -> Rankings:
    """The period's three rankings from one query: the database scores every
    undirected pair active in the period or the one before (both indexes, the
    periods summed apart), keeps the first `limit` of each order, and sums the
    `series` periods (period, first start, last start) of those ranked by
    tension or change. (tests/tensions/rankings.py computes the same scores
    with the ORM, as the reference.)"""
    series_period, first, last = series
    values = {
        "period": period,
        "start": start,
        "previous": period_previous(start, period),
        "limit": limit,
        "series_period": series_period,
        "first": first,
        "last": last,
    }
    ranked: dict[str, list[PairScore]] = {"tense": [], "moved": [], "active": []}
    sums: dict[tuple[str, str], dict] = {}
    events = 0
    sql, names = _ranked_sql(connection.vendor)
    # prepared: planning it cost a fifth of running it, on every home page
    for kind, a, b, n, c, k, was, day in prepared.rows_fetch(
        sql, [values[name] for name in names]
    ):
        if kind == "period":
            sums.setdefault((a, b), {})[as_date(day)] = (n, c, k)
        elif kind == "all":
            events = n or 0
        else:
            ranked[kind].append(PairScore(a, b, n, c, k, was))
    return Rankings(
        # the same orders as over all the scores, of the same first few
        most_tense(ranked["tense"], limit),
        largest_change(ranked["moved"], limit),
        most_active(ranked["active"], limit),
        events,
        sums,
    )


def as_date(value) -> dt.date | None:
    """A day as a raw cursor gives it: a date; a datetime for a truncated day
    on some databases; ISO text for SQLite's computed ones; None stays None."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


# LEAST, GREATEST and a collation that sorts codes as Python does, per database
_DIALECTS = {
    "postgresql": ("LEAST", "GREATEST", ' COLLATE "C"'),
    "sqlite": ("MIN", "MAX", ""),
}


def pair_functions(vendor: str) -> tuple[str, str]:
    """The SQL functions giving an undirected pair's first and second code
    (LEAST and GREATEST, as the pair indexes are built on, or SQLite's)."""
    least, greatest, _ = _DIALECTS[vendor]
    return least, greatest


@functools.cache
def _ranked_sql(vendor: str) -> tuple[str, list[str]]:
    """Every active pair's sums and indexes; the first `limit` pairs in the orders
    of most_tense, largest_change and most_active; the sum of events; the
    series of the pairs in the first two orders. One row shape for all
    (kind, a, b, n, c, k, previous index, series period). With %s
    placeholders (prepared.rows_fetch's), and the names of their values."""
    least, greatest, exact = _DIALECTS[vendor]
    now = "FILTER (WHERE start = %(start)s)"
    before = "FILTER (WHERE start = %(previous)s)"
    codes = f"a{exact}, b{exact} LIMIT %(limit)s"
    named = f"""
WITH scored AS (
    SELECT a, b, n, c, k, {tension_index_sql("c", "k")} AS now,
        {tension_index_sql("was_c", "was_k")} AS was
    FROM (
        SELECT {least}(source_id, target_id) AS a,
            {greatest}(source_id, target_id) AS b,
            COALESCE(SUM(events) {now}, 0) AS n,
            COALESCE(SUM(conflict) {now}, 0.0) AS c,
            COALESCE(SUM(cooperation) {now}, 0.0) AS k,
            COALESCE(SUM(conflict) {before}, 0.0) AS was_c,
            COALESCE(SUM(cooperation) {before}, 0.0) AS was_k
        FROM tensions_dyadperiod
        WHERE period = %(period)s AND start IN (%(start)s, %(previous)s)
        GROUP BY 1, 2
    ) AS pairs
), tense AS (
    SELECT * FROM scored WHERE n > 0 ORDER BY now DESC, {codes}
), moved AS (
    SELECT * FROM scored ORDER BY ABS(now - was) DESC, {codes}
), active AS (
    SELECT * FROM scored WHERE n > 0 ORDER BY n DESC, {codes}
), drawn AS (
    SELECT a, b FROM tense UNION SELECT a, b FROM moved
), directed AS (  -- equal keys, not an OR: each direction an index lookup
    SELECT a, b, a AS source, b AS target FROM drawn
    UNION ALL SELECT a, b, b, a FROM drawn
)
SELECT 'tense', a, b, n, c, k, was, CAST(NULL AS DATE) FROM tense
UNION ALL SELECT 'moved', a, b, n, c, k, was, NULL FROM moved
UNION ALL SELECT 'active', a, b, n, c, k, was, NULL FROM active
UNION ALL SELECT 'all', NULL, NULL, SUM(n), NULL, NULL, NULL, NULL FROM scored
UNION ALL SELECT 'period', directed.a, directed.b, SUM(cell.events),
    SUM(cell.conflict), SUM(cell.cooperation), NULL, cell.start
FROM directed JOIN tensions_dyadperiod cell
    ON cell.source_id = directed.source AND cell.target_id = directed.target
WHERE cell.period = %(series_period)s AND cell.start BETWEEN %(first)s AND %(last)s
GROUP BY directed.a, directed.b, cell.start
"""
    return _NAMED.sub("%s", named), _NAMED.findall(named)


_NAMED = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Point:
    start: dt.date
    end: dt.date  # inclusive: the period's last day
    events: int
    conflict: float
    cooperation: float
    by_type: dict

    @property
    def index(self) -> float:
        return tension_index(self.conflict, self.cooperation)


def pair_series(
    *,
    a: str,
    b: str,
    period: str,
    start: dt.date,
    end: dt.date,
    directed: bool = False,
) -> list[Point]:
    """One point per period from `start` to `end`, empty periods included."""
    first, last = period_start(start, period), period_start(end, period)
    pair = Q(source_id=a, target_id=b)
    if not directed:
        pair |= Q(source_id=b, target_id=a)
    rows = DyadPeriod.objects.filter(
        pair, period=period, start__gte=first, start__lte=last
    )
    by_start: dict[dt.date, list[DyadPeriod]] = {}
    for row in rows:
        by_start.setdefault(row.start, []).append(row)
    points, cursor = [], first
    while cursor <= last:
        following = period_next(cursor, period)
        points.append(_point(cursor, following, by_start.get(cursor, [])))
        cursor = following
    return points


def _point(start: dt.date, following: dt.date, rows: list[DyadPeriod]) -> Point:
    by_type: Counter = Counter()
    for row in rows:
        by_type.update(row.by_type)
    return Point(
        start=start,
        end=following - dt.timedelta(days=1),
        events=sum(r.events for r in rows),
        conflict=sum(r.conflict for r in rows),
        cooperation=sum(r.cooperation for r in rows),
        by_type=dict(by_type),
    )


def is_spike(values: list[float]) -> bool:
    """Whether the last value exceeds the mean of those before it by more than
    SPIKE_SIGMAS (population) standard deviations."""
    *history, latest = values
    if len(history) < SPIKE_MIN_HISTORY:
        return False
    mean = statistics.fmean(history)
    # statistics.pstdev in floats: its exact fractions cost more than the rest
    # of a ranking (a page judges dozens of series)
    spread = math.sqrt(statistics.fmean([(v - mean) ** 2 for v in history]))
    return latest - mean > SPIKE_SIGMAS * spread
