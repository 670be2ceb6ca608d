"""The rankings the database computes (relations.pairs_ranked) are those of
the scores the ORM computes (tests/tensions/rankings.py) ordered in Python, on
random rows; and the country page's leaders and bodies."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.urls import reverse

from tensions import charts, relations
from tensions.models import Country, DyadPeriod
from tests.tensions.factories import make_event
from tests.tensions.rankings import pairs_compare

pytestmark = pytest.mark.django_db

MONTH = dt.date(2025, 10, 1)
WEEKS = ("week", dt.date(2025, 8, 4), dt.date(2025, 10, 27))


def test_the_index_in_sql_is_the_index_in_python_to_the_last_bit():
    rng = random.Random(6)
    values = [(0.0, 0.0), (1e-300, 0.0), (1e12, 3.0), (2.5, 2.5)]
    values += [(rng.uniform(0, 10) ** 3, rng.uniform(0, 10) ** 3) for _ in range(300)]
    expression = relations.tension_index_sql("c", "k")
    with connection.cursor() as cursor:
        for conflict, cooperation in values:
            cursor.execute(
                f"SELECT {expression} FROM (SELECT CAST(%s AS DOUBLE PRECISION) AS c,"
                " CAST(%s AS DOUBLE PRECISION) AS k) AS v",
                [conflict, cooperation],
            )
            (found,) = cursor.fetchone()
            assert found == relations.tension_index(conflict, cooperation)


def _random_rows(rng: random.Random) -> None:
    """Month rows of this month and the one before (ties on purpose: repeated
    scores, pairs quiet this month) and week rows, both directions."""
    codes = list(Country.objects.order_by("code").values_list("code", flat=True)[:14])
    scores = [(rng.choice([0.5, 2.0, 9.5]), rng.choice([0.0, 3.0])) for _ in range(4)]
    rows = []
    for a in codes:
        for b in codes:
            if a == b or rng.random() < 0.5:
                continue
            for start in (MONTH, relations.period_previous(MONTH, "month")):
                if rng.random() < 0.3:
                    continue
                tied = rng.random() < 0.4
                conflict, cooperation = (
                    rng.choice(scores)
                    if tied
                    else (rng.uniform(0, 30), rng.uniform(0, 30))
                )
                n = rng.choice([1, 2, 3]) if tied else rng.randint(1, 40)
                rows.append(
                    DyadPeriod(
                        source_id=a,
                        target_id=b,
                        period="month",
                        start=start,
                        events=n,
                        conflict=conflict,
                        cooperation=cooperation,
                    )
                )
            for week in charts.period_starts(WEEKS[1], WEEKS[2], "week"):
                if rng.random() < 0.3:
                    rows.append(
                        DyadPeriod(
                            source_id=a,
                            target_id=b,
                            period="week",
                            start=week,
                            events=rng.randint(1, 5),
                            conflict=rng.uniform(0, 9),
                            cooperation=rng.uniform(0, 9),
                        )
                    )
    DyadPeriod.objects.bulk_create(rows)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("limit", [3, 10])
def test_the_ranked_pairs_are_those_of_the_python_orders(seed, limit):
    _random_rows(random.Random(seed))
    scores = pairs_compare(period="month", start=MONTH)

    ranked = relations.pairs_ranked(
        period="month", start=MONTH, series=WEEKS, limit=limit
    )

    assert ranked.tense == relations.most_tense(scores, limit)
    assert ranked.moved == relations.largest_change(scores, limit)
    assert ranked.active == relations.most_active(scores, limit)
    assert ranked.events == sum(s.events for s in scores)
    drawn = list({(s.a, s.b) for s in [*ranked.tense, *ranked.moved]})
    expected = charts.pairs_series(drawn, period="week", start=WEEKS[1], end=WEEKS[2])
    for pair, points in expected.items():
        found = ranked.series.get(pair, {})
        assert [found.get(p.start, (0, 0.0, 0.0)) for p in points] == [
            (p.events, p.conflict, p.cooperation) for p in points
        ]


def test_the_prepared_ranking_answers_the_same_on_every_run():
    _random_rows(random.Random(7))
    first = relations.pairs_ranked(period="month", start=MONTH, series=WEEKS)

    # PostgreSQL may switch to a generic plan from the sixth run on
    for _ in range(7):
        assert (
            relations.pairs_ranked(period="month", start=MONTH, series=WEEKS) == first
        )


def test_nothing_to_rank_is_an_empty_ranking():
    ranked = relations.pairs_ranked(period="month", start=MONTH, series=WEEKS)

    assert (ranked.tense, ranked.moved, ranked.active) == ([], [], [])
    assert (ranked.events, ranked.series) == (0, {})


def test_the_country_page_lists_its_leaders_and_bodies_by_their_events(
    analyst_client,
):
    for _ in range(2):
        make_event("VEN", "USA", source_actor="Nicolás Maduro")
    make_event("USA", "VEN", target_actor="Delcy Rodríguez")
    make_event("USA", "VEN", target_actor="Nicolás Maduro", review_state="rejected")
    make_event("RUS", "VEN")  # the state itself is not listed

    page = analyst_client.get(reverse("tensions:country", args=["VEN"]))

    text = page.content.decode()
    first = text.index("<strong>Nicolás Maduro</strong>")
    assert "· Leader · 2 as source, 1 as target" in text[first:]
    second = text.index("<strong>Delcy Rodríguez</strong>")
    assert "· Leader · 0 as source, 1 as target" in text[second:]
    assert first < second
    assert "<strong>Venezuela</strong>" not in text
