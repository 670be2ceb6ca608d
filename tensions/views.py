"""The dashboard: home, timeline, country and event pages (read-only)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import Greatest, Least, TruncMonth, TruncWeek
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles import summary
from tensions import (
    charts,
    corroboration,
    dataversion,
    display,
    prepared,
    relations,
    relmap,
    review,
    roles,
    watchlists,
)
from tensions import timeline as timeline_layout
from tensions.api import EventFilter, events_sorted
from tensions.forms import (
    EventEditForm,
    MergeForm,
    ReviewForm,
    SplitForm,
    TimelineForm,
    WatchForm,
)
from tensions.models import (
    UNDATED,
    Actor,
    Country,
    DyadPeriod,
    Event,
    Mention,
    Period,
    Revision,
    StaleCell,
    Watch,
)
from tensions.timeline import (
    LANE_TABLE_ROWS,
    STATUS_STYLES,
    Gathered,
    Placed,
    build_timeline,
    gather_period,
)

DEFAULT_PAIRS = 8  # lanes shown when no country is chosen
TIMELINE_MAX_EVENTS = 3000  # loaded one by one; beyond, gathered per pair and day
TIMELINE_MAX_GROUPS = 30_000  # (pair, day, status) groups drawn at the most
_GROUP_FIELDS = (  # timeline.Placed's, gathered
    *("first", "day", "status", "mean", "a", "b"),
    *("n", "conflict", "cooperation"),
)
PLACED_FIELDS = (  # timeline.Placed's, in order
    "pk",
    "day",
    "status",
    "intensity",
    "source_country_id",
    "target_country_id",
)
LEGEND_INTENSITIES = (-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10)
MORE_FILTERS = ("type", "status", "min_confidence", "reviewed", "publisher", "rejected")
PARTNER_MONTHS = 12  # the country page ranks partners over this many months
CACHE_SECONDS = 600  # a bound only: keys change with the data they read
MAP_SPANS = {"30": "30 days", "90": "90 days", "365": "12 months", "1825": "5 years"}


def _dated(events):
    """Events placed in time (`day`: their date, else their first report)."""
    return events.filter(day__isnull=False)


@login_required
def home(request):
    processing = summary.processing_summary()  # live: statuses move all the time
    can_upload = roles.is_analyst(request.user)
    version = dataversion.current()  # one look for the parts below
    # Outside the rankings' rows: keyed on it, they follow it.
    latest_month = _cached("home-latest-month", _latest_month, version=version)
    ranked = _cached(
        f"home-ranked:{latest_month}",
        lambda: _ranked(latest_month),
        rows=_rankings_rows,
        version=version,
    )
    context = {
        "article_counts": processing["counts"],
        "article_total": processing["total"],
        "queue": processing["queue"],
        "failures": processing["failures"],
        "rankings": ranked["rankings"],
        "month": ranked["month"],
        "month_events": ranked["month_events"],
        # the empty list's upload link is for analysts only
        "latest": _cached(
            f"home-latest:{can_upload}",
            lambda: _home_events(ranked, can_upload),
            version=version,
        ),
        "follow": watchlists.home_digest(user=request.user),
    }
    return render(request, "tensions/home.html", context)


def _ranked(latest_month: dt.date | None) -> dict:
    """The rankings, the most active pairs and the month's count of events
    between countries (relations.pairs_ranked, from the maintained DyadPeriod
    rows)."""
    today = timezone.localdate()
    month = relations.period_start(today, Period.MONTH)
    weeks = charts.period_starts(
        relations.period_start(
            today - dt.timedelta(weeks=watchlists.SPIKE_HISTORY),
            watchlists.SPIKE_PERIOD,
        ),
        relations.period_start(today, watchlists.SPIKE_PERIOD),
        watchlists.SPIKE_PERIOD,
    )
    ranked = relations.pairs_ranked(
        period=Period.MONTH,
        start=month,
        series=(watchlists.SPIKE_PERIOD, weeks[0], weeks[-1]),
    )
    names = _country_names(
        c for s in [*ranked.tense, *ranked.moved, *ranked.active] for c in (s.a, s.b)
    )
    rankings = _rankings(ranked, weeks, names, month, latest_month)
    return {
        "rankings": render_to_string("tensions/_home_rankings.html", rankings),
        "active_pairs": [
            {"score": s, "label": _pair_label(s, names)} for s in ranked.active
        ],
        "month": month,
        "month_events": ranked.events,
    }


def _pair_label(score, names: dict[str, str]) -> str:
    return f"{names.get(score.a, score.a)} – {names.get(score.b, score.b)}"


def _home_events(ranked: dict, can_upload: bool) -> str:
    latest = {
        # the events recorded last: an index walk, where "by day" sorts them all
        "latest_events": _table_events(
            "1 = 1", order="event.created_at DESC, event.id DESC", limit=10
        ),
        "active_pairs": ranked["active_pairs"],
        "month": ranked["month"],
        "can_upload": can_upload,
    }
    return render_to_string("tensions/_home_latest.html", latest)


@dataclass(frozen=True, slots=True)
class _Named:
    name: str


@dataclass(frozen=True, slots=True)
class _TableEvent:
    """What a row of an events table reads of an event (templatetags/events.py:
    the target's names for a row without `what`): _TABLE_COLUMNS, then the
    target's actor and country names."""

    pk: int
    date: dt.date | None
    date_precision: str
    first_reported: dt.date | None
    source_country_id: str | None
    target_country_id: str | None
    type: str
    mode: str
    status: str
    intensity: float
    what: str
    article_count: int
    mention_count: int
    publisher_count: int
    target_actor: _Named | None
    target_country: _Named | None


@dataclass(frozen=True, slots=True)
class _DetailEvent(_TableEvent):
    """What a timeline reads of an event it draws or lists (its mark's title:
    display.event_title), beyond a table row."""

    channel: str = ""
    source_actor: _Named | None = None
    source_country: _Named | None = None

    @property
    def when(self) -> dt.date | None:
        return self.date or self.first_reported


def _details(pks: list[int]) -> dict[int, _DetailEvent]:
    """The events drawn one by one or listed, by id: plain rows of one query
    (a year of the busiest pairs draws a thousand: as model instances with
    their actors and countries, 110 ms of a 170 ms page)."""
    rows = Event.objects.filter(pk__in=pks).order_by().values_list(*_DETAIL_FIELDS)
    found = {}
    for *fields, channel, s_actor, s_country, t_actor, t_country in rows:
        found[fields[0]] = _DetailEvent(
            *fields,
            target_actor=_named(t_actor),
            target_country=_named(t_country),
            channel=channel,
            source_actor=_named(s_actor),
            source_country=_named(s_country),
        )
    return found


# The event's columns a table row reads, in _TableEvent's order (its fields
# up to the names)
_TABLE_COLUMNS = (
    "id", "date", "date_precision", "first_reported", "source_country_id",
    "target_country_id", "type", "mode", "status", "intensity", "what",
    "article_count", "mention_count", "publisher_count",
)  # fmt: skip
# _TableEvent's columns, then _DetailEvent's and the four names
_DETAIL_FIELDS = (
    *_TABLE_COLUMNS, "channel", "source_actor__name", "source_country__name",
    "target_actor__name", "target_country__name",
)  # fmt: skip


def _table_events(
    where: str, *, order: str, limit: int, params: tuple = ()
) -> list[_TableEvent]:
    """The visible events `where` (SQL on `event`, with `params`), first
    `limit` in `order`, as the rows of an events table read them: plain rows
    of one prepared query, where the ORM's (model instances, their JSON
    context) cost more than the rest of a page's table."""
    sql = _TABLE_EVENTS.format(
        where=where, order=order, limit=int(limit), rejected=Event.ReviewState.REJECTED
    )
    return [_table_event(row) for row in prepared.rows_fetch(sql, params)]


def _table_event(row: tuple) -> _TableEvent:
    """A row in _TableEvent's order, the target's actor and country names
    last (days as dates: SQLite gives those of a subquery as text)."""
    pk, day, precision, reported, *fields, actor, country = row
    return _TableEvent(
        pk,
        relations.as_date(day),
        precision,
        relations.as_date(reported),
        *fields,
        _named(actor),
        _named(country),
    )


def _named(name: str | None) -> _Named | None:
    return None if name is None else _Named(name)


# The state and the limit are written in, not passed: as parameters, PostgreSQL's
# generic plan of the prepared statement could not know that few events are
# rejected (with one state in the statistics, it expected one row left and
# sorted), so it planned every run afresh (0.16 ms of its time on the home page).
_TABLE_EVENTS = f"""
SELECT {", ".join(f"event.{column}" for column in _TABLE_COLUMNS)},
    actor.name, country.name
FROM tensions_event AS event
LEFT JOIN tensions_actor AS actor ON actor.id = event.target_actor_id
LEFT JOIN tensions_country AS country ON country.code = event.target_country_id
WHERE event.review_state <> '{{rejected}}' AND {{where}}
ORDER BY {{order}} LIMIT {{limit}}
"""


_ASK = object()


def _cached(name: str, compute, *, rows=None, version=_ASK):
    """`compute()`, cached under the data version (`version`, if the caller
    looked it up already) and today: writes bump the version (see
    tensions.dataversion). Without a shared cache, what reads only DyadPeriod
    rows (`rows()`, a Q) is cached under a fingerprint of those rows instead
    (unless the cache keeps nothing), and the rest is computed every time."""
    if version is _ASK:
        version = dataversion.current()
    if version is None:
        if rows is None or isinstance(caches["default"], DummyCache):
            return compute()
        version = _fingerprint(rows())
    key = f"{name}:{timezone.localdate()}:{version}"
    return cache.get_or_set(key, compute, CACHE_SECONDS)


def _fingerprint(rows: Q) -> str:
    """The DyadPeriod rows in one aggregate: count, newest id, sums weighted by
    id (so that moving events from one cell to another changes it too)."""
    weighted = {
        f: Sum(F(f) * F("id"), default=0) for f in ("events", "conflict", "cooperation")
    }
    state = DyadPeriod.objects.filter(rows).aggregate(
        n=Count("id"), last=Max("id"), **weighted
    )
    return ":".join(map(str, state.values()))


def _query_key(query) -> str:
    """A short key for a page's GET parameters, in any order."""
    items = sorted((k, v) for k in query for v in query.getlist(k))
    return hashlib.sha256(urlencode(items).encode()).hexdigest()[:32]


def _rankings_rows() -> Q:
    """The DyadPeriod rows the rankings follow: this month and the one before,
    the weeks of the sparklines."""
    today = timezone.localdate()
    month = relations.period_start(today, Period.MONTH)
    weeks = today - dt.timedelta(weeks=watchlists.SPIKE_HISTORY)
    return Q(
        period=Period.MONTH,
        start__gte=relations.period_previous(month, Period.MONTH),
    ) | Q(
        period=watchlists.SPIKE_PERIOD,
        start__gte=relations.period_start(weeks, watchlists.SPIKE_PERIOD),
    )


def _rankings(
    ranked: relations.Rankings,
    weeks: list[dt.date],
    names: dict,
    start: dt.date,
    latest_month,
) -> dict:
    """Most tense pairs and largest changes this month, each with a sparkline
    of its index over the `weeks`; the spikes among them; the month of the
    latest events (`latest_month`) when this one has none."""

    def rows(scores):
        return [_ranking_row(s, names, weeks, ranked.series) for s in scores]

    tense, moved = rows(ranked.tense), rows(ranked.moved)
    spikes = {r["label"]: r for r in [*tense, *moved]}
    return {
        "month": start,
        "latest_month": None if tense else latest_month,
        "spike_weeks": watchlists.SPIKE_HISTORY,
        "most_tense": tense,
        "largest_change": moved,
        "spikes": [r for r in spikes.values() if r["spike"]],
    }


def _ranking_row(score, names: dict, weeks: list[dt.date], series: dict) -> dict:
    found = series.get((score.a, score.b), {})
    # the indexes straight from the sums, as the country page's partners
    indexes = [
        relations.tension_index(*found.get(week, (0, 0.0, 0.0))[1:]) for week in weeks
    ]
    return {
        "score": score,
        "label": _pair_label(score, names),
        "spark": charts.sparkline_of(indexes),
        "spike": relations.is_spike(indexes),
    }


def _latest_month() -> dt.date | None:
    """The month of the newest event between countries, when this month has
    none (an analyst reading older material is pointed to it)."""
    # an index walk: compiled, it cost more; prepared, less to parse and plan
    newest = prepared.rows_fetch(_LATEST_DAY, ())
    return relations.period_start(newest[0][0], Period.MONTH) if newest else None


# the newest day of the visible events between countries (the state written in,
# as in _TABLE_EVENTS, for a generic plan)
_LATEST_DAY = f"""
SELECT day FROM tensions_event
WHERE review_state <> '{Event.ReviewState.REJECTED}' AND day IS NOT NULL
    AND source_country_id IS NOT NULL AND target_country_id IS NOT NULL
ORDER BY day DESC, id DESC LIMIT 1
"""


def _pair_counts(events):
    """Event counts per undirected pair of countries, busiest first."""
    return (
        events.order_by()
        .values(a=Least("source_country_id", "target_country_id"))
        .annotate(
            b=Greatest("source_country_id", "target_country_id"),
            n=Count("id"),
            conflict=Count("id", filter=Q(intensity__lt=0)),
            cooperation=Count("id", filter=Q(intensity__gt=0)),
        )
        .values("a", "b", "n", "conflict", "cooperation")
        .order_by("-n", "a", "b")
    )


def _country_names(codes) -> dict[str, str]:
    """Names by code (raw: for dozens of codes, the ORM's IN list cost more
    than the query takes to run)."""
    codes = list(set(codes))
    if not codes:
        return {}
    listed = ", ".join(["%s"] * len(codes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code, name FROM {Country._meta.db_table} WHERE code IN ({listed})",
            codes,
        )
        return dict(cursor.fetchall())


@login_required
def timeline(request):
    content = _cached(
        f"timeline-page:{_query_key(request.GET)}",
        lambda: render_to_string(
            "tensions/_timeline.html", _timeline_page(request.GET)
        ),
    )
    return render(request, "tensions/timeline.html", {"content": content})


def _timeline_page(query) -> dict:
    """What the page shows for a query: the same for everyone (no user, no
    token), so the page's content is cached whole per query."""
    choices = relations.countries_with_events()
    codes = frozenset(code for code, _ in choices)
    form = TimelineForm(query, known=codes)
    context = {"form": form, "choices": choices, "legend": _legend()}
    context["filters_open"] = any(query.get(name) for name in MORE_FILTERS)
    context.update(_picked(form, codes))
    if form.is_valid():
        context.update(_timeline_context(form, query, dict(choices)))
    return context


def _picked(form, choice_codes: set[str]) -> dict:
    """The codes asked for, valid or not: those in the list are selected in it,
    the others go back in the free-text input."""
    picked = form.fields["countries"].to_python(form["countries"].value())
    return {
        "picked": [c for c in picked if c in choice_codes],
        "extra_codes": " ".join(c for c in picked if c not in choice_codes),
    }


def _timeline_context(form, query, names: dict[str, str]) -> dict:
    data = form.cleaned_data
    countries, focus = data["countries"], data["focus"] or None
    if focus is None and len(countries) == 1:
        focus, countries = countries[0], []
    start, end = data["start"], data["end"]
    period = _period_q(start, end)
    # Built when first read: drawn from the pair rows, a view reads no event
    # through the ORM, and building the queryset cost 0.2-0.3 ms.
    events = functools.cache(
        lambda: form.filter(
            _dated(Event.objects.visible(rejected=data["rejected"]).interstate())
        )
    )
    aggregates = _aggregates_answer(data)
    pairs = _pairs_shown(
        countries,
        focus,
        busiest=lambda: _busiest_pairs(
            events().filter(period), (start, end), aggregates
        ),
    )
    span, unit, placed, tables, strips = _timeline_rows(
        events,
        (start, end),
        pairs,
        aggregates=aggregates,
        listed=focus is None and bool(countries),
    )
    codes = {c for p in placed for c in (p.source_country_id, p.target_country_id)}
    if codes - names.keys():  # only rejected events: not among the choices
        names = names | _country_names(codes)
    built = build_timeline(
        placed[:TIMELINE_MAX_GROUPS],
        start=start,
        end=end,
        focus=focus,
        names=names,
        details=_details,
        tables=tables,
        events_href=_events_href(_events_query(data)),
        index_href=lambda key, point: charts.events_url(
            point, a=key[0], b=key[1], directed=False
        ),
        index_series=strips,
        period=unit,
    )
    return {
        "timeline": built,
        "timeline_svg": timeline_layout.svg(built),
        "truncated": len(placed) > TIMELINE_MAX_GROUPS,
        "focus": focus,
        "selected": countries,
        **_timeline_navigation(query, span, built),
    }


def _timeline_rows(
    events: Callable, window: tuple, pairs: Callable, *, aggregates: bool, listed: bool
):
    """The whole span of the `pairs`' `events()` (for the overview); what a mark
    stands for at most (see timeline.gather_period); and their events in the
    window as the layout's rows, with a query for the lanes' tables when they
    are gathered; and what gives the index strips (see _index_series).

    The span, and the marks of a week or a month, come from the pairs'
    maintained DyadPeriod rows when those can answer (`aggregates`: no filter
    but the pairs and the dates, and no row awaiting its refresh); else from
    the events. `listed`: the pairs are those among a list of countries (not
    a focus, not the busiest pairs)."""
    period = _period_q(*window)
    tables = _tables(events, window, plain=aggregates)
    rows = (
        _sql_where(DyadPeriod.objects.filter(pairs("source_id", "target_id")))
        if aggregates
        else None
    )
    # the window's events are counted only to decide whether days are gathered
    count_wanted = not (window[0] and window[1]) or gather_period(*window) == Period.DAY
    found = (
        _aggregate_span(rows, pairs("source", "target"), window, counted=count_wanted)
        if rows
        else None
    )
    if found is None:
        rows = None
        counted = Count("id", filter=period) if period else Count("id")
        found = (
            _of_pairs(events(), pairs)
            .aggregate(first=Min("day"), last=Max("day"), shown=counted)
            .values()
        )
    first, last, count = found
    start, end = window[0] or first, window[1] or last
    unit = gather_period(start, end) if start and end else Period.DAY
    if unit == Period.DAY:
        gather = count > TIMELINE_MAX_EVENTS
        placed = _placed(_shown(events(), pairs, period), gather=gather)
        return (first, last), unit, placed, tables if gather else None, _index_series
    if not rows:
        placed = _gathered_per_period(_shown(events(), pairs, period), unit, start, end)
        return (first, last), unit, placed, tables, _index_series
    found = _period_rows(rows, unit, start, end, prepare=listed)
    placed = _tallied(found, unit, start, end)
    return (first, last), unit, placed, tables, _strips(found, unit, start, end)


# Built only where the events are read: an ORM query costs ~0.1 ms to build.
def _of_pairs(events, pairs: Callable):
    return events.filter(pairs("source_country_id", "target_country_id"))


def _shown(events, pairs: Callable, period: Q):
    return _of_pairs(events, pairs).filter(period).order_by("day", "id")


def _aggregates_answer(data) -> bool:
    """Whether no filter is set but the pairs and the dates (the DyadPeriod
    rows count every visible event)."""
    narrowed = (
        data["type"],
        data["status"],
        data["scope"] == "actual",
        data["min_confidence"] is not None,
        data["reviewed"],
        data["publisher"].strip(),
        data["rejected"],
    )
    return not any(narrowed)


def _aggregate_span(
    rows: tuple, marks: Q, window: tuple, *, counted: bool
) -> tuple | None:
    """(first, last, events in the window) from the pairs' DyadPeriod rows
    (`rows`, SQL), or None when they have none or some of their StaleCell
    `marks` await their refresh. The events in the window are counted only
    when `counted` (else None): only a window drawn day by day needs them.

    The first and last days are looked for in the first and last months that
    have rows: a pair's month rows are a thirtieth of its day rows (a busy pair
    over five years: 67 against 1,829), and every month row has day rows (a
    cell's rows are written and deleted together, from the same events)."""
    marks = _sql_where(StaleCell.objects.filter(marks))
    if marks is None:
        return None
    low, high = window[0] or dt.date.min, window[1] or dt.date.max
    sql = _SPAN.format(
        rows=rows[0],
        marks=marks[0],
        month_after=_MONTH_AFTER[connection.vendor],
        shown=_SHOWN.format(rows=rows[0]) if counted else "NULL",
    )
    shown_params = [*rows[1], low, high] if counted else []
    # prepared: any plan of it walks the pairs' indexes (checked for a busy
    # pair, a rare one, a focus and the busiest pairs)
    [(first, last, shown, stale)] = prepared.rows_fetch(
        sql, [*rows[1] * 3, *shown_params, *marks[1]]
    )
    if first is None or stale:
        return None
    return relations.as_date(first), relations.as_date(last), shown


# One look at the marks, whatever the rows.
_SPAN = f"""
WITH months AS (
    SELECT MIN(start) AS first, MAX(start) AS last FROM tensions_dyadperiod
    WHERE period = '{Period.MONTH}' AND {{rows}}
)
SELECT
    (SELECT MIN(start) FROM tensions_dyadperiod
     WHERE period = '{Period.DAY}' AND {{rows}}
        AND start >= months.first AND start < {{month_after}}),
    (SELECT MAX(start) FROM tensions_dyadperiod
     WHERE period = '{Period.DAY}' AND {{rows}} AND start >= months.last),
    {{shown}},
    EXISTS (SELECT 1 FROM tensions_stalecell WHERE {{marks}})
FROM months
"""
# A statement of its own, not a CASE on a parameter: with the count's cost in
# every plan, PostgreSQL found its generic plan dearer than planning each time
# (0.4-1.1 ms a page).
_SHOWN = f"""(
        SELECT COALESCE(SUM(events), 0) FROM tensions_dyadperiod
        WHERE period = '{Period.DAY}' AND {{rows}} AND start >= %s AND start <= %s
    )"""
# The day a month's rows end before, from the first day of that month
_MONTH_AFTER = {
    "postgresql": "months.first + 31",  # the month's own days come first
    "sqlite": "date(months.first, '+1 month')",
}


def _sql_where(rows) -> tuple[str, list] | None:
    """The condition of the queryset `rows` as SQL and its parameters, for the
    hand-written statements of the timeline (an ORM query costs more to build
    than these take to run); None when it matches nothing."""
    query = rows.query
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return None
    return sql, list(params)


def _period_rows(
    rows: tuple, unit: str, start: dt.date, end: dt.date, *, prepare: bool = False
) -> list:
    """The pairs' DyadPeriod rows (`rows`, SQL) that tally the window per
    `unit` (_tally_ranges) and, in the same statement, the whole periods the
    window touches, for the index strips (_strips): a query less per page.
    Rows as charts.dyad_rows gives them, with their period. Prepared if asked:
    for pairs among listed countries (two or five checked), whose generic plan
    walks dyad_period_once per range as the custom plans do; a focus's OR
    walked dyad_period_start over every pair's months (1.8 ms against 1.2)."""
    (_, whole, following), *days = _tally_ranges(unit, start, end)
    last = relations.period_start(end, unit) + dt.timedelta(days=1)
    periods = (unit, relations.period_start(start, unit), max(following, last))
    return charts.dyad_rows(rows, [periods, *days], periods=True, prepare=prepare)


def _tallied(found: list, unit: str, start: dt.date, end: dt.date) -> list[Gathered]:
    """Per pair and week or month, from the pairs' DyadPeriod rows
    (_period_rows: whole periods from their own rows, the parts cut by the
    window from day rows): coloured by the tension index (their only figure
    of conflict and cooperation)."""
    _, whole, following = _tally_ranges(unit, start, end)[0]
    tallies: dict[tuple, list] = {}
    for a, b, period, day, _, by_status, conflict, cooperation in found:
        if period == unit and not whole <= day < following:
            continue  # cut by the window: counted from its days
        key = (a, b, relations.period_start(day, unit))
        tally = tallies.get(key)
        if tally is None:  # most keys have one row a direction: no merging
            tallies[key] = [json.loads(by_status), 0.0 + conflict, 0.0 + cooperation]
            continue
        counts = tally[0]
        for status, n in json.loads(by_status).items():
            counts[status] = counts.get(status, 0) + n
        tally[1] += conflict
        tally[2] += cooperation
    gathered = []
    for (a, b, first), (by_status, conflict, cooperation) in sorted(tallies.items()):
        index = relations.tension_index(conflict, cooperation)
        last = relations.period_last(first, unit)
        gathered.append(
            Gathered(
                *(max(first, start), min(last, end), a, b, by_status),
                balance=-index / 10,
                balance_label=f"tension index {index:+.0f}",
                scores=(conflict, cooperation),
            )
        )
    return gathered


def _tally_ranges(unit: str, start: dt.date, end: dt.date) -> list[tuple]:
    """(period, first start, start after the last) of the rows that tally the
    window per `unit`: the whole periods, and the days before and after them."""
    first = relations.period_start(start, unit)
    whole = first if first == start else relations.period_next(first, unit)
    after = end + dt.timedelta(days=1)
    following = relations.period_start(after, unit)
    lead_end = min(whole, after)
    return [
        (unit, whole, following),
        (Period.DAY, start, lead_end),
        (Period.DAY, max(following, lead_end), after),
    ]


_TRUNCATE = {Period.WEEK: TruncWeek, Period.MONTH: TruncMonth}


def _gathered_per_period(
    shown, unit: str, start: dt.date, end: dt.date
) -> list[Gathered]:
    """Per pair and week or month, counted in the database per status: coloured
    by their mean intensity."""
    rows = (
        shown.order_by()
        .values("status", first=_TRUNCATE[unit]("day"), **_PAIR)
        .annotate(
            n=Count("id"),
            total=Sum("intensity"),
            conflict=Count("id", filter=Q(intensity__lt=0)),
            cooperation=Count("id", filter=Q(intensity__gt=0)),
        )
        .values_list(
            "a", "b", "first", "status", "n", "total", "conflict", "cooperation"
        )
    )
    found: dict[tuple, list] = {}
    for a, b, first, status, n, total, conflict, cooperation in rows:
        sums = found.setdefault((a, b, relations.as_date(first)), [{}, 0.0, 0, 0])
        sums[0][status] = n
        sums[1] += total
        sums[2] += conflict
        sums[3] += cooperation
    gathered = []
    for (a, b, first), (by_status, total, conflict, cooperation) in sorted(
        found.items()
    ):
        mean = total / sum(by_status.values())
        last = relations.period_last(first, unit)
        gathered.append(
            Gathered(
                *(max(first, start), min(last, end)),
                *(a, b, by_status),
                balance=mean,
                balance_label=f"mean intensity {mean:+.1f}",
                conflict=conflict,
                cooperation=cooperation,
            )
        )
    return gathered


_PAIR = {
    "a": Least("source_country_id", "target_country_id"),
    "b": Greatest("source_country_id", "target_country_id"),
}


def _placed(shown, *, gather: bool) -> list[Placed]:
    """Light rows, one per event (only those drawn or listed are then loaded in
    full); or, to `gather` many, one per pair, day and status, counted in the
    database (each lane's table then needs a query of its own)."""
    if not gather:
        return [Placed(*row) for row in shown.values_list(*PLACED_FIELDS)]
    groups = (
        shown.order_by()
        .values("day", "status", **_PAIR)
        .annotate(
            first=Min("id"),
            mean=Avg("intensity"),
            n=Count("id"),
            conflict=Count("id", filter=Q(intensity__lt=0)),
            cooperation=Count("id", filter=Q(intensity__gt=0)),
        )
        .values_list(*_GROUP_FIELDS)
    )
    return [Placed(*row) for row in groups[: TIMELINE_MAX_GROUPS + 1]]


def _tables(events: Callable, window: tuple, *, plain: bool) -> Callable:
    """What gives the lanes' tables: the latest of `events()` in the window;
    with no filter but the window (`plain`), a statement of its own
    (_latest_plain)."""
    if plain:
        return lambda pairs: _latest_plain(pairs, window)
    return lambda pairs: _latest_per_pair(
        events().filter(_period_q(*window)), pairs, window[1] or dt.date.max
    )


def _latest_per_pair(shown, pairs: list, end: dt.date) -> dict[tuple, list]:
    """Each pair's latest events among `shown` (up to `end`; table rows, in
    time order), in one statement: per pair, a walk of the pair index
    (event_pair_day) back from `end`, as the events page walks it, with the
    names joined once to all of them (joined in each walk, they cost
    PostgreSQL more to plan than to run: 13 ms for a focus's 40 lanes).
    `shown` holds no condition on the pairs: it would hide the index from the
    planner."""
    where = _sql_where(shown)
    if where is None or not pairs:
        return {}
    params = [v for a, b in pairs for v in (*where[1], a, b, UNDATED, end)]
    with connection.cursor() as cursor:
        cursor.execute(_lanes_sql(where[0], len(pairs)), [*params, UNDATED])
        return _lane_tables(cursor.fetchall())


def _latest_plain(pairs: list, window: tuple) -> dict[tuple, list]:
    """_latest_per_pair for the visible events between countries in the
    window, with no other filter (the timeline as it opens): the window is
    only in the lane's terms on event_pair_day's own day expression and the
    rest is written into the text, so the statement is prepared. Its generic
    plan walks the index as a custom plan does, where the general statement's
    (the window's start also on the days' own index) ANDs two bitmaps and
    sorts the pair's every event: 93 ms for CAN-COD at 100,000 events against
    the 0.45 ms spent planning it each time."""
    if not pairs:
        return {}
    low, high = window[0] or UNDATED, window[1] or dt.date.max
    params = [v for a, b in pairs for v in (a, b, low, high)]
    return _lane_tables(
        prepared.rows_fetch(_lanes_sql(_PLAIN_LANE, len(pairs)), [*params, UNDATED])
    )


def _lanes_sql(where: str, lanes: int) -> str:
    """_LANE_TABLES of `lanes` walks of the events `where` (SQL) says; each
    walk's parameters are `where`'s, the pair's codes and the first and last
    day."""
    # Django's Least and Greatest, written out: what event_pair_day is built on
    least, greatest = relations.pair_functions(connection.vendor)
    lane = _LANE.format(where=where, least=least, greatest=greatest)
    return _LANE_TABLES.format(lanes=" UNION ALL ".join([lane] * lanes))


def _lane_tables(rows: list[tuple]) -> dict[tuple, list]:
    tables: dict[tuple, list] = defaultdict(list)
    for row in rows:
        event = _table_event(row)
        tables[timeline_layout.pair_key(event)].append(event)
    return {key: found[::-1] for key, found in tables.items()}


# The day as event_pair_day orders it (undated events as the earliest day; the
# timeline draws dated events only), written as the index is: a parameter there
# would keep a generic plan off the index
_SORT_DAY = f"COALESCE(tensions_event.day, '{UNDATED.isoformat()}')"
_LANE = f"""
SELECT * FROM (
    SELECT {", ".join(_TABLE_COLUMNS)}, target_actor_id, day
    FROM tensions_event
    WHERE ({{where}})
        AND {{least}}(tensions_event.source_country_id,
            tensions_event.target_country_id) = %s
        AND {{greatest}}(tensions_event.source_country_id,
            tensions_event.target_country_id) = %s
        AND {_SORT_DAY} >= %s AND {_SORT_DAY} <= %s
    ORDER BY {_SORT_DAY} DESC, tensions_event.id DESC
    LIMIT {LANE_TABLE_ROWS}
) AS lane
"""
# The visible, dated events between countries, with no parameter
_PLAIN_LANE = (
    f"tensions_event.review_state <> '{Event.ReviewState.REJECTED}' "
    "AND tensions_event.source_country_id IS NOT NULL "
    "AND tensions_event.target_country_id IS NOT NULL "
    "AND tensions_event.day IS NOT NULL"
)
_LANE_TABLES = f"""
SELECT {", ".join(f"lanes.{column}" for column in _TABLE_COLUMNS)},
    tensions_actor.name, tensions_country.name
FROM ({{lanes}}) AS lanes
LEFT OUTER JOIN tensions_actor ON tensions_actor.id = lanes.target_actor_id
LEFT OUTER JOIN tensions_country ON tensions_country.code = lanes.target_country_id
ORDER BY COALESCE(lanes.day, %s) DESC, lanes.id DESC
"""


def _index_series(pairs: list, start: dt.date, end: dt.date):
    """The index under the lanes, per day, week or month as the window allows
    (charts.pairs_series's points, from one hand-written statement)."""
    if not pairs:
        return {}
    period = _strip_period(start, end)
    return charts.pairs_series(pairs, period=period, start=start, end=end)


def _strip_period(start: dt.date, end: dt.date) -> str:
    days = (end - start).days
    return (
        Period.DAY if days <= 120 else Period.WEEK if days <= 3 * 366 else Period.MONTH
    )


def _strips(found: list, unit: str, start: dt.date, end: dt.date) -> Callable:
    """_index_series, from the rows _period_rows read (every whole `unit` the
    window touches, of every pair shown) when the timeline is drawn over that
    window and its strips are per `unit` too; else from a query of their own."""
    if _strip_period(start, end) != unit:
        return _index_series
    sums = charts.undirected_sums(
        (a, b, *fields) for a, b, period, *fields in found if period == unit
    )
    first, last = (relations.period_start(day, unit) for day in (start, end))

    def series(pairs: list, drawn_start: dt.date, drawn_end: dt.date):
        if (drawn_start, drawn_end) != (start, end):  # drawn over the data's span
            return _index_series(pairs, drawn_start, drawn_end)
        return charts.series_from(sums, pairs, period=unit, first=first, last=last)

    return series


def _events_query(data) -> dict:
    """The timeline's filters as the events page (tensions:events) reads them:
    no status when every status is shown (a wide timeline has hundreds of
    links, each 80 characters longer with the five)."""
    statuses = data["status"]
    if data["scope"] == "actual":
        every = statuses or Event.Status.values
        statuses = [s for s in every if s in TimelineForm.ACTUAL]
    query = {"type": data["type"], "status": statuses}
    if data["min_confidence"] is not None:
        query["min_confidence"] = str(data["min_confidence"])
    if data["reviewed"]:
        query["review_state"] = list(TimelineForm.REVIEWED)
    if data["publisher"].strip():
        query["publisher"] = data["publisher"].strip()
    if data["rejected"]:
        query["rejected"] = "1"
    return query


def _events_href(filters: dict):
    """Links to the events page for a pair's events between two days (one status
    or those the filters allow), with the timeline's filters."""
    base = reverse("tensions:events")
    # encoded once: a wide timeline has hundreds of these links
    others = urlencode({k: v for k, v in filters.items() if k != "status"}, True)
    statuses = urlencode({"status": filters.get("status", [])}, True)
    pair_params: dict[tuple, str] = {}  # quoted once per lane, not once per mark

    def href(key, first: dt.date, last: dt.date, status: str | None = None) -> str:
        # urlencode() of the same three items, written out: ISO dates need no
        # quoting, and a page writes hundreds of these
        pair = pair_params.get(key)
        if pair is None:
            pair = pair_params[key] = quote_plus(",".join(key))
        query = f"pair={pair}&day_from={first.isoformat()}&day_to={last.isoformat()}"
        chosen = f"status={quote_plus(status)}" if status else statuses
        return f"{base}?{'&'.join(p for p in (query, others, chosen) if p)}"

    return href


def _timeline_navigation(query, span: tuple, built) -> dict:
    """Links that zoom and pan (the same state in the URL, other dates), and the
    overview of the whole span the brush selects in."""
    if built.start is None:
        return {}
    window = (built.start, built.end)
    moves = {
        "earlier": timeline_layout.panned(*window, -0.5),
        "later": timeline_layout.panned(*window, 0.5),
        "zoom_in": timeline_layout.zoomed(*window, 0.5),
        "zoom_out": timeline_layout.zoomed(*window, 2),
    }
    with_dates = _with_dates(query)
    nav = {name: with_dates(*dates) for name, dates in moves.items()}
    nav["everything"] = with_dates(None, None)
    overview = timeline_layout.overview(span, window) if span[0] else None
    return {"nav": nav, "overview": overview, "bookmark": with_dates(*window)}


def _with_dates(query) -> Callable:
    """Links to the timeline with the same query but other dates (as a copy of
    the query with them set or removed would write them, without copying it
    for each: a page has six)."""
    base = reverse("tensions:timeline")
    items = list(query.lists())

    def link(start: dt.date | None, end: dt.date | None) -> str:
        dates = {"start": start, "end": end}
        pairs = [
            (k, v)
            for k, values in items
            for v in ([dates[k].isoformat()] if dates.get(k) else values)
            if k not in dates or dates[k]
        ]
        pairs += [(k, d.isoformat()) for k, d in dates.items() if d and k not in query]
        return f"{base}?{urlencode(pairs)}"

    return link


def _period_q(start, end) -> Q:
    period = Q()
    if start:
        period &= Q(day__gte=start)
    if end:
        period &= Q(day__lte=end)
    return period


def _pairs_shown(
    countries: list[str], focus: str | None, *, busiest: Callable
) -> Callable:
    """Focus against its partners (among `countries` if given); else pairs among
    `countries`; else the `busiest()` pairs: as a Q on the fields named
    (`pairs("source_country_id", "target_country_id")` for events)."""
    if focus:
        others = [c for c in countries if c != focus]

        def pairs(source: str, target: str) -> Q:
            shown = Q(**{source: focus}) | Q(**{target: focus})
            if others:
                shown &= Q(**{f"{source}__in": others}) | Q(**{f"{target}__in": others})
            return shown

        return pairs
    if countries:
        return lambda source, target: Q(
            **{f"{source}__in": countries, f"{target}__in": countries}
        )
    shown_pairs = busiest()

    def pairs(source: str, target: str) -> Q:
        shown = Q(pk__in=[])
        for a, b in shown_pairs:
            shown |= Q(**{source: a, target: b}) | Q(**{source: b, target: a})
        return shown

    return pairs


def _busiest_pairs(events, window: tuple, aggregates: bool) -> list[tuple[str, str]]:
    """The DEFAULT_PAIRS pairs with the most `events` in the window, busiest
    first (then by codes): summed from the DyadPeriod rows when they can answer
    (`aggregates`, and no row awaiting its refresh): months inside the window,
    days at its ends; else, or when no row holds any, counted from the events.
    Counting 100,000 events took ~35 ms; their rows, ~17."""
    if aggregates:
        start = window[0] or _EARLIEST
        end = window[1] or _LATEST
        within, bounds = charts.periods_within(_tally_ranges(Period.MONTH, start, end))
        least, greatest = relations.pair_functions(connection.vendor)
        sql = _BUSIEST.format(within=within, least=least, greatest=greatest)
        found = prepared.rows_fetch(sql, [*bounds, DEFAULT_PAIRS])
        if found and found[0][2] is not None:  # none: perhaps rows not built yet
            return [(a, b) for a, b, _ in sorted(found, key=_busiest_first)]
    return [(r["a"], r["b"]) for r in _pair_counts(events)[:DEFAULT_PAIRS]]


def _busiest_first(row: tuple) -> tuple:
    return -row[2], row[0], row[1]


# The bounds of an open window (ranges stay within the calendar).
_EARLIEST, _LATEST = dt.date(1, 1, 1), dt.date(9998, 12, 31)
# The busiest pairs from the pair rows: (a, b, events), or one row (…, NULL)
# when a row awaits its refresh (the events must then be counted).
_BUSIEST = """
SELECT a, b, n FROM (
    SELECT {least}(source_id, target_id) AS a, {greatest}(source_id, target_id) AS b,
        SUM(events) AS n
    FROM tensions_dyadperiod WHERE {within}
    GROUP BY 1, 2 HAVING SUM(events) > 0
    ORDER BY 3 DESC, 1, 2 LIMIT %s
) AS busiest
WHERE NOT EXISTS (SELECT 1 FROM tensions_stalecell)
UNION ALL
SELECT '', '', NULL WHERE EXISTS (SELECT 1 FROM tensions_stalecell)
"""


def _legend() -> dict:
    intensities = [
        (i * 10, display.intensity_colour(value))
        for i, value in enumerate(LEGEND_INTENSITIES)
    ]
    return {
        "intensities": intensities,
        "scale_width": 10 * len(LEGEND_INTENSITIES),
        "statuses": list(STATUS_STYLES.items()),
        # the timeline's, written in Python: as template loops (an include per
        # status) they cost 0.17 ms, a tenth of the page's template
        "scale": timeline_layout.legend_scale(intensities),
        "status_items": timeline_layout.legend_statuses(),
    }


@login_required
def country(request, code: str):
    country = _country_or_404(code.upper())
    content = _cached(
        f"country-page:{country.code}",
        lambda: render_to_string("tensions/_country.html", _country_page(country)),
    )
    context = {"country": country, "content": content}
    return render(request, "tensions/country.html", context)


def _country_or_404(code: str) -> Country:
    """The country of `code` (prepared: the ORM's get cost twice the page's
    other lookups to build)."""
    found = prepared.rows_fetch(_COUNTRY, (code,))
    if not found:
        raise Http404("No such country.")
    return Country.from_db(connection.alias, _COUNTRY_FIELDS, found[0])


_COUNTRY_FIELDS = ("code", "alpha2", "name", "official_name", "historic")
_COUNTRY = f"""
SELECT {", ".join(_COUNTRY_FIELDS)} FROM {Country._meta.db_table} WHERE code = %s
"""


def _country_page(country: Country) -> dict:
    code = country.code
    partners = _cached(
        f"partners-{code}",
        lambda: _partners(code),
        rows=lambda: Q(period=Period.MONTH) & (Q(source_id=code) | Q(target_id=code)),
    )
    return {
        "country": country,
        "partners": partners,
        "partners_months": PARTNER_MONTHS,
        "recent_events": _table_events(
            "(event.source_country_id = %s OR event.target_country_id = %s)"
            " AND event.day IS NOT NULL",
            order="event.day DESC, event.id DESC",
            limit=20,
            params=(code, code),
        ),
        "actors": _actors_seen(code),
        "event_total": sum(row["n"] for row in partners),
    }


def _partners(code: str) -> list[dict]:
    """Partners by their tension index over the last months, most tense first
    (those quiet lately last), each with a sparkline of it and its events of
    all time: one query of the country's DyadPeriod month rows."""
    today = timezone.localdate()
    first = relations.period_start(
        today - dt.timedelta(days=31 * (PARTNER_MONTHS - 1)), Period.MONTH
    )
    last = relations.period_start(today, Period.MONTH)
    months = charts.period_starts(first, last, Period.MONTH)
    totals, recent, names = _partner_sums(code, first, last)
    rows = [
        {"partner_code": partner, "n": n, "all_time": relations.tension_index(c, k)}
        for partner, (n, c, k) in totals.items()
    ]
    rows.sort(key=lambda row: (-row["n"], row["partner_code"]))
    # reversed once, not twice per row
    pair_href = reverse("tensions:pair", args=[code, "000"]).replace("000", "{}")
    timeline = reverse("tensions:timeline")
    for row in rows:
        partner = row["partner_code"]
        events, conflict, cooperation, indexes = _partner_months(
            recent.get(partner, {}), months
        )
        row["name"] = names.get(partner, partner)
        row["recent"] = events
        row["index"] = relations.tension_index(conflict, cooperation)
        row["spark"] = charts.sparkline_of(indexes)
        row["pair_href"] = pair_href.format(partner)
        row["timeline_href"] = f"{timeline}?countries={code}&countries={partner}"
    rows.sort(key=lambda r: (not r["recent"], -r["index"], -r["n"]))
    return rows


def _partner_months(found: dict, months: list[dt.date]) -> tuple:
    """A partner's events, conflict and cooperation over the `months` (from
    their sums in `found`, by month) and the index of each month: straight
    from the sums, not a dozen Points per partner. Only the months with events
    are walked (the others' index is 0.0, and adding nothing changes no sum):
    most partners have a few of the twelve."""
    events, conflict, cooperation = 0, 0.0, 0.0
    indexes = [0.0] * len(months)
    first = months[0]
    for month in sorted(found):  # in order: the same sums to the last bit
        n, c, k = found[month]
        events, conflict, cooperation = events + n, conflict + c, cooperation + k
        indexes[_months_between(first, month)] = relations.tension_index(c, k)
    return events, conflict, cooperation, indexes


def _months_between(first: dt.date, month: dt.date) -> int:
    return (month.year - first.year) * 12 + month.month - first.month


def _partner_sums(code: str, first: dt.date, last: dt.date) -> tuple[dict, ...]:
    """The country's month rows up to `last`, summed in the database per
    partner and month from `first` on, and per partner before: ([events,
    conflict, cooperation] of all time per partner, per partner and recent
    month, and the partners' names)."""
    totals: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    months: dict[str, dict] = defaultdict(dict)
    names: dict[str, str] = {}
    values = (code, first, code, code, Period.MONTH, last)
    for other, name, month, *cell in prepared.rows_fetch(_PARTNER_SUMS, values):
        if name is not None:
            names[other] = name
        total = totals[other]
        total[0] += cell[0]
        total[1] += cell[1]
        total[2] += cell[2]
        if month is not None:
            months[other][relations.as_date(month)] = cell
    return totals, months, names


_PARTNER_SUMS = """
SELECT sums.partner, country.name, sums.month, sums.n, sums.c, sums.k FROM (
    SELECT CASE WHEN source_id = %s THEN target_id ELSE source_id END AS partner,
        CASE WHEN start >= %s THEN start END AS month,
        SUM(events) AS n, SUM(conflict) AS c, SUM(cooperation) AS k
    FROM tensions_dyadperiod
    WHERE (source_id = %s OR target_id = %s) AND period = %s AND start <= %s
    GROUP BY 1, 2
) AS sums LEFT JOIN tensions_country AS country ON country.code = sums.partner
"""


def _actors_seen(code: str) -> list[dict]:
    """The country's leaders and bodies (not the state) named in events, by
    how often they acted."""
    labels = dict(Actor.Kind.choices)
    return [
        {
            "name": name,
            "title": title,
            "kind_label": labels.get(kind, kind),
            "as_source": as_source,
            "as_target": as_target,
        }
        for name, title, kind, as_source, as_target in prepared.rows_fetch(
            _ACTORS_SEEN, (code, Actor.Kind.STATE)
        )
    ]


_ACTORS_SEEN = """
SELECT name, title, kind, as_source, as_target FROM (
    SELECT actor.name, actor.title, actor.kind,
        (SELECT COUNT(*) FROM tensions_event WHERE source_actor_id = actor.id)
            AS as_source,
        (SELECT COUNT(*) FROM tensions_event WHERE target_actor_id = actor.id)
            AS as_target
    FROM tensions_actor AS actor
    WHERE actor.country_id = %s AND actor.kind <> %s
) AS seen
WHERE as_source > 0 OR as_target > 0
ORDER BY as_source DESC, name
"""


@login_required
def event(request, pk: int):
    event = _event_with_evidence(pk)
    return render(request, "tensions/event.html", _event_context(request, event))


def _event_with_evidence(pk: int) -> Event:
    mentions = Mention.objects.select_related("article").order_by(
        "article__published", "article_id", "start"
    )
    return get_object_or_404(
        Event.objects.with_related().prefetch_related(
            Prefetch("mentions", mentions),
            Prefetch("revisions", Revision.objects.select_related("user")),
        ),
        pk=pk,
    )


def _event_context(request, event: Event, **forms) -> dict:
    mentions = list(event.mentions.all())
    context = {
        "event": event,
        "sentence": display.event_sentence(event),
        "date_label": display.event_date_label(event),
        "colour": display.intensity_colour(event.intensity),
        "evidence": [
            (m, display.paragraph_around(m.article.text, m.start, m.end, m.sentence))
            for m in mentions
        ],
        "disagreements": corroboration.disagreements(_accounts(mentions)),
        "revisions": list(event.revisions.all()),
        "can_review": roles.is_analyst(request.user),
        "review_form": ReviewForm(initial={"version": event.version}),
        "edit_form": EventEditForm.for_event(event),
        "merge_form": MergeForm(initial={"version": event.version}, auto_id="merge_%s"),
    }
    return context | forms


def _accounts(mentions: list[Mention]) -> list[tuple[str, dict]]:
    """How each article tells the event, for the disagreements list."""
    by_article: dict[int, tuple[str, dict]] = {}
    for m in mentions:
        label = m.article.publisher or m.article.title or f"article {m.article_id}"
        _, fields = by_article.setdefault(
            m.article_id,
            (
                label,
                {
                    "date": m.date,
                    "status": m.status,
                    "mode": m.mode,
                    "what": m.what,
                    "text": "",
                },
            ),
        )
        fields["text"] += " " + m.sentence
    return list(by_article.values())


@require_POST
@roles.role_required(roles.ANALYST)
def event_review(request, pk: int):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The review could not be read; try again.")
        return redirect("tensions:event", pk=pk)
    act = (
        review.event_confirm
        if form.cleaned_data["action"] == "confirm"
        else review.event_reject
    )
    return _reviewed(
        request,
        pk,
        lambda: act(
            event_id=pk,
            user=request.user,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        ),
    )


@roles.role_required(roles.ANALYST)
def event_edit(request, pk: int):
    event = get_object_or_404(Event.objects.with_related(), pk=pk)
    if request.method != "POST":
        form = EventEditForm.for_event(event)
        return render(
            request, "tensions/event_edit.html", {"event": event, "form": form}
        )
    form = EventEditForm(request.POST)
    if form.is_valid():
        try:
            review.event_edit(
                event_id=pk,
                user=request.user,
                version=form.cleaned_data["version"],
                changes=form.changes(event),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        except review.ReviewConflict as conflict:
            return _conflict(request, conflict, form)
        else:
            messages.success(request, "Event edited.")
            return redirect("tensions:event", pk=pk)
    return render(
        request, "tensions/event_edit.html", {"event": event, "form": form}, status=400
    )


def _errors_to_form(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _conflict(request, conflict: review.ReviewConflict, form):
    """The second editor: told, shown the current version, their input kept."""
    current = conflict.event
    form.data = form.data.copy()
    form.data["version"] = current.version
    context = {"event": current, "form": form, "conflict": str(conflict)}
    return render(request, "tensions/event_edit.html", context, status=409)


@require_POST
@roles.role_required(roles.ANALYST)
def event_merge(request, pk: int):
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the number of the event to merge.")
        return redirect("tensions:event", pk=pk)
    data = form.cleaned_data
    return _reviewed(
        request,
        pk,
        lambda: review.events_merge(
            event_id=pk,
            other_id=data["other"],
            user=request.user,
            version=data["version"],
            other_version=data["other_version"],
            reason=data["reason"],
        ),
    )


@require_POST
@roles.role_required(roles.ANALYST)
def mention_split(request, pk: int):
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The split could not be read; try again.")
        return redirect("tensions:event", pk=pk)
    data = form.cleaned_data
    get_object_or_404(Mention, pk=data["mention"], event_id=pk)
    return _reviewed(
        request,
        pk,
        lambda: review.mention_split(
            mention_id=data["mention"],
            user=request.user,
            version=data["version"],
            reason=data["reason"],
        ),
    )


def _reviewed(request, pk: int, act):
    """Run a review action; say what happened, or why it did not."""
    try:
        event = act()
    except review.ReviewConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("tensions:event", pk=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tensions:event", pk=pk)
    messages.success(request, f"Event {event.pk}: {event.get_review_state_display()}.")
    return redirect(event)


EVENTS_PAGE = 100  # rows of the events page; "Older events" goes on


@login_required
def events(request):
    """Events behind a figure: the filters the charts link with, latest first,
    a page at a time (`before`: the day and id the previous page ended on)."""
    rejected = request.GET.get("rejected") == "1"
    found = EventFilter(
        request.GET, Event.objects.visible(rejected=rejected).with_related()
    )
    filters = request.GET.copy()
    filters.pop("before", None)
    context = {
        "filter": found,
        "events": [],
        "rejected": rejected,
        "filters": filters.urlencode(),  # from the latest; and the exports'
    }
    position = _events_position(request.GET.get("before", ""))
    if found.is_valid() and position is not False:
        # Latest first as the API lists them (undated last): a walk of the
        # sort-day indexes that stops at the page, where "-day" sorted them all.
        rows = events_sorted(found.qs)
        if position:
            day, pk = position
            rows = rows.filter(Q(sort_day__lt=day) | Q(sort_day=day, pk__lt=pk))
        page = list(rows[: EVENTS_PAGE + 1])
        context["events"] = page[:EVENTS_PAGE]
        if len(page) > EVENTS_PAGE:
            last = page[EVENTS_PAGE - 1]
            query = request.GET.copy()
            query["before"] = f"{last.sort_day.isoformat()}_{last.pk}"
            context["older"] = query.urlencode()
        context["first_page"] = position is None
    elif position is False:
        context["position_error"] = "This page's position is not one the list made."
    return render(request, "tensions/events.html", context)


def _events_position(text: str) -> tuple[dt.date, int] | None | bool:
    """(day, id) from `before` ("2025-10-08_42"); None without one; False when
    it is not one the page wrote."""
    if not text:
        return None
    day, _, pk = text.partition("_")
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return False


@login_required
def pair(request, a: str, b: str):
    a, b = a.upper(), b.upper()
    countries = _country_names([a, b])
    if len(countries) != 2:
        raise Http404(f"Unknown country code in {a}–{b}.")
    period = (
        request.GET.get("period")
        if request.GET.get("period") in Period.values
        else Period.MONTH
    )
    directed = request.GET.get("directed") == "1"
    end = timezone.localdate()
    start = end - dt.timedelta(days={"day": 30, "week": 7 * 26, "month": 730}[period])
    series = relations.pair_series(
        a=a, b=b, period=period, start=start, end=end, directed=directed
    )
    context = {
        "a": a,
        "b": b,
        "names": countries,
        "period": period,
        "directed": directed,
        "periods": Period.choices,
        "chart": charts.index_chart(series, a=a, b=b, directed=directed),
        "series": list(reversed(series)),
        "spike": relations.is_spike([p.index for p in series]),
    }
    return render(request, "tensions/pair.html", context)


@login_required
def relations_map(request):
    span = request.GET.get("span") if request.GET.get("span") in MAP_SPANS else "365"
    end = timezone.localdate()
    start = end - dt.timedelta(days=int(span) - 1)
    days = int(span)
    period = Period.DAY if days <= 31 else Period.WEEK if days <= 120 else Period.MONTH
    drawn = relmap.relations_map(period=period, start=start, end=end)
    context = {
        "map": drawn,
        "span": span,
        "spans": MAP_SPANS.items(),
        "start": start,
        "end": end,
        "busiest": sorted(drawn.edges, key=lambda e: -e.events)[:15],
        "legend": _legend(),
    }
    return render(request, "tensions/map.html", context)


def favicon(request):
    """/favicon.ico, which browsers ask for on pages that link no icon (the
    browsable API, the admin, a JSON answer opened in a tab): the site's icon."""
    return redirect(static("img/tensions.svg"), permanent=True)


@login_required
def about(request):
    context = {
        "status_weights": relations.STATUS_WEIGHTS.items(),
        "damping": relations.DAMPING,
        "sigmas": relations.SPIKE_SIGMAS,
        "min_history": relations.SPIKE_MIN_HISTORY,
        "window": watchlists.SPIKE_HISTORY,
    }
    return render(request, "tensions/about.html", context)


@login_required
def watches(request):
    form = WatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        watchlists.watch_add(user=request.user, **form.cleaned_data)
        messages.success(request, "Now following it.")
        return redirect("tensions:watches")
    context = {"form": form, "watches": Watch.objects.filter(user=request.user)}
    return render(request, "tensions/watches.html", context)


@require_POST
@login_required
def watch_remove(request, pk: int):
    get_object_or_404(Watch, pk=pk, user=request.user).delete()
    messages.success(request, "No longer following it.")
    return redirect("tensions:watches")
