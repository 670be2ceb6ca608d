"""A wide timeline: when days are too narrow to draw apart, a mark stands for a
pair's events of one week or month, counted in the database (from the pairs'
maintained rows when no filter stands in the way, else from the events)."""

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from tensions import charts, relations, timeline, views
from tensions.display import intensity_colour
from tensions.extraction import taxonomy
from tensions.forms import TimelineForm
from tensions.models import DyadPeriod, Event
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db

TIMELINE = reverse("tensions:timeline")
FIRST, LAST = dt.date(2022, 1, 10), dt.date(2024, 12, 20)  # three years
WIDE = f"{TIMELINE}?countries=USA&countries=VEN&start={FIRST}&end={LAST}"


@pytest.fixture
def years():
    """USA–VEN events every 23 days over three years, of every status, both
    directions; one outside the window; one rejected."""
    day, n = FIRST, 0
    while day <= LAST:
        pair = ("USA", "VEN") if n % 3 else ("VEN", "USA")
        make_event(
            *pair,
            type=("ASSAULT", "AGREE", "THREATEN")[n % 3],
            status=taxonomy.STATUSES[n % 5],
            date=day,
        )
        day, n = day + dt.timedelta(days=23), n + 1
    make_event("USA", "VEN", date=FIRST - dt.timedelta(days=40))
    make_event("USA", "VEN", date=FIRST, review_state=Event.ReviewState.REJECTED)
    relations.relations_rebuild()
    return n


def _entries(response) -> list:
    (lane,) = response.context["timeline"].lanes
    return lane.events


def test_the_zoom_decides_whether_a_mark_holds_a_day_a_week_or_a_month():
    def period(days: int) -> str:
        start = dt.date(2024, 1, 1)
        return timeline.gather_period(start, start + dt.timedelta(days=days))

    widest_days = max(d for d in range(1, 3000) if period(d) == "day")
    widest_weeks = max(d for d in range(1, 3000) if period(d) == "week")
    scale = timeline.Scale(dt.date(2024, 1, 1), dt.date(2024, 1, 1))
    assert widest_days == int(scale._inner_width / timeline.DAY_MIN_WIDTH)
    assert period(widest_days + 1) == "week"
    assert widest_weeks == int(7 * scale._inner_width / timeline.WEEK_MIN_WIDTH)
    assert period(widest_weeks + 1) == "month"
    assert period(5 * 365) == "month" and period(90) == "day"


def test_a_wide_timeline_gathers_per_month_and_counts_every_event(
    analyst_client, years
):
    response = analyst_client.get(WIDE)
    built = response.context["timeline"]
    entries = _entries(response)
    assert built.period == "month"
    assert all(isinstance(e, timeline.Gathered) for e in entries)
    assert sum(e.count for e in entries) == years  # not the rejected, nor outside
    assert built.event_count == years
    assert entries[0].when == FIRST and entries[-1].last == LAST  # clipped
    assert all(e.when.month == e.last.month for e in entries)
    page = response.content.decode()
    assert page.count('class="period-mark mark-') == len(entries)
    assert "too close to draw apart" in page  # the legend says what they are


def test_each_month_mark_opens_exactly_its_events(analyst_client, years):
    (lane,) = analyst_client.get(WIDE).context["timeline"].lanes
    marks = lane.period_marks + list(lane.clusters)
    assert lane.period_marks
    for mark in lane.period_marks[:6]:
        query = parse_qs(urlparse(mark.href).query)
        assert "status" not in query  # every status: no filter
        first, last = query["day_from"][0], query["day_to"][0]
        listed = analyst_client.get(mark.href).context["events"]
        assert len(listed) == mark.count
        assert all(first <= e.day.isoformat() <= last for e in listed)
    assert sum(m.count for m in marks) == years  # none is lost in the layout


def test_a_filtered_wide_timeline_gathers_the_same_months_from_the_events(
    analyst_client, years
):
    unfiltered = _entries(analyst_client.get(WIDE))
    filtered = _entries(analyst_client.get(f"{WIDE}&min_confidence=0"))
    assert [(e.when, e.last, e.by_status) for e in filtered] == [
        (e.when, e.last, e.by_status) for e in unfiltered
    ]
    assert all(e.scores for e in unfiltered)  # from the pairs' rows: the index
    assert all("mean intensity" in e.balance_label for e in filtered)
    assert sum(e.conflict + e.cooperation for e in filtered) == years


def test_a_filter_narrows_the_months_counts(analyst_client, years):
    entries = _entries(analyst_client.get(f"{WIDE}&type=ASSAULT"))
    expected = Event.objects.filter(type="ASSAULT", day__gte=FIRST, day__lte=LAST)
    assert sum(e.count for e in entries) == expected.count()
    assert all(e.balance == -9.0 for e in entries)  # ASSAULT's intensity


