"""Writes of the domain: countries, actors, and events with their evidence."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tensions import corroboration, extraction, relations
from tensions.countries import country_rows
from tensions.extraction import taxonomy
from tensions.models import Actor, Country, Event, Mention

logger = logging.getLogger(__name__)


def countries_load() -> int:
    """Create or update every country pycountry knows (current and historic)."""
    rows = country_rows()
    Country.objects.bulk_create(
        [Country(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["alpha2", "name", "official_name", "historic"],
    )
    return len(rows)


def actor_resolve(*, actor: extraction.Actor) -> Actor:
    """The stored Actor for an engine actor, created on first sight."""
    unsaved = _actor_unsaved(actor)
    found, _ = Actor.objects.get_or_create(
        key=unsaved.key,
        defaults={
            "name": unsaved.name,
            "kind": unsaved.kind,
            "country_id": unsaved.country_id,
            "title": unsaved.title,
        },
    )
    return found


def _country_exists(code: str | None) -> bool:
    if not code:
        return False
    if code not in _known_countries():
        logger.warning("the engine named a country that is not stored: %s", code)
        return False
    return True


_COUNTRY_CODES: set[str] = set()


def _known_countries() -> set[str]:
    if not _COUNTRY_CODES:
        _COUNTRY_CODES.update(Country.objects.values_list("code", flat=True))
    return _COUNTRY_CODES


@transaction.atomic
def events_record(
    *, article, events: Iterable[extraction.Event], extractor_version: str
) -> list[Event]:
    """Replace the machine-made evidence of `article` with `events`.

    Runs in one transaction, so a second run over the same article yields the same
    rows. Each found event becomes mentions carrying the article's account; the
    accounts sharing a cluster key are then clustered again from scratch (see
    tensions.corroboration), so the events do not depend on upload order. Events
    an analyst reviewed keep their mentions and are never changed.

    The number of queries depends on the number of found events, never on the
    number already stored: rows are read and written in bulk, per step.
    """
    events = list(events)
    old_keys, old_events = _mentions_detach(article)
    reviewed = _reviewed_mentions(article)
    actors = _actors_resolve(events)
    fresh = [
        _report_mentions(found, index, article, extractor_version, actors)
        for index, found in enumerate(events)
    ]
    new = [ms for ms in fresh if not any(m.start in reviewed for m in ms)]
    keys = old_keys | {ms[0].cluster_key for ms in new}
    _groups_lock(keys)
    touched = old_events | _groups_recluster(keys, [m for ms in new for m in ms])
    cells, settled = _events_settle(touched)
    relations.relations_refresh(cells=cells)
    return [reviewed.get(ms[0].start) or settled[ms[0].event_id] for ms in fresh]


def _mentions_detach(article) -> tuple[set[str], set[int]]:
    machine_made = Mention.objects.filter(
        article=article, event__review_state=Event.ReviewState.UNREVIEWED
    )
    rows = list(machine_made.values_list("cluster_key", "event_id"))
    if rows:
        machine_made.delete()
    return {key for key, _ in rows if key}, {event for _, event in rows}


def _reviewed_mentions(article) -> dict[int, Event]:
    """The article's evidence an analyst owns: never re-recorded."""
    mentions = Mention.objects.filter(article=article).exclude(
        event__review_state=Event.ReviewState.UNREVIEWED
    )
    return {m.start: m.event for m in mentions.select_related("event")}


def _actors_resolve(events: list[extraction.Event]) -> dict[str, Actor]:
    """The stored Actor of every side of `events`, by key: one read, one write."""
    wanted: dict[str, Actor] = {}
    for found in events:
        for actor in (found.source, found.target):
            if actor is None:
                continue
            stored = _actor_unsaved(actor)
            wanted.setdefault(stored.key, stored)
    if not wanted:
        return {}
    existing = Actor.objects.in_bulk(list(wanted), field_name="key")
    missing = [a for key, a in wanted.items() if key not in existing]
    if missing:
        Actor.objects.bulk_create(missing, ignore_conflicts=True)
        existing |= Actor.objects.in_bulk([a.key for a in missing], field_name="key")
    return existing


def _actor_unsaved(actor: extraction.Actor) -> Actor:
    country = actor.country if _country_exists(actor.country) else None
    key = Actor.make_key(name=actor.name, kind=actor.kind, country=country)
    return Actor(
        key=key,
        name=actor.name,
        kind=actor.kind,
        country_id=country,
        title=actor.title,
    )


def _actor_of(actor: extraction.Actor, actors: dict[str, Actor]) -> Actor:
    return actors[_actor_unsaved(actor).key]


