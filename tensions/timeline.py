"""The timeline as geometry: lanes per pair of countries, marks on a date axis.

Pure functions over events (anything with `pk`, `when`, `status`, `intensity`,
`source_country`/`target_country` and their `_id`s): no queries, no templates.
`svg()` writes the markup here too: a busy timeline has thousands of nodes, and
a template costs microseconds per variable where a format string costs far less.

Many events can be laid out from light rows (`Placed`: no titles, no actors);
`build_timeline(details=...)` then asks once for the few drawn or listed in
full: single marks, the events named in same-day clusters, each lane's table.
More still can come gathered per pair, day and status (`Placed.count`), with
each lane's latest events for its table (`build_timeline(tables=...)`). When a
day is too narrow on the axis to tell days apart (`gather_period`), events come
gathered per pair and week or month instead (`Gathered`), one mark each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from html import escape  # Django's escape without its lazy-string wrapper

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from tensions.display import date_label, event_title, intensity_colour
from tensions.relations import tension_index

# A pure function that a wide timeline calls for every mark and index cell,
# on a few hundred distinct days.
_day_label = lru_cache(maxsize=4096)(date_label)

WIDTH = 1000
GUTTER = 240  # room for the lane labels, left of the plot
RIGHT_PAD = 24
AXIS_HEIGHT = 34
BOTTOM_PAD = 8
MARK_RADIUS = 6
MARK_GAP = 2 * MARK_RADIUS + 3  # the least distance between centres in one row
ROW_HEIGHT = 16
LANE_PADDING = 8
MAX_ROWS = 4  # beyond this, marks too close together become a "+n" cluster
CLUSTER_WIDTH = 26
MAX_TICKS = 10
LABEL_CHARS = 32
DAY_CLUSTER_RADIUS = 7
DAY_CLUSTER_TITLES = 6  # events named in a same-day cluster's tooltip
INDEX_HEIGHT = 10  # the tension-index strip under each lane
INDEX_GAP = 4
OVERVIEW_HEIGHT = 30
LANE_TABLE_ROWS = 25
DAY_MIN_WIDTH = 1.5  # px: days narrower on the axis are gathered per week
WEEK_MIN_WIDTH = 8  # px: weeks narrower are gathered per month
PERIOD_MARK_HEIGHT = 14


@dataclass(frozen=True)
class StatusStyle:
    shape: str  # "circle" or "diamond"
    filled: bool
    dash: str  # an SVG stroke-dasharray, "" for a solid stroke
    strike: bool  # a line struck through the mark
    meaning: str


STATUS_STYLES = {
    "occurred": StatusStyle("circle", True, "", False, "happened"),
    "planned": StatusStyle("circle", False, "4 2", False, "announced or prepared"),
    "possible": StatusStyle("circle", False, "2 2", False, "considered, could happen"),
    "alleged": StatusStyle("diamond", False, "3 2", False, "claimed, disputed"),
    "denied": StatusStyle("circle", False, "", True, "said not to have happened"),
}


@dataclass(frozen=True)
class Mark:
    event_id: int
    href: str
    x: float
    y: float
    colour: str
    status: str
    title: str
    style: StatusStyle
    r: float = MARK_RADIUS

    @property
    def diamond_points(self) -> str:
        r, x, y = self.r + 1, self.x, self.y
        corners = ((x, y - r), (x + r, y), (x, y + r), (x - r, y))
        return " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)

    @property
    def strike_x1(self) -> float:
        return self.x - self.r - 2

    @property
    def strike_x2(self) -> float:
        return self.x + self.r + 2


@dataclass(frozen=True)
class Cluster:
    """Marks that did not fit: drawn as one badge with their count."""

    x: float
    y: float
    count: int
    title: str
    href: str

    @property
    def left(self) -> float:
        return self.x - CLUSTER_WIDTH / 2

    @property
    def top(self) -> float:
        return self.y - 7

    @property
    def width(self) -> float:
        return CLUSTER_WIDTH


@dataclass(frozen=True)
class _Counted:
    """A mark standing for several events of one pair, with their count."""

    x: float
    y: float
    count: int
    colour: str
    title: str
    href: str
    status: str
    style: StatusStyle


@dataclass(frozen=True)
class DayCluster(_Counted):
    """Several events of one pair on one day: one round mark with their count."""

    r: float = DAY_CLUSTER_RADIUS

    @property
    def label(self) -> str:
        return str(self.count) if self.count < 100 else "99+"


@dataclass(frozen=True)
class PeriodMark(_Counted):
    """A pair's events of one week or month: a rounded square with their count."""

    @cached_property  # asked for again by `left` and the markup
    def label(self) -> str:
        return _count_label(self.count)

    @cached_property
    def width(self) -> float:
        return _period_mark_width(self.label)

    @property
    def left(self) -> float:
        return round(self.x - self.width / 2, 1)

    @property
    def top(self) -> float:
        return self.y - PERIOD_MARK_HEIGHT / 2


