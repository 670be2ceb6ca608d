"""The dashboard's filters, zoom and pan, index strips, map, sparklines, and the
query budget of every page."""

import datetime as dt
import random
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from tensions import relations, views
from tensions.extraction import taxonomy
from tensions.models import Event, Watch
from tests.tensions.factories import make_actor, make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

TIMELINE = reverse("tensions:timeline")


def _lane_events(response) -> set[int]:
    return {e.pk for lane in response.context["timeline"].lanes for e in lane.events}


@pytest.fixture
def mixed():
    """VEN–RUS events of every status, two reviewed, one rejected, one sourced."""
    day = dt.date(2025, 3, 1)
    events = {
        status: make_event(
            "VEN", "RUS", status=status, date=day + dt.timedelta(days=3 * i)
        )
        for i, status in enumerate(taxonomy.STATUSES)
    }
    events["strike"] = make_event(
        "USA", "VEN", type="ASSAULT", date=day, confidence=0.9
    )
    events["rejected"] = make_event(
        "VEN", "RUS", date=day, review_state=Event.ReviewState.REJECTED
    )
    Event.objects.filter(pk=events["planned"].pk).update(review_state="confirmed")
    article = make_article("Report\n\nRussia planned it.", publisher="Tass")
    make_mention(events["planned"], article, "Russia planned it.")
    return events


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("scope=actual", {"occurred", "denied", "strike"}),
        ("scope=all", {*taxonomy.STATUSES, "strike"}),
        ("status=possible&status=alleged", {"possible", "alleged"}),
        ("type=ASSAULT", {"strike"}),
        ("min_confidence=0.8", {"strike"}),
        ("reviewed=on", {"planned"}),
        ("publisher=tass", {"planned"}),
        ("rejected=on&status=occurred", {"occurred", "rejected", "strike"}),
    ],
)
def test_the_timeline_filters_say_which_events_are_drawn(
    analyst_client, mixed, query, expected
):
    response = analyst_client.get(f"{TIMELINE}?focus=VEN&{query}")
    assert response.status_code == 200
    assert _lane_events(response) == {mixed[name].pk for name in expected}


def test_rejected_events_are_hidden_unless_asked_for(analyst_client, mixed):
    hidden = analyst_client.get(f"{TIMELINE}?focus=VEN")
    assert mixed["rejected"].pk not in _lane_events(hidden)
    assert 'name="rejected" value="on" id="id_rejected">' in hidden.content.decode()
    shown = analyst_client.get(f"{TIMELINE}?focus=VEN&rejected=on")
    assert mixed["rejected"].pk in _lane_events(shown)
    assert (
        "checked"
        in re.search(
            r'<input[^>]*id="id_rejected"[^>]*>', shown.content.decode()
        ).group()
    )


def test_zoom_and_pan_links_keep_the_filters_and_move_the_dates(analyst_client):
    make_event("VEN", "RUS", date=dt.date(2025, 1, 1))
    make_event("VEN", "RUS", date=dt.date(2025, 12, 31))
    query = "focus=VEN&scope=actual&start=2025-03-01&end=2025-05-01"
    nav = analyst_client.get(f"{TIMELINE}?{query}").context["nav"]

    def dates(name):
        state = parse_qs(urlparse(nav[name]).query)
        assert state["focus"] == ["VEN"] and state["scope"] == ["actual"], name
        return state.get("start", [None])[0], state.get("end", [None])[0]

    # a window of 61 days: panned by 30, halved to 30, doubled to 122
    assert dates("earlier") == ("2025-01-30", "2025-04-01")
    assert dates("later") == ("2025-03-31", "2025-05-31")
    assert dates("zoom_in") == ("2025-03-16", "2025-04-15")
    assert dates("zoom_out") == ("2025-01-29", "2025-05-31")
    assert dates("everything") == (None, None)


def test_the_overview_shows_the_window_inside_the_whole_span(analyst_client):
    make_event("VEN", "RUS", date=dt.date(2024, 1, 1))
    make_event("VEN", "RUS", date=dt.date(2025, 12, 31))
    response = analyst_client.get(f"{TIMELINE}?focus=VEN&start=2025-01-01")
    overview = response.context["overview"]
    assert overview.start == dt.date(2024, 1, 1)
    assert overview.end == dt.date(2025, 12, 31)
    middle = (overview.plot_left + overview.plot_right) / 2
    assert overview.window_left == pytest.approx(middle, abs=5)
    page = response.content.decode()
    assert 'class="timeline-overview"' in page and 'data-start="2024-01-01"' in page
    assert 'data-key="ArrowLeft"' in page and 'data-key="+"' in page


