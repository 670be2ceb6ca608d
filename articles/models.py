"""Uploaded articles: their text, metadata and where processing stands."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """The text as compared for duplicates: NFC, whitespace folded, no edges."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
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
    original_file = models.FileField(upload_to="uploads/%Y/%m/", blank=True)
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
    extractor_version = models.CharField(max_length=20, blank=True)

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
