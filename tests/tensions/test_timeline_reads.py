"""What the timeline page reads: lane tables walked per pair, the country check
skipped for the picker's codes, and a fixed number of queries at any zoom."""

import datetime as dt

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from tensions import relations, views
from tensions.forms import TimelineForm
from tensions.models import Event
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

TIMELINE = reverse("tensions:timeline")
FIRST, LAST = dt.date(2022, 1, 10), dt.date(2024, 12, 20)  # three years: months


@pytest.fixture
def partners():
    """VEN with USA (every 9 days, both ways) and RUS (every 31 days) from
    FIRST to past LAST; some rejected; every type in turn."""
    day, n = FIRST, 0
    while day <= LAST + dt.timedelta(days=60):
        pair = ("USA", "VEN") if n % 2 else ("VEN", "USA")
        make_event(*pair, type=("ASSAULT", "AGREE", "THREATEN")[n % 3], date=day)
        if n % 7 == 0:
            make_event("VEN", "USA", date=day, review_state=Event.ReviewState.REJECTED)
        if n % 3 == 0:
            make_event("VEN", "RUS", type=("AGREE", "ASSAULT")[n % 2], date=day)
        day, n = day + dt.timedelta(days=9), n + 1
    relations.relations_rebuild()


def _latest(a: str, b: str, start=FIRST, **filters) -> list[int]:
    """The pair's latest 25 visible events in the window, in time order."""
    pair = Q(source_country_id=a, target_country_id=b)
    pair |= Q(source_country_id=b, target_country_id=a)
    found = (
        Event.objects.visible()
        .filter(pair, day__gte=start, day__lte=LAST, **filters)
        .order_by("-day", "-id")
        .values_list("pk", flat=True)[: views.LANE_TABLE_ROWS]
    )
    return list(found)[::-1]


def _tables(response) -> dict[tuple, list[int]]:
    built = response.context["timeline"]
    return {lane.key: [e.pk for e in lane.table_events] for lane in built.lanes}


def test_each_lane_lists_its_latest_events_up_to_the_window_end(
    analyst_client, partners
):
    response = analyst_client.get(f"{TIMELINE}?focus=VEN&start={FIRST}&end={LAST}")
    assert response.context["timeline"].period == "month"
    assert _tables(response) == {
        ("USA", "VEN"): _latest("USA", "VEN"),
        ("RUS", "VEN"): _latest("RUS", "VEN"),
    }
    page = response.content.decode()
    for pk in _latest("RUS", "VEN"):
        assert f'<tr data-event="{pk}">' in page


def test_a_filtered_lane_lists_only_the_events_the_filters_keep(
    analyst_client, partners
):
    response = analyst_client.get(
        f"{TIMELINE}?focus=VEN&start={FIRST}&end={LAST}&type=ASSAULT"
    )
    tables = _tables(response)
    assert tables[("USA", "VEN")] == _latest("USA", "VEN", type="ASSAULT")
    assert tables[("RUS", "VEN")] == _latest("RUS", "VEN", type="ASSAULT")


def test_a_lane_lists_only_the_events_a_publisher_reported(analyst_client, partners):
    reported = Event.objects.filter(target_country_id="RUS").order_by("day")[:2]
    article = make_article("Report\n\nIt happened.", publisher="Tass")
    for event in reported:
        make_mention(event, article, "It happened.")
    response = analyst_client.get(
        f"{TIMELINE}?focus=VEN&start={FIRST}&end={LAST}&publisher=tass"
    )
    assert _tables(response) == {("RUS", "VEN"): [e.pk for e in reported]}


def test_a_lane_gathered_per_day_lists_its_latest_events(
    analyst_client, partners, monkeypatch
):
    monkeypatch.setattr(views, "TIMELINE_MAX_EVENTS", 10)  # gathered per day
    start = LAST - dt.timedelta(days=300)
    response = analyst_client.get(
        f"{TIMELINE}?countries=USA&countries=VEN&start={start}&end={LAST}"
    )
    (lane,) = response.context["timeline"].lanes
    assert response.context["timeline"].period == "day"
    assert lane.day_clusters or lane.marks
    assert [e.pk for e in lane.table_events] == _latest("USA", "VEN", start)


@pytest.mark.parametrize(
    "window",
    [
        (None, None),
        (FIRST, None),
        (None, LAST),
        (FIRST, LAST),
        (LAST - dt.timedelta(days=20), LAST + dt.timedelta(days=30)),
    ],
)
def test_lane_tables_without_filters_are_those_of_the_general_statement(
    partners, window
):
    make_event("CHN", "VEN", date=None)  # undated: never in a lane
    make_event("VEN", "USA", date=LAST, review_state=Event.ReviewState.REJECTED)
    dated = views._dated(Event.objects.visible().interstate())
    shown = dated.filter(views._period_q(*window))
    pairs = [("USA", "VEN"), ("RUS", "VEN"), ("CHN", "VEN")]  # the last: undated

    general = views._latest_per_pair(shown, pairs, window[1] or dt.date.max)
    plain = views._latest_plain(pairs, window)

    assert plain == general
    assert set(plain) == {("USA", "VEN"), ("RUS", "VEN")}


def test_a_wide_timeline_costs_a_fixed_number_of_queries(
    analyst_client, partners, django_assert_max_num_queries
):
    # session, user, its role (the menu), picker, span, months, lane tables
    # (however many lanes), index strips
    with django_assert_max_num_queries(8):
        response = analyst_client.get(f"{TIMELINE}?focus=VEN&start={FIRST}&end={LAST}")
    assert len(response.context["timeline"].lanes) == 2


def test_the_codes_the_picker_lists_need_no_look_up(django_assert_num_queries):
    query = QueryDict("countries=VEN&countries=usa&focus=ven")
    form = TimelineForm(query, known=frozenset({"VEN", "USA"}))
    with django_assert_num_queries(0):
        assert form.is_valid()


def test_a_code_the_picker_does_not_list_is_still_looked_up():
    query = QueryDict("countries=VEN,RUS,XYZ")
    form = TimelineForm(query, known=frozenset({"VEN"}))
    assert not form.is_valid()  # RUS exists (no events yet), XYZ does not
    assert form.errors["countries"] == ["Unknown country code: XYZ (use ISO alpha-3)."]


def test_the_page_is_the_same_once_its_statements_are_kept_prepared(
    analyst_client, partners
):
    # from the sixth run PostgreSQL may keep a generic plan of a prepared
    # statement (the picker, the span, the index strips): a page, the same
    views = [f"focus=VEN&start={FIRST}&end={LAST}", "countries=USA,VEN", "focus=RUS"]
    first = {view: analyst_client.get(f"{TIMELINE}?{view}") for view in views}
    for _ in range(7):
        for view in views:
            response = analyst_client.get(f"{TIMELINE}?{view}")
            assert _drawn(response) == _drawn(first[view])


def _drawn(response) -> str:
    page = response.content.decode()
    return page[page.index("<h1>Timeline</h1>") :]


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_reads_hold_on_postgres():
    assert_passes_on_postgres(__file__, but="test_the_reads_hold_on_postgres")
