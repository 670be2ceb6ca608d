"""The relations map: countries on a circle, pairs as chords weighted by events
and coloured by their tension index over a chosen period.

The layout is computed here, deterministically (same data, same picture): the
busiest country first, then each next the one most tied to those just placed,
so that partners sit near each other and chords stay short.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Sum
from django.db.models.functions import Greatest, Least
from django.urls import reverse

from tensions import relations
from tensions.display import intensity_colour
from tensions.models import Country, DyadPeriod

SIZE = 760
RADIUS = 270
MAX_EDGES = 150
NEIGHBOURS = 3  # the last placed countries the next one is chosen to be close to


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    x: float
    y: float
    r: float
    events: int
    label_x: float
    label_y: float
    anchor: str  # "start" or "end": labels read outwards


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    events: int
    index: float
    path: str
    width: float
    colour: str
    title: str
    href: str


@dataclass(frozen=True)
class RelationsMap:
    nodes: list[Node]
    edges: list[Edge]
    size: int = SIZE


def pair_totals(*, period: str, start: dt.date, end: dt.date) -> list[dict]:
    """Undirected pairs with their events, conflict and cooperation (one query)."""
    first = relations.period_start(start, period)
    return list(
        DyadPeriod.objects.filter(period=period, start__gte=first, start__lte=end)
        .values(a=Least("source_id", "target_id"))
        .annotate(
            b=Greatest("source_id", "target_id"),
            n=Sum("events"),
            c=Sum("conflict"),
            k=Sum("cooperation"),
        )
        .values("a", "b", "n", "c", "k")
        .order_by("-n", "a", "b")[:MAX_EDGES]
    )


def relations_map(
    *, period: str, start: dt.date, end: dt.date, extra_query: dict | None = None
) -> RelationsMap:
    totals = pair_totals(period=period, start=start, end=end)
    if not totals:
        return RelationsMap([], [])
    names = dict(
        Country.objects.filter(
            code__in={row[k] for row in totals for k in ("a", "b")}
        ).values_list("code", "name")
    )
    order = circle_order(totals)
    nodes = _nodes(order, totals, names)
    at = {node.code: node for node in nodes}
    biggest = max(row["n"] for row in totals)
    query = {"start": start.isoformat(), "end": end.isoformat(), **(extra_query or {})}
    edges = [_edge(row, at, biggest, names, query) for row in reversed(totals)]
    return RelationsMap(nodes, edges)


def circle_order(totals: list[dict]) -> list[str]:
    """Countries in circle order: busiest first, then greedily by ties."""
    ties: dict[str, dict[str, int]] = {}
    weight: dict[str, int] = {}
    for row in totals:
        a, b, n = row["a"], row["b"], row["n"]
        ties.setdefault(a, {})[b] = n
        ties.setdefault(b, {})[a] = n
        weight[a] = weight.get(a, 0) + n
        weight[b] = weight.get(b, 0) + n
    left = sorted(weight, key=lambda c: (-weight[c], c))
    order = [left.pop(0)]
    while left:
        recent = order[-NEIGHBOURS:]
        best = max(
            left,
            key=lambda c: (sum(ties[c].get(r, 0) for r in recent), weight[c], c[::-1]),
        )
        left.remove(best)
        order.append(best)
    return order


def _nodes(order: list[str], totals: list[dict], names: dict) -> list[Node]:
    events = dict.fromkeys(order, 0)
    for row in totals:
        events[row["a"]] += row["n"]
        events[row["b"]] += row["n"]
    most = max(events.values())
    centre, nodes = SIZE / 2, []
    for i, code in enumerate(order):
        angle = 2 * math.pi * i / len(order) - math.pi / 2
        cos, sin = math.cos(angle), math.sin(angle)
        nodes.append(
            Node(
                code=code,
                name=names.get(code, code),
                x=round(centre + RADIUS * cos, 1),
                y=round(centre + RADIUS * sin, 1),
                r=round(4 + 8 * math.sqrt(events[code] / most), 1),
                events=events[code],
                label_x=round(centre + (RADIUS + 18) * cos, 1),
                label_y=round(centre + (RADIUS + 18) * sin, 1),
                anchor="start" if cos >= -1e-9 else "end",
            )
        )
    return nodes


def _edge(row: dict, at: dict, biggest: int, names: dict, query: dict) -> Edge:
    a, b = at[row["a"]], at[row["b"]]
    index = relations.tension_index(row["c"], row["k"])
    centre = SIZE / 2
    # a chord bent towards the centre: a quadratic curve through the middle
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    cx, cy = round((mx + centre) / 2, 1), round((my + centre) / 2, 1)
    link = {"countries": [row["a"], row["b"]], **query}
    return Edge(
        a=row["a"],
        b=row["b"],
        events=row["n"],
        index=round(index, 1),
        path=f"M{a.x},{a.y} Q{cx},{cy} {b.x},{b.y}",
        width=round(1 + 7 * math.sqrt(row["n"] / biggest), 1),
        colour=intensity_colour(-index / 10),
        title=(
            f"{names.get(row['a'], row['a'])} – {names.get(row['b'], row['b'])}: "
            f"{row['n']} event{'s' if row['n'] != 1 else ''}, "
            f"tension index {index:+.0f}. Open its timeline."
        ),
        href=f"{reverse('tensions:timeline')}?{urlencode(link, doseq=True)}",
    )
