"""REST API for articles: upload (JSON text or multipart files), list, retrieve."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from articles.models import Article, UploadBatch
from articles.services import article_create, article_reprocess, batch_upload
from tensions.api import ArticlePagination, EventSerializer
from tensions.roles import ReadOrReview


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    source_url = serializers.URLField(source="url", read_only=True)

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
        from tensions.models import Event

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
    filterset_fields = ["status", "publisher"]

    def get_queryset(self):
        return Article.objects.all()

    def get_serializer_class(self):
        if self.action == "create":
            return ArticleInputSerializer
        if self.action == "retrieve":
            return ArticleDetailSerializer
        return ArticleSerializer

    @extend_schema(
        request=ArticleInputSerializer, responses={201: UploadResultSerializer}
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


def _describe(error: dict) -> str:
    return f"{error['file']}: {error['message']}" if error["file"] else error["message"]
