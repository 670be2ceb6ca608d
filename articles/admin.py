from django.contrib import admin, messages

from articles.models import Article
from articles.services import articles_reprocess


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "publisher",
        "published",
        "status",
        "attempts",
        "extractor_version",
        "uploaded_at",
    ]
    list_filter = ["status", "published_source", "extractor_version", "language"]
    search_fields = ["title", "publisher", "url", "content_hash"]
    date_hierarchy = "uploaded_at"
    readonly_fields = [
        "content_hash",
        "status",
        "error",
        "attempts",
        "claimed_by",
        "queued_at",
        "started_at",
        "finished_at",
        "extractor_version",
        "uploaded_at",
    ]
    raw_id_fields = ["uploaded_by", "batch", "duplicate_of"]
    actions = ["reprocess"]

    @admin.action(description="Reprocess with the current extractor")
    def reprocess(self, request, queryset):
        count = articles_reprocess(articles=queryset)
        messages.success(request, f"{count} articles queued for processing.")
