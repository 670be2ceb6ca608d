"""Analyst review through the API: PATCH an event, merge two, split a mention off.

Each action carries the version the analyst saw; a stale one is answered 409
with the event as it now stands, so a client can show it and try again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tensions import review
from tensions.models import Event, Mention

_VERSION_HELP = "The event's version the analyst saw (409 if it has changed since)."
_REASON_HELP = "Why, kept in the event's history."


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who won, and what to do now.")
    current = serializers.DictField(
        help_text="The event as it now stands (the event detail)."
    )


class EventReviewSerializer(serializers.Serializer):
    """A PATCH: the version the client saw, then a review state or field edits."""

    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_REASON_HELP
    )
    review_state = serializers.ChoiceField(
        choices=["confirmed", "rejected"],
        required=False,
        help_text="Confirm the event as it stands, or reject it (hidden by default).",
    )
    type = serializers.CharField(required=False, help_text="PLOVER type, e.g. AID.")
    mode = serializers.CharField(
        required=False, allow_blank=True, help_text="A mode of the type, e.g. aerial."
    )
    status = serializers.CharField(
        required=False, help_text="occurred, planned, possible, alleged or denied."
    )
    source_country = serializers.CharField(
        required=False, help_text="ISO alpha-3; the source becomes that state."
    )
    target_country = serializers.CharField(
        required=False, allow_null=True, help_text="ISO alpha-3, or null."
    )
    date = serializers.CharField(
        required=False, allow_null=True, help_text="YYYY-MM-DD, not in the future."
    )
    what = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="The object."
    )

    def validate(self, data):
        edits = {k: v for k, v in data.items() if k in review.EDITABLE}
        if edits and "review_state" in data:
            raise serializers.ValidationError(
                "Send either a review_state or field edits, not both."
            )
        if not edits and "review_state" not in data:
            raise serializers.ValidationError("Nothing to change.")
        return data


class EventMergeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)
    other = serializers.IntegerField(
        min_value=1, help_text="The event whose evidence moves here; it is deleted."
    )
    other_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The other event's version the analyst saw (default: its current).",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_REASON_HELP
    )


class MentionSplitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_VERSION_HELP)
    mention = serializers.IntegerField(
        min_value=1, help_text="The mention (of this event) to make its own event."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_REASON_HELP
    )


CONFLICT = OpenApiResponse(
    ConflictSerializer, description="The event changed since `version`."
)


class ReviewActionsMixin:
    """PATCH, merge and split on the events viewset, which serialises the result
    with `detail_data` and documents the responses."""

    @extend_schema(
        request=EventReviewSerializer,
        examples=[
            OpenApiExample(
                "Confirm",
                value={"version": 1, "review_state": "confirmed"},
                request_only=True,
            ),
            OpenApiExample(
                "Edit",
                value={"version": 2, "status": "possible", "reason": "a draft"},
                request_only=True,
            ),
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        data = _valid(EventReviewSerializer, request)
        return self._reviewed(lambda: _review_apply(event, data, request.user))

    @extend_schema(
        request=EventMergeSerializer,
        examples=[
            OpenApiExample(
                "Merge", value={"version": 1, "other": 42}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Move another event's evidence onto this one; the other is deleted."""
        event = self.get_object()
        data = _valid(EventMergeSerializer, request)
        return self._reviewed(
            lambda: review.events_merge(
                event_id=event.pk,
                other_id=data["other"],
                user=request.user,
                version=data["version"],
                other_version=data.get("other_version"),
                reason=data["reason"],
            )
        )

    @extend_schema(
        request=MentionSplitSerializer,
        examples=[
            OpenApiExample(
                "Split", value={"version": 3, "mention": 7}, request_only=True
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Make one mention of this event its own event (answered with the new one)."""
        event = self.get_object()
        data = _valid(MentionSplitSerializer, request)
        if not Mention.objects.filter(pk=data["mention"], event=event).exists():
            raise serializers.ValidationError(
                {"mention": [f"Event {event.pk} has no mention {data['mention']}."]}
            )
        return self._reviewed(
            lambda: review.mention_split(
                mention_id=data["mention"],
                user=request.user,
                version=data["version"],
                reason=data["reason"],
            ),
            created=True,
        )

    def _reviewed(self, act, *, created: bool = False) -> Response:
        try:
            event = act()
        except review.ReviewConflict as conflict:
            return Response(
                {"detail": str(conflict), "current": self.detail_data(conflict.event)},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            detail = (
                error.message_dict if hasattr(error, "error_dict") else error.messages
            )
            raise serializers.ValidationError(detail) from error
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.detail_data(event), status=code)


def _valid(serializer_class, request) -> dict:
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


def _review_apply(event: Event, data: dict, user) -> Event:
    common = {
        "event_id": event.pk,
        "user": user,
        "version": data["version"],
        "reason": data["reason"],
    }
    state = data.get("review_state")
    if state == "confirmed":
        return review.event_confirm(**common)
    if state == "rejected":
        return review.event_reject(**common)
    changes = {k: v for k, v in data.items() if k in review.EDITABLE}
    for side in ("source_country", "target_country"):
        if changes.get(side):
            changes[side] = changes[side].upper()
    return review.event_edit(**common, changes=changes)
