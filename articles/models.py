"""Uploaded articles: their text, metadata and where processing stands."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from articles.fingerprint import content_hash, normalise_text

__all__ = [
    "Article",
    "ArticleDocument",
    "ArticleSketch",
    "CommonSketchValue",
    "OriginalFile",
    "UploadBatch",
    "content_hash",
    "normalise_text",
]


class UploadBatch(models.Model):
    """One upload of one or more files (web form, API or import command)."""

    class Source(models.TextChoices):
        WEB = "web", "Web form"
        API = "api", "API"
        IMPORT = "import", "Import command"

    source = models.CharField(max_length=8, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="upload_batches",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    files = models.PositiveIntegerField(default=0)
    # Articles that were already stored (exact duplicates) and were not re-added.
    existing = models.PositiveIntegerField(default=0)
    # [{"file": name, "message": why}] for every file or record that was refused.
    file_errors = models.JSONField(default=list, blank=True)
    # [{"file": name, "article": id}]: the stored article each already-stored
    # text is, so that the batch's page points to it.
    existing_articles = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["web", "api", "import"]),
                name="upload_batch_source_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Upload {self.pk} ({self.get_source_display()})"

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Article.Status.values, 0)
        rows = self.articles.values_list("status").annotate(n=Count("id"))
        counts.update(dict(rows))
        return counts


class ArticleQuerySet(models.QuerySet):
    def held_by(self, claim: str):
        """Being processed under `claim`: only that run may record or finish them."""
        return self.filter(status=Article.Status.PROCESSING, claimed_by=claim)

    def stuck(self, *, before):
        """Queued or processing since before `before`: work a worker never finished."""
        return self.filter(
            Q(status=Article.Status.QUEUED, queued_at__lt=before)
            | Q(status=Article.Status.PROCESSING, started_at__lt=before)
        )


class Article(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        UNSUPPORTED = "unsupported", "Unsupported"

    class DateSource(models.TextChoices):
        FORM = "form", "Given on upload"
        FILE = "file", "Read from the file"
        UPLOAD_TIME = "upload_time", "Upload time (no date given)"

    title = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    published_source = models.CharField(
        max_length=12, choices=DateSource.choices, default=DateSource.FORM
    )
    language = models.CharField(max_length=12, blank=True)
    # The file it came from, kept as uploaded; for an archive or a bulk file,
    # the whole file once and which member or record this article is.
    original = models.ForeignKey(
        "OriginalFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    original_member = models.CharField(max_length=500, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    extraction_seconds = models.FloatField(
        null=True, blank=True, help_text="Time the extractor took, of the processing."
    )
    extractor_version = models.CharField(max_length=20, blank=True)
    batch = models.ForeignKey(
        UploadBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    # The same story published before: this one's events are not extracted again.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="near_duplicates",
    )
    similarity = models.FloatField(null=True, blank=True)
    # The text's sketch (fingerprint.sketch_pack): what a near-duplicate's
    # similarity to it is estimated from. Empty for a text too short.
    sketch = models.BinaryField(default=b"", editable=False)
    # Where each piece of metadata came from, e.g. {"title": "the HTML page"}.
    metadata_sources = models.JSONField(default=dict, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["queued", "processing", "done", "failed", "unsupported"]
                ),
                name="article_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(published_source__in=["form", "file", "upload_time"]),
                name="article_published_source_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "queued_at"], name="article_status_queued"),
            models.Index(fields=["published"], name="article_published"),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.UNSUPPORTED,
        }

    @property
    def processing_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ArticleDocument(models.Model):
    """What full-text search reads of an article: its weighted words
    (PostgreSQL only; see articles.search).

    A row of its own, written by a database trigger when the article's title,
    publisher or text is set (migration 0005_article_documents), so that the
    many writes of an article's processing status never index its text again.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="document"
    )
    vector = SearchVectorField()

    def __str__(self) -> str:
        return f"Words of article {self.article_id}"


class OriginalFile(models.Model):
    """An uploaded file's bytes, stored once however often it is uploaded."""

    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(upload_to="originals/%Y/%m/")
    name = models.CharField(max_length=255, help_text="Its name when first uploaded.")
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ArticleSketch(models.Model):
    """One of an article's smallest shingle hashes (its SKETCH_INDEXED
    smallest: articles.services): finds near-duplicates by index."""

    # Not indexed alone: article_sketch_unique, (article, value), leads with it.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    value = models.BigIntegerField()

    class Meta:
        # A value's holders, oldest first: the near-duplicate lookup counts
        # the first ones of each value (articles.services._sharing).
        indexes = [
            models.Index(fields=["value", "article"], name="article_sketch_holders")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "value"], name="article_sketch_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.value}"


class CommonSketchValue(models.Model):
    """A sketch value held by more articles than a near-duplicate lookup reads
    (an agency's footer, a template: articles.services.SKETCH_COMMON_HOLDERS).
    Marked when a lookup first finds it so; later lookups count it as common
    without reading its holders again. A mark stays when articles are deleted:
    a value that was boilerplate once is treated as boilerplate."""

    value = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.value)


class StatusCount(models.Model):
    """A change in the number of articles of one status (PostgreSQL).

    Triggers on the articles table append one row per status a statement
    changes (migration 0008), so the home page adds up a few rows instead of
    counting every article (8.5–9 ms at 100,000 articles, on every view).
    Rows are only appended, never updated: a worker's transaction never waits
    for another's to move a shared counter. `status_counts_compact` folds them
    into one row per status now and then. On SQLite the articles are counted.
    """

    status = models.CharField(max_length=20)
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.status} {self.n:+d}"
