"""REST API for the domain: events, countries, actors."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from tensions import api_cache, api_fast, api_review, exports, roles
from tensions.extraction import taxonomy
from tensions.models import UNDATED, Actor, Country, Event, Mention, Revision

# ?ordering= values of the events list and exports; each ends on the id, so that
# rows sharing a value keep one order. "date" is the event's day (its date, else
# its first report), undated events last when newest first.
EVENT_ORDERINGS = {
    "-date": ("-sort_day", "-id"),
    "date": ("sort_day", "id"),
    "-intensity": ("-intensity", "-id"),
    "intensity": ("intensity", "id"),
}


class CappedCursorPagination(CursorPagination):
    """Cursor pages of API_PAGE_SIZE rows; ?page_size= up to API_MAX_PAGE_SIZE."""

    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page (capped at API_MAX_PAGE_SIZE)."

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = api_settings.PAGE_SIZE  # read now: settings may change
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, ValueError):  # a forged cursor's position
            raise NotFound(self.invalid_cursor_message) from None


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

    def to_representation(self, actor):
        # Two per event on every page: plain reads, as the fields would render.
        return _actor_data(functools.partial(getattr, actor))


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

    def to_representation(self, event):
        """What the declared fields render, read directly: DRF's per-field
        machinery was most of the time of an events page (a test keeps both equal)."""
        target = event.target_actor if event.target_actor_id else None
        return _event_data(
            functools.partial(getattr, event),
            ActorSerializer.to_representation(self, event.source_actor),
            ActorSerializer.to_representation(self, target) if target else None,
        )


# Columns of an events page read with values(): the list renders these rows as
# EventSerializer renders the model instances, without building any.
_ACTOR_COLUMNS = ("name", "kind", "title", "country_id")
EVENT_ROW_COLUMNS = (
    "id", "type", "mode", "context", "status", "channel", "source_country_id",
    "target_country_id", "date", "date_precision", "what", "intensity",
    "confidence", "review_state", "version", "mention_count", "article_count",
    "publisher_count", "first_reported", "source_actor_id", "target_actor_id",
    *(f"source_actor__{name}" for name in _ACTOR_COLUMNS),
    *(f"target_actor__{name}" for name in _ACTOR_COLUMNS),
)  # fmt: skip


def event_row_data(row: dict) -> dict:
    """EventSerializer's rendering of a row of EVENT_ROW_COLUMNS."""
    get = row.__getitem__
    return _event_data(
        get,
        _actor_data(get, "source_actor_"),
        _actor_data(get, "target_actor_") if row["target_actor_id"] else None,
    )


def _actor_data(get, prefix: str = "") -> dict:
    """An actor's rendering from its attributes ("" prefix) or from an event row
    ("source_actor_" / "target_actor_": the id, then the joined columns)."""
    joined = prefix and prefix + "_"
    return {
        "id": get(prefix + "id"),
        "name": get(joined + "name"),
        "kind": get(joined + "kind"),
        "title": get(joined + "title"),
        "country": get(joined + "country_id"),
    }


