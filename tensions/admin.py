from django.contrib import admin

from tensions.models import Actor, Country, Event, Mention


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "alpha2", "historic"]
    list_filter = ["historic"]
    search_fields = ["code", "name", "official_name"]


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "title", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "title", "country__name"]
    autocomplete_fields = ["country"]


class ReviewedElsewhere:
    """Events and their evidence are read here, changed on the event page: a
    review there keeps its history and refreshes the pair rows and the pages
    drawn from them, which an edit through the admin would bypass."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MentionInline(ReviewedElsewhere, admin.TabularInline):
    model = Mention
    extra = 0
    fields = [
        "article",
        "sentence",
        "start",
        "end",
        "cited_source",
        "extractor_version",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Event)
class EventAdmin(ReviewedElsewhere, admin.ModelAdmin):
    list_display = [
        "id",
        "date",
        "source_country",
        "type",
        "target_country",
        "status",
        "mention_count",
        "review_state",
    ]
    list_filter = ["type", "status", "review_state", "date_precision"]
    search_fields = ["what", "source_actor__name", "target_actor__name"]
    date_hierarchy = "date"
    raw_id_fields = ["source_actor", "target_actor"]
    autocomplete_fields = ["source_country", "target_country"]
    list_select_related = ["source_country", "target_country"]
    inlines = [MentionInline]


@admin.register(Mention)
class MentionAdmin(ReviewedElsewhere, admin.ModelAdmin):
    list_display = ["id", "event", "article", "start", "end", "cited_source"]
    raw_id_fields = ["event", "article"]
    list_select_related = ["event__source_actor", "event__target_actor", "article"]