def test_a_year_and_a_half_gathers_per_monday_to_sunday_week(analyst_client, years):
    start, end = dt.date(2023, 1, 4), dt.date(2024, 6, 30)
    response = analyst_client.get(
        f"{TIMELINE}?countries=USA&countries=VEN&start={start}&end={end}"
    )
    entries = _entries(response)
    assert response.context["timeline"].period == "week"
    for e in entries:  # a week from Monday to Sunday, cut by the window
        monday = e.when - dt.timedelta(days=e.when.weekday())
        assert e.when == max(monday, start)
        assert e.last == min(monday + dt.timedelta(days=6), end)
    in_window = Event.objects.visible().filter(day__gte=start, day__lte=end)
    assert sum(e.count for e in entries) == in_window.count()


def test_events_awaiting_the_refresh_of_their_pair_are_counted_from_the_events(
    analyst_client, years
):
    late = make_event("VEN", "USA", date=dt.date(2023, 6, 1))
    relations.cells_mark_stale(cells=relations.event_cells(late))
    entries = _entries(analyst_client.get(WIDE))
    assert sum(e.count for e in entries) == years + 1
    assert all(e.scores is None for e in entries)


def test_the_lane_says_its_index_when_its_months_come_from_the_pair_rows(
    analyst_client, years
):
    response = analyst_client.get(WIDE)
    (lane,) = response.context["timeline"].lanes
    assert lane.conflict_count is None and lane.index is not None
    assert f"tension index {lane.index_label}" in response.content.decode()


def test_the_pair_rows_are_tallied_per_month_with_the_cut_months_from_days(years):
    rows = DyadPeriod.objects.filter(
        source_id__in=["USA", "VEN"], target_id__in=["USA", "VEN"]
    )
    start, end = dt.date(2023, 2, 15), dt.date(2023, 5, 10)
    found = views._period_rows(views._sql_where(rows), "month", start, end)
    tallies = views._tallied(found, "month", start, end)
    assert [(t.when, t.last) for t in tallies] == [
        (dt.date(2023, 2, 15), dt.date(2023, 2, 28)),
        (dt.date(2023, 3, 1), dt.date(2023, 3, 31)),
        (dt.date(2023, 4, 1), dt.date(2023, 4, 30)),
        (dt.date(2023, 5, 1), dt.date(2023, 5, 10)),
    ][-len(tallies) :]
    for t in tallies:
        events = Event.objects.visible().filter(day__gte=t.when, day__lte=t.last)
        by_status = {}
        for status in events.values_list("status", flat=True):
            by_status[status] = by_status.get(status, 0) + 1
        assert dict(t.by_status) == by_status


def _pair_rows():
    rows = DyadPeriod.objects.filter(
        source_id__in=["USA", "VEN"], target_id__in=["USA", "VEN"]
    )
    return views._sql_where(rows)


def test_the_strips_come_from_the_tallied_rows_as_their_own_query_gives_them(
    years, django_assert_num_queries
):
    start, end = dt.date(2021, 6, 15), dt.date(2024, 12, 20)  # months, both
    found = views._period_rows(_pair_rows(), "month", start, end)
    strips = views._strips(found, "month", start, end)
    pairs = [("VEN", "USA")]
    with django_assert_num_queries(0):  # from the rows read for the marks
        drawn = strips(pairs, start, end)
    expected = charts.pairs_series(pairs, period="month", start=start, end=end)
    assert drawn == expected
    # every visible event, the one before the pair's first day too
    assert sum(p.events for p in drawn[("VEN", "USA")]) == years + 1


def test_the_strips_of_another_window_or_period_have_their_own_query(years):
    start, end = dt.date(2021, 6, 15), dt.date(2024, 12, 20)
    pairs = [("USA", "VEN")]
    for tallied_start, drawn_end in (
        (dt.date(2022, 1, 10), end),  # months for the marks, weeks for the strips
        (start, end - dt.timedelta(days=45)),  # months for both, another window
    ):
        found = views._period_rows(_pair_rows(), "month", tallied_start, end)
        strips = views._strips(found, "month", tallied_start, end)
        period = views._strip_period(tallied_start, drawn_end)
        expected = charts.pairs_series(
            pairs, period=period, start=tallied_start, end=drawn_end
        )
        assert strips(pairs, tallied_start, drawn_end) == expected


# The mark itself, on rows made here -------------------------------------------


def _gathered(by_status, balance=-4.0, **fields):
    return timeline.Gathered(
        fields.pop("when", dt.date(2024, 3, 1)),
        fields.pop("last", dt.date(2024, 3, 31)),
        "USA",
        "VEN",
        by_status,
        balance=balance,
        balance_label=f"mean intensity {balance:+.1f}",
        **fields,
    )


