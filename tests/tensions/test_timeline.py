"""The timeline's geometry, on unsaved events: no database needed."""

import datetime as dt
import itertools

import pytest
from django.template import engines

from tensions import timeline, views
from tensions.models import Actor, Country, Event

NAMES = {"USA": "United States", "VEN": "Venezuela", "RUS": "Russia", "CHN": "China"}
_ids = itertools.count(1)


def _event(source="VEN", target="RUS", *, when=dt.date(2025, 10, 1), **fields):
    fields.setdefault("type", "REQUEST")
    fields.setdefault("status", "occurred")
    fields.setdefault("intensity", 0.0)
    return Event(
        pk=next(_ids),
        date=when,
        source_country=Country(code=source, name=NAMES[source]),
        target_country=Country(code=target, name=NAMES[target]),
        source_actor=Actor(name=NAMES[source], kind="state"),
        target_actor=Actor(name=NAMES[target], kind="state"),
        **fields,
    )


def _build(events, **kwargs):
    return timeline.build_timeline(events, href=lambda e: f"/events/{e.pk}/", **kwargs)


def _overlap(a, b) -> bool:
    return abs(a.x - b.x) < 2 * a.r and abs(a.y - b.y) < 2 * a.r


def test_both_directions_of_a_pair_share_one_lane():
    later = dt.date(2025, 10, 20)
    built = _build([_event("VEN", "RUS"), _event("RUS", "VEN", when=later)])
    assert [lane.key for lane in built.lanes] == [("RUS", "VEN")]
    assert len(built.lanes[0].marks) == 2


def test_lanes_are_busiest_first_and_events_in_time_order():
    late, early = dt.date(2025, 10, 9), dt.date(2025, 10, 2)
    events = [
        _event("USA", "VEN", when=late),
        _event("USA", "VEN", when=early),
        _event("VEN", "RUS"),
    ]
    built = _build(events)
    assert [lane.key for lane in built.lanes] == [("USA", "VEN"), ("RUS", "VEN")]
    assert [e.when for e in built.lanes[0].events] == [early, late]
    assert built.lanes[0].anchor == "pair-USA-VEN"


def test_focus_country_is_named_first_in_its_lanes():
    built = _build([_event("RUS", "VEN")], focus="VEN")
    assert built.lanes[0].label == "Venezuela – Russia"


def test_marks_are_placed_by_date_on_one_axis_shared_by_all_lanes():
    first = _event("USA", "VEN", when=dt.date(2025, 1, 1))
    middle = _event("VEN", "RUS", when=dt.date(2025, 7, 2))
    last = _event("USA", "VEN", when=dt.date(2025, 12, 31))
    built = _build([first, middle, last])
    xs = {m.event_id: m.x for lane in built.lanes for m in lane.marks}
    assert xs[first.pk] < xs[middle.pk] < xs[last.pk]
    assert xs[middle.pk] == pytest.approx((xs[first.pk] + xs[last.pk]) / 2, abs=2)
    assert built.plot_left < xs[first.pk] and xs[last.pk] < built.plot_right


def test_an_undated_event_sits_where_it_was_first_reported():
    reported = _event(when=None, first_reported=dt.date(2025, 3, 1))
    dated = _event(when=dt.date(2025, 1, 1))
    built = _build([reported, dated])
    xs = {m.event_id: m.x for m in built.lanes[0].marks}
    assert xs[dated.pk] < xs[reported.pk]
    assert built.end == dt.date(2025, 3, 1)


