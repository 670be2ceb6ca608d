"""The dashboard: home, timeline, country and event pages (read-only)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import quote_plus, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    Max,
    Min,
    Prefetch,
    Q,
    Sum,
    When,
)
from django.db.models.functions import Greatest, Least, TruncMonth, TruncWeek
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles import summary
from tensions import (
    charts,
    corroboration,
    dataversion,
    display,
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
    Actor,
    Country,
    DyadPeriod,
    Event,
    Mention,
    Period,
    Revision,
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


def _newest(events):
    """The events recorded last (an index walk, where "by day" would sort them all)."""
    return events.order_by("-created_at", "-id")


def _latest_first(events):
    return _dated(events).order_by("-day", "-id")


def _table_rows(events):
    """With what a table's rows read besides the event (templatetags/events.py:
    the target, named when `what` is empty): PostgreSQL plans a join of four
    tables in about 2 ms, of two in a fifth of that."""
    return events.select_related("target_actor", "target_country")


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
    between countries: orderings and a sum of one list of this month's pairs
    (relations.pairs_compare, from the maintained DyadPeriod rows)."""
    month = relations.period_start(timezone.localdate(), Period.MONTH)
    scores = relations.pairs_compare(period=Period.MONTH, start=month)
    tense, moved = relations.most_tense(scores), relations.largest_change(scores)
    active = relations.most_active(scores)
    names = _country_names(c for s in [*tense, *moved, *active] for c in (s.a, s.b))
    rankings = _rankings(tense, moved, names, month, latest_month)
    return {
        "rankings": render_to_string("tensions/_home_rankings.html", rankings),
        "active_pairs": [{"score": s, "label": _pair_label(s, names)} for s in active],
        "month": month,
        "month_events": sum(s.events for s in scores),
    }


def _pair_label(score, names: dict[str, str]) -> str:
    return f"{names.get(score.a, score.a)} – {names.get(score.b, score.b)}"


def _home_events(ranked: dict, can_upload: bool) -> str:
    latest = {
        "latest_events": list(_newest(_table_rows(Event.objects.visible()))[:10]),
        "active_pairs": ranked["active_pairs"],
        "month": ranked["month"],
        "can_upload": can_upload,
    }
    return render_to_string("tensions/_home_latest.html", latest)


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
    tense: list, moved: list, names: dict, start: dt.date, latest_month
) -> dict:
    """Most tense pairs and largest changes this month (two orders of the
    month's scores), each with a sparkline of its recent weeks; the spikes
    among them; the month of the latest events (`latest_month`) when this one
    has none."""
    today = timezone.localdate()
    series = charts.pairs_series(
        list({(s.a, s.b) for s in [*tense, *moved]}),
        period=watchlists.SPIKE_PERIOD,
        start=today - dt.timedelta(weeks=watchlists.SPIKE_HISTORY),
        end=today,
    )

    def rows(ranked):
        return [
            {
                "score": s,
                "label": _pair_label(s, names),
                "spark": charts.sparkline(series[s.a, s.b]),
                "spike": relations.is_spike([p.index for p in series[s.a, s.b]]),
            }
            for s in ranked
        ]

    ranked = {"most_tense": rows(tense), "largest_change": rows(moved)}
    spikes = {r["label"]: r for r in [*ranked["most_tense"], *ranked["largest_change"]]}
    return {
        "month": start,
        "latest_month": None if tense else latest_month,
        "spike_weeks": watchlists.SPIKE_HISTORY,
        **ranked,
        "spikes": [r for r in spikes.values() if r["spike"]],
    }


