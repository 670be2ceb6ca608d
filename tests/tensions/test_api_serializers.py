"""The hand-written renderings of events and actors equal what DRF's fields make."""

import datetime as dt

import pytest
from rest_framework import serializers

from tensions.api import ActorSerializer, EventDetailSerializer, EventSerializer
from tensions.api_relations import (
    RelationSerializer,
    _directed_rows,
    _pair_rows,
    _row_finish,
)
from tensions.models import DyadPeriod, Event, Period
from tensions.relations import relations_rebuild
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db


def _by_fields(serializer_class, instance) -> dict:
    """DRF's own rendering: every declared field, one by one."""
    serializer = serializer_class(instance)
    return serializers.ModelSerializer.to_representation(serializer, instance)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"target": None, "date": None, "context": ["military"], "mode": "aerial",
         "type": "ASSAULT", "source_actor": "Maduro", "confidence": 1},
        {"channel": "letter", "first_reported": dt.date(2025, 9, 30)},
    ],
)  # fmt: skip
def test_an_event_renders_as_its_fields_would(fields):
    event = Event.objects.select_related("source_actor", "target_actor").get(
        pk=make_event(**fields).pk
    )

    assert EventSerializer(event).data == _by_fields(EventSerializer, event)
    assert ActorSerializer(event.source_actor).data == _by_fields(
        ActorSerializer, event.source_actor
    )


def test_the_detail_adds_evidence_and_history():
    event = make_event()
    article = make_article("Venezuela asked Russia for radars.")
    make_mention(event, article, "Venezuela asked Russia for radars.")

    data = EventDetailSerializer(event).data

    assert data == _by_fields(EventDetailSerializer, event)
    assert len(data["mentions"]) == 1 and data["history"] == []


def test_the_list_renders_its_rows_as_the_serializer_renders_events(viewer_api):
    made = [
        make_event(),
        make_event(target=None, date=None, context=["military"], type="ASSAULT",
                   mode="aerial", source_actor="Maduro", confidence=1),
        make_event(channel="letter", first_reported=dt.date(2025, 9, 30)),
    ]  # fmt: skip
    events = Event.objects.select_related("source_actor", "target_actor")

    listed = viewer_api.get("/api/v1/events/?ordering=date").json()["results"]

    assert listed == [
        EventSerializer(events.get(pk=event.pk)).data
        for event in sorted(made, key=lambda e: (e.day or dt.date.min, e.pk))
    ]


@pytest.mark.parametrize("directed", [False, True])
def test_a_relation_renders_as_its_fields_would(directed):
    make_event("USA", "VEN", type="ASSAULT", date=dt.date(2025, 10, 8))
    make_event("VEN", "USA", type="THREATEN", date=dt.date(2025, 10, 9))
    relations_rebuild()
    cells = DyadPeriod.objects.filter(period=Period.MONTH)
    rows = list((_directed_rows if directed else _pair_rows)(cells))
    for row in rows:
        _row_finish(row, directed)

    assert len(rows) == (2 if directed else 1)
    for row in rows:
        rendered = RelationSerializer(row).data
        assert rendered == serializers.Serializer.to_representation(
            RelationSerializer(row), row
        )
        assert rendered["by_type"]