def _count_label(count: int) -> str:
    if count < 1000:
        return str(count)
    return f"{count / 1000:.1f}k" if count < 10_000 else f"{count // 1000}k"


def _period_mark_width(label: str) -> float:
    return max(PERIOD_MARK_HEIGHT, 5 + 5 * len(label))


@dataclass(frozen=True)
class IndexCell:
    """One period of a pair's tension index, drawn as a tinted cell under its lane."""

    x: float
    width: float
    colour: str
    opacity: float
    title: str
    href: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Lane:
    key: tuple[str, str]
    label: str
    anchor: str
    events: list
    y: float = 0.0
    height: float = 0.0
    marks: list[Mark] = field(default_factory=list)
    day_clusters: list[DayCluster] = field(default_factory=list)
    period_marks: list[PeriodMark] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    index_cells: list[IndexCell] = field(default_factory=list)
    index_y: float = 0.0
    events_href: str = ""
    table: list | None = None  # its latest events, when `events` are gathered

    @property
    def middle(self) -> float:
        marks_height = self.height - (INDEX_HEIGHT + INDEX_GAP if self.index_y else 0)
        return self.y + marks_height / 2

    # Counted once: a lane's entries are fixed once it is laid out, and a busy
    # lane has thousands.
    @cached_property
    def event_count(self) -> int:
        return sum(_size(e) for e in self.events)

    @property
    def table_events(self) -> list:
        """The lane's latest events, for its table (all are one link away)."""
        return self.events[-LANE_TABLE_ROWS:] if self.table is None else self.table

    @property
    def index_label_y(self) -> float:
        return self.index_y + INDEX_HEIGHT / 2

    @cached_property
    def conflict_count(self) -> int | None:
        """How many are conflict (None when the lane's counts do not say)."""
        if self._unsigned:
            return None
        return sum(e.conflict if _gathered(e) else e.intensity < 0 for e in self.events)

    @cached_property
    def cooperation_count(self) -> int | None:
        if self._unsigned:
            return None
        return sum(
            e.cooperation if _gathered(e) else e.intensity > 0 for e in self.events
        )

    @cached_property
    def _unsigned(self) -> bool:
        return any(_gathered(e) and e.conflict is None for e in self.events)

    @property
    def index_label(self) -> str:
        return "" if self.index is None else f"{self.index:+.0f}"

    @cached_property
    def index(self) -> float | None:
        """The tension index of the lane's events, when they came with scores."""
        scores = [e.scores for e in self.events if isinstance(e, Gathered)]
        if not scores or None in scores:
            return None
        return tension_index(sum(c for c, _ in scores), sum(k for _, k in scores))


@dataclass
class Timeline:
    start: dt.date | None
    end: dt.date | None
    lanes: list[Lane]
    ticks: list[Tick]
    height: float
    width: int = WIDTH
    plot_left: int = GUTTER
    plot_right: int = WIDTH - RIGHT_PAD
    hidden_lanes: int = 0
    period: str = "day"  # what one mark gathers at most: a day, week or month

    @property
    def label_x(self) -> int:
        return self.plot_left - 12

    @property
    def plot_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def event_count(self) -> int:
        return sum(lane.event_count for lane in self.lanes)


@dataclass(frozen=True)
class Scale:
    """Dates to x: [start, end] onto [left, right], marks kept inside the plot."""

    start: dt.date
    end: dt.date
    left: float = GUTTER
    right: float = WIDTH - RIGHT_PAD

    def x(self, date: dt.date) -> float:
        share = (date - self.start).days / self._days
        return round(self._inner_left + share * self._inner_width, 1)

    @property
    def day_width(self) -> float:
        return self._inner_width / self._days

    # Computed once: a wide timeline places hundreds of marks and cells.
    @cached_property
    def _days(self) -> int:
        return max((self.end - self.start).days, 1)

    @cached_property
    def _inner_left(self) -> float:
        return self.left + MARK_RADIUS + 4

    @cached_property
    def _inner_width(self) -> float:
        return self.right - MARK_RADIUS - 4 - self._inner_left


def gather_period(start: dt.date, end: dt.date) -> str:
    """What one mark stands for at most: the events of a day, or of a week or
    a month when days (or weeks) are too narrow on the axis to draw apart."""
    day = Scale(start, end).day_width
    if day >= DAY_MIN_WIDTH:
        return "day"
    return "week" if 7 * day >= WEEK_MIN_WIDTH else "month"


@dataclass(frozen=True)
class Placed:
    """What the layout needs of an event, before its details are loaded; or,
    gathered, of `count` events of one pair on one day with one status: `pk`
    the first one's, `intensity` their mean."""

    pk: int
    when: dt.date
    status: str
    intensity: float
    source_country_id: str
    target_country_id: str
    count: int = 1
    conflict: int | None = None  # how many of them are conflict, if gathered
    cooperation: int | None = None