def _draw(entries):
    return timeline.build_timeline(
        entries,
        start=dt.date(2021, 1, 1),
        end=dt.date(2025, 12, 31),
        names={"USA": "United States", "VEN": "Venezuela"},
        events_href=lambda key, first, last, status=None: (
            f"/events/?pair={','.join(key)}&day_from={first}&day_to={last}"
        ),
        period="month",
    )


@pytest.mark.parametrize(
    ("by_status", "shown"),
    [
        ({"possible": 3, "occurred": 3, "denied": 1}, "occurred"),  # a tie: real
        ({"alleged": 4, "occurred": 1}, "alleged"),
        ({"denied": 2, "planned": 2}, "planned"),
    ],
)
def test_a_month_mark_takes_the_status_most_of_its_events_have(by_status, shown):
    built = _draw([_gathered(by_status)])
    (mark,) = built.lanes[0].period_marks
    assert mark.status == shown and mark.style == timeline.STATUS_STYLES[shown]
    assert mark.count == sum(by_status.values())
    drawn = str(timeline.svg(built))
    assert f'class="period-mark mark-{shown}"' in drawn
    assert f">{mark.count}</text>" in drawn


def test_a_month_mark_is_coloured_by_its_balance_and_says_what_it_holds():
    built = _draw([_gathered({"occurred": 12, "planned": 3}, balance=-6.5)])
    (mark,) = built.lanes[0].period_marks
    assert mark.colour == intensity_colour(-6.5)
    assert mark.title == (
        "15 events between United States – Venezuela, 1 Mar 2024 – 31 Mar 2024: "
        "12 occurred, 3 planned · mean intensity -6.5 · open to list them"
    )
    assert mark.href == "/events/?pair=USA,VEN&day_from=2024-03-01&day_to=2024-03-31"
    assert "rounded square" in str(timeline.svg(built))  # the description says