def test_the_axis_spans_the_data_unless_dates_are_given():
    events = [_event(when=dt.date(2025, 2, 1)), _event(when=dt.date(2025, 5, 1))]
    assert (_build(events).start, _build(events).end) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 5, 1),
    )
    given = _build(events, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert (given.start, given.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_a_single_day_of_data_is_padded_so_it_can_be_drawn():
    built = _build([_event(when=dt.date(2025, 5, 1))])
    assert built.start < dt.date(2025, 5, 1) < built.end
    assert built.ticks


def test_marks_of_nearby_days_in_a_lane_do_not_overlap():
    days = [dt.date(2025, 10, d) for d in (1, 2, 3)] + [dt.date(2025, 12, 1)]
    built = _build([_event(when=day) for day in days])
    marks = built.lanes[0].marks
    assert len(marks) == 4
    for a, b in itertools.combinations(marks, 2):
        assert not _overlap(a, b), (a, b)


def test_same_day_events_of_a_pair_are_one_mark_with_their_count():
    day = dt.date(2025, 10, 1)
    events = [_event(when=day, intensity=-8) for _ in range(3)]
    events += [_event(when=day.replace(day=9)), _event("USA", "VEN", when=day)]
    built = timeline.build_timeline(
        events,
        href=lambda e: f"/events/{e.pk}/",
        events_href=lambda key, d, _, status=None: (
            f"/events/?pair={','.join(key)}&day={d}"
        ),
    )
    busy = built.lanes[0]
    assert [(c.count, c.label) for c in busy.day_clusters] == [(3, "3")]
    assert len(busy.marks) == 1  # the 9th, alone
    cluster = busy.day_clusters[0]
    assert cluster.href == "/events/?pair=RUS,VEN&day=2025-10-01"
    assert cluster.title.startswith("3 events on 1 Oct 2025:")
    assert cluster.title.count("•") == 3
    assert _rgb(cluster.colour)[0] > 150  # their mean intensity: conflict
    assert len(built.lanes[1].marks) == 1  # another pair that day: its own mark


def test_same_day_events_of_different_statuses_keep_their_own_marks():
    day = dt.date(2025, 10, 1)
    statuses = ["occurred", "occurred", "possible"]
    lane = _build([_event(when=day, status=s) for s in statuses]).lanes[0]
    assert [(c.status, c.count) for c in lane.day_clusters] == [("occurred", 2)]
    assert [m.status for m in lane.marks] == ["possible"]
    assert lane.marks[0].y != lane.day_clusters[0].y


def test_too_many_marks_close_together_become_a_badge_with_their_count():
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=d) for d in range(10)]
    events = [_event(when=day) for day in days] + [_event(when=dt.date(2026, 1, 1))]
    events += [_event(when=days[-1])]  # a same-day pair among the overflow
    lane = timeline.build_timeline(
        events,
        href=lambda e: f"/events/{e.pk}/",
        events_href=lambda key, first, last, status=None: (
            f"/events/?pair={','.join(key)}&first={first}&last={last}"
        ),
    ).lanes[0]
    rows = {round(m.y) for m in [*lane.marks, *lane.day_clusters]}
    assert len(rows) == timeline.MAX_ROWS
    assert lane.clusters and all(
        lane.y < c.y < lane.y + lane.height for c in lane.clusters
    )
    first_badge = lane.clusters[0]
    assert first_badge.href.startswith("/events/?pair=RUS,VEN&first=2025-01-")
    drawn = len(lane.marks) + sum(c.count for c in lane.day_clusters)
    assert drawn + sum(c.count for c in lane.clusters) == len(events)

    assert all(lane.y <= m.y <= lane.y + lane.height for m in lane.marks)
    assert lane.y < lane.clusters[0].y < lane.y + lane.height


def test_lanes_grow_to_hold_stacked_marks_and_never_overlap_each_other():
    days = [dt.date(2025, 10, d) for d in (1, 2, 3)]
    far = dt.date(2026, 10, 1)  # a long axis: the three days are pixels apart
    built = _build([_event(when=d) for d in days] + [_event("USA", "VEN", when=far)])
    busy, quiet = built.lanes
    assert busy.height > quiet.height
    assert quiet.y >= busy.y + busy.height
    assert built.height >= quiet.y + quiet.height


def test_pack_rows_keeps_a_gap_between_marks_of_a_row():
    rows = timeline.pack_rows([10, 10, 12, 30, 31], gap=15, rows=2)
    assert rows == [0, 1, None, 0, 1]


def test_overflow_badges_close_together_merge_into_one():
    assert timeline.cluster_overflow([10, 12, 20, 80], width=26) == [[10, 3], [80, 1]]


@pytest.mark.parametrize(
    ("status", "filled", "dashed", "struck"),
    [
        ("occurred", True, False, False),
        ("planned", False, True, False),
        ("possible", False, True, False),
        ("alleged", False, True, False),
        ("denied", False, False, True),
    ],
)
def test_the_mark_shape_says_the_status(status, filled, dashed, struck):
    mark = _build([_event(status=status)]).lanes[0].marks[0]
    assert mark.status == status
    assert mark.style.filled is filled
    assert bool(mark.style.dash) is dashed
    assert mark.style.strike is struck


