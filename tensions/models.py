"""The domain: countries, actors, events and the mentions that evidence them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse

from tensions.extraction import taxonomy
from tensions.extraction.results import ActorKind


def _choices(values) -> list[tuple[str, tuple[str, str]]]:
    """Members for the functional TextChoices API: NAME -> (value, label)."""
    return [
        (
            v.upper().replace("-", "_"),
            (v, v.replace("_", " ").replace("-", " ").capitalize()),
        )
        for v in values
    ]


class Country(models.Model):
    """An ISO 3166-1 country (or a historic one, such as the Soviet Union)."""

    code = models.CharField("ISO alpha-3", max_length=3, primary_key=True)
    alpha2 = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=120)
    official_name = models.CharField(max_length=200, blank=True)
    historic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tensions:country", args=[self.code])


class Actor(models.Model):
    """A named participant: a state, leader, ministry, armed group, body..."""

    class Kind(models.TextChoices):
        STATE = ActorKind.STATE, "State"
        LEADER = ActorKind.LEADER, "Leader"
        OFFICIAL = ActorKind.OFFICIAL, "Official"
        GOVERNMENT = ActorKind.GOVERNMENT, "Government"
        MINISTRY = ActorKind.MINISTRY, "Ministry"
        MILITARY = ActorKind.MILITARY, "Military"
        MEDIA = ActorKind.MEDIA, "State media"
        EMBASSY = ActorKind.EMBASSY, "Embassy"
        IGO = ActorKind.IGO, "International organisation"
        ARMED_GROUP = ActorKind.ARMED_GROUP, "Armed group"
        CRIMINAL_GROUP = ActorKind.CRIMINAL_GROUP, "Criminal group"
        PERSON = ActorKind.PERSON, "Person"
        GROUP = ActorKind.GROUP, "Group"

    key = models.CharField(max_length=255, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="actors"
    )
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActorKind.ALL), name="actor_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})" if self.country_id else self.name

    def save(self, *args, **kwargs):
        self.key = self.make_key(
            name=self.name, kind=self.kind, country=self.country_id
        )
        super().save(*args, **kwargs)

    @staticmethod
    def make_key(*, name: str, kind: str, country: str | None) -> str:
        return f"{kind}:{country or '-'}:{name.casefold()}"[:255]


class EventQuerySet(models.QuerySet):
    def visible(self, *, rejected: bool = False):
        """Events the pages show: rejected ones only when asked for."""
        if rejected:
            return self.all()
        return self.exclude(review_state=Event.ReviewState.REJECTED)

    def between(self, start: dt.date | None, end: dt.date | None):
        qs = self
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        return qs

    def for_country(self, code: str):
        return self.filter(Q(source_country_id=code) | Q(target_country_id=code))

    def for_dyad(self, a: str, b: str):
        """Events between two countries, in either direction."""
        return self.filter(
            Q(source_country_id=a, target_country_id=b)
            | Q(source_country_id=b, target_country_id=a)
        )

    def interstate(self):
        return self.filter(source_country__isnull=False, target_country__isnull=False)

    def with_related(self):
        return self.select_related(
            "source_actor", "target_actor", "source_country", "target_country"
        )


# The day undated events sort on: before every real day.
UNDATED = dt.date(1, 1, 1)


def _country_key() -> models.ForeignKey:
    """A country an event or a mention points at. No index of its own: what
    searches events by country has a composite index leading with it, and
    mentions are never searched by country (countries are never deleted)."""
    return models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class Event(models.Model):
    """One real-world happening, whatever number of articles report it.

    On PostgreSQL the table also has two columns the model leaves out,
    api_head and api_tail: the event's compact JSON as the API writes it, which
    a trigger keeps (migration 0013) and the events list reads
    (tensions/api_fast.py).
    """

    Type = models.TextChoices("Type", [(t, (t, t)) for t in taxonomy.TYPE_NAMES])
    Status = models.TextChoices("Status", _choices(taxonomy.STATUSES))
    Channel = models.TextChoices("Channel", _choices(taxonomy.CHANNELS))
    Precision = models.TextChoices("Precision", _choices(taxonomy.PRECISIONS))

    class ReviewState(models.TextChoices):
        UNREVIEWED = "unreviewed", "Not reviewed"
        CONFIRMED = "confirmed", "Confirmed"
        EDITED = "edited", "Edited"
        REJECTED = "rejected", "Rejected"

    type = models.CharField(max_length=12, choices=Type.choices)
    mode = models.CharField(max_length=20, blank=True)
    context = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    source_actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="events_as_source"
    )
    target_actor = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events_as_target",
    )
    # The pair indexes below lead with the source, event_target_date with the
    # target: every index is written on each insert, so no index of their own.
    source_country = _country_key()
    target_country = _country_key()
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=5, choices=Precision.choices, blank=True
    )
    first_reported = models.DateField(
        null=True, blank=True, help_text="Publication date of the earliest report."
    )
    what = models.CharField(max_length=300, blank=True)
    intensity = models.FloatField()
    confidence = models.FloatField(default=0.5)
    review_state = models.CharField(
        max_length=10, choices=ReviewState.choices, default=ReviewState.UNREVIEWED
    )
    mention_count = models.PositiveIntegerField(default=0)
    article_count = models.PositiveIntegerField(default=0)
    publisher_count = models.PositiveIntegerField(default=0)
    day = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Its date, else its first report: where it sits in time.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by every review, so concurrent edits collide."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=taxonomy.TYPE_NAMES), name="event_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=taxonomy.STATUSES), name="event_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel="") | Q(channel__in=taxonomy.CHANNELS),
                name="event_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(date_precision="")
                | Q(date_precision__in=taxonomy.PRECISIONS),
                name="event_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    review_state__in=["unreviewed", "confirmed", "edited", "rejected"]
                ),
                name="event_review_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(source_country__isnull=True)
                | Q(target_country__isnull=True)
                | ~Q(source_country=F("target_country")),
                name="event_source_is_not_target",
            ),
            # A dated event sits on its date: the API's date ranges filter on
            # the sort day (tensions.api.EventFilter.filter_day_range).
            models.CheckConstraint(
                condition=Q(date__isnull=True) | Q(day=F("date")),
                name="event_day_is_date",
            ),
            models.CheckConstraint(
                condition=Q(intensity__gte=-10) & Q(intensity__lte=10),
                name="event_intensity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="event_confidence_in_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["source_country", "target_country", "date"],
                name="event_dyad_date",
            ),
            models.Index(fields=["target_country", "date"], name="event_target_date"),
            models.Index(fields=["date", "id"], name="event_date_id"),
            models.Index(fields=["type", "date"], name="event_type_date"),
            models.Index(fields=["status"], name="event_status"),
            models.Index(
                fields=["source_country", "target_country", "first_reported"],
                name="event_dyad_reported",
            ),
            models.Index(
                fields=["source_country", "target_country", "day"],
                name="event_dyad_day",
            ),
            models.Index(fields=["created_at"], name="event_created"),
            # The API's default order, newest first with undated events last: an
            # index walk for the first page and for every cursor after it.
            models.Index(
                Coalesce("day", Value(UNDATED)).desc(),
                F("id").desc(),
                name="event_sort_day",
            ),
            # A pair's events in the API's order, either direction: an index
            # walk that stops after one page, with a day range on the same
            # expression (tensions.api.EventFilter).
            models.Index(
                Least("source_country", "target_country"),
                Greatest("source_country", "target_country"),
                Coalesce("day", Value(UNDATED)).desc(),
                F("id").desc(),
                name="event_pair_day",
            ),
            # Recent events of a country, newest first (country page).
            models.Index(fields=["day", "id"], name="event_day_id"),
            # The few an analyst reviewed, found without scanning all events.
            models.Index(
                fields=["review_state"],
                condition=~Q(review_state="unreviewed"),
                name="event_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return self.summary()

    def save(self, *args, **kwargs):
        self.day = self.date or self.first_reported
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tensions:event", args=[self.pk])

    @property
    def when(self) -> dt.date | None:
        """Where the event sits in time: its date, else when it was first reported."""
        return self.date or self.first_reported

    @property
    def is_reviewed(self) -> bool:
        return self.review_state != self.ReviewState.UNREVIEWED

    @property
    def quad(self) -> str:
        return taxonomy.TYPES[self.type].quad

    @property
    def cameo_root(self) -> str:
        return taxonomy.cameo_root(self.type, self.mode)

    def summary(self) -> str:
        """One line an analyst reads at a glance: who did what to whom, how real."""
        target = f" → {self.target_actor}" if self.target_actor_id else ""
        what = f": {self.what}" if self.what else ""
        return f"{self.source_actor} {self.type}{target}{what} ({self.status})"


class Mention(models.Model):
    """The evidence: one sentence of one article reporting an Event."""

    # Indexes a mention needs (each costs on every insert): the unique (event,
    # article, start) serves the event's mentions, mention_key_day
    # re-clustering, the article key the article's mentions.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="mentions"
    )
    sentence = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    cited_source = models.CharField(max_length=200, blank=True)
    confidence = models.FloatField(default=0.5)
    extractor_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    # How this article tells the happening: what corroboration clusters on and
    # what the event page compares when reports disagree.
    report = models.PositiveIntegerField(
        default=0, help_text="Which of the article's extracted events this is."
    )
    cluster_key = models.CharField(max_length=120, blank=True)
    type = models.CharField(max_length=12, blank=True)
    mode = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, blank=True)
    context = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=12, blank=True)
    source_actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_actor = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_country = _country_key()
    target_country = _country_key()
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, blank=True)
    # Its date, else its article's publication: where clustering places it, so
    # that re-clustering reads a window of a key rather than all of it.
    day = models.DateField(null=True, blank=True)
    what = models.CharField(max_length=300, blank=True)
    intensity = models.FloatField(default=0)

    class Meta:
        ordering = ["article_id", "start"]
        indexes = [models.Index(fields=["cluster_key", "day"], name="mention_key_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "article", "start"], name="mention_once_per_sentence"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="mention_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.start}-{self.end}"


class Period(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class DyadPeriod(models.Model):
    """What one country did to another in one period: the index's building blocks.

    Maintained by tensions.relations whenever an event changes; pages read these
    rows, never the events themselves.
    """

    source = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()
    events = models.PositiveIntegerField(default=0)
    by_type = models.JSONField(default=dict)
    by_status = models.JSONField(default=dict)
    conflict = models.FloatField(default=0)
    cooperation = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "period", "start"], name="dyad_period_once"
            ),
            models.CheckConstraint(
                condition=Q(period__in=["day", "week", "month"]),
                name="dyad_period_valid",
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="dyad_period_two_countries"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "start"], name="dyad_period_start"),
            # The home page's rankings read a month's sums from this index alone
            # (its rows lie on as many heap pages as there are rows). Start first:
            # led by the period, it would look cheaper than a country's own rows
            # (dyad_period_once, _reverse) to the country page's all-time sums.
            models.Index(
                fields=["start", "period"],
                include=["source", "target", "events", "conflict", "cooperation"],
                name="dyad_period_sums",
            ),
            models.Index(
                fields=["target", "source", "period", "start"],
                name="dyad_period_reverse",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}→{self.target_id} {self.period} {self.start}"


class StaleCell(models.Model):
    """A DyadPeriod row whose events changed since it was last computed.

    Processing an article appends these instead of recomputing the rows in its
    own transaction; tensions.relations.relations_refresh_stale recomputes them
    in batches. Rows are only ever appended and deleted, never upserted, so a
    mark made by a transaction still open is never lost to a refresh under way.
    """

    source = models.CharField(max_length=3)
    target = models.CharField(max_length=3)
    period = models.CharField(max_length=5, choices=Period.choices)
    start = models.DateField()

    def __str__(self) -> str:
        return f"{self.source}→{self.target} {self.period} {self.start} (stale)"


class CountryEvents(models.Model):
    """A change in the number of visible events between two countries that
    name one country, as source or target (PostgreSQL).

    Triggers on the events table append one row per country a statement
    changes (migration 0012), so the timeline's picker adds up a few rows
    instead of walking the events' indexes once per country (1.6 ms on every
    view at 100,000 events). Rows are only appended, never updated: a worker's
    transaction never waits for another's to move a shared counter.
    `country_events_compact` folds them into one row per country now and then.
    On SQLite the events are walked.
    """

    country = models.CharField(max_length=3)
    n = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "country events"

    def __str__(self) -> str:
        return f"{self.country} {self.n:+d}"


class Revision(models.Model):
    """One review action on an event: who, when, what before, what after, why."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        REJECT = "reject", "Rejected"
        EDIT = "edit", "Edited"
        MERGE = "merge", "Merged"
        SPLIT = "split", "Split"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=7, choices=Action.choices)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(help_text="The event's version after it.")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["confirm", "reject", "edit", "merge", "split"]),
                name="revision_action_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} event {self.event_id} v{self.version}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field the action changed."""
        names = sorted(set(self.before) | set(self.after))
        return [
            (name, self.before.get(name), self.after.get(name))
            for name in names
            if self.before.get(name) != self.after.get(name)
        ]