def test_month_marks_of_one_lane_never_overlap_and_large_counts_stay_short():
    months = [dt.date(2021 + m // 12, m % 12 + 1, 1) for m in range(60)]
    entries = [
        _gathered({"occurred": 1500 + m}, when=day, last=day + dt.timedelta(days=27))
        for m, day in enumerate(months)
    ]
    (lane,) = _draw(entries).lanes
    marks = lane.period_marks
    assert marks and all(m.label.endswith("k") and len(m.label) <= 4 for m in marks)
    for a in marks:
        for b in marks:
            if a is not b and a.y == b.y:
                assert abs(a.x - b.x) >= a.width  # side by side, not on top
    assert sum(m.count for m in marks) + sum(c.count for c in lane.clusters) == sum(
        e.count for e in entries
    )


@pytest.mark.parametrize(
    ("asked", "listed"),
    [
        ("", None),  # every status: the link filters none
        ("scope=actual", ["occurred", "denied"]),
        ("scope=actual&status=planned&status=denied", ["denied"]),
        ("status=planned&status=possible", ["planned", "possible"]),
    ],
)
def test_event_list_links_name_the_statuses_the_timeline_shows(asked, listed):
    form = TimelineForm(QueryDict(f"countries=USA,VEN&{asked}"), known=frozenset())
    assert form.is_valid(), form.errors
    query = views._events_query(form.cleaned_data)
    assert (query.get("status") or None) == listed


def test_each_event_list_link_names_its_own_pair_as_urlencode_would():
    href = views._events_href({"type": [], "status": ["occurred", "planned"]})
    days = {"day_from": "2024-01-01", "day_to": "2024-01-31"}
    pairs = (("USA", "VEN"), ("RUS", "VEN"), ("USA", "RUS"), ("USA", "VEN"))
    for key in pairs:  # codes in common, and a pair asked for again
        link = href(key, dt.date(2024, 1, 1), dt.date(2024, 1, 31))
        expected = urlencode({"pair": ",".join(key), **days})
        assert urlparse(link).query == f"{expected}&status=occurred&status=planned"


@pytest.fixture
def many_pairs():
    """Events between a dozen pairs, in numbers that tie and differ, over two
    years, some on the days that cut months; one rejected; then the pair rows."""
    import random

    rng = random.Random(3)
    codes = ["USA", "VEN", "RUS", "CHN", "COL", "BRA", "CUB", "IRN"]
    pairs = [tuple(rng.sample(codes, 2)) for _ in range(12)]
    for n, pair in enumerate(pairs):
        for k in range(1 + n % 5):
            day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(730))
            make_event(*(pair if k % 2 else pair[::-1]), date=day)
    make_event("CUB", "IRN", date=dt.date(2024, 2, 29))
    make_event("IRN", "CUB", date=dt.date(2024, 3, 1), review_state="rejected")
    relations.relations_rebuild()


def _counted(window) -> list:
    """The busiest pairs as counted from the events."""
    events = Event.objects.visible().interstate().filter(day__isnull=False)
    return views._busiest_pairs(events.filter(views._period_q(*window)), window, False)


@pytest.mark.parametrize(
    "window",
    [
        (None, None),
        (dt.date(2023, 3, 15), dt.date(2024, 2, 29)),  # months cut at both ends
        (dt.date(2024, 1, 1), None),
        (None, dt.date(2023, 6, 30)),
        (dt.date(2024, 2, 29), dt.date(2024, 3, 1)),  # two days
    ],
)
def test_the_busiest_pairs_from_the_pair_rows_are_those_the_events_give(
    many_pairs, window, django_assert_max_num_queries
):
    events = Event.objects.visible().interstate().filter(day__isnull=False)
    shown = events.filter(views._period_q(*window))
    with django_assert_max_num_queries(1):
        from_rows = views._busiest_pairs(shown, window, True)

    assert from_rows and from_rows == _counted(window)
    if window == (None, None):  # more pairs than lanes: a ranking, ties cut
        assert len(from_rows) == views.DEFAULT_PAIRS


def test_while_a_pair_row_awaits_its_refresh_the_events_are_counted(many_pairs):
    late = make_event("BRA", "CUB", date=dt.date(2024, 5, 5))
    for _ in range(5):  # enough to lead, in the events only
        make_event("BRA", "CUB", date=dt.date(2024, 5, 6))
    relations.cells_mark_stale(cells=relations.event_cells(late))
    window = (None, None)
    events = Event.objects.visible().interstate().filter(day__isnull=False)

    from_rows = views._busiest_pairs(events, window, True)

    assert from_rows[0] == ("BRA", "CUB") and from_rows == _counted(window)


@pytest.fixture
def month_edges(many_pairs):
    """Beyond many_pairs: pairs whose first event falls on a month's last day
    (a 31st, and February's 29th) and whose last falls on a month's first."""
    make_event("USA", "IRN", date=dt.date(2022, 1, 31))
    make_event("IRN", "USA", date=dt.date(2022, 2, 1))
    make_event("USA", "IRN", date=dt.date(2025, 6, 1))
    make_event("COL", "CUB", date=dt.date(2020, 2, 29))
    make_event("CUB", "COL", date=dt.date(2020, 3, 1), review_state="rejected")
    make_event("CUB", "COL", date=dt.date(2026, 4, 30))
    relations.relations_rebuild()


@pytest.mark.parametrize(
    "pairs",
    [
        Q(source="USA", target="IRN") | Q(source="IRN", target="USA"),
        Q(source="COL", target="CUB") | Q(source="CUB", target="COL"),
        Q(source="CUB") | Q(target="CUB"),  # a focus: every partner
        Q(source__in=["USA", "VEN", "RUS"], target__in=["USA", "VEN", "RUS"]),
    ],
)
@pytest.mark.parametrize(
    "window",
    [
        (None, None),
        (dt.date(2023, 3, 15), dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), dt.date(2024, 3, 1)),
    ],
)
def test_the_span_from_the_pair_rows_is_the_events_own(month_edges, pairs, window):
    ids = {"source": "source_id", "target": "target_id"}
    rows = DyadPeriod.objects.filter(_renamed(pairs, ids))
    countries = {"source": "source_country_id", "target": "target_country_id"}
    events = Event.objects.visible().interstate().filter(_renamed(pairs, countries))
    dated = events.filter(day__isnull=False).order_by("day")
    expected = (
        dated.first().day,
        dated.last().day,
        dated.filter(views._period_q(*window)).count(),
    )

    found = views._aggregate_span(views._sql_where(rows), pairs, window, counted=True)
    uncounted = views._aggregate_span(
        views._sql_where(rows), pairs, window, counted=False
    )

    assert found == expected
    assert uncounted == (*expected[:2], None)


def _renamed(q: Q, names: dict[str, str]) -> Q:
    """The same condition on other field names (source__in → source_id__in)."""
    renamed = Q(_connector=q.connector, _negated=q.negated)
    for child in q.children:
        if isinstance(child, Q):
            renamed.children.append(_renamed(child, names))
        else:
            field, _, lookup = child[0].partition("__")
            name = names[field] + (f"__{lookup}" if lookup else "")
            renamed.children.append((name, child[1]))
    return renamed


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_gathering_holds_on_postgres():
    assert_passes_on_postgres(__file__, but="test_the_gathering_holds_on_postgres")