def test_alleged_events_are_diamonds():
    mark = _build([_event(status="alleged")]).lanes[0].marks[0]
    assert mark.style.shape == "diamond"
    assert len(mark.diamond_points.split()) == 4


def test_the_mark_colour_follows_intensity():
    events = [
        _event(intensity=value, when=dt.date(2025, month, 1))
        for value, month in ((-9.5, 1), (0, 6), (10, 12))
    ]
    conflict, neutral, cooperation = (
        _rgb(m.colour) for m in _build(events).lanes[0].marks
    )
    assert neutral == (136, 136, 136)
    assert conflict[0] > 150 and conflict[2] < 60  # red
    assert cooperation[2] > 150 and cooperation[0] < 60  # blue


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_each_mark_links_to_its_event_and_says_what_it_is():
    event = _event("VEN", "RUS", type="REQUEST", mode="assist", what="radars")
    mark = _build([event]).lanes[0].marks[0]
    assert mark.href == f"/events/{event.pk}/"
    assert mark.title.startswith("REQUEST: Venezuela asked Russia for assistance")
    assert "occurred, 1 Oct 2025" in mark.title and "(radars)" in mark.title


@pytest.mark.parametrize(
    ("start", "end", "first_label"),
    [
        (dt.date(2025, 10, 1), dt.date(2025, 10, 5), "1 Oct 2025"),
        (dt.date(2025, 1, 15), dt.date(2025, 11, 20), "Feb 2025"),
        (dt.date(2015, 6, 1), dt.date(2025, 6, 1), "2016"),
    ],
)
def test_axis_ticks_use_round_dates_that_fit(start, end, first_label):
    ticks = timeline.axis_ticks(start, end, timeline.Scale(start, end))
    assert 1 <= len(ticks) <= timeline.MAX_TICKS
    assert ticks[0].label == first_label
    assert [t.x for t in ticks] == sorted(t.x for t in ticks)


def test_no_events_make_an_empty_timeline():
    built = _build([])
    assert built.lanes == [] and built.start is None