@dataclass(frozen=True)
class Gathered:
    """A pair's events of one week or month (the days of it in the window),
    counted in the database: drawn as one mark, listed on the page it opens."""

    when: dt.date
    last: dt.date
    source_country_id: str
    target_country_id: str
    by_status: dict
    balance: float  # −10 conflict … +10 cooperation: the mark's colour
    balance_label: str  # what `balance` is ("mean intensity −2.5")
    conflict: int | None = None  # how many are conflict, when counted
    cooperation: int | None = None
    scores: tuple[float, float] | None = None  # the index's (C, K), when known
    pk: int = 0

    # Asked for several times per mark: computed once (the fields are fixed).
    @cached_property
    def count(self) -> int:
        return sum(self.by_status.values())

    @cached_property
    def status(self) -> str:
        """The status most of them have (the more real one on a tie: the first
        of the most in order of realness)."""
        counts = by_realness(self.by_status)
        return max(counts, key=_count)[0]


def _gathered(entry) -> bool:
    """Several events in one entry (a gathered single event is a light row)."""
    return isinstance(entry, Gathered) or (
        isinstance(entry, Placed) and entry.count > 1
    )


def _size(entry) -> int:
    """How many events an entry of a lane stands for."""
    return entry.count if _gathered(entry) else 1


def _group_size(group: list) -> int:
    return sum(_size(e) for e in group)


def pair_key(event) -> tuple[str, str]:
    """The undirected pair: ('RUS', 'VEN') for VEN → RUS and RUS → VEN alike."""
    return tuple(sorted((event.source_country_id, event.target_country_id)))


def lane_label(key: tuple[str, str], names: dict[str, str], focus: str | None) -> str:
    a, b = key
    if focus == b:
        a, b = b, a
    label = f"{names.get(a, a)} – {names.get(b, b)}"
    return label if len(label) <= LABEL_CHARS else f"{a} – {b}"


def group_lanes(
    events: Iterable, focus: str | None = None, names: dict[str, str] | None = None
) -> list[Lane]:
    """One lane per pair, busiest first; events in each lane in time order.

    Lane labels use `names` (code to name) if given, else the events' countries."""
    by_pair: dict[tuple[str, str], list] = {}
    given, names = names is not None, dict(names or {})
    for event in events:
        if not (event.source_country_id and event.target_country_id and event.when):
            continue
        by_pair.setdefault(pair_key(event), []).append(event)
        if not given:
            names[event.source_country_id] = event.source_country.name
            names[event.target_country_id] = event.target_country.name
    lanes = [
        Lane(
            key=key,
            label=lane_label(key, names, focus),
            anchor=f"pair-{key[0]}-{key[1]}",
            events=sorted(found, key=lambda e: (e.when, e.pk)),
        )
        for key, found in by_pair.items()
    ]
    lanes.sort(key=lambda lane: (-lane.event_count, lane.label))
    return lanes


def pack_rows(xs: list[float], *, gap: float = MARK_GAP, rows: int = MAX_ROWS):
    """The row of each x (sorted ascending), or None when every row is taken.

    A mark goes in the first row whose last mark is at least `gap` to its left,
    so no two marks in a row overlap, and same-day marks go one above the other.
    """
    last: list[float] = []
    placed: list[int | None] = []
    for x in xs:
        row = next((i for i, end in enumerate(last) if x - end >= gap), None)
        if row is None and len(last) < rows:
            last.append(x)
            row = len(last) - 1
        elif row is not None:
            last[row] = x
        placed.append(row)
    return placed


def cluster_overflow(
    xs: list[float], *, width: float = CLUSTER_WIDTH, counts: list[int] | None = None
) -> list[list]:
    """Group x positions (ascending) so that no two badges overlap: [[x, n], ...].

    Each x counts 1, or its entry in `counts`."""
    groups: list[list] = []
    for i, x in enumerate(xs):
        n = counts[i] if counts else 1
        if groups and x - groups[-1][0] < width + 2:
            groups[-1][1] += n
        else:
            groups.append([x, n])
    return groups


def same_day_groups(events: list) -> list[list]:
    """Events (in time order) gathered per day and status, so that a group's
    mark can still say how real its events are: [[e1], [e2, e3], ...]."""
    by_key: dict[tuple, list] = {}
    for event in events:
        by_key.setdefault((event.when, event.status), []).append(event)
    return sorted(
        by_key.values(), key=lambda g: (g[0].when, _STATUS_ORDER[g[0].status])
    )


_STATUS_ORDER = {status: i for i, status in enumerate(STATUS_STYLES)}