def test_each_lane_has_its_tension_index_linking_to_the_events(analyst_client):
    for day in (1, 8):
        make_event("USA", "VEN", type="ASSAULT", date=dt.date(2025, 6, day))
    make_event("VEN", "RUS", type="AGREE", date=dt.date(2025, 6, 3))
    relations.relations_rebuild()
    response = analyst_client.get(
        f"{TIMELINE}?focus=VEN&start=2025-05-20&end=2025-06-20"
    )
    lanes = {lane.key: lane for lane in response.context["timeline"].lanes}
    tense, friendly = lanes["USA", "VEN"], lanes["RUS", "VEN"]
    assert len(tense.index_cells) == 2  # one per day with events: days when <=120
    assert all("Tension index +" in c.title for c in tense.index_cells)
    assert "Tension index -" in friendly.index_cells[0].title
    assert tense.index_y > max(m.y for m in tense.marks)
    href = tense.index_cells[0].href
    assert "pair=USA%2CVEN" in href and "day_from=2025-06-01" in href
    listed = analyst_client.get(href).context["events"]
    assert [e.date for e in listed] == [dt.date(2025, 6, 1)]


def test_a_same_day_cluster_opens_the_events_of_that_day(analyst_client):
    day = dt.date(2025, 6, 1)
    same_day = [make_event("VEN", "RUS", date=day) for _ in range(2)]
    make_event("VEN", "RUS", date=day, status="possible")  # its own mark
    make_event("VEN", "RUS", date=day, type="AGREE")  # filtered out
    make_event("VEN", "RUS", date=dt.date(2025, 6, 20))
    response = analyst_client.get(f"{TIMELINE}?focus=VEN&type=REQUEST")
    lane = response.context["timeline"].lanes[0]
    (cluster,) = lane.day_clusters
    assert (cluster.count, cluster.status) == (2, "occurred")
    assert [m.status for m in lane.marks] == ["possible", "occurred"]
    escaped = cluster.href.replace("&", "&amp;")
    assert f'href="{escaped}" class="day-cluster mark-occurred"' in (
        response.content.decode()
    )
    listed = analyst_client.get(cluster.href).context["events"]
    assert {e.pk for e in listed} == {e.pk for e in same_day}


def test_a_lane_table_lists_the_latest_events_and_links_to_all(analyst_client):
    for day in range(1, 31):
        make_event("VEN", "RUS", date=dt.date(2025, 6, day))
    response = analyst_client.get(f"{TIMELINE}?focus=VEN&scope=actual")
    (lane,) = response.context["timeline"].lanes
    assert len(lane.table_events) == 25
    assert lane.table_events[-1].date == dt.date(2025, 6, 30)
    page = response.content.decode()
    assert "All 30 events of Venezuela – Russia in this view" in page
    listed = analyst_client.get(lane.events_href).context["events"]
    assert len(listed) == 30


