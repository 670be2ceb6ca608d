"""The dashboard's tables of pairs, built in Python, read as the template did."""

import datetime as dt
import random

import pytest
from django.http import QueryDict
from django.template.defaultfilters import floatformat
from django.utils.text import Truncator

from tensions import charts, relations
from tensions.forms import TimelineForm
from tensions.models import Country
from tensions.templatetags.dashboard import (
    active_rows,
    choice_boxes,
    choice_select,
    country_options,
    fixed,
    partner_rows,
    score_rows,
)
from tensions.templatetags.events import _short

VALUES = (-99.95, -0.6, -0.5, -0.05, -0.04, -0.0, 0.0, 1e-9, 0.05, 2.5, 12.45, 100)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("places", [0, 1])
def test_numbers_are_written_as_floatformat_writes_them(value, places):
    assert fixed(value, places) == floatformat(value, places)


def _numbers(count: int, seed: int = 6) -> list[tuple[float, int]]:
    """(value, places) of every kind: any index, ties at the place rounded (x.5,
    x.x5: where formatting the binary value rounds otherwise), short decimals,
    reprs with an exponent, negative zero."""
    rng = random.Random(seed)
    odd = (-0.0, 1e-05, -1e-07, 2.5e-10, 1e16, -0.15, 0.15, 1.005, 2.675, 99.95)
    kinds = (
        lambda p: rng.uniform(-100, 100),
        lambda p: (rng.randrange(-20_000, 20_000) + 0.5) / 10**p,
        lambda p: rng.randrange(-2_000, 2_000) / 10 ** (p + 1),
        lambda p: rng.choice(odd),
    )
    numbers = []
    for _ in range(count):
        places = rng.choice((0, 1, 2, 5))  # 5: ties such as 1.5e-05
        numbers.append((rng.choice(kinds)(places), places))
    return numbers


def test_numbers_of_every_kind_are_written_as_floatformat_writes_them():
    written = [(v, p, fixed(v, p)) for v, p in _numbers(20_000)]
    assert [w for w in written if w[2] != floatformat(w[0], w[1])] == []


def _spark():
    points = [relations.Point(dt.date(2025, 1, 1), dt.date(2025, 1, 7), 2, 3, 1, {})]
    return charts.sparkline(points)


def test_a_partner_row_links_its_pages_and_says_its_figures():
    row = {
        "name": "Russia & Co",
        "pair_href": "/pairs/VEN/RUS/",
        "timeline_href": "/timeline/?countries=VEN&countries=RUS",
        "spark": _spark(),
        "recent": 0,
        "index": 12.5,
        "all_time": -40.5,
        "n": 7,
    }
    drawn = partner_rows([row], Country(code="VEN", name="Venezuela"))
    assert '<a href="/pairs/VEN/RUS/">Russia &amp; Co</a>' in drawn
    assert 'aria-label="Timeline of Venezuela and Russia &amp; Co"' in drawn
    assert "No events in these months" in drawn  # no index without events
    assert 'title="tension index of all their events: -41">7</td>' in drawn
    assert drawn.count('class="sparkline"') == 1
    recent = partner_rows([{**row, "recent": 3}], Country(name="Venezuela"))
    assert '<td class="num">13</td>' in recent


def test_a_score_row_links_the_pair_and_its_events_of_the_month():
    score = relations.PairScore("USA", "VEN", 4, 30.0, 2.0, previous=-10.0)
    rows = [{"score": score, "label": "United States – Venezuela", "spike": True}]
    rows[0]["spark"] = _spark()
    drawn = score_rows(rows, dt.date(2025, 10, 1))
    assert 'href="/pairs/USA/VEN/"' in drawn
    assert "?pair=USA,VEN&amp;day_from=2025-10-01" in drawn
    assert '<span class="badge badge-spike">spike</span>' in drawn
    assert f'<td class="num">{floatformat(score.index, 1)}</td>' in drawn
    assert f'<td class="num">{floatformat(score.change, 1)}</td>' in drawn


def test_an_active_pair_row_links_its_timeline_and_its_events_of_the_month():
    score = relations.PairScore("USA", "VEN", 4, 30.0, 2.0, previous=-10.0)
    pairs = [{"score": score, "label": "United States – Venezuela"}]
    drawn = active_rows(pairs, dt.date(2025, 10, 1))
    assert 'href="/timeline/?countries=USA&amp;countries=VEN"' in drawn
    assert "?pair=USA,VEN&amp;day_from=2025-10-01" in drawn
    assert f'<td class="num">{floatformat(score.index, 1)}</td>' in drawn


@pytest.mark.django_db  # the form checks country codes
@pytest.mark.parametrize(
    "query", ["", "type=AGREE&type=ASSAULT&status=denied&status=occurred"]
)
def test_the_timeline_filters_are_written_as_the_form_widgets_write_them(query):
    form = TimelineForm(QueryDict(query))
    form.is_valid()
    widget = str(form["type"]).replace("\n\n", "\n")
    assert choice_select(form["type"]).replace("\n\n", "\n") == widget
    boxes = "".join(
        f'<label class="choice">{box.tag()} {box.choice_label}</label>'
        for box in form["status"]
    )
    assert choice_boxes(form["status"]) == boxes


@pytest.mark.django_db
def test_a_type_with_errors_is_left_to_its_widget():
    form = TimelineForm(QueryDict("type=NOPE"))
    assert not form.is_valid()
    assert 'aria-invalid="true"' in choice_select(form["type"])


def test_country_options_select_the_picked_and_escape_names():
    choices = [("VEN", "Venezuela"), ("XAA", "A & B")]
    drawn = country_options(choices, ["VEN"])
    assert '<option value="VEN" selected>Venezuela (VEN)</option>' in drawn
    assert '<option value="XAA">A &amp; B (XAA)</option>' in drawn
    assert '<option value="VEN">Venezuela</option>' in country_options(
        choices, codes=False
    )


@pytest.mark.parametrize(
    "text", ["short", "x" * 90, "y" * 91, "e\u0301" * 10, "e\u0301" * 60]
)
def test_headlines_are_shortened_as_truncator_does(text):
    assert _short(text) == Truncator(text).chars(90)
