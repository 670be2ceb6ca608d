"""The hand-written renderings of events and actors equal what DRF's fields make."""

import datetime as dt

import pytest
from rest_framework import serializers

from tensions.api import ActorSerializer, EventDetailSerializer, EventSerializer
from tensions.models import Event
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
