"""Integrity rules the database enforces, not only Python."""

import datetime as dt

import pytest
from django.db import IntegrityError

from tensions.models import Actor, Country, Event

pytestmark = pytest.mark.django_db


def _event(**fields):
    actor, _ = Actor.objects.get_or_create(
        key="state:VEN:venezuela",
        defaults={"name": "Venezuela", "kind": "state", "country_id": "VEN"},
    )
    values = {
        "type": "REQUEST",
        "status": "occurred",
        "source_actor": actor,
        "source_country_id": "VEN",
        "target_country_id": "RUS",
        "intensity": 0.5,
    }
    return Event.objects.create(**{**values, **fields})


def test_every_iso_country_is_loaded_with_the_historic_ones():
    assert Country.objects.filter(historic=False).count() == 249
    assert Country.objects.get(code="VEN").name == "Venezuela"
    assert Country.objects.get(code="SUN").historic


def test_an_event_between_a_country_and_itself_is_refused():
    with pytest.raises(IntegrityError):
        _event(target_country_id="VEN")


@pytest.mark.parametrize(
    "field, value",
    [("type", "HUG"), ("status", "rumoured"), ("channel", "pigeon"), ("intensity", 11)],
)
def test_values_outside_the_taxonomy_are_refused(field, value):
    with pytest.raises(IntegrityError):
        _event(**{field: value})


def test_a_dated_event_sits_on_its_date():
    event = _event(date=dt.date(2025, 10, 30), first_reported=dt.date(2025, 11, 2))
    assert event.day == dt.date(2025, 10, 30)
    with pytest.raises(IntegrityError):
        Event.objects.filter(pk=event.pk).update(day=dt.date(2025, 11, 2))


def test_the_same_text_is_stored_once():
    from tests.factories import article_make

    article_make(text="Same text.")
    with pytest.raises(IntegrityError):
        article_make(text="Same text.")


def test_actor_keys_tell_apart_same_names_in_different_countries():
    Actor.objects.create(name="Ministry of Defence", kind="ministry", country_id="GBR")
    Actor.objects.create(name="Ministry of Defence", kind="ministry", country_id="IND")
    with pytest.raises(IntegrityError):
        Actor.objects.create(
            name="ministry of defence", kind="ministry", country_id="IND"
        )


def test_dyad_queries_take_both_directions():
    forward = _event()
    backward = _event(source_country_id="RUS", target_country_id="VEN")
    _event(target_country_id="CHN")

    assert set(Event.objects.for_dyad("VEN", "RUS")) == {forward, backward}
