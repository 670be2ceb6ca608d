"""REST API for relations between countries: aggregates per period and pair, with
the tension index, and the series a chart draws for a set of pairs.

Both read the DyadPeriod rows tensions.relations maintains (never the events
themselves, except the marks of the timeline) and compute the index with its
one formula, relations.tension_index.
"""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

import django_filters
from django.db.models import Aggregate, F, JSONField, Q, Sum
from django.db.models.functions import Greatest, Least
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from tensions import api_cache, api_fast, relations, roles
from tensions.api import CappedCursorPagination, SharedFormFilterSet, pair_codes
from tensions.display import intensity_colour
from tensions.models import Country, DyadPeriod, Event, Period
from tensions.timeline import group_lanes

TIMELINE_MAX_PAIRS = 20
TIMELINE_MAX_POINTS = 1000  # periods per series: 2.7 years of days
TIMELINE_MAX_EVENTS = 3000
_DEFAULT_SPAN = {Period.DAY: 30, Period.WEEK: 7 * 26, Period.MONTH: 730}  # days


def _events_url(
    a: str, b: str, start: dt.date, end: dt.date, directed: bool = False
) -> str:
    """The events behind a figure."""
    # urlencode() of the whole query, with the pair's part encoded once: ISO
    # days need no quoting.
    return f"{_pair_events_url(a, b, directed)}&day_from={start}&day_to={end}"


@functools.lru_cache(maxsize=4096)
def _pair_events_url(a: str, b: str, directed: bool) -> str:
    pair = {"source": a, "target": b} if directed else {"pair": f"{a},{b}"}
    return f"{_events_list_url()}?{urlencode(pair)}"


@functools.cache
def _events_list_url() -> str:
    return reverse("event-list")


class RelationFilter(SharedFormFilterSet):
    period = django_filters.ChoiceFilter(
        choices=Period.choices,
        help_text="Length of each row's period: day, week or month (default).",
    )
    pair = django_filters.CharFilter(
        method="filter_pair",
        help_text="Two ISO alpha-3 codes, e.g. USA,VEN. With directed=true the "
        "order counts (USA → VEN only).",
    )
    country = django_filters.CharFilter(
        method="filter_country", help_text="Pairs that include this country (alpha-3)."
    )
    date_from = django_filters.DateFilter(
        method="filter_from", help_text="Periods that end on or after this day."
    )
    date_to = django_filters.DateFilter(
        field_name="start",
        lookup_expr="lte",
        help_text="Periods that start on or before this day.",
    )
    directed = django_filters.BooleanFilter(
        method="filter_directed",
        help_text="true: one row per direction (source → target); false (default): "
        "both directions summed per pair.",
    )

    class Meta:
        model = DyadPeriod
        fields = ["period", "pair", "country", "date_from", "date_to", "directed"]

    def filter_pair(self, queryset, name, value):
        a, b = pair_codes(value, field="pair")
        pair = Q(source_id=a, target_id=b)
        if not self.form.cleaned_data.get("directed"):
            pair |= Q(source_id=b, target_id=a)
        return queryset.filter(pair)

    def filter_country(self, queryset, name, value):
        code = value.strip().upper()
        return queryset.filter(Q(source_id=code) | Q(target_id=code))

    def filter_from(self, queryset, name, value):
        # A period that started before the day may still cover it.
        period = self.form.cleaned_data.get("period") or Period.MONTH
        return queryset.filter(start__gte=relations.period_start(value, period))

    def filter_directed(self, queryset, name, value):
        return queryset  # read by the view: it shapes the rows, not the filter


