"""Writes of the domain: countries, actors, and events with their evidence."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

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
    country = actor.country if _country_exists(actor.country) else None
    key = Actor.make_key(name=actor.name, kind=actor.kind, country=country)
    found, _ = Actor.objects.get_or_create(
        key=key,
        defaults={
            "name": actor.name,
            "kind": actor.kind,
            "country_id": country,
            "title": actor.title,
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
    """
    old_keys, old_events = _mentions_detach(article)
    reviewed = _reviewed_mentions(article)
    fresh = [
        _report_mentions(found, index, article, extractor_version)
        for index, found in enumerate(events)
    ]
    new = [ms for ms in fresh if not any(m.start in reviewed for m in ms)]
    keys = old_keys | {ms[0].cluster_key for ms in new}
    _groups_lock(keys)
    before = _cells_of(old_events)
    touched = set(old_events)
    for key in sorted(keys):
        touched |= _group_recluster(
            key, [m for ms in new for m in ms if m.cluster_key == key]
        )
    after = _events_settle(touched)
    relations.relations_refresh(cells=before | after)
    return [reviewed.get(ms[0].start) or ms[0].event for ms in fresh]


def _mentions_detach(article) -> tuple[set[str], set[int]]:
    machine_made = Mention.objects.filter(
        article=article, event__review_state=Event.ReviewState.UNREVIEWED
    )
    rows = list(machine_made.values_list("cluster_key", "event_id"))
    machine_made.delete()
    return {key for key, _ in rows if key}, {event for _, event in rows}


def _reviewed_mentions(article) -> dict[int, Event]:
    """The article's evidence an analyst owns: never re-recorded."""
    mentions = Mention.objects.filter(article=article).exclude(
        event__review_state=Event.ReviewState.UNREVIEWED
    )
    return {m.start: m.event for m in mentions.select_related("event")}


def _report_mentions(
    found: extraction.Event, index: int, article, extractor_version: str
) -> list[Mention]:
    """Unsaved mentions for one found event, each carrying the article's account."""
    source = actor_resolve(actor=found.source)
    target = actor_resolve(actor=found.target) if found.target else None
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
    """Serialise workers clustering the same keys (PostgreSQL; SQLite locks all)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _group_recluster(key: str, new: list[Mention]) -> set[int]:
    """Cluster every machine-made account under `key`; returns the events it
    used or emptied."""
    stored = list(
        Mention.objects.filter(
            cluster_key=key, event__review_state=Event.ReviewState.UNREVIEWED
        )
        .select_related("article")
        .defer("article__text")
    )
    units: dict[tuple, list[Mention]] = {}
    for mention in [*stored, *new]:
        units.setdefault((mention.article_id, mention.report), []).append(mention)
    reports = {_report_of(ms): ms for ms in units.values()}
    window = settings.TENSIONS_CORROBORATION_WINDOW_DAYS
    taken: set[int] = set()
    emptied = {m.event_id for m in stored}
    for cluster in corroboration.clusters(reports, window_days=window):
        mentions = [m for report in cluster for m in reports[report]]
        event = _cluster_event(mentions, taken)
        taken.add(event.pk)
        _mentions_place(mentions, event)
    return taken | emptied


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


def _cluster_event(mentions: list[Mention], taken: set[int]) -> Event:
    """The event a cluster keeps: the one already holding most of it, else new."""
    held = Counter(m.event_id for m in mentions if m.pk and m.event_id not in taken)
    if held:
        best = max(held, key=lambda pk: (held[pk], -pk))
        return Event.objects.get(pk=best)
    return Event.objects.create(**_cluster_fields(mentions))


def _mentions_place(mentions: list[Mention], event: Event) -> None:
    moved = [m for m in mentions if m.pk and m.event_id != event.pk]
    for mention in mentions:
        mention.event = event
    Mention.objects.bulk_update(moved, ["event"])
    Mention.objects.bulk_create([m for m in mentions if not m.pk])


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


def _cells_of(event_ids: Iterable[int]) -> set:
    cells = set()
    for event in Event.objects.filter(pk__in=set(event_ids)):
        cells |= relations.event_cells(event)
    return cells


def _events_settle(event_ids: set[int]) -> set:
    """Refresh machine-made events from their accounts, drop those left without
    evidence, recount all; returns the DyadPeriod cells they now count in."""
    cells = set()
    for event in Event.objects.filter(pk__in=event_ids):
        mentions = list(event.mentions.select_related("article").defer("article__text"))
        if not mentions and not event.is_reviewed:
            event.delete()
            continue
        if not event.is_reviewed and mentions[0].cluster_key:
            _event_update(event, _cluster_fields(_canonical(mentions)))
        event_recount(event=event, mentions=mentions)
        cells |= relations.event_cells(event)
    return cells


def _canonical(mentions: list[Mention]) -> list[Mention]:
    return sorted(mentions, key=lambda m: (_report_of([m]).order(), m.start))


def _event_update(event: Event, fields: dict) -> None:
    changed = {k: v for k, v in fields.items() if getattr(event, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(event, name, value)
        # An analyst holding the old version must be told it moved under them.
        event.version += 1
        event.save()


def event_recount(*, event: Event, mentions: list[Mention] | None = None) -> None:
    """Counts, distinct publishers and first report from the event's mentions."""
    if mentions is None:
        mentions = list(event.mentions.select_related("article").defer("article__text"))
    articles = {m.article_id: m.article for m in mentions}.values()
    published = [a.published for a in articles if a.published]
    event.mention_count = len(mentions)
    event.article_count = len(articles)
    event.publisher_count = len(
        {a.publisher.casefold() for a in articles if a.publisher}
    )
    event.first_reported = min(published) if published else event.first_reported
    event.save(
        update_fields=[
            "mention_count",
            "article_count",
            "publisher_count",
            "first_reported",
            "day",
        ]
    )