def _report_mentions(
    found: extraction.Event,
    index: int,
    article,
    extractor_version: str,
    actors: dict[str, Actor],
) -> list[Mention]:
    """Unsaved mentions for one found event, each carrying the article's account."""
    source = _actor_of(found.source, actors)
    target = _actor_of(found.target, actors) if found.target else None
    target_country = target.country_id if target else None
    if target_country == source.country_id:
        target_country = None  # an engine slip; the database would refuse it anyway
    account = {
        "report": index,
        "type": found.type,
        "mode": found.mode or "",
        "status": found.status,
        "context": list(found.context),
        "channel": found.channel or "",
        "source_actor": source,
        "target_actor": target,
        "source_country_id": source.country_id,
        "target_country_id": target_country,
        "date": found.date,
        "date_precision": found.date_precision or "",
        "what": found.what[:300],
        "intensity": found.intensity,
        "confidence": found.confidence,
        "extractor_version": extractor_version,
        "cluster_key": corroboration.cluster_key(
            type=found.type,
            status=found.status,
            source=source.country_id or f"actor:{source.pk}",
            target=target_country or (target and f"actor:{target.pk}"),
        ),
    }
    unique = {e.start: e for e in found.evidence}.values()
    return [
        Mention(
            article=article,
            sentence=e.sentence,
            start=e.start,
            end=e.end,
            cited_source=e.cited_source or "",
            **account,
        )
        for e in unique
    ]


def _groups_lock(keys: set[str]) -> None:
    """Serialise workers clustering the same keys (PostgreSQL; SQLite locks all).

    One statement taking the locks in key order, so two workers never deadlock.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtext(k)))"
            " FROM (SELECT k FROM unnest(%s::text[]) AS k ORDER BY k) AS ordered",
            [sorted(keys)],
        )


def _groups_recluster(keys: set[str], new: list[Mention]) -> set[int]:
    """Cluster every machine-made account under `keys` (each key on its own);
    returns the events that gained or lost mentions (the others are unchanged)."""
    stored = list(
        Mention.objects.filter(
            cluster_key__in=keys, event__review_state=Event.ReviewState.UNREVIEWED
        )
        .select_related("article")
        .defer("article__text")
    )
    by_key: dict[str, list[Mention]] = {key: [] for key in keys}
    for mention in [*stored, *new]:
        by_key[mention.cluster_key].append(mention)
    placement = _Placement()
    for key in sorted(keys):
        _group_cluster(by_key[key], placement)
    placement.save()
    return placement.changed


class _Placement:
    """Events chosen for clusters and mentions moved or added, written in bulk."""

    def __init__(self) -> None:
        self.taken: set[int] = set()
        self.changed: set[int] = set()
        self.created: list[tuple[Event, list[Mention]]] = []
        self.moved: list[Mention] = []
        self.added: list[Mention] = []

    def place(self, mentions: list[Mention]) -> None:
        held = Counter(
            m.event_id for m in mentions if m.pk and m.event_id not in self.taken
        )
        if not held:
            self.created.append((Event(**_cluster_fields(mentions)), mentions))
            return
        best = max(held, key=lambda pk: (held[pk], -pk))
        self.taken.add(best)
        moved = [m for m in mentions if m.pk and m.event_id != best]
        added = [m for m in mentions if not m.pk]
        if moved or added:
            self.changed |= {best, *(m.event_id for m in moved)}
        self.moved += moved
        self.added += added
        for mention in mentions:
            mention.event_id = best

    def save(self) -> None:
        Event.objects.bulk_create([event for event, _ in self.created])
        for event, mentions in self.created:
            self.taken.add(event.pk)
            moved = [m for m in mentions if m.pk]
            self.changed |= {event.pk, *(m.event_id for m in moved)}
            self.moved += moved
            self.added += [m for m in mentions if not m.pk]
            for mention in mentions:
                mention.event = event
        Mention.objects.bulk_update(self.moved, ["event"])
        Mention.objects.bulk_create(self.added)


def _group_cluster(mentions: list[Mention], placement: _Placement) -> None:
    units: dict[tuple, list[Mention]] = {}
    for mention in mentions:
        units.setdefault((mention.article_id, mention.report), []).append(mention)
    reports = {_report_of(ms): ms for ms in units.values()}
    window = settings.TENSIONS_CORROBORATION_WINDOW_DAYS
    for cluster in corroboration.clusters(reports, window_days=window):
        placement.place([m for report in cluster for m in reports[report]])


def _report_of(mentions: list[Mention]) -> corroboration.Report:
    m = mentions[0]
    return corroboration.Report(
        article=m.article.content_hash,
        index=m.report,
        day=m.date or m.article.published,
        published=m.article.published,
        mode=m.mode,
        what=m.what,
    )


def _cluster_fields(mentions: list[Mention]) -> dict:
    """An event's fields from its accounts: what most of them say."""
    pick = corroboration.majority
    type_ = mentions[0].type
    mode = pick([m.mode for m in mentions if m.mode] or [""])
    dated = [m for m in mentions if m.date]
    when = pick(dated, key=lambda m: m.date) if dated else None
    return {
        "type": type_,
        "mode": mode,
        "status": pick([m.status for m in mentions]),
        "context": sorted({c for m in mentions for c in m.context}),
        "channel": pick([m.channel for m in mentions if m.channel] or [""]),
        "source_actor_id": pick([m.source_actor_id for m in mentions]),
        "target_actor_id": pick([m.target_actor_id for m in mentions]),
        "source_country_id": mentions[0].source_country_id,
        "target_country_id": mentions[0].target_country_id,
        "date": when.date if when else None,
        "date_precision": when.date_precision if when else "",
        "what": pick([m.what for m in mentions if m.what] or [""]),
        "intensity": taxonomy.intensity(type_, mode),
        "confidence": max(m.confidence for m in mentions),
    }