def _latest_month() -> dt.date | None:
    """The month of the newest event between countries, when this month has
    none (an analyst reading older material is pointed to it)."""
    newest = (
        _latest_first(Event.objects.visible().interstate())
        .values_list("day", flat=True)
        .first()
    )
    return newest and relations.period_start(newest, Period.MONTH)


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
    return dict(Country.objects.filter(code__in=set(codes)).values_list("code", "name"))


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
    form = TimelineForm(query)
    choices = _countries_with_events()
    context = {"form": form, "choices": choices, "legend": _legend()}
    context["filters_open"] = any(query.get(name) for name in MORE_FILTERS)
    context.update(_picked(form, {code for code, _ in choices}))
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
    events = Event.objects.visible(rejected=data["rejected"]).interstate()
    events = form.filter(_dated(events))
    pairs = _pairs_shown(events.filter(period), countries, focus)
    events = events.filter(pairs("source_country_id", "target_country_id"))
    span, unit, placed, tables = _timeline_rows(
        events, (start, end), pairs if _aggregates_answer(data) else None
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
        details=lambda pks: Event.objects.with_related().in_bulk(pks),
        tables=tables,
        events_href=_events_href(_events_query(data)),
        index_href=lambda key, point: charts.events_url(
            point, a=key[0], b=key[1], directed=False
        ),
        index_series=_index_series,
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


def _timeline_rows(events, window: tuple, pairs: Callable | None):
    """The whole span of `events` (for the overview); what a mark stands for
    at most (see timeline.gather_period); and the events in the window as the
    layout's rows, with a query for the lanes' tables when they are gathered.

    The span, and the marks of a week or a month, come from the pairs'
    maintained DyadPeriod rows when those can answer (`pairs`: no filter but
    the pairs and the dates, and no row awaiting its refresh); else from the
    events."""
    period = _period_q(*window)
    found = _aggregate_span(pairs, window) if pairs else None
    if found is None:
        pairs = None
        found = events.aggregate(
            first=Min("day"),
            last=Max("day"),
            shown=Count("id", filter=period) if period else Count("id"),
        ).values()
    first, last, count = found
    start, end = window[0] or first, window[1] or last
    unit = gather_period(start, end) if start and end else Period.DAY
    shown = events.filter(period).order_by("day", "id")
    if unit == Period.DAY:
        placed, tables = _placed(shown, gather=count > TIMELINE_MAX_EVENTS)
        return (first, last), unit, placed, tables
    if pairs:
        placed = _tallied(pairs("source_id", "target_id"), unit, start, end)
    else:
        placed = _gathered_per_period(shown, unit, start, end)
    return (first, last), unit, placed, _tables(shown, placed)


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


def _aggregate_span(pairs: Callable, window: tuple) -> tuple | None:
    """(first, last, events in the window) from the pairs' DyadPeriod rows, or
    None when they have none or some await their refresh."""
    within = Q()
    for name, day in zip(("start__gte", "start__lte"), window, strict=True):
        within &= Q(**{name: day}) if day else Q()
    return relations.pairs_span(
        pairs("source_id", "target_id"), within, pairs("source", "target")
    )


def _tallied(rows: Q, unit: str, start: dt.date, end: dt.date) -> list[Gathered]:
    """Per pair and week or month, from the pairs' DyadPeriod rows: coloured
    by the tension index (their only figure of conflict and cooperation)."""
    gathered = []
    for t in relations.pairs_tallies(rows, period=unit, start=start, end=end):
        index = relations.tension_index(t.conflict, t.cooperation)
        gathered.append(
            Gathered(
                *(t.first, t.last, t.a, t.b, t.by_status),
                balance=-index / 10,
                balance_label=f"tension index {index:+.0f}",
                scores=(t.conflict, t.cooperation),
            )
        )
    return gathered


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
        sums = found.setdefault((a, b, _as_date(first)), [{}, 0.0, 0, 0])
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


def _as_date(value) -> dt.date:
    """A truncated day as a date (a datetime on some databases)."""
    return value.date() if isinstance(value, dt.datetime) else value


_PAIR = {
    "a": Least("source_country_id", "target_country_id"),
    "b": Greatest("source_country_id", "target_country_id"),
}


def _placed(shown, *, gather: bool) -> tuple[list[Placed], Callable | None]:
    """Light rows, one per event (only those drawn or listed are then loaded in
    full); or, to `gather` many, one per pair, day and status, counted in the
    database, with a query for each lane's latest events (its table)."""
    if not gather:
        return [Placed(*row) for row in shown.values_list(*PLACED_FIELDS)], None
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
    placed = [Placed(*row) for row in groups[: TIMELINE_MAX_GROUPS + 1]]
    return placed, _tables(shown, placed)


def _tables(shown, groups: list) -> Callable:
    return lambda pairs: _latest_per_pair(shown, groups, pairs)


def _latest_per_pair(shown, groups: list, pairs) -> dict[tuple, list]:
    """Each pair's latest events (light rows, in time order), in one query: the
    groups say from which day on each pair has enough of them."""
    since: dict[tuple, dt.date] = {}
    counted: dict[tuple, int] = defaultdict(int)
    for group in sorted(groups, key=lambda g: g.when, reverse=True):
        key = timeline_layout.pair_key(group)
        if counted[key] < LANE_TABLE_ROWS:
            counted[key] += group.count
            since[key] = group.when
    wanted = Q(pk__in=[])
    for a, b in pairs:
        if (a, b) in since:
            both = Q(source_country_id=a, target_country_id=b)
            both |= Q(source_country_id=b, target_country_id=a)
            wanted |= both & Q(day__gte=since[a, b])
    tables: dict[tuple, list] = defaultdict(list)
    for row in shown.filter(wanted).values_list(*PLACED_FIELDS):
        event = Placed(*row)
        tables[timeline_layout.pair_key(event)].append(event)
    return {key: found[-LANE_TABLE_ROWS:] for key, found in tables.items()}


def _index_series(pairs, start: dt.date, end: dt.date):
    """The index under the lanes, per day, week or month as the window allows."""
    days = (end - start).days
    period = (
        Period.DAY if days <= 120 else Period.WEEK if days <= 3 * 366 else Period.MONTH
    )
    return charts.pairs_series(pairs, period=period, start=start, end=end)


def _events_query(data) -> dict:
    """The timeline's filters as the events page (tensions:events) reads them."""
    statuses = data["status"] or [s for s, _ in Event.Status.choices]
    if data["scope"] == "actual":
        statuses = [s for s in statuses if s in TimelineForm.ACTUAL]
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

    def href(key, first: dt.date, last: dt.date, status: str | None = None) -> str:
        # urlencode() of the same three items, written out: ISO dates need no
        # quoting, and a page writes hundreds of these
        pair = quote_plus(",".join(key))
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
    nav = {name: _with_dates(query, *dates) for name, dates in moves.items()}
    nav["everything"] = _with_dates(query, None, None)
    overview = timeline_layout.overview(span, window) if span[0] else None
    return {"nav": nav, "overview": overview, "bookmark": _with_dates(query, *window)}


def _with_dates(query, start, end) -> str:
    changed = query.copy()
    for name, value in (("start", start), ("end", end)):
        if value:
            changed[name] = value.isoformat()
        else:
            changed.pop(name, None)
    return f"{reverse('tensions:timeline')}?{changed.urlencode()}"


def _period_q(start, end) -> Q:
    period = Q()
    if start:
        period &= Q(day__gte=start)
    if end:
        period &= Q(day__lte=end)
    return period


def _pairs_shown(events, countries: list[str], focus: str | None) -> Callable:
    """Focus against its partners (among `countries` if given); else pairs among
    `countries`; else the busiest pairs of `events`: as a Q on the fields named
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
    busiest = [(r["a"], r["b"]) for r in _pair_counts(events)[:DEFAULT_PAIRS]]

    def pairs(source: str, target: str) -> Q:
        shown = Q(pk__in=[])
        for a, b in busiest:
            shown |= Q(**{source: a, target: b}) | Q(**{source: b, target: a})
        return shown

    return pairs


def _countries_with_events() -> list[tuple[str, str]]:
    """(code, name) of the countries in events, for the picker, by name. Each
    side's codes are walked as a skip scan of its index (the next code above
    the last one found: one probe per country that has events), where a probe
    per country of the table cost three times as much. Not EXISTS: with
    statistics, PostgreSQL answers it with a scan of the events per country,
    and each country without events costs a whole scan."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTRIES_WITH_EVENTS, [Event.ReviewState.REJECTED] * 2)
        return cursor.fetchall()