def test_light_rows_with_details_lay_out_the_same_timeline_as_full_events():
    statuses = list(timeline.STATUS_STYLES)
    pairs = [("VEN", "RUS"), ("USA", "VEN"), ("CHN", "VEN")]
    events = [  # per pair and day, five statuses: more rows than a lane draws
        _event(
            *pairs[n % 3],
            when=dt.date(2025, 1, 1) + dt.timedelta(days=n % 40),
            status=statuses[(n // 40) % 5],
            intensity=float(n % 11 - 5),
        )
        for n in range(600)
    ]
    by_pk = {e.pk: e for e in events}
    asked = []

    def details(pks):
        asked.append(pks)
        return {pk: by_pk[pk] for pk in pks}

    light = [
        timeline.Placed(
            e.pk,
            e.when,
            e.status,
            e.intensity,
            e.source_country_id,
            e.target_country_id,
        )
        for e in events
    ]
    full = _build(events)
    lazy = _build(light, names=NAMES, details=details)
    assert len(asked) == 1 and len(asked[0]) < len(events)
    assert any(lane.clusters for lane in full.lanes)  # some marks did not fit
    for a, b in zip(full.lanes, lazy.lanes, strict=True):
        assert (a.label, a.marks, a.day_clusters, a.clusters) == (
            b.label,
            b.marks,
            b.day_clusters,
            b.clusters,
        )
        assert a.table_events == b.table_events  # the full events, in order


def test_the_svg_escapes_what_events_say_and_draws_every_mark():
    day = dt.date(2025, 1, 1)
    said = '<script>alert("x")</script> & co'
    events = [_event(what=said, status="alleged")]
    events += [_event("USA", "VEN", when=day, status="denied") for _ in range(3)]
    built = _build(events, events_href=lambda *args: "/events/?a=1&b=2")
    drawn = timeline.svg(built)
    assert "<script>" not in drawn
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in drawn
    assert 'href="/events/?a=1&amp;b=2" class="day-cluster mark-denied"' in drawn
    assert drawn.count("<polygon ") == 1  # the alleged event is a diamond
    assert 'class="day-cluster-text">3</text>' in drawn
    assert drawn.count('<g class="lane"') == len(built.lanes) == 2
    assert drawn.startswith('<svg class="timeline-svg"') and drawn.endswith("</svg>")


# The legend's items, as the template's loops drew them before they were
# written in Python (with the include each status had).
_LEGEND_STATUSES = (
    "{% for status, style in statuses %}\n"
    '        <li><svg viewBox="0 0 24 20" class="legend-mark" aria-hidden="true">'
    "\n"
    '{% if style.shape == "diamond" %}<polygon points="12,3 19,10 12,17 5,10"'
    '{% else %}<circle cx="12" cy="10" r="6"{% endif %} fill="{% if style.filled %}'
    '#5a5a5a{% else %}#fff{% endif %}" stroke="#5a5a5a" stroke-width="2"'
    '{% if style.dash %} stroke-dasharray="{{ style.dash }}"{% endif %}/>'
    '{% if style.strike %}<line x1="4" y1="10" x2="20" y2="10" stroke="#222" '
    'stroke-width="2"/>{% endif %}\n'
    "</svg><strong>{{ status|capfirst }}</strong> "
    '<span class="muted">{{ style.meaning }}</span></li>\n'
    "        {% endfor %}"
)
_LEGEND_SCALE = (
    "{% for x, fill in intensities %}"
    '<rect x="{{ x }}" y="0" width="10" height="12" fill="{{ fill }}"/>{% endfor %}'
)


def test_the_legend_is_written_as_the_template_wrote_it():
    def drawn(source: str, **context) -> str:
        return engines["django"].from_string(source).render(context)

    legend = views._legend()
    statuses = list(timeline.STATUS_STYLES.items())
    assert timeline.legend_statuses() == drawn(_LEGEND_STATUSES, statuses=statuses)
    assert legend["scale"] == drawn(_LEGEND_SCALE, intensities=legend["intensities"])
    assert 'stroke-dasharray="4 2"' in legend["status_items"]


# The overview, as its template (tensions/_timeline_overview.html) wrote it.
_OVERVIEW = (
    "{% load l10n %}{# The whole span of the data, with the window "
    "shown: drag across it to pick dates. #}\n"
    "{% localize off %}\n"
    '<svg class="timeline-overview" viewBox="0 0 {{ overview.width '
    '}} {{ overview.height }}" role="img" aria-label="Whole span {{ '
    "overview.start|date:'j M Y' }} – {{ overview.end|date:'j M Y' "
    '}}; the shaded part is shown below"\n'
    '  data-start="{{ overview.start|date:\'Y-m-d\' }}" data-end="{{ '
    "overview.end|date:'Y-m-d' }}\" data-left=\"{{ overview.plot_left "
    '}}" data-right="{{ overview.plot_right }}" data-width="{{ '
    'overview.width }}">\n'
    '  <text x="{{ overview.label_x }}" y="19" text-anchor="end" '
    'class="overview-label">Whole span</text>\n'
    '  <rect x="{{ overview.plot_left }}" y="4" width="{{ '
    'overview.track_width }}" height="22" class="overview-track"/>\n'
    '  {% for tick in overview.ticks %}<text x="{{ tick.x }}" y="19" '
    'text-anchor="middle" class="overview-tick">{{ tick.label '
    "}}</text>{% endfor %}\n"
    '  <rect x="{{ overview.window_left }}" y="4" width="{{ '
    'overview.window_width }}" height="22" class="overview-window"/>\n'
    '  <rect x="0" y="4" width="0" height="22" '
    'class="brush-selection" hidden/>\n'
    "</svg>\n"
    "{% endlocalize %}\n"
)


def test_the_overview_is_written_as_its_template_wrote_it():
    span = (dt.date(2021, 11, 25), dt.date(2026, 11, 24))
    drawn = timeline.overview(span, (dt.date(2023, 1, 9), dt.date(2024, 6, 30)))
    template = engines["django"].from_string(_OVERVIEW)
    assert drawn.svg() == template.render({"overview": drawn})
    assert len(drawn.ticks) > 1
