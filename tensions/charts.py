"""Index charts: SVG geometry computed here, drawn by templates.

The pair chart's bars link to the events behind them (tensions:events filtered by
pair and period); sparklines summarise a pair's index over recent periods.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from urllib.parse import quote_plus

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tensions import prepared, relations
from tensions.models import DyadPeriod
from tensions.relations import Point

Pair = tuple[str, str]
SPARK_WIDTH, SPARK_HEIGHT = 100, 24

WIDTH, HEIGHT, MARGIN = 720, 220, 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    index: float
    events: int
    label: str
    url: str
    conflict: bool


def index_chart(points: list[Point], *, a: str, b: str, directed: bool) -> dict:
    """Bars from the zero line: up for tension, down for cooperation (±100)."""
    if not points:
        return {"bars": [], "width": WIDTH, "height": HEIGHT, "zero": HEIGHT / 2}
    step = (WIDTH - 2 * MARGIN) / len(points)
    zero, scale = HEIGHT / 2, (HEIGHT / 2 - MARGIN) / 100
    bars = [
        _bar(
            p,
            x=MARGIN + i * step,
            width=max(step - 2, 1),
            zero=zero,
            scale=scale,
            url=events_url(p, a=a, b=b, directed=directed),
        )
        for i, p in enumerate(points)
    ]
    return {"bars": bars, "width": WIDTH, "height": HEIGHT, "zero": zero}


def _bar(point: Point, *, x, width, zero, scale, url) -> Bar:
    size = abs(point.index) * scale
    return Bar(
        x=round(x, 1),
        y=round(zero - size if point.index >= 0 else zero, 1),
        width=round(width, 1),
        height=round(max(size, 1 if point.events else 0), 1),
        index=round(point.index, 1),
        events=point.events,
        label=f"{point.start:%d %b %Y}–{point.end:%d %b %Y}",
        url=url,
        conflict=point.index >= 0,
    )


def events_url(point: Point, *, a: str, b: str, directed: bool) -> str:
    """The event list behind one figure (urlencode()'s query, written out:
    ISO dates need no quoting, and a timeline links hundreds of figures)."""
    days = f"day_from={point.start.isoformat()}&day_to={point.end.isoformat()}"
    if directed:
        return f"{_events_path()}?{days}&source={quote_plus(a)}&target={quote_plus(b)}"
    return f"{_events_path()}?{days}&pair={_pair_param(a, b)}"


@functools.lru_cache(maxsize=1024)  # pure; a timeline's strip asks once per cell
def _pair_param(a: str, b: str) -> str:
    return quote_plus(f"{a},{b}")


@functools.cache
def _events_path() -> str:
    return reverse("tensions:events")


def pairs_series(
    pairs: list[Pair], *, period: str, start: dt.date, end: dt.date
) -> dict[Pair, list[Point]]:
    """Undirected index points per period for many pairs, in one prepared
    statement (a join of the pairs' VALUES with dyad_period_once, whatever
    the plan PostgreSQL keeps).

    Keyed by the pair as given; periods without events are included, empty.
    """
    if not pairs:
        return {}
    first = relations.period_start(start, period)
    last = relations.period_start(end, period)
    keys = [*pairs, *((b, a) for a, b in pairs)]
    where = (
        "(source_id, target_id) IN (VALUES "
        + ", ".join(["(%s, %s)"] * len(keys))
        + ")",
        [code for key in keys for code in key],
    )
    ranges = [(period, first, last + dt.timedelta(days=1))]
    sums = undirected_sums(dyad_rows(where, ranges, prepare=True))
    return series_from(sums, pairs, period=period, first=first, last=last)


def undirected_sums(rows) -> dict[tuple, list]:
    """[events, conflict, cooperation] per (a, b, start) of dyad_rows' rows
    (without their period), both directions of a pair summed."""
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for a, b, day, n, _, conflict, cooperation in rows:
        cell = sums[a, b, day]
        cell[0] += n
        cell[1] += conflict
        cell[2] += cooperation
    return sums


def dyad_rows(
    where: tuple[str, list],
    ranges: list[tuple],
    *,
    prepare: bool = False,
    periods: bool = False,
) -> list[tuple]:
    """(a, b, start, events, by_status as JSON, conflict, cooperation) of the
    DyadPeriod rows `where` (SQL) says in the `ranges` (period, first start,
    start after the last), with each pair's codes in alphabetical order (and,
    if asked for, the row's period after them: (a, b, period, start, ...)). Run as
    a prepared statement if asked: only where any generic plan PostgreSQL may
    keep walks the pairs' rows (for a focus's OR it walked dyad_period_start
    over every pair's months)."""
    within, bounds = periods_within(ranges)
    sql = (
        f"SELECT source_id, target_id, {'period, ' if periods else ''}start, events, "
        "by_status, conflict, cooperation FROM tensions_dyadperiod "
        f"WHERE ({where[0]}) AND ({within})"
    )
    params = [*where[1], *bounds]
    if prepare:
        found = prepared.rows_fetch(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchall()
    day = 3 if periods else 2
    return [
        (*sorted(row[:2]), *row[2:day], relations.as_date(row[day]), *row[day + 1 :])
        for row in found
    ]


def periods_within(ranges: list[tuple]) -> tuple[str, list]:
    """The SQL term choosing the DyadPeriod rows in the `ranges` (period, first
    start, start after the last), and its parameters."""
    term = " OR ".join(["(period = %s AND start >= %s AND start < %s)"] * len(ranges))
    return term, [value for r in ranges for value in r]


def series_from(
    sums: dict[tuple, list], pairs: list[Pair], *, period: str, first, last
) -> dict[Pair, list[Point]]:
    """pairs_series's points from undirected sums per (a, b, period start)
    (which may hold more periods and pairs)."""
    spans = [
        (day, relations.period_next(day, period) - dt.timedelta(days=1))
        for day in period_starts(first, last, period)
    ]
    series = {}
    for a, b in pairs:
        low, high = sorted((a, b))
        series[a, b] = [
            _summed(day, end, sums.get((low, high, day))) for day, end in spans
        ]
    return series


def dyad_sums(
    wanted: Q,
    *,
    period: str,
    first: dt.date,
    last: dt.date,
    directed: bool,
) -> dict[tuple, list]:
    """[events, conflict, cooperation] per (source, target, start) of the
    DyadPeriod rows `wanted` between two period starts, in one query; keyed by
    the pair in alphabetical order unless `directed`."""
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    rows = DyadPeriod.objects.filter(
        wanted, period=period, start__gte=first, start__lte=last
    )
    rows = rows.values_list(
        "source_id", "target_id", "start", "events", "conflict", "cooperation"
    )
    for source, target, day, n, conflict, cooperation in rows:
        if not directed:
            source, target = sorted((source, target))
        cell = sums[source, target, day]
        cell[0] += n
        cell[1] += conflict
        cell[2] += cooperation
    return sums


def period_starts(first: dt.date, last: dt.date, period: str) -> list[dt.date]:
    starts, cursor = [], first
    while cursor <= last:
        starts.append(cursor)
        cursor = relations.period_next(cursor, period)
    return starts


def _summed(start: dt.date, end: dt.date, cell: list | None) -> Point:
    n, conflict, cooperation = cell or (0, 0.0, 0.0)
    return Point(start, end, n, conflict, cooperation, by_type={})


@dataclass(frozen=True)
class Sparkline:
    points: str  # an SVG polyline's points
    zero: float
    last: float  # the latest index
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

    @property
    def last_y(self) -> float:
        return float(self.points.rsplit(",", 1)[-1]) if self.points else self.zero

    @property
    def label(self) -> str:
        return f"Tension index over the last periods, now {self.last:+.0f}"

    def svg(self) -> SafeString:
        """The markup, built here: pages draw dozens, a template include each
        would cost more than the rest of the page (numbers are ours)."""
        label = escape(self.label)
        return mark_safe(
            f'<svg class="sparkline" viewBox="0 0 {self.width} {self.height}" '
            f'role="img" aria-label="{label}"><title>{label}</title>'
            f'<line x1="0" y1="{self.zero}" x2="{self.width}" y2="{self.zero}" '
            f'class="spark-zero"/><polyline points="{self.points}" '
            f'class="spark-line"/><circle cx="{self.width}" cy="{self.last_y}" '
            'r="2.5" class="spark-dot"/></svg>'
        )


def sparkline(points: list[Point]) -> Sparkline:
    """The index (−100 … +100, tension up) as a line across a small box."""
    return sparkline_of([p.index for p in points])


def sparkline_of(indexes: list[float]) -> Sparkline:
    """sparkline() of the points' indexes."""
    values = indexes or [0.0]
    half = SPARK_HEIGHT / 2 - 2
    coords = [
        f"{x},{SPARK_HEIGHT / 2 - v / 100 * half:.1f}"
        for x, v in zip(_spark_xs(len(values)), values, strict=True)
    ]
    return Sparkline(" ".join(coords), SPARK_HEIGHT / 2, values[-1])


@functools.cache
def _spark_xs(count: int) -> tuple[str, ...]:
    """The x of each of `count` points across a sparkline, written out once:
    pages draw dozens of lines of the same length."""
    step = SPARK_WIDTH / max(count - 1, 1)
    return tuple(f"{i * step:.1f}" for i in range(count))
