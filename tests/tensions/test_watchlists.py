"""Following countries and pairs: what is new since the last visit, and pages."""

import datetime as dt

import pytest
from django.urls import reverse

from tensions.relations import relations_rebuild
from tensions.watchlists import home_digest, watch_add
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db


def test_home_shows_only_what_is_new_on_what_one_follows(analyst):
    watch_add(user=analyst, country="VEN", partner=None, directed=True, type="REQUEST")
    make_event("VEN", "RUS", type="REQUEST")
    make_event("USA", "VEN", type="ASSAULT")  # VEN is the target: not followed

    first = home_digest(user=analyst)
    make_event("VEN", "CHN", type="REQUEST")
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


def test_each_visit_becomes_the_one_the_next_digest_compares_with(analyst):
    from tensions.models import HomeVisit

    first = home_digest(user=analyst)
    seen = HomeVisit.objects.get(user=analyst).seen_at
    second = home_digest(user=analyst)
    third = home_digest(user=analyst)
    assert first["since"] is None and second["since"] == seen
    assert third["since"] > seen
    assert HomeVisit.objects.filter(user=analyst).count() == 1
