"""Recording engine results: idempotent, corroborating, respectful of reviews."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tensions.models import Event, Mention
from tensions.services import events_record
from tests.factories import article_make as _article_make
from tests.factories import found_event

pytestmark = pytest.mark.django_db


def article_make(**fields):
    """An article whose text no normalisation can make equal to another's."""
    return _article_make(text=f"Report {uuid.uuid4().hex} says little.", **fields)


def _record(article, *found):
    return events_record(article=article, events=list(found), extractor_version="t1")


def _rows():
    return sorted(
        Mention.objects.values_list(
            "article_id", "event__type", "event__source_country", "start"
        )
    )


def test_recording_twice_leaves_the_same_rows():
    article = article_make()
    _record(article, found_event(), found_event("USA", "VEN", type="ASSAULT", start=50))
    first = (_rows(), Event.objects.count())

    _record(article, found_event(), found_event("USA", "VEN", type="ASSAULT", start=50))

    assert (_rows(), Event.objects.count()) == first
    assert Event.objects.count() == 2


def test_two_articles_reporting_one_happening_make_one_event():
    first, second = article_make(publisher="A"), article_make(publisher="B")
    _record(first, found_event(date=dt.date(2025, 10, 20)))
    _record(second, found_event(date=dt.date(2025, 10, 22)))

    event = Event.objects.get()
    assert (event.mention_count, event.article_count) == (2, 2)


def test_reports_far_apart_in_time_are_different_events():
    _record(article_make(), found_event(date=dt.date(2025, 1, 1)))
    _record(article_make(), found_event(date=dt.date(2025, 6, 1)))

    assert Event.objects.count() == 2


def test_a_different_status_is_a_different_event():
    _record(article_make(), found_event(type="ASSAULT", status="occurred"))
    _record(article_make(), found_event(type="ASSAULT", status="possible"))

    assert Event.objects.count() == 2


def test_reprocessing_drops_events_the_article_no_longer_reports():
    article = article_make()
    _record(article, found_event(), found_event("USA", "VEN", type="ASSAULT", start=50))

    _record(article, found_event())

    assert list(Event.objects.values_list("type", flat=True)) == ["REQUEST"]


def test_reprocessing_never_touches_a_reviewed_event():
    article = article_make()
    (event,) = _record(article, found_event())
    Event.objects.filter(pk=event.pk).update(review_state="confirmed", what="checked")

    _record(article)

    event.refresh_from_db()
    assert event.what == "checked"
    assert event.mentions.count() == 1


def test_first_reported_is_the_earliest_publication():
    late = article_make(published=dt.date(2025, 10, 25))
    early = article_make(published=dt.date(2025, 10, 21))
    _record(late, found_event())
    _record(early, found_event())

    assert Event.objects.get().first_reported == dt.date(2025, 10, 21)


_PAIRS = [("VEN", "RUS"), ("USA", "VEN"), ("CHN", "JPN"), ("IND", "PAK")]


def _report_all_pairs(day: dt.date) -> list[Event]:
    found = [
        found_event(source, target, date=day, start=50 * n)
        for n, (source, target) in enumerate(_PAIRS)
    ]
    return _record(article_make(published=day), *found)


def _queries_to_record(day: dt.date) -> int:
    with CaptureQueriesContext(connection) as queries:
        _report_all_pairs(day)
    return len(queries)


def test_recording_issues_as_many_queries_whatever_is_already_stored():
    first = dt.date(2025, 9, 1)
    _report_all_pairs(first)  # actors and countries exist from here on
    with_few = _queries_to_record(first)
    for n in range(40):  # dozens of events under the same keys and in the same cells
        _report_all_pairs(first + dt.timedelta(days=2 * n))

    with_many = _queries_to_record(first + dt.timedelta(days=40))

    assert Event.objects.count() > 4 * 8
    assert with_many <= with_few <= 30


def _event_updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "tensions_event"')]


def _account_reads(queries) -> list[str]:
    """Reads of stored mentions' whole accounts (`what` is read for nothing else)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and '"tensions_mention"."what"' in q["sql"]
    ]


def test_new_events_are_inserted_counted_with_no_update_after():
    article = article_make(publisher="Wire", published=dt.date(2025, 10, 21))
    with CaptureQueriesContext(connection) as queries:
        _record(article, found_event(), found_event("USA", "VEN", start=50))

    assert _event_updates(queries.captured_queries) == []
    counted = Event.objects.values_list(
        "mention_count", "article_count", "publisher_count", "first_reported", "day"
    )
    one = (1, 1, 1, dt.date(2025, 10, 21), dt.date(2025, 10, 20))
    assert list(counted) == [one, one]


def test_events_gaining_evidence_are_recounted_in_one_statement():
    first = article_make(publisher="A")
    _record(first, found_event(), found_event("USA", "VEN", start=50))
    second = article_make(publisher="B")
    with CaptureQueriesContext(connection) as queries:
        _record(second, found_event(), found_event("USA", "VEN", start=50))

    assert len(_event_updates(queries.captured_queries)) == 1
    # The stored accounts are read once, to cluster; settling the two events
    # takes them from there.
    assert len(_account_reads(queries.captured_queries)) == 1
    counted = Event.objects.values_list("mention_count", "article_count")
    assert list(counted) == [(2, 2), (2, 2)]