def test_past_the_event_limit_same_day_events_are_counted_in_the_database(
    analyst_client, monkeypatch
):
    start = dt.date(2025, 6, 1)
    for n in range(40):  # same days, several statuses, both directions, 3 pairs
        pair = [("VEN", "RUS"), ("RUS", "VEN"), ("USA", "VEN")][n % 3]
        make_event(
            *pair,
            type=("ASSAULT", "AGREE", "REQUEST")[n % 3],
            status=taxonomy.STATUSES[n % 4 // 2],
            date=start + dt.timedelta(days=n % 7),
        )
    url = f"{TIMELINE}?focus=VEN"

    def drawn(response):
        return [
            (
                lane.key,
                lane.event_count,
                lane.conflict_count,
                lane.cooperation_count,
                [(m.event_id, m.x, m.y, m.title) for m in lane.marks],
                [(c.x, c.y, c.count, c.colour, c.href) for c in lane.day_clusters],
                [(e.pk, e.type) for e in lane.table_events],
            )
            for lane in response.context["timeline"].lanes
        ]

    one_by_one = analyst_client.get(url)
    monkeypatch.setattr(views, "TIMELINE_MAX_EVENTS", 10)
    gathered = analyst_client.get(url)
    assert drawn(gathered) == drawn(one_by_one)
    assert sum(lane[1] for lane in drawn(gathered)) == 40
    assert any(lane.day_clusters for lane in gathered.context["timeline"].lanes)
    page = gathered.content.decode()
    assert "open to list them" in page  # named on the page the cluster opens
    assert "Too many events" not in page


def test_the_map_draws_countries_and_pairs_linked_to_their_timelines(analyst_client):
    today = timezone.localdate()
    for _ in range(3):
        make_event("USA", "VEN", type="ASSAULT", date=today)
    make_event("VEN", "RUS", type="AGREE", date=today)
    make_event("CHN", "RUS", type="AGREE", date=today - dt.timedelta(days=200))
    relations.relations_rebuild()
    response = analyst_client.get(reverse("tensions:map") + "?span=90")
    drawn = response.context["map"]
    assert sorted(n.code for n in drawn.nodes) == ["RUS", "USA", "VEN"]
    edges = {(e.a, e.b): e for e in drawn.edges}
    assert set(edges) == {("USA", "VEN"), ("RUS", "VEN")}
    assert edges["USA", "VEN"].index > 0 > edges["RUS", "VEN"].index
    assert edges["USA", "VEN"].width > edges["RUS", "VEN"].width
    assert edges["USA", "VEN"].href.startswith(
        TIMELINE + "?countries=USA&countries=VEN"
    )
    page = response.content.decode()
    assert f'href="{reverse("tensions:map")}" aria-current="page"' in page
    wide = analyst_client.get(reverse("tensions:map") + "?span=365").context["map"]
    assert "CHN" in {n.code for n in wide.nodes}


def test_the_map_layout_does_not_depend_on_the_order_rows_come_in():
    from tensions.relmap import circle_order

    rows = [
        {"a": "RUS", "b": "VEN", "n": 5},
        {"a": "USA", "b": "VEN", "n": 9},
        {"a": "CHN", "b": "RUS", "n": 4},
        {"a": "CHN", "b": "USA", "n": 1},
    ]
    order = circle_order(rows)
    assert order == circle_order(list(reversed(rows)))
    assert order[0] == "VEN"  # busiest first
    assert order[1] == "USA"  # then its strongest tie


def test_the_country_page_ranks_partners_by_tension_with_sparklines(analyst_client):
    today = timezone.localdate()
    make_event("USA", "VEN", type="ASSAULT", date=today)
    for _ in range(3):
        make_event("VEN", "RUS", type="AGREE", date=today)
    make_event("VEN", "CHN", type="AGREE", date=dt.date(2015, 1, 1))  # long ago
    relations.relations_rebuild()
    response = analyst_client.get(reverse("tensions:country", args=["VEN"]))
    partners = response.context["partners"]
    assert [p["partner_code"] for p in partners] == ["USA", "RUS", "CHN"]
    assert partners[0]["index"] > 0 > partners[1]["index"]
    assert partners[2]["recent"] == 0
    assert response.content.decode().count('class="sparkline"') == 3


def _months_walked(found: dict, months: list) -> tuple:
    """A partner's months as the country page first summed them: every month
    in turn, nothing added for those without events."""
    events, conflict, cooperation, indexes = 0, 0.0, 0.0, []
    for month in months:
        n, c, k = found.get(month, (0, 0.0, 0.0))
        events, conflict, cooperation = events + n, conflict + c, cooperation + k
        indexes.append(relations.tension_index(c, k))
    return events, conflict, cooperation, indexes


@pytest.mark.parametrize("seed", range(5))
def test_a_partners_months_sum_as_every_month_walked_in_turn(seed):
    rng = random.Random(seed)
    months = [dt.date(2025 + (11 + i) // 12, (11 + i) % 12 + 1, 1) for i in range(12)]
    for _ in range(200):
        found = {  # in no order, as the database groups them
            month: (rng.randrange(1, 50), rng.uniform(0, 99), rng.uniform(0, 99))
            for month in rng.sample(months, rng.randrange(13))
        }
        assert views._partner_months(found, months) == _months_walked(found, months)


def test_home_shows_sparklines_spikes_and_the_latest_failures(analyst_client):
    today = timezone.localdate()
    week = relations.period_start(today, "week")
    for weeks_ago in range(1, 9):  # calm weeks of cooperation
        make_event(
            "USA", "VEN", type="AGREE", date=week - dt.timedelta(weeks=weeks_ago)
        )
    for _ in range(4):
        make_event("USA", "VEN", type="ASSAULT", date=week)
    relations.relations_rebuild()
    make_article(status="failed", title="Broken upload", error="no text layer")
    response = analyst_client.get(reverse("tensions:home"))
    page = response.content.decode()
    assert [r["label"] for r in response.context["spikes"]] == [
        "United States – Venezuela"
    ]
    assert 'class="sparkline"' in page
    assert "Broken upload" in page and "no text layer" in page


def test_home_points_to_the_latest_month_when_this_one_has_no_events(
    analyst_client,
):
    analyst_client.get(reverse("tensions:home"))  # its rankings cached, empty
    make_event("USA", "VEN", type="ASSAULT", date=dt.date(2025, 10, 30))
    make_event("VEN", "RUS", date=dt.date(2025, 10, 12))
    relations.relations_rebuild()
    page = analyst_client.get(reverse("tensions:home")).content.decode()
    assert "No events between countries this month." in page
    assert "The latest events between countries are from October 2025" in page
    assert f'href="{TIMELINE}?start=2025-10-01"' in page


def test_home_says_nothing_of_older_months_when_this_one_has_events(analyst_client):
    make_event("USA", "VEN", type="ASSAULT", date=timezone.localdate())
    relations.relations_rebuild()
    page = analyst_client.get(reverse("tensions:home")).content.decode()
    assert "The latest events between countries" not in page


def test_the_dashboard_views_do_not_import_articles_models():
    from tensions import views

    assert "Article" not in vars(views)
    source = Path(views.__file__).read_text(encoding="utf-8")
    assert "articles.models" not in source


# Query budgets: every page, at a size where a query per row would show ----------

COUNTRIES = ("USA", "VEN", "RUS", "CHN", "CUB", "IRN", "BRA", "COL")
ROWS = 240


@pytest.fixture
def busy(analyst):
    """ROWS events over COUNTRIES (every pair), with mentions, watches, failures."""
    today = timezone.localdate()
    actors = {c: make_actor(f"Leader of {c}", c) for c in COUNTRIES}
    pairs = [(a, b) for a in COUNTRIES for b in COUNTRIES if a != b]
    events = [
        Event(
            type="ASSAULT" if n % 3 else "AGREE",
            status=taxonomy.STATUSES[n % 5],
            source_actor=actors[pairs[n % len(pairs)][0]],
            target_actor=actors[pairs[n % len(pairs)][1]],
            source_country_id=pairs[n % len(pairs)][0],
            target_country_id=pairs[n % len(pairs)][1],
            date=today - dt.timedelta(days=n % 200),
            day=today - dt.timedelta(days=n % 200),
            date_precision="day",
            intensity=-8.0 if n % 3 else 6.0,
            confidence=0.7,
            mention_count=1,
            article_count=1,
        )
        for n in range(ROWS)
    ]
    Event.objects.bulk_create(events)
    relations.relations_rebuild()
    article = make_article("Busy\n\n" + " ".join(f"Line {n}." for n in range(30)))
    for n, event in enumerate(Event.objects.order_by("id")[:30]):
        make_mention(event, article, f"Line {n}.")
    for _ in range(8):
        make_article(status="failed", error="boom")
    return {"article": article, "event": Event.objects.order_by("id").first()}


@pytest.mark.parametrize(
    ("name", "url", "budget"),
    [
        ("home", lambda d: reverse("tensions:home"), 12),
        ("timeline", lambda d: TIMELINE, 10),
        (
            "timeline-filtered",
            lambda d: (
                f"{TIMELINE}?focus=VEN&scope=actual&publisher=x&reviewed=on&rejected=on"
            ),
            10,
        ),
        # 8: on a cold cache, the partners' fingerprint query comes on top
        ("country", lambda d: reverse("tensions:country", args=["VEN"]), 8),
        ("event", lambda d: d["event"].get_absolute_url(), 8),
        ("pair", lambda d: reverse("tensions:pair", args=["USA", "VEN"]), 6),
        ("map", lambda d: reverse("tensions:map") + "?span=365", 6),
        ("events", lambda d: reverse("tensions:events") + "?country=VEN", 6),
        ("article", lambda d: d["article"].get_absolute_url(), 6),
        ("about", lambda d: reverse("tensions:about"), 5),
    ],
)
def test_no_page_costs_a_query_per_row(
    analyst_client, busy, django_assert_max_num_queries, name, url, budget
):
    with django_assert_max_num_queries(budget):
        response = analyst_client.get(url(busy))
    assert response.status_code == 200, name


def test_home_costs_the_same_queries_however_many_watches(
    analyst, analyst_client, busy, django_assert_max_num_queries
):
    for code in COUNTRIES[:6]:
        partner = "VEN" if code != "VEN" else "USA"
        Watch.objects.create(user=analyst, country_id=code, partner_id=partner)
    with django_assert_max_num_queries(16):
        analyst_client.get(reverse("tensions:home"))


def test_the_digest_gives_each_watch_its_own_newest_events_count_and_spike(analyst):
    from tensions.watchlists import NEW_SHOWN, home_digest

    week = relations.period_start(timezone.localdate(), "week")
    for weeks_ago in range(1, 9):  # calm weeks, then a spike on USA–VEN
        make_event(
            "VEN", "USA", type="AGREE", date=week - dt.timedelta(weeks=weeks_ago)
        )
    for _ in range(NEW_SHOWN + 2):
        make_event("USA", "VEN", type="ASSAULT", date=week)
    make_event("VEN", "RUS", type="REQUEST", date=week)
    relations.relations_rebuild()
    watches = [
        Watch.objects.create(user=analyst, country_id="USA", partner_id="VEN"),
        Watch.objects.create(
            user=analyst, country_id="VEN", partner_id="USA", directed=True
        ),
        Watch.objects.create(user=analyst, country_id="VEN", type="REQUEST"),
        Watch.objects.create(user=analyst, country_id="RUS"),
    ]
    followed = {f.watch.pk: f for f in home_digest(user=analyst)["followed"]}
    for watch in watches:
        expected = list(watch.events().order_by("-created_at", "-id"))
        got = followed[watch.pk]
        assert [e.pk for e in got.new] == [e.pk for e in expected[:NEW_SHOWN]]
        assert got.new_count == len(expected)
    spikes = [followed[w.pk].spike for w in watches]
    assert spikes == [True, False, False, False]  # directed VEN→USA only cooperates


def test_partners_are_cached_until_the_relations_change(
    analyst_client, django_assert_max_num_queries
):
    page = reverse("tensions:country", args=["VEN"])
    make_event("USA", "VEN", type="ASSAULT")
    relations.relations_rebuild()
    first = analyst_client.get(page).context["partners"]
    with django_assert_max_num_queries(8):  # no partners' aggregate or series
        again = analyst_client.get(page).context["partners"]
    assert [(p["partner_code"], p["n"]) for p in first] == [("USA", 1)]
    assert again == first
    make_event("RUS", "VEN", type="AGREE")
    make_event("USA", "VEN", type="ASSAULT")
    relations.relations_rebuild()
    later = analyst_client.get(page).context["partners"]
    assert [(p["partner_code"], p["n"]) for p in later] == [("USA", 2), ("RUS", 1)]


def test_a_period_without_events_shows_an_empty_timeline(analyst_client):
    make_event("VEN", "RUS", date=dt.date(2025, 3, 1))
    response = analyst_client.get(
        f"{TIMELINE}?countries=USA&countries=CHN&start=2025-01-01&end=2025-02-01"
    )
    assert response.status_code == 200
    assert "No events between these countries in this period." in (
        response.content.decode()
    )


def test_the_picker_lists_the_countries_in_visible_events_between_countries():
    make_event("VEN", "RUS")
    make_event("USA", "CUB", date=None)  # undated still counts
    make_event("FRA", None)  # no other country
    make_event("DEU", "ITA", review_state=Event.ReviewState.REJECTED)
    make_event("CHN", "VEN", review_state=Event.ReviewState.REJECTED)
    expected = Event.objects.visible().interstate()
    codes = {c for e in expected for c in (e.source_country_id, e.target_country_id)}
    listed = relations.countries_with_events()
    assert [code for code, _ in listed] == sorted(
        codes, key=lambda code: dict(listed)[code]
    )
    assert {code for code, _ in listed} == {"VEN", "RUS", "USA", "CUB"}
