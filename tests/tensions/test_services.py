"""Recording engine results: idempotent, corroborating, respectful of reviews."""

import datetime as dt
import uuid

import pytest

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
