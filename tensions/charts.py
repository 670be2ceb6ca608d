"""The tension-index chart of a pair: SVG geometry computed here, drawn by a template.

Every bar links to the events behind it (tensions:events filtered by pair and period).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from tensions.relations import Point

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
    """The event list behind one figure."""
    query = {"day_from": point.start.isoformat(), "day_to": point.end.isoformat()}
    query |= {"source": a, "target": b} if directed else {"pair": f"{a},{b}"}
    return f"{reverse('tensions:events')}?{urlencode(query)}"
