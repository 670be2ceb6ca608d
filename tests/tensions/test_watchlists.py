"""Following countries and pairs: what is new since the last visit, and pages."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tensions.relations import relations_rebuild
from tensions.watchlists import home_digest, watch_add
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db


def _at(monkeypatch, moment):
    """The clock at `moment` (what is new depends on when things happen)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_home_shows_only_what_is_new_on_what_one_follows(analyst, monkeypatch):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    _at(monkeypatch, start)
    watch_add(user=analyst, country="VEN", partner=None, directed=True, type="REQUEST")
    make_event("VEN", "RUS", type="REQUEST")
    make_event("USA", "VEN", type="ASSAULT")  # VEN is the target: not followed

    first = home_digest(user=analyst)
    _at(monkeypatch, start + dt.timedelta(hours=1))
    make_event("VEN", "CHN", type="REQUEST")
    _at(monkeypatch, start + dt.timedelta(hours=2))  # a later visit
    second = home_digest(user=analyst)

    assert (first["since"], first["followed"][0].new_count) == (None, 1)
    assert second["followed"][0].new_count == 1
    assert "CHN" in str(second["followed"][0].new[0].target_country_id)


def test_pages_render_and_link_figures_to_their_events(analyst_client):
    today = dt.date.today()
    make_event("USA", "VEN", type="ASSAULT", date=today)
    relations_rebuild()

    home = analyst_client.get(reverse("tensions:home")).content.decode()
    pair = analyst_client.get(reverse("tensions:pair", args=["VEN", "USA"]))
    about = analyst_client.get(reverse("tensions:about"))
    listed = analyst_client.get(
        reverse("tensions:events"),
        {"pair": "USA,VEN", "day_from": today.replace(day=1).isoformat()},
    )

    assert reverse("tensions:pair", args=["USA", "VEN"]) in home
    assert "day_from=" in pair.content.decode()
    assert "100 × (C − K)" in about.content.decode()
    assert listed.content.decode().count("<tr") == 2  # header + the one event


def test_following_a_pair_from_the_page(analyst_client, analyst):
    response = analyst_client.post(
        reverse("tensions:watches"), {"country": "usa", "partner": "VEN"}
    )

    assert response.status_code == 302
    assert str(analyst.watches.get()) == "USA – VEN"
    bad = analyst_client.post(reverse("tensions:watches"), {"country": "XXX"})
    assert "Unknown country code" in bad.content.decode()


def test_a_visit_compares_with_the_last_view_of_the_visit_before(analyst, monkeypatch):
    _visits_compare(analyst, monkeypatch)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_views_outside_a_transaction_are_recorded_alike(analyst, monkeypatch):
    # in autocommit, as pages run: on PostgreSQL the upsert waits for no flush
    _visits_compare(analyst, monkeypatch)
    if connection.vendor == "postgresql":  # for that one statement only
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)


def _visits_compare(analyst, monkeypatch):
    from tensions.models import HomeVisit

    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    views = [start, start + dt.timedelta(minutes=10)]  # a first visit, reloaded
    views += [start + dt.timedelta(hours=2), start + dt.timedelta(hours=2, minutes=5)]
    views += [start + dt.timedelta(days=1)]
    seen = []
    for moment in views:
        _at(monkeypatch, moment)
        seen.append(home_digest(user=analyst)["since"])

    # Reloading within a visit keeps what is new; a later visit counts from
    # the last view of the one before.
    assert seen == [None, None, views[1], views[1], views[3]]
    assert HomeVisit.objects.filter(user=analyst).count() == 1
    assert HomeVisit.objects.get(user=analyst).seen_at == views[-1]


def test_what_is_new_stays_new_when_the_page_is_reloaded(analyst, monkeypatch):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    _at(monkeypatch, start)
    watch_add(user=analyst, country="VEN", partner=None, directed=False, type="")
    home_digest(user=analyst)  # a first visit
    _at(monkeypatch, start + dt.timedelta(hours=1))
    make_event("VEN", "RUS")  # created since then
    later = start + dt.timedelta(hours=3)
    digests = []
    for minutes in (0, 1, 20):
        _at(monkeypatch, later + dt.timedelta(minutes=minutes))
        digests.append(home_digest(user=analyst))

    assert [d["since"] for d in digests] == [start] * 3
    assert [[f.new_count for f in d["followed"]] for d in digests] == [[1]] * 3