class RelationSerializer(serializers.Serializer):
    source = serializers.CharField(
        source="a", help_text="Source country; undirected: the first code of the pair."
    )
    target = serializers.CharField(
        source="b", help_text="Target country; undirected: the second code."
    )
    directed = serializers.BooleanField()
    period = serializers.ChoiceField(choices=Period.choices)
    start = serializers.DateField(help_text="The period's first day.")
    end = serializers.DateField(help_text="The period's last day.")
    events = serializers.IntegerField(help_text="Events counted (rejected excluded).")
    by_type = serializers.DictField(
        child=serializers.IntegerField(), help_text="Event counts per PLOVER type."
    )
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Event counts per status."
    )
    conflict = serializers.FloatField(help_text="Weighted conflict score C.")
    cooperation = serializers.FloatField(help_text="Weighted cooperation score K.")
    index = serializers.FloatField(
        help_text="Tension index, −100 (cooperation) … +100 (conflict); "
        "see /about/index/."
    )
    events_url = serializers.CharField(help_text="The events behind these figures.")

    def to_representation(self, row):
        """What the declared fields render, read directly (a test keeps both equal)."""
        return {
            "source": row["a"],
            "target": row["b"],
            "directed": row["directed"],
            "period": row["period"],
            "start": row["start"].isoformat(),
            "end": row["end"].isoformat(),
            "events": int(row["events"]),
            "by_type": {str(k): int(v) for k, v in row["by_type"].items()},
            "by_status": {str(k): int(v) for k, v in row["by_status"].items()},
            "conflict": float(row["conflict"]),
            "cooperation": float(row["cooperation"]),
            "index": float(row["index"]),
            "events_url": row["events_url"],
        }


class RelationPagination(CappedCursorPagination):
    """Newest periods first, then by pair."""

    ordering = ("-start", "a", "b")


_RELATION_EXAMPLE = OpenApiExample(
    "A month of USA – VEN",
    response_only=True,
    value={
        "source": "USA",
        "target": "VEN",
        "directed": False,
        "period": "month",
        "start": "2025-10-01",
        "end": "2025-10-31",
        "events": 12,
        "by_type": {"ASSAULT": 3, "THREATEN": 5, "REQUEST": 4},
        "by_status": {"occurred": 9, "alleged": 3},
        "conflict": 41.5,
        "cooperation": 6.0,
        "index": 61.9,
        "events_url": "/api/v1/events/?pair=USA%2CVEN&day_from=2025-10-01"
        "&day_to=2025-10-31",
    },
)


@extend_schema(examples=[_RELATION_EXAMPLE])
class RelationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Pair aggregates per period with the tension index (rejected events never
    count). Cursor-paginated like the events."""

    queryset = DyadPeriod.objects.all()
    serializer_class = RelationSerializer
    filterset_class = RelationFilter
    pagination_class = RelationPagination
    permission_classes = [roles.ReadOrReview]

    @api_cache.kept_per_version
    def list(self, request, *args, **kwargs):
        directed = request.query_params.get("directed", "").lower() in ("true", "1")
        page = api_fast.relations_page(request, self, directed=directed)
        fast = page is not None
        if not fast:
            # Filters on a row's own columns still go to WHERE, before the grouping.
            rows = self.filter_queryset(_listed_rows(directed).all())
            if "period" not in request.query_params:
                rows = rows.filter(period=Period.MONTH)
            page = self.paginate_queryset(rows)
        for row in page:
            _row_finish(row, directed)
        if fast and (written := api_fast.relations_json(request, self, page)):
            return HttpResponse(written, content_type=request.accepted_media_type)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@functools.cache
def _listed_rows(directed: bool):
    """The rows of the list before its filters: built once per process (a tenth
    of a request went to it), cloned per request and never evaluated itself."""
    cells = DyadPeriod.objects.all()
    return _directed_rows(cells) if directed else _pair_rows(cells)


def _directed_rows(cells):
    return cells.values(
        "period",
        "start",
        "by_type",
        "by_status",
        a=F("source_id"),
        b=F("target_id"),
        n=F("events"),
        c=F("conflict"),
        k=F("cooperation"),
    )


def _pair_rows(cells):
    return (
        cells.order_by()
        .values("period", "start", a=Least("source_id", "target_id"))
        .annotate(
            b=Greatest("source_id", "target_id"),
            n=Sum("events"),
            c=Sum("conflict"),
            k=Sum("cooperation"),
            types=_Each("by_type"),
            statuses=_Each("by_status"),
        )
    )


class _Each(Aggregate):
    """The JSON values of a group's rows, as a list: the counts per type (or
    status) of both directions of a pair, summed in Python from the same query."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="JSON_GROUP_ARRAY",
            template="%(function)s(JSON(%(expressions)s))",
            **extra_context,
        )


