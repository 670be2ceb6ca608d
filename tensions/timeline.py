"""The timeline as geometry: lanes per pair of countries, marks on a date axis.

Pure functions over events (anything with `pk`, `when`, `status`, `intensity`,
`source_country`/`target_country` and their `_id`s): no queries, no templates.
The template only copies the numbers computed here into SVG.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tensions.display import event_title, intensity_colour

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
    clusters: list[Cluster] = field(default_factory=list)

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def conflict_count(self) -> int:
        return sum(1 for e in self.events if e.intensity < 0)

    @property
    def cooperation_count(self) -> int:
        return sum(1 for e in self.events if e.intensity > 0)


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

    @property
    def label_x(self) -> int:
        return self.plot_left - 12

    @property
    def event_count(self) -> int:
        return sum(len(lane.events) for lane in self.lanes)


@dataclass(frozen=True)
class Scale:
    """Dates to x: [start, end] onto [left, right], marks kept inside the plot."""

    start: dt.date
    end: dt.date
    left: float = GUTTER
    right: float = WIDTH - RIGHT_PAD

    def x(self, date: dt.date) -> float:
        inner_left = self.left + MARK_RADIUS + 4
        inner_right = self.right - MARK_RADIUS - 4
        days = max((self.end - self.start).days, 1)
        share = (date - self.start).days / days
        return round(inner_left + share * (inner_right - inner_left), 1)


def pair_key(event) -> tuple[str, str]:
    """The undirected pair: ('RUS', 'VEN') for VEN → RUS and RUS → VEN alike."""
    return tuple(sorted((event.source_country_id, event.target_country_id)))


def lane_label(key: tuple[str, str], names: dict[str, str], focus: str | None) -> str:
    a, b = key
    if focus == b:
        a, b = b, a
    label = f"{names.get(a, a)} – {names.get(b, b)}"
    return label if len(label) <= LABEL_CHARS else f"{a} – {b}"


def group_lanes(events: Iterable, focus: str | None = None) -> list[Lane]:
    """One lane per pair, busiest first; events in each lane in time order."""
    by_pair: dict[tuple[str, str], list] = {}
    names: dict[str, str] = {}
    for event in events:
        if not (event.source_country_id and event.target_country_id and event.when):
            continue
        by_pair.setdefault(pair_key(event), []).append(event)
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
    lanes.sort(key=lambda lane: (-len(lane.events), lane.label))
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


def cluster_overflow(xs: list[float], *, width: float = CLUSTER_WIDTH) -> list[list]:
    """Group x positions (ascending) so that no two badges overlap: [[x, n], ...]."""
    groups: list[list] = []
    for x in xs:
        if groups and x - groups[-1][0] < width + 2:
            groups[-1][1] += 1
        else:
            groups.append([x, 1])
    return groups


def _layout_lane(lane: Lane, scale: Scale, href: Callable, y: float) -> None:
    lane.y = y
    events = [e for e in lane.events if scale.start <= e.when <= scale.end]
    xs = [scale.x(e.when) for e in events]
    rows = pack_rows(xs)
    used = max((r for r in rows if r is not None), default=0) + 1
    overflow = [x for x, row in zip(xs, rows, strict=True) if row is None]
    lane.height = (used + (1 if overflow else 0)) * ROW_HEIGHT + 2 * LANE_PADDING
    for event, x, row in zip(events, xs, rows, strict=True):
        if row is not None:
            lane.marks.append(_mark(event, x, _row_y(y, row), href))
    badge_y = _row_y(y, used)
    lane.clusters = [
        Cluster(
            x, badge_y, n, f"{n} more events here: see the table", f"#{lane.anchor}"
        )
        for x, n in cluster_overflow(overflow)
    ]


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


def build_timeline(
    events: Iterable,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    focus: str | None = None,
    href: Callable | None = None,
    max_lanes: int = 40,
) -> Timeline:
    """Lay out `events` in lanes per pair along one date axis.

    Without `start`/`end` the axis spans the data, padded a few days when it
    is a single day.
    """
    href = href or (lambda event: event.get_absolute_url())
    lanes = group_lanes(events, focus)
    hidden = max(len(lanes) - max_lanes, 0)
    lanes = lanes[:max_lanes]
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
    y = AXIS_HEIGHT
    for lane in lanes:
        _layout_lane(lane, scale, href, y)
        y += lane.height
    ticks = axis_ticks(start, end, scale)
    return Timeline(start, end, lanes, ticks, y + BOTTOM_PAD, hidden_lanes=hidden)


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