def _next_code(column: str, other: str) -> str:
    """The SQL for the smallest `column` above `code` among visible events
    between countries."""
    return (
        f"SELECT MIN({column}) FROM tensions_event WHERE {column} > code "
        f"AND {other} IS NOT NULL AND review_state <> %s"
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


def _legend() -> dict:
    return {
        "intensities": [
            (i * 10, display.intensity_colour(value))
            for i, value in enumerate(LEGEND_INTENSITIES)
        ],
        "scale_width": 10 * len(LEGEND_INTENSITIES),
        "statuses": list(STATUS_STYLES.items()),
    }


@login_required
def country(request, code: str):
    country = get_object_or_404(Country, code=code.upper())
    content = _cached(
        f"country-page:{country.code}",
        lambda: render_to_string("tensions/_country.html", _country_page(country)),
    )
    context = {"country": country, "content": content}
    return render(request, "tensions/country.html", context)


def _country_page(country: Country) -> dict:
    events = Event.objects.visible().for_country(country.code)
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
        "recent_events": _latest_first(_table_rows(events))[:20],
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
    totals, recent = _partner_sums(code, first, last)
    rows = [
        {"partner_code": partner, "n": n, "all_time": relations.tension_index(c, k)}
        for partner, (n, c, k) in totals.items()
    ]
    rows.sort(key=lambda row: (-row["n"], row["partner_code"]))
    names = _country_names(row["partner_code"] for row in rows)
    # reversed once, not twice per row
    pair_href = reverse("tensions:pair", args=[code, "000"]).replace("000", "{}")
    timeline = reverse("tensions:timeline")
    for row in rows:
        partner = row["partner_code"]
        found = recent.get(partner, {})
        cells = [found.get(month, (0, 0.0, 0.0)) for month in months]
        row["name"] = names.get(partner, partner)
        row["recent"] = sum(n for n, _, _ in cells)
        row["index"] = relations.tension_index(
            sum(c for _, c, _ in cells), sum(k for _, _, k in cells)
        )
        # the indexes straight from the sums: a dozen Points per partner cost
        # more than the rest of the row
        row["spark"] = charts.sparkline_of(
            [relations.tension_index(c, k) for _, c, k in cells]
        )
        row["pair_href"] = pair_href.format(partner)
        row["timeline_href"] = f"{timeline}?countries={code}&countries={partner}"
    rows.sort(key=lambda r: (not r["recent"], -r["index"], -r["n"]))
    return rows


def _partner_sums(code: str, first: dt.date, last: dt.date) -> tuple[dict, dict]:
    """The country's month rows up to `last`, summed in the database per
    partner and month from `first` on, and per partner before: ([events,
    conflict, cooperation] of all time per partner, and per partner and
    recent month)."""
    partner = Case(When(source_id=code, then=F("target_id")), default=F("source_id"))
    recent = Case(When(start__gte=first, then=F("start")), default=None)
    rows = (
        DyadPeriod.objects.filter(
            Q(source_id=code) | Q(target_id=code), period=Period.MONTH, start__lte=last
        )
        .values(partner=partner, month=recent)
        .annotate(n=Sum("events"), c=Sum("conflict"), k=Sum("cooperation"))
        .order_by()
        .values_list("partner", "month", "n", "c", "k")
    )
    totals: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    months: dict[str, dict] = defaultdict(dict)
    for other, month, *cell in rows:
        total = totals[other]
        for i, value in enumerate(cell):
            total[i] += value
        if month is not None:
            months[other][_as_date(month)] = cell
    return totals, months


def _actors_seen(code: str):
    return (
        Actor.objects.filter(country_id=code)
        .exclude(kind=Actor.Kind.STATE)
        .annotate(
            as_source=Count("events_as_source", distinct=True),
            as_target=Count("events_as_target", distinct=True),
        )
        .filter(Q(as_source__gt=0) | Q(as_target__gt=0))
        .order_by("-as_source", "name")
    )


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