def _counts_sum(counts: list[dict]) -> dict:
    """The counts added up per key. One object is given as it is (a jsonb
    column's keys: shorter first, then in byte order); the sum of several in
    that order too, since the database aggregates a pair's two directions in
    no set order (and the first seen would otherwise lead)."""
    if len(counts) == 1:
        return dict(counts[0])
    total = {}
    for each in counts:
        for key, count in each.items():
            total[key] = count + total.get(key, 0)
    return dict(sorted(total.items(), key=_jsonb_key_order))


def _jsonb_key_order(item: tuple[str, int]) -> tuple[int, bytes]:
    key = item[0].encode()
    return len(key), key


def _row_finish(row: dict, directed: bool) -> None:
    if not directed:
        row["by_type"] = _counts_sum(row.pop("types"))
        row["by_status"] = _counts_sum(row.pop("statuses"))
    following = relations.period_next(row["start"], row["period"])
    row["end"] = following - dt.timedelta(days=1)
    row["events"] = row["n"]
    row["conflict"], row["cooperation"] = row["c"], row["k"]
    row["index"] = relations.tension_index(row["c"], row["k"])
    row["directed"] = directed
    row["events_url"] = _events_url(
        row["a"], row["b"], row["start"], row["end"], directed
    )


# Timeline --------------------------------------------------------------------------


class TimelineQuerySerializer(serializers.Serializer):
    pair = serializers.ListField(
        child=serializers.CharField(),
        min_length=1,
        max_length=TIMELINE_MAX_PAIRS,
        help_text="Repeat for each pair: pair=USA,VEN&pair=RUS,UKR "
        f"(at most {TIMELINE_MAX_PAIRS}).",
    )
    period = serializers.ChoiceField(
        choices=Period.choices, default=Period.MONTH, help_text="Each point's period."
    )
    date_from = serializers.DateField(
        required=False, help_text="First day (default: a span before date_to)."
    )
    date_to = serializers.DateField(required=False, help_text="Last day (today).")
    directed = serializers.BooleanField(
        default=False, help_text="true: only first → second of each pair."
    )
    events = serializers.BooleanField(
        default=True,
        help_text="Include each pair's events as marks (date, colour, status).",
    )

    def validate_pair(self, value):
        return [pair_codes(item) for item in value]

    def validate(self, data):
        data.setdefault("date_to", timezone.localdate())
        span = dt.timedelta(days=_DEFAULT_SPAN[data["period"]])
        data.setdefault("date_from", data["date_to"] - span)
        if data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_from": "It is after date_to."})
        first = relations.period_start(data["date_from"], data["period"])
        days = (data["date_to"] - first).days
        if days / {"day": 1, "week": 7, "month": 28}[data["period"]] > (
            TIMELINE_MAX_POINTS
        ):
            raise serializers.ValidationError(
                {"date_from": f"At most {TIMELINE_MAX_POINTS} periods per series."}
            )
        return data


class PointSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    events = serializers.IntegerField()
    conflict = serializers.FloatField()
    cooperation = serializers.FloatField()
    index = serializers.FloatField(help_text="The tension index, −100 … +100.")
    by_type = serializers.DictField(child=serializers.IntegerField())
    events_url = serializers.CharField()


class MarkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(help_text="The event's page.")
    date = serializers.DateField(help_text="Its date, else its first report.")
    source_country = serializers.CharField()
    target_country = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    intensity = serializers.FloatField()
    colour = serializers.CharField(help_text="The dashboard's colour for it.")


class SeriesSerializer(serializers.Serializer):
    a = serializers.CharField()
    b = serializers.CharField()
    label = serializers.CharField()
    points = PointSerializer(many=True)
    events = MarkSerializer(many=True)