_COUNTED_FIELDS = [
    "mention_count",
    "article_count",
    "publisher_count",
    "first_reported",
    "day",
]


def _events_settle(event_ids: set[int]) -> tuple[set, dict[int, Event]]:
    """Refresh machine-made events from their accounts, drop those left without
    evidence, recount all; returns the DyadPeriod cells they counted in before
    and count in now, and the events kept, by id."""
    events = list(Event.objects.filter(pk__in=event_ids))
    cells = set().union(*(relations.event_cells(e) for e in events))
    mentions = _mentions_by_event(events)
    empty = {e.pk for e in events if not mentions[e.pk] and not e.is_reviewed}
    if empty:
        Event.objects.filter(pk__in=empty).delete()
    kept = [e for e in events if e.pk not in empty]
    for event in kept:
        ms = mentions[event.pk]
        changed: set[str] = set()
        if not event.is_reviewed and ms[0].cluster_key:
            changed = _event_apply(event, _cluster_fields(_canonical(ms)))
        counted = [getattr(event, name) for name in _COUNTED_FIELDS]
        _event_count(event, ms)
        changed |= {
            name
            for name, before in zip(_COUNTED_FIELDS, counted, strict=True)
            if getattr(event, name) != before
        }
        if changed:
            Event.objects.filter(pk=event.pk).update(
                **{name: getattr(event, name) for name in changed}
            )
        cells |= relations.event_cells(event)
    return cells, {e.pk: e for e in kept}


def _mentions_by_event(events: list[Event]) -> dict[int, list[Mention]]:
    found: dict[int, list[Mention]] = {e.pk: [] for e in events}
    rows = Mention.objects.filter(event__in=[e.pk for e in events])
    for mention in rows.select_related("article").defer("article__text"):
        found[mention.event_id].append(mention)
    return found


def _canonical(mentions: list[Mention]) -> list[Mention]:
    return sorted(mentions, key=lambda m: (_report_of([m]).order(), m.start))


def _event_apply(event: Event, fields: dict) -> set[str]:
    """Set the fields that differ (raising the version); returns their names."""
    changed = {k: v for k, v in fields.items() if getattr(event, k) != v}
    if not changed:
        return set()
    for name, value in changed.items():
        setattr(event, name, value)
    # An analyst holding the old version must be told it moved under them.
    event.version += 1
    event.updated_at = timezone.now()
    return {*changed, "version", "updated_at"}


def _event_count(event: Event, mentions: list[Mention]) -> None:
    articles = {m.article_id: m.article for m in mentions}.values()
    published = [a.published for a in articles if a.published]
    event.mention_count = len(mentions)
    event.article_count = len(articles)
    event.publisher_count = len(
        {a.publisher.casefold() for a in articles if a.publisher}
    )
    event.first_reported = min(published) if published else event.first_reported
    event.day = event.date or event.first_reported


def event_recount(*, event: Event, mentions: list[Mention] | None = None) -> None:
    """Counts, distinct publishers and first report from the event's mentions."""
    if mentions is None:
        mentions = list(event.mentions.select_related("article").defer("article__text"))
    _event_count(event, mentions)
    event.save(update_fields=_COUNTED_FIELDS)