def _event_data(get, source: dict, target: dict | None) -> dict:
    """EventSerializer's fields, each read by `get` (an attribute or a key)."""
    pk, type_, mode = get("id"), get("type"), get("mode")
    return {
        "id": pk,
        "url": event_url(pk),
        "type": type_,
        "mode": mode,
        "context": get("context"),
        "status": get("status"),
        "channel": get("channel"),
        "source": source,
        "target": target,
        "source_country": get("source_country_id"),
        "target_country": get("target_country_id"),
        "date": _iso(get("date")),
        "date_precision": get("date_precision"),
        "what": get("what"),
        "intensity": float(get("intensity")),
        "cameo_root": taxonomy.cameo_root(type_, mode),
        "confidence": float(get("confidence")),
        "review_state": get("review_state"),
        "version": get("version"),
        "mention_count": get("mention_count"),
        "article_count": get("article_count"),
        "publisher_count": get("publisher_count"),
        "first_reported": _iso(get("first_reported")),
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@functools.cache
def _event_url_pattern() -> str:
    return reverse("tensions:event", args=[_PK_MARK]).replace(str(_PK_MARK), "{pk}")


_PK_MARK = 987654321


def event_url(pk: int) -> str:
    """Event.get_absolute_url without resolving the URL each time."""
    return _event_url_pattern().format(pk=pk)


class RevisionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(
        source="user.username", read_only=True, allow_null=True, default=None
    )
    changes = serializers.SerializerMethodField(
        help_text="[field, before, after] for each field the action changed."
    )

    class Meta:
        model = Revision
        fields = ["id", "at", "user", "action", "reason", "version", "changes"]

    def get_changes(self, revision) -> list[list]:
        return [list(change) for change in revision.changes()]


class EventDetailSerializer(EventSerializer):
    mentions = MentionSerializer(
        many=True, read_only=True, help_text="The evidence: one sentence each."
    )
    history = RevisionSerializer(
        source="revisions",
        many=True,
        read_only=True,
        help_text="Every review action, latest first.",
    )

    class Meta(EventSerializer.Meta):
        fields = EventSerializer.Meta.fields + ["mentions", "history"]

    def to_representation(self, event):
        return super().to_representation(event) | {
            "mentions": MentionSerializer(event.mentions.all(), many=True).data,
            "history": RevisionSerializer(event.revisions.all(), many=True).data,
        }


def _choices(names) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


class _SharedFields(dict):
    """Form fields that each form uses as they are: a filter form only reads and
    cleans them, and Django would deep-copy them (choices and all) per request."""

    def __deepcopy__(self, memo):
        return dict(self)


class _SharedFilters(dict):
    """Filters that each FilterSet copies shallowly: django-filter deep-copies
    them (choices and all) per request, and a filter holds no request state
    but its parent, set on the copy."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, original in self.items():
            copies[name] = copy.copy(original)
            if original.method is not None:  # bind the method to the copy
                copies[name].method = original.method
        return copies


class SharedFormFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class and fields are built once, not per request
    (a third of the time of an events page went to rebuilding them), and whose
    filters are copied shallowly."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        if not isinstance(cls.__dict__.get("base_filters"), _SharedFilters):
            cls.base_filters = _SharedFilters(cls.base_filters)
        super().__init__(*args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        if "_shared_form" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._shared_form = form_class
        return cls._shared_form


class EventFilter(SharedFormFilterSet):
    country = django_filters.CharFilter(
        method="filter_country", help_text="ISO alpha-3 code, as source or target."
    )
    pair = django_filters.CharFilter(
        method="filter_pair",
        help_text="Two ISO alpha-3 codes, e.g. USA,VEN (either direction).",
    )
    # Codes are compared as stored (upper case): an index serves that, where a
    # case-blind comparison read the whole table for a code without events.
    source = django_filters.CharFilter(
        method="filter_source", help_text="Source country (ISO alpha-3), e.g. RUS."
    )
    target = django_filters.CharFilter(
        method="filter_target", help_text="Target country (ISO alpha-3), e.g. UKR."
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
        method="filter_day_range", help_text="Dated on or after (ISO)."
    )
    date_to = django_filters.DateFilter(
        method="filter_day_range", help_text="Dated on or before (ISO)."
    )
    day_from = django_filters.DateFilter(
        method="filter_day_range",
        help_text="From this day: the event's date, else its first report.",
    )
    day_to = django_filters.DateFilter(
        method="filter_day_range",
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

    def filter_source(self, queryset, name, value):
        return queryset.filter(source_country_id=value.upper())

    def filter_target(self, queryset, name, value):
        return queryset.filter(target_country_id=value.upper())

    def filter_pair(self, queryset, name, value):
        # Either direction as one key, the one the event_pair_day index starts with.
        low, high = sorted(pair_codes(value, field="pair"))
        return queryset.filter(
            Exact(Least("source_country", "target_country"), low),
            Exact(Greatest("source_country", "target_country"), high),
        )

    def filter_day_range(self, queryset, name, value):
        # On the day the list sorts by (a dated event's day is its date), so that
        # the indexes in that order walk the range and stop after a page; the
        # null check keeps out the events the bare field's range would.
        field, bound = name.split("_")
        within = GreaterThanOrEqual if bound == "from" else LessThanOrEqual
        return queryset.filter(within(sort_day(), value), **{f"{field}__isnull": False})

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


def pair_codes(value: str, *, field: str | None = None) -> tuple[str, str]:
    """("USA", "VEN") from "usa, VEN"; a 400 (on `field`) unless two codes."""
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    if len(codes) != 2 or codes[0] == codes[1]:
        message = f"{value!r}: give two different country codes, e.g. USA,VEN."
        raise serializers.ValidationError({field: [message]} if field else message)
    return codes[0], codes[1]


def json_string(value: str) -> str:
    """The JSON text of a string, quotes included."""
    return json.dumps(value)


def sort_day() -> Coalesce:
    """The non-null day the date orderings sort on, as the event_sort_day and
    event_pair_day indexes hold it (undated events on UNDATED)."""
    return Coalesce("day", Value(UNDATED))


def events_sorted(events):
    """Events with `sort_day`, the non-null day the date orderings sort on."""
    return events.annotate(sort_day=sort_day()).order_by(*EVENT_ORDERINGS["-date"])


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


_EVENT_EXAMPLE = OpenApiExample(
    "An event",
    response_only=True,
    value={
        "id": 311,
        "url": "/events/311/",
        "type": "ASSAULT",
        "mode": "aerial",
        "context": ["military", "illegal_drugs"],
        "status": "occurred",
        "channel": "",
        "source": {
            "id": 4,
            "name": "United States",
            "kind": "state",
            "title": "",
            "country": "USA",
        },
        "target": None,
        "source_country": "USA",
        "target_country": "VEN",
        "date": "2025-10-03",
        "date_precision": "day",
        "what": "a boat",
        "intensity": -9.0,
        "cameo_root": "19",
        "confidence": 0.85,
        "review_state": "unreviewed",
        "version": 1,
        "mention_count": 3,
        "article_count": 2,
        "publisher_count": 2,
        "first_reported": "2025-10-03",
    },
)


@extend_schema_view(
    list=extend_schema(examples=[_EVENT_EXAMPLE]),
    partial_update=extend_schema(
        responses={200: EventDetailSerializer, 409: api_review.CONFLICT}
    ),
    merge=extend_schema(
        responses={200: EventDetailSerializer, 409: api_review.CONFLICT}
    ),
    split=extend_schema(
        responses={201: EventDetailSerializer, 409: api_review.CONFLICT}
    ),
)
class EventViewSet(
    api_review.ReviewActionsMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Events; analysts review, merge and split them (409 when the version is stale)."""

    filterset_class = EventFilter
    pagination_class = EventPagination
    permission_classes = [roles.ReadOrReview]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def detail_data(self, event: Event) -> dict:
        found = _with_evidence(_with_actors(Event.objects)).get(pk=event.pk)
        return EventDetailSerializer(found).data

    def get_queryset(self):
        rejected = (
            self.action != "list" or self.request.query_params.get("rejected") == "1"
        )
        events = Event.objects.visible(rejected=rejected)
        if self.action != "list":  # the list reads values(), joins and all
            events = _with_actors(events)
        if self.action in ("list", "export"):
            events = events_sorted(events)
        if self.action == "retrieve":
            events = _with_evidence(events)
        return events

    def get_serializer_class(self):
        return EventDetailSerializer if self.action == "retrieve" else EventSerializer

    def read_as_token_user(self, request, key: str):
        """Authentication's hook (tensions/api_auth.py): a list answer computed
        afresh reads its page in the statement that checks the token. It runs
        while DRF authenticates: nothing here may read request.user."""
        if self.action != "list" or not api_cache.computed_afresh(request):
            return None
        found = api_fast.events_page_signed(request, self, key)
        if found is None:
            return None
        signed_in, self.page_read = found
        return signed_in

    page_read = None  # the list's answer, when read while signing in

    @api_cache.kept_per_version
    def list(self, request, *args, **kwargs):
        fast = self.page_read
        if fast is None:
            fast = api_fast.events_page(request, self)
        if isinstance(fast, bytes):  # its JSON, written row by row
            return HttpResponse(fast, content_type=request.accepted_media_type)
        if fast is not None:
            return self.get_paginated_response(fast)
        # Rows, not model instances: a page is rendered from one values() query.
        rejected = request.query_params.get("rejected") == "1"
        events = self.filter_queryset(_listed_events(rejected).all())
        page = self.paginate_queryset(events)
        return self.get_paginated_response([event_row_data(row) for row in page])

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
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=["csv", "jsonl"],
                description="csv or jsonl, when the path has no .csv or .jsonl.",
            )
        ],
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


