"""The tension index on hand-computed cases, kept up to date as events change."""

import datetime as dt
import uuid

import pytest
from django.core.cache import cache

from tensions import relations
from tensions.models import DyadPeriod, StaleCell
from tensions.relations import (
    event_weight,
    is_spike,
    pair_series,
    tension_index,
)
from tensions.services import events_record
from tensions.tasks import refresh_relations
from tests.factories import article_make, found_event
from tests.tensions.rankings import pairs_compare

pytestmark = pytest.mark.django_db

OCT = dt.date(2025, 10, 1)


def _article(published=dt.date(2025, 10, 20)):
    text = f"Report {uuid.uuid4().hex} says little."
    return article_make(text=text, published=published)


def test_one_strike_reported_once_scores_as_the_about_page_says():
    # ASSAULT aerial = −9.5; occurred (1.0) × confidence 1 × (1 + log2 1) = 1
    assert tension_index(9.5, 0) == pytest.approx(100 * 9.5 / 19.5)


def test_corroboration_status_and_confidence_weigh_an_event():
    assert event_weight(status="occurred", confidence=1.0, articles=4) == 3.0
    assert event_weight(status="possible", confidence=0.8, articles=2) == 0.4
    assert event_weight(status="denied", confidence=1.0, articles=9) == 0.0


def test_conflict_and_cooperation_are_weighed_sums():
    events = [
        # AID +10, occurred, conf 0.5, 2 articles: weight 0.5 × 2 = 1 → K = 10
        {"status": "occurred", "confidence": 0.5, "article_count": 2, "intensity": 10},
        # ASSAULT −9, planned 0.5, conf 1, 1 article: weight 0.5 → C = 4.5
        {"status": "planned", "confidence": 1.0, "article_count": 1, "intensity": -9},
    ]
    conflict, cooperation = relations.scores(events)

    assert (conflict, cooperation) == (4.5, 10.0)
    assert tension_index(conflict, cooperation) == pytest.approx(-5.5 / 24.5 * 100)


def test_recording_events_maintains_the_pair_rows():
    events_record(
        article=_article(),
        events=[
            found_event("USA", "VEN", type="ASSAULT", mode="aerial", confidence=1.0),
            found_event("VEN", "USA", type="ACCUSE", confidence=0.5, start=40),
        ],
        extractor_version="t",
    )

    month = DyadPeriod.objects.get(source="USA", target="VEN", period="month")
    assert (month.start, month.events, month.by_type) == (OCT, 1, {"ASSAULT": 1})
    assert month.conflict == pytest.approx(9.5)
    (score,) = pairs_compare(period="month", start=OCT)
    # Undirected: 9.5 + 0.5 × 3 (ACCUSE −3) = 11
    assert (score.a, score.b, score.events) == ("USA", "VEN", 2)
    assert score.index == pytest.approx(100 * 11 / 21)
    assert DyadPeriod.objects.filter(period="week").count() == 2


def test_reprocessing_an_article_away_empties_its_rows():
    article = _article()
    events_record(article=article, events=[found_event()], extractor_version="t")
    events_record(article=article, events=[], extractor_version="t")

    assert not DyadPeriod.objects.exists()


def test_the_change_is_against_the_previous_period():
    for day in (dt.date(2025, 9, 10), dt.date(2025, 10, 10), dt.date(2025, 10, 12)):
        events_record(
            article=_article(published=day),
            events=[found_event("USA", "VEN", type="ASSAULT", date=day, what=str(day))],
            extractor_version="t",
        )

    (score,) = pairs_compare(period="month", start=OCT)
    # September: one strike at weight 0.5 (confidence default) → C = 4.5
    assert score.previous == pytest.approx(100 * 4.5 / 14.5)
    # October: the two reports two days apart are one strike with two articles,
    # weight 0.5 × (1 + log2 2) = 1 → C = 9
    assert score.index == pytest.approx(100 * 9 / 19)
    series = pair_series(
        a="VEN", b="USA", period="month", start=dt.date(2025, 8, 5), end=OCT
    )
    assert [(p.start.month, p.events) for p in series] == [(8, 0), (9, 1), (10, 1)]


def test_a_spike_is_more_than_two_deviations_above_the_trailing_mean():
    calm = [10, 12, 8, 10, 12, 8]  # mean 10, population deviation 1.63
    assert is_spike([*calm, 13.3])  # 3.3 above: more than 2 × 1.63
    assert not is_spike([*calm, 13.2])
    assert not is_spike([10, 30])  # too little history to judge
    assert is_spike([0, 0, 0, 0.1])  # a flat series spikes on any rise


def _pair_rows() -> dict:
    return {
        (r.source_id, r.target_id, r.period, r.start): (r.events, r.conflict)
        for r in DyadPeriod.objects.all()
    }


def test_an_event_moved_by_another_article_leaves_no_stale_pair_row():
    # Two reports on the 1st and 4th: the event sits on the 1st (tie, first
    # in canonical order); a third on the 4th moves it, so the 1st empties.
    for day in (OCT, OCT + dt.timedelta(days=3), OCT + dt.timedelta(days=3)):
        events_record(
            article=_article(), events=[found_event(date=day)], extractor_version="t"
        )

    assert not DyadPeriod.objects.filter(period="day", start=OCT).exists()
    incremental = _pair_rows()
    relations.relations_rebuild()
    assert _pair_rows() == incremental


def test_processing_marks_rows_stale_and_one_refresh_brings_them_up_to_date(
    django_capture_on_commit_callbacks, monkeypatch
):
    cache.clear()
    sent = []
    monkeypatch.setattr(
        refresh_relations, "apply_async", lambda **options: sent.append(options)
    )
    article = _article()
    with django_capture_on_commit_callbacks(execute=True):
        for day in (dt.date(2025, 9, 10), OCT, dt.date(2025, 10, 12)):
            events_record(
                article=_article(published=day),
                events=[found_event("USA", "VEN", type="ASSAULT", date=day)],
                extractor_version="t",
                relations_later=True,
            )
        events_record(article=article, events=[found_event()], extractor_version="t")
        # Reprocessed away: its rows must go too.
        events_record(
            article=article, events=[], extractor_version="t", relations_later=True
        )

    assert len(sent) == 1  # one refresh for all the articles
    assert StaleCell.objects.exists()
    assert refresh_relations.apply().get() > 0

    assert not StaleCell.objects.exists()
    refreshed = _pair_rows()
    relations.relations_rebuild()
    assert _pair_rows() == refreshed
    assert {source for source, *_ in refreshed} == {"USA"}
    assert refresh_relations.apply().get() == 0
    assert _pair_rows() == refreshed