class Watch(models.Model):
    """Something a user follows: a country, a pair, maybe one event type."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    directed = models.BooleanField(
        default=False, help_text="Only events where `country` is the source."
    )
    type = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country_id", "partner_id", "type"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "country", "partner", "directed", "type"],
                name="watch_once",
            ),
            models.CheckConstraint(
                condition=~Q(partner=F("country")), name="watch_two_countries"
            ),
            models.CheckConstraint(
                condition=Q(type="") | Q(type__in=taxonomy.TYPE_NAMES),
                name="watch_type_valid",
            ),
        ]

    def __str__(self) -> str:
        arrow = "→" if self.directed else "–"
        partner = self.partner_id or "any"
        kind = f": {self.type}" if self.type else ""
        return f"{self.country_id} {arrow} {partner}{kind}"

    def events(self):
        """The events this watch covers."""
        events = Event.objects.visible()
        if self.directed:
            events = events.filter(source_country_id=self.country_id)
            if self.partner_id:
                events = events.filter(target_country_id=self.partner_id)
        elif self.partner_id:
            events = events.for_dyad(self.country_id, self.partner_id)
        else:
            events = events.for_country(self.country_id)
        return events.filter(type=self.type) if self.type else events


class HomeVisit(models.Model):
    """A user's visits to the home page: what counts as new for them. Views
    less than a gap apart are one visit (tensions.watchlists.VISIT_GAP), so
    that reloading the page keeps what is new."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="home_visit",
    )
    seen_at = models.DateTimeField(help_text="The latest view of the home page.")
    since = models.DateTimeField(
        null=True,
        help_text="The last view of the visit before this one (none on a first visit).",
    )

    def __str__(self) -> str:
        return f"{self.user_id} at {self.seen_at:%Y-%m-%d %H:%M}"
