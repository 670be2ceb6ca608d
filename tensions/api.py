"""REST API for the domain: events, countries, actors."""

from __future__ import annotations

import datetime as dt
import json

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tensions import exports, review, roles
from tensions.extraction import taxonomy
from tensions.models import Actor, Country, Event, Mention

# ?ordering= values of the events list and exports; each ends on the id, so that
# rows sharing a value keep one order. "date" is the event's day (its date, else
# its first report), undated events last when newest first.
EVENT_ORDERINGS = {
    "-date": ("-sort_day", "-id"),
    "date": ("sort_day", "id"),
    "-intensity": ("-intensity", "-id"),
    "intensity": ("intensity", "id"),
}
_UNDATED = dt.date(1, 1, 1)


class CappedCursorPagination(CursorPagination):
    """Cursor pages of API_PAGE_SIZE rows; ?page_size= up to API_MAX_PAGE_SIZE."""

    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (capped at API_MAX_PAGE_SIZE)."

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = api_settings.PAGE_SIZE  # read now: settings may change
        return super().paginate_queryset(queryset, request, view)


class EventPagination(CappedCursorPagination):
    """Cursor pages in the ?ordering= of the events (newest day first by default).

    Every row of any result set is reached once by following `next`.
    """

    ordering = EVENT_ORDERINGS["-date"]

    def get_ordering(self, request, queryset, view):
        return EVENT_ORDERINGS.get(
            request.query_params.get("ordering", ""), self.ordering
        )


class ArticlePagination(CappedCursorPagination):
    """Cursor pages of articles, the latest stored first (by id)."""

    ordering = "-id"


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


def _choices(names) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


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
        help_text="Source country (ISO alpha-3), e.g. RUS.",
    )
    target = django_filters.CharFilter(
        field_name="target_country__code",
        lookup_expr="iexact",
        help_text="Target country (ISO alpha-3), e.g. UKR.",
    )
    type = django_filters.MultipleChoiceFilter(
        choices=Event.Type.choices,
        help_text="PLOVER event type; repeat for several, e.g. type=ASSAULT.",
    )
    mode = django_filters.CharFilter(
        help_text="PLOVER mode within the type, e.g. mode=missile."
    )
    context = django_filters.ChoiceFilter(
        choices=_choices(taxonomy.CONTEXTS),
        method="filter_context",
        help_text="Events whose contexts include this one, e.g. context=military.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Event.Status.choices,
        help_text="Whether it happened: occurred, possible, ...; repeatable.",
    )
    channel = django_filters.MultipleChoiceFilter(
        choices=Event.Channel.choices,
        help_text="How it was conveyed (letter, phone, ...); repeatable.",
    )
    review_state = django_filters.MultipleChoiceFilter(
        choices=Event.ReviewState.choices,
        help_text="Analyst review state; repeatable, e.g. review_state=confirmed.",
    )
    min_confidence = django_filters.NumberFilter(
        field_name="confidence",
        lookup_expr="gte",
        help_text="Extractor confidence at least this (0..1), e.g. 0.7.",
    )
    min_articles = django_filters.NumberFilter(
        field_name="article_count",
        lookup_expr="gte",
        help_text="Reported by at least this many articles (corroboration).",
    )
    publisher = django_filters.CharFilter(
        method="filter_publisher",
        help_text="Reported by an article of this publisher (exact, any case).",
    )
    q = django_filters.CharFilter(
        method="filter_text",
        help_text="Text in the event's object (what) or a reporting sentence.",
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", help_text="Dated on or after (ISO)."
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", help_text="Dated on or before (ISO)."
    )
    day_from = django_filters.DateFilter(
        field_name="day",
        lookup_expr="gte",
        help_text="From this day: the event's date, else its first report.",
    )
    day_to = django_filters.DateFilter(
        field_name="day",
        lookup_expr="lte",
        help_text="Up to this day: the event's date, else its first report.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=_choices(EVENT_ORDERINGS),
        method="filter_ordering",
        help_text="date, -date (default: newest day first, undated last), "
        "intensity or -intensity; ties by id.",
    )

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

    def filter_context(self, queryset, name, value):
        if connection.vendor == "postgresql":
            return queryset.filter(context__contains=[value])
        # SQLite has no JSON containment: match the quoted element in the text.
        return queryset.filter(context__icontains=json_string(value))

    def filter_publisher(self, queryset, name, value):
        reported = Mention.objects.filter(
            event=OuterRef("pk"), article__publisher__iexact=value
        )
        return queryset.filter(Exists(reported))

    def filter_text(self, queryset, name, value):
        said = Mention.objects.filter(event=OuterRef("pk"), sentence__icontains=value)
        return queryset.filter(Q(what__icontains=value) | Exists(said))

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*EVENT_ORDERINGS[value])


def json_string(value: str) -> str:
    """The JSON text of a string, quotes included."""
    return json.dumps(value)


def events_sorted(events):
    """Events with `sort_day`, the non-null day the date orderings sort on."""
    return events.annotate(sort_day=Coalesce("day", Value(_UNDATED))).order_by(
        *EVENT_ORDERINGS["-date"]
    )


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


class _ExportRenderer(renderers.BaseRenderer):
    """Names a format of the export, which streams its own body."""


class CSVRenderer(_ExportRenderer):
    """Names the csv format."""

    media_type = "text/csv"
    format = "csv"


class JSONLinesRenderer(_ExportRenderer):
    """Names the jsonl format."""

    media_type = "application/x-ndjson"
    format = "jsonl"


class EventViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Events; analysts review them with PATCH (409 when the version is stale)."""

    filterset_class = EventFilter
    pagination_class = EventPagination
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
        if self.action in ("list", "export"):
            events = events_sorted(events)
        if self.action == "retrieve":
            events = events.prefetch_related("mentions__article")
        return events

    def get_serializer_class(self):
        return EventDetailSerializer if self.action == "retrieve" else EventSerializer

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors of an export (400, 401, 429...) are answered in JSON, not CSV.
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), _ExportRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="CSV; columns in tensions/exports.py."
            ),
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="JSON Lines, one event per line."
            ),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[CSVRenderer, JSONLinesRenderer],
        pagination_class=None,
    )
    def export(self, request, *args, **kwargs):
        """Every event matching the filters, streamed as CSV or JSON Lines.

        /events/export.csv, /events/export.jsonl or /events/export/?format=.
        """
        events = self.filter_queryset(self.get_queryset())
        return exports.events_export(
            events=events,
            fmt=request.accepted_renderer.format,
            base_url=request.build_absolute_uri("/"),
        )


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