class TimelineSerializer(serializers.Serializer):
    period = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    directed = serializers.BooleanField()
    series = SeriesSerializer(many=True)
    truncated = serializers.BooleanField(
        help_text=f"True when more than {TIMELINE_MAX_EVENTS} events were left out."
    )


@extend_schema(
    parameters=[TimelineQuerySerializer],
    responses=TimelineSerializer,
    examples=[
        OpenApiExample(
            "Two pairs by month",
            response_only=True,
            value={
                "period": "month",
                "date_from": "2025-09-01",
                "date_to": "2025-10-31",
                "directed": False,
                "series": [
                    {
                        "a": "USA",
                        "b": "VEN",
                        "label": "United States – Venezuela",
                        "points": [
                            {
                                "start": "2025-10-01",
                                "end": "2025-10-31",
                                "events": 2,
                                "conflict": 8.0,
                                "cooperation": 0.0,
                                "index": 44.4,
                                "by_type": {"THREATEN": 2},
                                "events_url": "/api/v1/events/?pair=USA%2CVEN",
                            }
                        ],
                        "events": [],
                    }
                ],
                "truncated": False,
            },
        )
    ],
)
@api_view(["GET"])
@permission_classes([roles.ReadOrReview])
def timeline(request):
    """The series a chart needs for a set of pairs: the tension index per period
    (empty periods included) and, unless events=false, each pair's events."""
    given = TimelineQuerySerializer(
        data={
            **request.query_params.dict(),
            "pair": request.query_params.getlist("pair"),
        }
    )
    given.is_valid(raise_exception=True)
    query = given.validated_data
    marks, truncated = _marks(query) if query["events"] else ({}, False)
    names = dict(
        Country.objects.filter(
            code__in={c for pair in query["pair"] for c in pair}
        ).values_list("code", "name")
    )
    series = [_series(pair, query, names, marks) for pair in query["pair"]]
    return Response(
        TimelineSerializer(
            {
                "period": query["period"],
                "date_from": query["date_from"],
                "date_to": query["date_to"],
                "directed": query["directed"],
                "series": series,
                "truncated": truncated,
            }
        ).data
    )


def _series(pair: tuple[str, str], query: dict, names: dict, marks: dict) -> dict:
    a, b = pair
    points = relations.pair_series(
        a=a,
        b=b,
        period=query["period"],
        start=query["date_from"],
        end=query["date_to"],
        directed=query["directed"],
    )
    return {
        "a": a,
        "b": b,
        "label": f"{names.get(a, a)} – {names.get(b, b)}",
        "points": [
            {
                "start": p.start,
                "end": p.end,
                "events": p.events,
                "conflict": p.conflict,
                "cooperation": p.cooperation,
                "index": p.index,
                "by_type": p.by_type,
                "events_url": _events_url(a, b, p.start, p.end, query["directed"]),
            }
            for p in points
        ],
        "events": [
            _mark(e)
            for e in marks.get(tuple(sorted(pair)), [])
            if not query["directed"] or e.source_country_id == a
        ],
    }


def _marks(query: dict) -> tuple[dict, bool]:
    """The events of every pair asked for, grouped by timeline.group_lanes."""
    pairs = Q(pk__in=[])
    for a, b in query["pair"]:
        pairs |= Q(source_country_id=a, target_country_id=b)
        pairs |= Q(source_country_id=b, target_country_id=a)
    events = list(
        Event.objects.visible()
        .with_related()
        .filter(pairs, day__gte=query["date_from"], day__lte=query["date_to"])
        .order_by("day", "id")[: TIMELINE_MAX_EVENTS + 1]
    )
    truncated = len(events) > TIMELINE_MAX_EVENTS
    lanes = group_lanes(events[:TIMELINE_MAX_EVENTS])
    return {lane.key: lane.events for lane in lanes}, truncated


def _mark(event: Event) -> dict:
    return {
        "id": event.pk,
        "url": event.get_absolute_url(),
        "date": event.when,
        "source_country": event.source_country_id,
        "target_country": event.target_country_id,
        "type": event.type,
        "status": event.status,
        "intensity": event.intensity,
        "colour": intensity_colour(event.intensity),
    }
