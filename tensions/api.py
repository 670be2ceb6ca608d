"""REST API for the domain: events, countries, actors."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tensions import review, roles
from tensions.models import Actor, Country, Event, Mention


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "alpha2", "name", "official_name", "historic"]


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "name", "kind", "title", "country"]


class MentionSerializer(serializers.ModelSerializer):
    article_title = serializers.CharField(source="article.title", read_only=True)
    publisher = serializers.CharField(source="article.publisher", read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "article",
            "article_title",
            "publisher",
            "sentence",
            "start",
            "end",
            "cited_source",
            "confidence",
            "extractor_version",
        ]


class EventSerializer(serializers.ModelSerializer):
    source = ActorSerializer(source="source_actor", read_only=True)
    target = ActorSerializer(source="target_actor", read_only=True, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    cameo_root = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "type",
            "mode",
            "context",
            "status",
            "channel",
            "source",
            "target",
            "source_country",
            "target_country",
            "date",
            "date_precision",
            "what",
            "intensity",
            "cameo_root",
            "confidence",
            "review_state",
            "version",
            "mention_count",
            "article_count",
            "publisher_count",
            "first_reported",
        ]


class EventDetailSerializer(EventSerializer):
    mentions = MentionSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = EventSerializer.Meta.fields + ["mentions"]


class EventFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(
        method="filter_country", help_text="ISO alpha-3 code, as source or target."
    )
    pair = django_filters.CharFilter(
        method="filter_pair",
        help_text="Two ISO alpha-3 codes, e.g. USA,VEN (either direction).",
    )
    source = django_filters.CharFilter(
        field_name="source_country__code",
        lookup_expr="iexact",
        help_text="Source country.",
    )
    target = django_filters.CharFilter(
        field_name="target_country__code",
        lookup_expr="iexact",
        help_text="Target country.",
    )
    type = django_filters.MultipleChoiceFilter(choices=Event.Type.choices)
    status = django_filters.MultipleChoiceFilter(choices=Event.Status.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    day_from = django_filters.DateFilter(
        field_name="day",
        lookup_expr="gte",
        help_text="From this day: the event's date, else its first report.",
    )
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = Event
        fields = ["country", "pair", "source", "target", "type", "status"]

    def filter_country(self, queryset, name, value):
        return queryset.for_country(value.upper())

    def filter_pair(self, queryset, name, value):
        codes = [c.strip().upper() for c in value.split(",") if c.strip()]
        if len(codes) != 2:
            raise serializers.ValidationError(
                {"pair": "Give two country codes: USA,VEN."}
            )
        return queryset.for_dyad(*codes)


class EventReviewSerializer(serializers.Serializer):
    """A PATCH: the version the client saw, then a review state or field edits."""

    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    review_state = serializers.ChoiceField(
        choices=["confirmed", "rejected"], required=False
    )
    type = serializers.CharField(required=False)
    mode = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False)
    source_country = serializers.CharField(required=False)
    target_country = serializers.CharField(required=False, allow_null=True)
    date = serializers.CharField(required=False, allow_null=True)
    what = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, data):
        edits = {k: v for k, v in data.items() if k in review.EDITABLE}
        if edits and "review_state" in data:
            raise serializers.ValidationError(
                "Send either a review_state or field edits, not both."
            )
        if not edits and "review_state" not in data:
            raise serializers.ValidationError("Nothing to change.")
        return data


class EventViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Events; analysts review them with PATCH (409 when the version is stale)."""

    filterset_class = EventFilter
    permission_classes = [roles.ReadOrReview]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        request=EventReviewSerializer, responses={200: EventDetailSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        given = EventReviewSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            event = _review_apply(event, given.validated_data, request.user)
        except review.ReviewConflict as conflict:
            current = EventDetailSerializer(self.get_queryset().get(pk=event.pk)).data
            return Response(
                {"detail": str(conflict), "current": current},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            detail = (
                error.message_dict if hasattr(error, "error_dict") else error.messages
            )
            raise serializers.ValidationError(detail) from error
        return Response(
            EventDetailSerializer(self.get_queryset().get(pk=event.pk)).data
        )

    def get_queryset(self):
        rejected = (
            self.action != "list" or self.request.query_params.get("rejected") == "1"
        )
        events = Event.objects.visible(rejected=rejected).with_related()
        if self.action == "retrieve":
            events = events.prefetch_related("mentions__article")
        return events

    def get_serializer_class(self):
        return EventDetailSerializer if self.action == "retrieve" else EventSerializer


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


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    lookup_field = "code"


class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Actor.objects.select_related("country")
    serializer_class = ActorSerializer
    filterset_fields = ["kind", "country"]

    def get_queryset(self):
        actors = super().get_queryset()
        query = self.request.query_params.get("q")
        if query:
            actors = actors.filter(Q(name__icontains=query) | Q(title__icontains=query))
        return actors


@extend_schema(
    responses={200: {"type": "object", "properties": {"ok": {"type": "boolean"}}}}
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request):
    return Response({"ok": True})