def by_realness(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(status, count) items, the most real first (occurred first; unknown
    ones last, as they come): in the order of STATUS_STYLES, with no key call
    per item (a wide timeline orders the counts of every mark)."""
    known = [(status, counts[status]) for status in _STATUS_ORDER if status in counts]
    if len(known) < len(counts):
        known += [item for item in counts.items() if item[0] not in _STATUS_ORDER]
    return known


def _count(item: tuple[str, int]) -> int:
    return item[1]


@dataclass(frozen=True)
class _Plan:
    """Where a lane's same-day groups go (row None: into an overflow badge)."""

    groups: list[list]
    xs: list[float]
    rows: list[int | None]

    def drawn_events(self) -> list:
        """The events whose details the drawn marks show."""
        return [
            event
            for group, row in zip(self.groups, self.rows, strict=True)
            if row is not None
            for event in group[:DAY_CLUSTER_TITLES]
            if not _gathered(event)
        ]


def _plan_lane(lane: Lane, scale: Scale) -> _Plan:
    inside = [e for e in lane.events if scale.start <= e.when <= scale.end]
    if not any(isinstance(e, Gathered) for e in inside):
        groups = same_day_groups(inside)
        xs = [scale.x(group[0].when) for group in groups]
        return _Plan(groups, xs, pack_rows(xs))
    xs = [scale.x(e.when + (e.last - e.when) / 2) for e in inside]
    widest = max(_period_mark_width(_count_label(e.count)) for e in inside)
    return _Plan([[e] for e in inside], xs, pack_rows(xs, gap=widest + 2))


def _layout_lane(lane: Lane, plan: _Plan, scale: Scale, links: _Links, y) -> None:
    lane.y = y
    lane.events_href = links.events(lane.key, scale.start, scale.end)
    groups, xs, rows = plan.groups, plan.xs, plan.rows
    used = max((r for r in rows if r is not None), default=0) + 1
    unplaced = [i for i, row in enumerate(rows) if row is None]
    lane.height = (used + (1 if unplaced else 0)) * ROW_HEIGHT + 2 * LANE_PADDING
    for group, x, row in zip(groups, xs, rows, strict=True):
        if row is None:
            continue
        if isinstance(group[0], Gathered):
            lane.period_marks.append(
                _period_mark(group[0], lane, x, _row_y(y, row), links.events)
            )
        elif _group_size(group) == 1:
            lane.marks.append(_mark(group[0], x, _row_y(y, row), links.event))
        else:
            lane.day_clusters.append(
                _day_cluster(group, lane.key, x, _row_y(y, row), links.events)
            )
    badge_y = _row_y(y, used)
    overflow = cluster_overflow(
        [xs[i] for i in unplaced], counts=[_group_size(groups[i]) for i in unplaced]
    )
    lane.clusters = []
    end = 0
    for x, n in overflow:  # each badge takes the next unplaced groups it covers
        first = end
        while end < len(unplaced) and xs[unplaced[end]] < x + CLUSTER_WIDTH + 2:
            end += 1
        days = [groups[i][0].when for i in (unplaced[first], unplaced[end - 1])]
        href = links.events(lane.key, days[0], days[-1])
        title = f"{n} more events here, {_day_label(days[0])} – {_day_label(days[-1])}"
        lane.clusters.append(Cluster(x, badge_y, n, f"{title}: list them", href))


def _day_cluster(group: list, key, x: float, y: float, href: Callable) -> DayCluster:
    day, size = group[0].when, _group_size(group)
    named = [
        f"• {event_title(e)}" for e in group[:DAY_CLUSTER_TITLES] if not _gathered(e)
    ]
    title = f"{size} events on {_day_label(day)}"
    if named:
        more = [f"… and {size - len(named)} more"] if size > len(named) else []
        title += ":\n" + "\n".join(named + more)
    else:  # gathered in the database: named on the page it opens
        title += f", {group[0].status}: open to list them"
    mean = sum(e.intensity * _size(e) for e in group) / size
    return DayCluster(
        x=x,
        y=y,
        count=size,
        colour=intensity_colour(mean),
        title=title,
        href=href(key, day, day, group[0].status),
        status=group[0].status,
        style=STATUS_STYLES.get(group[0].status, STATUS_STYLES["occurred"]),
    )


def _period_mark(
    entry: Gathered, lane: Lane, x: float, y: float, href: Callable
) -> PeriodMark:
    counts = ", ".join(f"{n} {status}" for status, n in by_realness(entry.by_status))
    title = (
        f"{entry.count} events between {lane.label}, {_day_label(entry.when)} – "
        f"{_day_label(entry.last)}: {counts} · {entry.balance_label} · "
        "open to list them"
    )
    return PeriodMark(
        x=x,
        y=y,
        count=entry.count,
        colour=intensity_colour(entry.balance),
        title=title,
        href=href(lane.key, entry.when, entry.last),
        status=entry.status,
        style=STATUS_STYLES.get(entry.status, STATUS_STYLES["occurred"]),
    )


def _layout_index(lane: Lane, scale: Scale, points: list, href: Callable) -> None:
    """The pair's tension index per period, as a strip at the foot of the lane."""
    lane.index_y = lane.y + lane.height
    lane.height += INDEX_HEIGHT + INDEX_GAP
    for point in points:
        if not point.events or point.end < scale.start or point.start > scale.end:
            continue
        left = scale.x(max(point.start, scale.start))
        right = scale.x(min(point.end + dt.timedelta(days=1), scale.end))
        index = point.index
        lane.index_cells.append(
            IndexCell(
                x=left,
                width=round(max(right - left, 1.5), 1),
                colour=intensity_colour(-index / 10),
                opacity=round(0.25 + 0.75 * abs(index) / 100, 2),
                title=(
                    f"Tension index {index:+.0f} · {point.events} event"
                    f"{'s' if point.events != 1 else ''} · "
                    f"{_day_label(point.start)} – {_day_label(point.end)}"
                ),
                href=href(lane.key, point),
            )
        )


@dataclass(frozen=True)
class _Links:
    event: Callable  # event -> its page
    events: Callable  # (pair, first, last, status=None) -> those events, listed
    index: Callable  # (pair, point) -> the events behind that figure


def _row_y(lane_y: float, row: int) -> float:
    return lane_y + LANE_PADDING + row * ROW_HEIGHT + ROW_HEIGHT / 2


def _mark(event, x: float, y: float, href: Callable) -> Mark:
    return Mark(
        event_id=event.pk,
        href=href(event),
        x=x,
        y=y,
        colour=intensity_colour(event.intensity),
        status=event.status,
        title=event_title(event),
        style=STATUS_STYLES.get(event.status, STATUS_STYLES["occurred"]),
    )


def data_span(lanes: list[Lane]) -> tuple[dt.date, dt.date] | None:
    dates = [e.when for lane in lanes for e in lane.events]
    return (min(dates), max(dates)) if dates else None


def _event_href() -> Callable:
    """Event pages' URLs, reversed once rather than once per mark."""
    pattern = reverse("tensions:event", args=[987654321]).replace("987654321", "{}")
    return lambda event: pattern.format(event.pk)


def _no_link(*args) -> str:
    return ""


def build_timeline(
    events: Iterable,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    focus: str | None = None,
    href: Callable | None = None,
    events_href: Callable | None = None,
    index_href: Callable | None = None,
    index_series: Callable | None = None,
    max_lanes: int = 40,
    names: dict[str, str] | None = None,
    details: Callable | None = None,
    tables: Callable | None = None,
    period: str = "day",
) -> Timeline:
    """Lay out `events` in lanes per pair along one date axis.

    Without `start`/`end` the axis spans the data, padded a few days when it
    is a single day. `index_series(pairs, start, end)`, when given, returns each
    pair's tension-index points (relations.Point), drawn under its lane.
    `details(pks) -> {pk: event}`, when given, loads in full (in one call) the
    events drawn as marks or listed in the lanes' tables; `events` can then be
    light rows (`Placed`) labelled with `names`. When they are gathered per
    pair, day and status, or per pair and `period` (`Gathered`), `tables(pairs)
    -> {pair: [Placed]}` gives each lane's latest events for its table.
    """
    links = _Links(
        event=href or _event_href(),
        events=events_href or _no_link,
        index=index_href or _no_link,
    )
    lanes = group_lanes(events, focus, names)
    hidden = max(len(lanes) - max_lanes, 0)
    lanes = lanes[:max_lanes]
    if tables:
        latest = tables([lane.key for lane in lanes])
        for lane in lanes:
            lane.table = latest.get(lane.key, [])
    span = data_span(lanes)
    start = start or (span[0] if span else None)
    end = end or (span[1] if span else None)
    if start is None or end is None:
        return Timeline(
            start, end, [], [], AXIS_HEIGHT + BOTTOM_PAD, hidden_lanes=hidden
        )
    if end <= start:
        start, end = start - dt.timedelta(days=3), end + dt.timedelta(days=3)
    scale = Scale(start, end)
    series = (
        index_series([lane.key for lane in lanes], start, end) if index_series else {}
    )
    plans = [_plan_lane(lane, scale) for lane in lanes]
    if details:
        _load_details(lanes, plans, details)
    y = AXIS_HEIGHT
    for lane, plan in zip(lanes, plans, strict=True):
        _layout_lane(lane, plan, scale, links, y)
        if lane.key in series:
            _layout_index(lane, scale, series[lane.key], links.index)
        y += lane.height
    ticks = axis_ticks(start, end, scale)
    return Timeline(
        start, end, lanes, ticks, y + BOTTOM_PAD, hidden_lanes=hidden, period=period
    )


def _load_details(lanes: list[Lane], plans: list[_Plan], details: Callable) -> None:
    """Put full events in place of the light rows that are drawn or listed."""
    shown = [e for plan in plans for e in plan.drawn_events()]
    shown += [e for lane in lanes for e in lane.table_events]
    wanted = {e.pk for e in shown if isinstance(e, Placed)}
    if not wanted:  # all in full already (or nothing drawn one by one)
        return
    full = details(sorted(wanted))

    def swap(events: list) -> list:
        return [e if _gathered(e) else full.get(e.pk, e) for e in events]

    for lane, plan in zip(lanes, plans, strict=True):
        if lane.table is None:
            lane.events[-LANE_TABLE_ROWS:] = swap(lane.table_events)
        else:
            lane.table = swap(lane.table)
        for group, row in zip(plan.groups, plan.rows, strict=True):
            if row is not None:  # the others are only counted in a badge
                group[:DAY_CLUSTER_TITLES] = swap(group[:DAY_CLUSTER_TITLES])


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}
_STEPS = (
    ("day", 1),
    ("day", 2),
    ("week", 1),
    ("week", 2),
    ("month", 1),
    ("month", 2),
    ("month", 3),
    ("month", 6),
    ("year", 1),
    ("year", 2),
    ("year", 5),
    ("year", 10),
    ("year", 25),
    ("year", 100),
)