@functools.cache
def _listed_events(rejected: bool):
    """The rows an events page reads, before its filters: built once per process
    (values() with the joined actor columns cost a tenth of a page), cloned per
    request and never evaluated itself."""
    events = events_sorted(Event.objects.visible(rejected=rejected))
    return events.values(*EVENT_ROW_COLUMNS, "sort_day")


def _with_actors(events):
    # Countries are rendered as their codes: no join needed for them.
    return events.select_related("source_actor", "target_actor")


def _with_evidence(events):
    return events.prefetch_related(
        Prefetch(
            "mentions", Mention.objects.select_related("article").defer("article__text")
        ),
        Prefetch("revisions", Revision.objects.select_related("user")),
    )


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    lookup_field = "code"


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Actor.Kind.choices, help_text="What the actor is, e.g. ministry."
    )
    country = django_filters.CharFilter(
        field_name="country__code",
        lookup_expr="iexact",
        help_text="The actor's country (ISO alpha-3), e.g. VEN.",
    )
    q = django_filters.CharFilter(
        method="filter_text", help_text="Text in the actor's name or title."
    )

    class Meta:
        model = Actor
        fields = ["kind", "country", "q"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value))


class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Actor.objects.select_related("country")
    serializer_class = ActorSerializer
    filterset_class = ActorFilter


@extend_schema(
    responses={200: {"type": "object", "properties": {"ok": {"type": "boolean"}}}}
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request):
    return Response({"ok": True})


# The API's documentation pages load Swagger UI and ReDoc from this site
# (drf-spectacular-sidecar), but ReDoc's bundle would still fetch its footer
# logo from cdn.redoc.ly: under this policy browsers refuse anything from
# elsewhere. Both pages run an inline script and set inline styles; ReDoc's
# search runs in a worker made from a blob.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    ]
)


def docs_page(view):
    """The documentation `view`, its pages allowed nothing from outside this site."""

    @functools.wraps(view)
    def page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response

    return page
