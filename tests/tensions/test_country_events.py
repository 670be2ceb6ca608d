"""The timeline's picker: on PostgreSQL the countries are read from the changes
triggers append (tensions.models.CountryEvents), which must always list the
countries a walk of the events finds."""

import datetime as dt

import pytest
from django.db import connection

from articles.models import Article
from articles.services import article_create, article_process, article_reprocess
from tensions import relations, review
from tensions.models import CountryEvents, Event
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_event, merge_made

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("triggers are PostgreSQL's; test_the_counts_hold_on_postgres")


def _listed() -> list[tuple[str, str]]:
    return relations.countries_with_events()


def _walked() -> list[tuple[str, str]]:
    return relations._countries_walked()


def _counts() -> dict[str, int]:
    summed: dict[str, int] = {}
    for country, n in CountryEvents.objects.values_list("country", "n"):
        summed[country] = summed.get(country, 0) + n
    return {country: n for country, n in summed.items() if n}


def _expected_counts() -> dict[str, int]:
    counted: dict[str, int] = {}
    for event in Event.objects.visible().interstate():
        for code in (event.source_country_id, event.target_country_id):
            counted[code] = counted.get(code, 0) + 1
    return counted


def _holds() -> None:
    assert _listed() == _walked()
    assert _counts() == _expected_counts()


def test_the_picker_follows_every_way_an_event_changes(postgres_only, analyst):
    first = make_event("VEN", "RUS")
    make_event("USA", "CUB", date=None)  # undated still counts
    make_event("FRA", None)  # no other country: not listed
    _holds()
    assert {code for code, _ in _listed()} == {"VEN", "RUS", "USA", "CUB"}

    Event.objects.filter(pk=first.pk).update(review_state="rejected")  # hidden
    _holds()
    assert "RUS" not in dict(_listed())
    Event.objects.filter(pk=first.pk).update(review_state="unreviewed")
    Event.objects.filter(source_country_id="FRA").update(target_country_id="DEU")
    _holds()
    assert {"FRA", "DEU"} <= dict(_listed()).keys()

    event = Event.objects.get(pk=first.pk)
    event.target_country_id = "CHN"  # saved whole, as a model
    event.save()
    _holds()
    review.event_reject(event_id=event.pk, user=analyst, version=event.version)
    _holds()
    assert "CHN" not in dict(_listed())

    merge_made(analyst)
    _holds()
    Event.objects.filter(source_country_id="USA").delete()
    _holds()
    assert "CUB" not in dict(_listed())


def test_processing_and_reprocessing_articles_keep_the_picker(postgres_only, seed_text):
    upload = article_create(text=seed_text)
    article_process(article_id=upload.article.pk, claim="first")
    _holds()
    assert {"VEN", "USA", "RUS", "CHN"} <= dict(_listed()).keys()

    article_reprocess(article=Article.objects.get(pk=upload.article.pk))
    article_process(article_id=upload.article.pk, claim="again")
    _holds()
    Event.objects.bulk_create(
        [
            Event(**_fields(source)) for source in ("BRA", "ARG")
        ]  # one statement, two events
    )
    _holds()


def _fields(source: str) -> dict:
    template = Event.objects.filter(target_country__isnull=False).first()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Event._meta.concrete_fields
        if not f.primary_key
    }
    return fields | {"source_country_id": source, "target_country_id": "URY"}


def test_changes_are_appended_and_folded_into_one_row_per_country(postgres_only):
    for day in range(1, 4):
        make_event("VEN", "RUS", date=dt.date(2025, 1, day))
    before = CountryEvents.objects.count()
    Event.objects.update(what="Renamed")  # no country moved: nothing appended
    assert CountryEvents.objects.count() == before
    Event.objects.filter(date=dt.date(2025, 1, 1)).update(target_country_id="CHN")
    assert CountryEvents.objects.count() == before + 2  # RUS −1, CHN +1

    folded = relations.country_events_compact()

    assert folded == before + 2
    rows = dict(CountryEvents.objects.values_list("country", "n"))
    assert rows == {"VEN": 3, "RUS": 2, "CHN": 1} == _expected_counts()
    _holds()


def test_the_sweeper_folds_the_changes(postgres_only):
    from articles.tasks import sweep_stuck_articles

    make_event("VEN", "RUS")
    make_event("VEN", "RUS")
    sweep_stuck_articles.apply().get()

    assert dict(CountryEvents.objects.values_list("country", "n")) == {
        "VEN": 2,
        "RUS": 2,
    }


def test_emptying_the_events_table_empties_the_counts(postgres_only):
    make_event("VEN", "RUS")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check pending
        cursor.execute("TRUNCATE tensions_event CASCADE")
    assert _listed() == [] == _walked()
    assert not CountryEvents.objects.exists()


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db(transaction=False)
def test_the_counts_hold_on_postgres():
    assert_passes_on_postgres(__file__, but="test_the_counts_hold_on_postgres")