def axis_ticks(
    start: dt.date, end: dt.date, scale: Scale, max_ticks: int = MAX_TICKS
) -> list[Tick]:
    """Round dates (days, Mondays, months, years) from the finest step that fits."""
    days = (end - start).days
    for unit, step in _STEPS:
        if days / (_UNIT_DAYS[unit] * step) > max_ticks + 1:
            continue
        dates = list(_tick_dates(start, end, unit, step))
        if 0 < len(dates) <= max_ticks:
            return [Tick(scale.x(d), _tick_label(d, unit)) for d in dates]
    return [Tick(scale.x(start), _tick_label(start, "day"))]


def _tick_dates(start: dt.date, end: dt.date, unit: str, step: int):
    if unit in ("day", "week"):
        first = start
        if unit == "week":
            first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        delta = dt.timedelta(days=step * (7 if unit == "week" else 1))
        day = first
        while day <= end:
            yield day
            day += delta
        return
    if unit == "month":
        index = start.year * 12 + start.month - 1 + (start.day > 1)
        index += -index % step
        while (day := dt.date(index // 12, index % 12 + 1, 1)) <= end:
            yield day
            index += step
        return
    year = start.year + (start > dt.date(start.year, 1, 1))
    year += -year % step
    while year <= end.year:
        yield dt.date(year, 1, 1)
        year += step


def _tick_label(date: dt.date, unit: str) -> str:
    if unit == "year":
        return str(date.year)
    if unit == "month":
        return date.strftime("%b %Y")
    return f"{date.day} {date.strftime('%b %Y')}"


# The markup ------------------------------------------------------------------------
# Numbers are ours (floats and ints, printed as Python prints them); every text
# and link is escaped.

_SVG_DESC = (
    "Each mark is one event, placed by date and coloured by intensity from "
    "conflict (red) to cooperation (blue); a numbered circle stands for several "
    "events of one day. The strip under each lane is the pair's tension index. "
    "The tables below list the same events."
)
_SVG_DESC_GATHERED = (
    "Days are too narrow here to draw apart: each rounded square stands for a "
    "pair's events of one {period}, with their count, outlined as the status most "
    "of them have and coloured from conflict (red) to cooperation (blue). The "
    "strip under each lane is the pair's tension index. The tables below list "
    "the latest events."
)


def svg(timeline: Timeline) -> SafeString:
    """The timeline as one SVG element: axis, lane bands, lanes and their marks."""
    t = timeline
    lanes = len(t.lanes)
    head = (
        f'<svg class="timeline-svg" viewBox="0 0 {t.width} {t.height}" '
        'aria-labelledby="timeline-svg-title timeline-svg-desc" '
        f'data-start="{_iso(t.start)}" data-end="{_iso(t.end)}" '
        f'data-left="{t.plot_left}" data-right="{t.plot_right}" '
        f'data-width="{t.width}">'
        f'<title id="timeline-svg-title">Timeline of {t.event_count} events in '
        f"{lanes} pair{'s' if lanes != 1 else ''} of countries</title>"
        f'<desc id="timeline-svg-desc">{escape(_svg_desc(t.period))}</desc>'
    )
    bands = "".join(
        f'<rect x="0" y="{lane.y}" width="{t.width}" height="{lane.height}" '
        f'class="lane-band{" lane-band-alt" if i % 2 else ""}"/>'
        for i, lane in enumerate(t.lanes)
    )
    ticks = "".join(
        f'<line x1="{tick.x}" y1="26" x2="{tick.x}" y2="{t.height}" '
        f'class="grid-line"/><text x="{tick.x}" y="18" text-anchor="middle" '
        f'class="tick-label">{escape(tick.label)}</text>'
        for tick in t.ticks
    )
    brush = (
        f'<rect x="0" y="0" width="0" height="{t.height}" '
        'class="brush-selection" hidden/>'
    )
    body = "".join(_svg_lane(t, lane) for lane in t.lanes)
    return mark_safe(
        f'{head}<g class="lane-bands">{bands}</g><g class="axis">{ticks}</g>'
        f"{brush}{body}</svg>"
    )


def _svg_desc(period: str) -> str:
    return _SVG_DESC if period == "day" else _SVG_DESC_GATHERED.format(period=period)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _svg_lane(t: Timeline, lane: Lane) -> str:
    n = lane.event_count
    label = escape(lane.label)
    parts = [
        f'<g class="lane" data-lane="{escape(lane.anchor)}">'
        f'<a href="#{escape(lane.anchor)}"><title>{n} events between {label}: '
        f'see the table</title><text x="{t.label_x}" y="{lane.middle}" '
        f'text-anchor="end" class="lane-label"><tspan dy="-0.15em">{label}</tspan>'
        f'<tspan x="{t.label_x}" dy="1.15em" class="lane-count">{n} event'
        f"{'s' if n != 1 else ''}</tspan></text></a>"
    ]
    if lane.index_y:
        parts.append(_svg_index(t, lane))
    parts += [_svg_mark(mark) for mark in lane.marks]
    parts += [_svg_day_cluster(day) for day in lane.day_clusters]
    parts += [_svg_period_mark(mark) for mark in lane.period_marks]
    parts += [_svg_cluster(cluster) for cluster in lane.clusters]
    parts.append("</g>")
    return "".join(parts)


def _svg_index(t: Timeline, lane: Lane) -> str:
    cells = "".join(
        f'<a href="{escape(cell.href)}" tabindex="-1" class="index-cell"><title>'
        f'{escape(cell.title)}</title><rect x="{cell.x}" y="{lane.index_y}" '
        f'width="{cell.width}" height="10" fill="{cell.colour}" '
        f'fill-opacity="{cell.opacity}"/></a>'
        for cell in lane.index_cells
    )
    return (
        f'<g class="index-strip"><text x="{t.label_x}" y="{lane.index_label_y}" '
        'text-anchor="end" dominant-baseline="central" class="index-label">'
        f'tension index</text><rect x="{t.plot_left}" y="{lane.index_y}" '
        f'width="{t.plot_width}" height="10" class="index-track"/>{cells}</g>'
    )


def _svg_mark(mark: Mark) -> str:
    style = mark.style
    if style.shape == "diamond":
        shape = f'<polygon points="{mark.diamond_points}"'
    else:
        shape = f'<circle cx="{mark.x}" cy="{mark.y}" r="{mark.r}"'
    fill = mark.colour if style.filled else "#fff"
    strike = (
        f'<line x1="{mark.strike_x1}" y1="{mark.y}" x2="{mark.strike_x2}" '
        f'y2="{mark.y}" stroke="#222" stroke-width="2"/>'
        if style.strike
        else ""
    )
    return (
        f'<a href="{escape(mark.href)}" class="mark mark-{escape(mark.status)}" '
        f'data-event="{mark.event_id}"><title>{escape(mark.title)}</title>{shape} '
        f'class="mark-shape" fill="{fill}" stroke="{mark.colour}" '
        f'stroke-width="2"{_dash(style)}/>{strike}</a>'
    )


def _svg_day_cluster(day: DayCluster) -> str:
    shape = (
        f'<circle cx="{day.x}" cy="{day.y}" r="{day.r}" class="day-cluster-shape" '
        f'stroke="{day.colour}"{_dash(day.style)}/>'
    )
    return _svg_counted("day-cluster", day, shape)


def _svg_period_mark(mark: PeriodMark) -> str:
    shape = (
        f'<rect x="{mark.left}" y="{mark.top}" width="{mark.width}" '
        f'height="{PERIOD_MARK_HEIGHT}" rx="3" class="period-mark-shape" '
        f'stroke="{mark.colour}"{_dash(mark.style)}/>'
    )
    return _svg_counted("period-mark", mark, shape)


def _svg_counted(kind: str, mark: DayCluster | PeriodMark, shape: str) -> str:
    """A mark standing for several events: its shape with their count in it."""
    return (
        f'<a href="{escape(mark.href)}" class="{kind} mark-{escape(mark.status)}">'
        f"<title>{escape(mark.title)}</title>{shape}"
        f'<text x="{mark.x}" y="{mark.y}" text-anchor="middle" '
        f'dominant-baseline="central" class="{kind}-text">{mark.label}</text></a>'
    )


def _dash(style: StatusStyle) -> str:
    return f' stroke-dasharray="{style.dash}"' if style.dash else ""


def _svg_cluster(cluster: Cluster) -> str:
    return (
        f'<a href="{escape(cluster.href)}" class="cluster"><title>'
        f'{escape(cluster.title)}</title><rect x="{cluster.left}" '
        f'y="{cluster.top}" width="{cluster.width}" height="14" rx="7"/>'
        f'<text x="{cluster.x}" y="{cluster.y}" text-anchor="middle" '
        f'dominant-baseline="central">+{cluster.count}</text></a>'
    )


def legend_scale(intensities: list[tuple[int, str]]) -> SafeString:
    """The legend's colour scale: a cell per (x, colour)."""
    return mark_safe(
        "".join(
            f'<rect x="{x}" y="0" width="10" height="12" fill="{escape(fill)}"/>'
            for x, fill in intensities
        )
    )


def legend_statuses() -> SafeString:
    """The legend's items of the statuses, each with its mark in neutral grey
    (as the template's loop wrote them, white space included)."""
    return mark_safe(
        "".join(
            '\n        <li><svg viewBox="0 0 24 20" class="legend-mark" '
            f'aria-hidden="true">\n{_legend_mark(style)}\n</svg><strong>'
            f"{escape(status[:1].upper() + status[1:])}</strong> "
            f'<span class="muted">{escape(style.meaning)}</span></li>\n        '
            for status, style in STATUS_STYLES.items()
        )
    )


def _legend_mark(style: StatusStyle) -> str:
    if style.shape == "diamond":
        shape = '<polygon points="12,3 19,10 12,17 5,10"'
    else:
        shape = '<circle cx="12" cy="10" r="6"'
    fill = "#5a5a5a" if style.filled else "#fff"
    strike = (
        '<line x1="4" y1="10" x2="20" y2="10" stroke="#222" stroke-width="2"/>'
        if style.strike
        else ""
    )
    return (
        f'{shape} fill="{fill}" stroke="#5a5a5a" stroke-width="2"{_dash(style)}/>'
        f"{strike}"
    )


# Zoom, pan and the overview (the range brush) ----------------------------------


def zoomed(start: dt.date, end: dt.date, factor: float) -> tuple[dt.date, dt.date]:
    """The window `factor` times as long, around the same middle (at least a week)."""
    days = max((end - start).days, 1)
    new_days = max(round(days * factor), 7)
    middle = start + dt.timedelta(days=days / 2)
    first = middle - dt.timedelta(days=new_days // 2)
    return first, first + dt.timedelta(days=new_days)


def panned(start: dt.date, end: dt.date, share: float) -> tuple[dt.date, dt.date]:
    """The window moved by `share` of its length (negative: earlier)."""
    shift = dt.timedelta(days=round(max((end - start).days, 1) * share))
    return start + shift, end + shift


@dataclass(frozen=True)
class Overview:
    """The whole span of the data, with the window the timeline shows."""

    start: dt.date
    end: dt.date
    window_left: float
    window_width: float
    ticks: list[Tick]
    width: int = WIDTH
    height: int = OVERVIEW_HEIGHT
    plot_left: int = GUTTER
    plot_right: int = WIDTH - RIGHT_PAD

    @property
    def track_width(self) -> int:
        return self.plot_right - self.plot_left

    @property
    def label_x(self) -> int:
        return self.plot_left - 12

    def svg(self) -> SafeString:
        """The markup, built here as the timeline's is (white space as the
        template that wrote it left it)."""
        start, end = _day_label(self.start), _day_label(self.end)
        ticks = "".join(
            f'<text x="{tick.x}" y="19" text-anchor="middle" '
            f'class="overview-tick">{escape(tick.label)}</text>'
            for tick in self.ticks
        )
        return mark_safe(
            f'\n\n<svg class="timeline-overview" viewBox="0 0 {self.width} '
            f'{self.height}" role="img" aria-label="Whole span {start} – {end}; '
            'the shaded part is shown below"\n'
            f'  data-start="{_iso(self.start)}" data-end="{_iso(self.end)}" '
            f'data-left="{self.plot_left}" data-right="{self.plot_right}" '
            f'data-width="{self.width}">\n'
            f'  <text x="{self.label_x}" y="19" text-anchor="end" '
            'class="overview-label">Whole span</text>\n'
            f'  <rect x="{self.plot_left}" y="4" width="{self.track_width}" '
            'height="22" class="overview-track"/>\n'
            f"  {ticks}\n"
            f'  <rect x="{self.window_left}" y="4" width="{self.window_width}" '
            'height="22" class="overview-window"/>\n'
            '  <rect x="0" y="4" width="0" height="22" class="brush-selection" '
            "hidden/>\n</svg>\n\n"
        )


def overview(
    span: tuple[dt.date, dt.date], window: tuple[dt.date, dt.date]
) -> Overview:
    start, end = min(span[0], window[0]), max(span[1], window[1])
    if end <= start:
        end = start + dt.timedelta(days=1)
    scale = Scale(start, end)
    left, right = scale.x(window[0]), scale.x(window[1])
    ticks = [
        tick
        for tick in axis_ticks(start, end, scale, max_ticks=8)
        if scale.left + 30 <= tick.x <= scale.right - 30  # clear of the edges
    ]
    return Overview(start, end, left, round(max(right - left, 2), 1), ticks)
