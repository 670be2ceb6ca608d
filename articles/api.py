"""REST API for articles: upload (JSON text or multipart files), list, retrieve."""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from articles.models import Article, UploadBatch
from articles.search import (
    articles_search,
    articles_with_event_counts,
    events_search,
)
from articles.services import article_create, article_reprocess, batch_upload
from tensions.api import ArticlePagination, EventSerializer
from tensions.api_errors import PayloadTooLarge
from tensions.models import Event
from tensions.roles import ReadOrReview


class ArticleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Article.Status.choices, help_text="Where processing stands."
    )
    publisher = django_filters.CharFilter(
        lookup_expr="iexact", help_text="The publisher, exact (any case): Reuters."
    )

    class Meta:
        model = Article
        fields = ["status", "publisher"]


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    source_url = serializers.CharField(
        source="url", read_only=True, help_text="Where it was published, or empty."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "title",
            "publisher",
            "author",
            "source_url",
            "published",
            "published_source",
            "uploaded_at",
            "status",
            "error",
            "attempts",
            "extractor_version",
            "started_at",
            "finished_at",
            "language",
            "duplicate_of",
            "similarity",
            "metadata_sources",
            "batch",
        ]


class ArticleDetailSerializer(ArticleSerializer):
    text = serializers.CharField(read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(ArticleSerializer.Meta):
        fields = ArticleSerializer.Meta.fields + ["text", "events"]

    @extend_schema(responses=EventSerializer(many=True))
    def get_events(self, article) -> list[dict]:
        events = (
            Event.objects.filter(mentions__article=article).distinct().with_related()
        )
        return EventSerializer(events, many=True).data


class UploadErrorSerializer(serializers.Serializer):
    file = serializers.CharField(help_text="The file's name (empty for pasted text).")
    message = serializers.CharField()


class UploadedArticleSerializer(ArticleSerializer):
    created = serializers.BooleanField(
        help_text="False when the text was already stored."
    )

    class Meta(ArticleSerializer.Meta):
        fields = ArticleSerializer.Meta.fields + ["created"]


class UploadResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(
        allow_null=True, help_text="The upload batch (files only)."
    )
    articles = UploadedArticleSerializer(many=True)
    errors = UploadErrorSerializer(many=True)


class ArticleInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False, trim_whitespace=False, allow_blank=True
    )
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200)
    author = serializers.CharField(required=False, allow_blank=True, max_length=200)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    published = serializers.DateField(required=False, allow_null=True)

    def validate_published(self, value):
        if value and value > timezone.localdate():
            raise serializers.ValidationError("The publication date is in the future.")
        return value

    def validate(self, attrs):
        has_text = bool((attrs.get("text") or "").strip())
        if not has_text and not attrs.get("file"):
            raise serializers.ValidationError(
                {"text": "Give the article's text or a file."}
            )
        if has_text and attrs.get("file"):
            raise serializers.ValidationError(
                {"file": "Give either text or files, not both."}
            )
        return attrs


class ArticleViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [ReadOrReview]
    pagination_class = ArticlePagination
    filterset_class = ArticleFilter

    def get_queryset(self):
        return Article.objects.all()

    def get_serializer_class(self):
        if self.action == "create":
            return ArticleInputSerializer
        if self.action == "retrieve":
            return ArticleDetailSerializer
        return ArticleSerializer

    @extend_schema(
        request=ArticleInputSerializer,
        responses={
            201: UploadResultSerializer,
            200: UploadResultSerializer,
            413: OpenApiResponse(description="Every file is over the size limit."),
        },
        examples=[
            OpenApiExample(
                "Pasted text",
                request_only=True,
                value={
                    "text": "Venezuela asked Russia for radars, the paper said.",
                    "title": "Radars",
                    "publisher": "The Washington Post",
                    "published": "2025-10-31",
                },
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        incoming = ArticleInputSerializer(data=_input_data(request))
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        fields = {k: v for k, v in data.items() if k not in ("text", "file")}
        if data.get("file"):
            result = batch_upload(
                files=data["file"],
                source=UploadBatch.Source.API,
                uploaded_by=request.user,
                fields=fields,
            )
            uploads, errors, batch = result.uploads, result.errors, result.batch.pk
        else:
            uploads, errors, batch = (
                _pasted(data["text"], fields, request.user),
                [],
                None,
            )
        if not uploads:
            _refuse_if_all_too_large(data.get("file") or [])
            field = "file" if data.get("file") else "text"
            raise serializers.ValidationError({field: [_describe(e) for e in errors]})
        articles = ArticleSerializer([u.article for u in uploads], many=True).data
        for row, upload in zip(articles, uploads, strict=True):
            row["created"] = upload.created
        created = any(u.created for u in uploads)
        return Response(
            {"batch": batch, "articles": articles, "errors": errors},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={202: ArticleSerializer})
    @action(detail=True, methods=["post"])
    def reprocess(self, request, pk=None):
        article = self.get_object()
        article_reprocess(article=article)
        article.refresh_from_db()
        return Response(
            ArticleSerializer(article).data, status=status.HTTP_202_ACCEPTED
        )


def _input_data(request) -> dict:
    if not hasattr(request.data, "getlist"):  # JSON
        return request.data
    data = {key: value for key, value in request.data.items() if key != "file"}
    data["file"] = request.FILES.getlist("file")
    return data


def _pasted(text: str, fields: dict, user) -> list:
    try:
        return [article_create(text=text, uploaded_by=user, **fields)]
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.message_dict) from None


def _refuse_if_all_too_large(files: list) -> None:
    limit = settings.TENSIONS_MAX_UPLOAD_BYTES
    if files and all(f.size > limit for f in files):
        raise PayloadTooLarge(
            f"Every file is over the limit of {limit:,} bytes: "
            + ", ".join(f"{f.name} ({f.size:,} bytes)" for f in files)
        )


def _describe(error: dict) -> str:
    return f"{error['file']}: {error['message']}" if error["file"] else error["message"]


# Search ------------------------------------------------------------------------

SEARCH_MAX_LIMIT = 100


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=500,
        help_text='Words must all match; "a phrase" in quotes; -word excludes. '
        "Articles are ranked (PostgreSQL full-text search), events latest first.",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=SEARCH_MAX_LIMIT,
        default=20,
        help_text=f"Most results of each kind (up to {SEARCH_MAX_LIMIT}).",
    )


class ArticleHitSerializer(ArticleSerializer):
    rank = serializers.FloatField(help_text="Relevance; higher is better.")
    event_count = serializers.IntegerField()

    class Meta(ArticleSerializer.Meta):
        fields = ArticleSerializer.Meta.fields + ["rank", "event_count"]


class SearchResultSerializer(serializers.Serializer):
    q = serializers.CharField()
    articles = ArticleHitSerializer(many=True)
    events = EventSerializer(many=True)


@extend_schema(
    parameters=[SearchQuerySerializer],
    responses=SearchResultSerializer,
    examples=[
        OpenApiExample(
            "Radars",
            response_only=True,
            value={"q": 'radar "naval base"', "articles": [], "events": []},
        )
    ],
)
@api_view(["GET"])
@permission_classes([ReadOrReview])
def search(request):
    """Articles and events by text, in one answer."""
    given = SearchQuerySerializer(data=request.query_params)
    given.is_valid(raise_exception=True)
    q, limit = given.validated_data["q"], given.validated_data["limit"]
    articles = articles_search(articles_with_event_counts(Article.objects.all()), q)
    events = events_search(Event.objects.visible().with_related(), q)
    return Response(
        SearchResultSerializer(
            {"q": q, "articles": articles[:limit], "events": events[:limit]}
        ).data
    )
