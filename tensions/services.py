"""Writes of the domain: countries, actors, and events with their evidence."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tensions import bulk, corroboration, extraction, relations
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


def events_record(
    *,
    article,
    events: Iterable[extraction.Event],
    extractor_version: str,
    relations_later: bool = False,
) -> list[Event]:
    """Replace the machine-made evidence of `article` with `events`; returns the
    event each found event became (see events_record_many)."""
    (recorded,) = events_record_many(
        found={article: list(events)},
        extractor_version=extractor_version,
        relations_later=relations_later,
    )
    return recorded


# Inside a caller's transaction (the worker's), no savepoint of its own: on an
# error the whole transaction is rolled back anyway, and a savepoint costs two
# round trips per call.
@transaction.atomic(savepoint=False)
def events_record_many(
    *,
    found: dict,
    extractor_version: str,
    relations_later: bool = False,
) -> list[list[Event]]:
    """Replace the machine-made evidence of each article of `found` (article →
    the engine's events) with its events; returns, per article in the order
    given, the event each found event became.

    Runs in one transaction, so a second run over the same articles yields the
    same rows. Each found event becomes mentions carrying the article's account.
    An account that matches an event an analyst reviewed joins it as more
    evidence (its reviewed fields stay as they are); the others are clustered
    again with the accounts sharing their cluster key (see
    tensions.corroboration and _groups_recluster), so the events depend neither
    on upload order nor on which articles are recorded together. Events an
    analyst reviewed keep their mentions and are never changed.

    The pair rows (DyadPeriod) are recomputed here, or with `relations_later`
    only marked stale, for a batched refresh soon after commit.

    The number of queries depends on neither the number of events already
    stored nor the number of articles: rows are read and written in bulk, per
    step, for all the articles at once, and re-clustering reads a window of
    days around the changed accounts. A worker records a batch of articles in
    one call for that reason.
    """
    articles = {article.pk: article for article in found}
    detached, reviewed = _mentions_detach(articles)
    actors = _actors_resolve([e for events in found.values() for e in events])
    fresh = {
        article.pk: [
            _report_mentions(event, index, article, extractor_version, actors)
            for index, event in enumerate(events)
        ]
        for article, events in found.items()
    }
    new = [
        ms
        for pk, accounts in fresh.items()
        for ms in accounts
        if not any((pk, m.start) in reviewed for m in ms)
    ]
    _groups_lock({m.cluster_key for m in detached} | {ms[0].cluster_key for ms in new})
    attached = _reviewed_attach(new)
    new = [ms for ms in new if not ms[0].event_id]
    changes = _changes(articles, detached, new)
    touched = {m.event_id for m in detached} | attached
    placement = _groups_recluster(changes, [m for ms in new for m in ms])
    touched |= placement.changed
    held = {m.pk: m for m in placement.placed}
    cells, settled = _events_settle(touched, created=placement.created, held=held)
    if relations_later:
        relations.cells_mark_stale(cells=cells)
        _relations_refresh_soon()
    else:
        relations.relations_refresh(cells=cells)
    return [
        [reviewed.get((pk, ms[0].start)) or settled[ms[0].event_id] for ms in accounts]
        for pk, accounts in fresh.items()
    ]


def _mentions_detach(articles: dict) -> tuple[list[Mention], dict[tuple, Event]]:
    """Delete the articles' machine-made mentions, returning them; and the events
    an analyst owns that they evidence, by (article id, sentence start): those
    are never re-recorded."""
    mentions = list(
        Mention.objects.filter(article__in=list(articles))
        .order_by()
        .only("pk", "article", "start", "cluster_key", "event_id", "day", "report")
        .annotate(review_state=F("event__review_state"))
    )
    unreviewed = Event.ReviewState.UNREVIEWED
    machine = [m for m in mentions if m.review_state == unreviewed]
    if machine:
        Mention.objects.filter(pk__in=[m.pk for m in machine]).delete()
    owned = {
        (m.article_id, m.start): m.event_id
        for m in mentions
        if m.review_state != unreviewed
    }
    events = Event.objects.order_by().in_bulk(set(owned.values())) if owned else {}
    return machine, {where: events[pk] for where, pk in owned.items()}


def _changes(articles: dict, detached: list[Mention], new: list[list[Mention]]) -> dict:
    """For each cluster key the articles' accounts leave or join: the canonical
    order of the first such account and the last day any of them sits on."""
    changes: dict[str, tuple] = {}
    accounts = [
        (m.cluster_key, articles[m.article_id], m.report, m.day)
        for m in detached
        if m.cluster_key
    ]
    accounts += [
        (ms[0].cluster_key, ms[0].article, ms[0].report, ms[0].day) for ms in new
    ]
    for key, article, report, day in accounts:
        order = _order(day, article.published, article.content_hash, report)
        first, last = changes.get(key, (order, day))
        changes[key] = (min(first, order), _latest(last, day))
    return changes


def _order(day, published, article: str, report: int) -> tuple:
    return corroboration.Report(article, report, day, published, "", "").order()


def _latest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return None if a is None or b is None else max(a, b)


def _relations_refresh_soon() -> None:
    """After commit, enqueue one refresh of the stale pair rows for all the
    articles this process records in the next few seconds."""
    from tensions.tasks import refresh_relations

    def send():
        # The mark expires before the refresh runs, so that one refresh never
        # starts reading while an article it skipped sending for still commits.
        if not cache.add(REFRESH_PENDING, True, timeout=REFRESH_DELAY_SECONDS / 2):
            return  # one is already on its way and will take these cells too
        try:
            refresh_relations.apply_async(countdown=REFRESH_DELAY_SECONDS)
        except Exception:  # the broker is down: beat's periodic refresh catches up
            logger.warning("could not enqueue the relations refresh")

    transaction.on_commit(send)


# While articles keep coming, the pair rows are refreshed every half of this;
# a batch that leaves the queue empty refreshes them at once (articles.tasks).
REFRESH_DELAY_SECONDS = 20
REFRESH_PENDING = "tensions:relations-refresh-pending"


def _actors_resolve(events: list[extraction.Event]) -> dict[str, Actor]:
    """The stored Actor of every side of `events`, by key: one read, one write."""
    wanted: dict[str, extraction.Actor] = {}
    for found in events:
        for actor in (found.source, found.target):
            if actor is not None:
                wanted.setdefault(_actor_key(actor), actor)
    if not wanted:
        return {}
    actors = Actor.objects.order_by()
    existing = actors.in_bulk(list(wanted), field_name="key")
    missing = [_actor_unsaved(a) for key, a in wanted.items() if key not in existing]
    if missing:
        Actor.objects.bulk_create(missing, ignore_conflicts=True)
        existing |= actors.in_bulk([a.key for a in missing], field_name="key")
    return existing


def _actor_unsaved(actor: extraction.Actor) -> Actor:
    return Actor(
        key=_actor_key(actor),
        name=actor.name,
        kind=actor.kind,
        country_id=_stored_country(actor),
        title=actor.title,
    )


def _stored_country(actor: extraction.Actor) -> str | None:
    return actor.country if _country_exists(actor.country) else None


def _actor_key(actor: extraction.Actor) -> str:
    country = _stored_country(actor)
    return Actor.make_key(name=actor.name, kind=actor.kind, country=country)


def _actor_of(actor: extraction.Actor, actors: dict[str, Actor]) -> Actor:
    return actors[_actor_key(actor)]


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
        "day": found.date or article.published,
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


def _reviewed_attach(new: list[list[Mention]]) -> set[int]:
    """Give each new account that matches a reviewed event to that event, as
    more evidence; returns the events that gained some. An account matches when
    it is compatible with every report the event already holds."""
    if not new:
        return set()
    window = settings.TENSIONS_CORROBORATION_WINDOW_DAYS
    held: dict[int, dict] = {}
    for mention in _reviewed_near(new, window):
        held.setdefault(mention.event_id, {})[_report_of([mention])] = mention
    attached = set()
    for ms in new:
        account = _report_of(ms)
        for event_id, reports in sorted(held.items(), key=_first_report):
            key = next(iter(reports.values())).cluster_key
            if key == ms[0].cluster_key and all(
                corroboration.compatible(account, r, window) for r in reports
            ):
                for mention in ms:
                    mention.event_id = event_id
                Mention.objects.bulk_create(ms)
                attached.add(event_id)
                break
    return attached


def _first_report(item: tuple[int, dict]) -> tuple:
    return min(report.order() for report in item[1]), item[0]


def _reviewed_near(new: list[list[Mention]], window: int) -> list[Mention]:
    """Evidence of reviewed events under the keys of `new`, within a window of
    their days (one cheap query, usually empty; a second for the articles)."""
    reviewed = Mention.objects.filter(
        cluster_key__in={ms[0].cluster_key for ms in new}
    ).exclude(event__review_state=Event.ReviewState.UNREVIEWED)
    days = [ms[0].day for ms in new]
    if None not in days:
        reach = dt.timedelta(days=window)
        reviewed = reviewed.filter(
            Q(day__gte=min(days) - reach, day__lte=max(days) + reach)
            | Q(day__isnull=True)
        )
    found = list(reviewed.values_list("pk", flat=True)[:_REVIEWED_READ_MAX])
    return list(_with_article(Mention.objects.filter(pk__in=found))) if found else []


_REVIEWED_READ_MAX = 2000


def _with_article(mentions):
    return mentions.select_related("article").defer("article__text")


def _groups_recluster(changes: dict[str, tuple], new: list[Mention]) -> _Placement:
    """Cluster again the machine-made accounts of each changed key; returns the
    placement: the events that gained or lost mentions (the others are
    unchanged) and those it created.

    Only a window of days is read per key. Clustering visits accounts in a
    canonical order and each joins the first cluster it fits, so the accounts
    before the first changed one keep their clusters: they seed it. Accounts
    after it are placed again, up to a horizon; there, if the clusters within
    reach of later accounts (two windows) are exactly the stored events, later
    accounts would be placed as they are, and reading stops. Otherwise the
    horizon moves on (and at worst the whole key is read).
    """
    window = settings.TENSIONS_CORROBORATION_WINDOW_DAYS
    horizons = dict.fromkeys(changes, 3 * window)
    by_key: dict[str, list[Mention]] = {key: [] for key in changes}
    for mention in new:
        by_key[mention.cluster_key].append(mention)
    placement, pending = _Placement(), set(changes)
    while pending:
        stored = _slices_read({k: (changes[k], horizons[k]) for k in pending}, window)
        for key in sorted(pending):
            found = _slice_cluster(
                stored[key] + by_key[key], changes[key], window, horizons[key]
            )
            if found is None:
                horizons[key] *= 2
                continue
            for cluster in found:
                placement.place(cluster)
            pending.discard(key)
    placement.save()
    return placement


def _slice_bounds(change: tuple, horizon: int, window: int) -> tuple | None:
    """[first, following) days to read for a key, or None for all of it."""
    first_day, last_day = change[0][0], change[1]
    if last_day is None or first_day == dt.date.max:
        return None
    reach = dt.timedelta(days=2 * window)
    return first_day - reach, last_day + dt.timedelta(days=horizon)


def _slices_read(wanted: dict[str, tuple], window: int) -> dict[str, list[Mention]]:
    """The stored machine-made accounts of each key within its bounds (or all of
    them where the key holds an account without a day, which has no place)."""
    # Keys read over the same days share one term: a batch of articles from
    # the same days asks for a handful of terms, not one per key.
    by_bounds: dict[tuple | None, list[str]] = {}
    for key, (change, horizon) in wanted.items():
        by_bounds.setdefault(_slice_bounds(change, horizon, window), []).append(key)
    slices, whole = Q(), Q()
    for bounds, keys in by_bounds.items():
        if bounds is None:
            whole |= Q(cluster_key__in=keys)
        else:
            slices |= Q(cluster_key__in=keys) & (
                Q(day__gte=bounds[0], day__lt=bounds[1]) | Q(day__isnull=True)
            )
    found = {key: [] for key in wanted}
    undated = set()
    for mention in _machine_made(slices | whole if slices else whole):
        found[mention.cluster_key].append(mention)
        if mention.day is None:
            undated.add(mention.cluster_key)
    partial = {k for k in undated if _slice_bounds(*wanted[k], window) is not None}
    if partial:
        for key in partial:
            found[key] = []
        for mention in _machine_made(Q(cluster_key__in=partial)):
            found[mention.cluster_key].append(mention)
    return found


def _machine_made(where: Q) -> list[Mention]:
    """The mentions `where` selects that no analyst owns, with their articles'
    hash and date. Three indexed reads: joining events and articles in one
    query makes PostgreSQL scan both tables once they are large."""
    mentions = bulk.rows_read(
        Mention,
        _ACCOUNT_NAMES,
        Mention.objects.filter(where).order_by().values_list(*_ACCOUNT_NAMES),
    )
    owned = set(
        Event.objects.filter(pk__in={m.event_id for m in mentions})
        .exclude(review_state=Event.ReviewState.UNREVIEWED)
        .order_by()
        .values_list("pk", flat=True)
    )
    articles = _articles_read({m.article_id for m in mentions})
    kept = [m for m in mentions if m.event_id not in owned]
    for mention in kept:
        _ARTICLE.set_cached_value(mention, articles[mention.article_id])
    return kept


def _articles_read(pks: set[int]) -> dict:
    """What clustering and counting read of these articles, by id."""
    model = _ARTICLE.related_model
    rows = model.objects.filter(pk__in=pks).order_by().values_list(*_ARTICLE_NAMES)
    return {a.pk: a for a in bulk.rows_read(model, _ARTICLE_NAMES, rows)}


# What clustering and placing read of a stored mention (not its sentence).
_ACCOUNT_FIELDS = (
    "event",
    "article",
    "start",
    "report",
    "cluster_key",
    "type",
    "mode",
    "status",
    "context",
    "channel",
    "source_actor",
    "target_actor",
    "source_country",
    "target_country",
    "date",
    "date_precision",
    "day",
    "what",
    "intensity",
    "confidence",
)


_ACCOUNT_NAMES = ("id", *(Mention._meta.get_field(f).attname for f in _ACCOUNT_FIELDS))
_ARTICLE = Mention._meta.get_field("article")
# An article's hash and date (the canonical order), date and publisher (counts).
_ARTICLE_NAMES = ("id", "content_hash", "published", "publisher")


def _slice_cluster(
    mentions: list[Mention], change: tuple, window: int, horizon: int
) -> list[list[Mention]] | None:
    """The clusters of a key's slice; None when the horizon did not settle."""
    units: dict[tuple, list[Mention]] = {}
    for mention in mentions:
        units.setdefault((mention.article_id, mention.report), []).append(mention)
    reports = {_report_of(ms): ms for ms in units.values()}
    seeds: dict[int, list[corroboration.Report]] = {}
    rest = []
    for report in sorted(reports, key=corroboration.Report.order):
        if reports[report][0].pk and report.order() < change[0]:
            seeds.setdefault(reports[report][0].event_id, []).append(report)
        else:
            rest.append(report)
    found = corroboration.clusters(rest, window_days=window, seeds=seeds.values())
    bounds = _slice_bounds(change, horizon, window)
    tail = bounds and bounds[1] - dt.timedelta(days=2 * window)
    if tail and not _as_stored(found, reports, tail):
        return None
    return [[m for report in cluster for m in reports[report]] for cluster in found]


def _as_stored(clusters, reports: dict, tail: dt.date) -> bool:
    """Whether every cluster reaching `tail` is exactly a stored event."""
    held = Counter(ms[0].event_id for ms in reports.values() if ms[0].pk)
    for cluster in clusters:
        if all(report.day < tail for report in cluster):
            continue
        events = {reports[r][0].event_id if reports[r][0].pk else 0 for r in cluster}
        (event, *others) = events
        if others or not event or held[event] != len(cluster):
            return False
    return True


class _Placement:
    """Events chosen for clusters and mentions moved or added, written in bulk."""

    def __init__(self) -> None:
        self.taken: set[int] = set()
        self.changed: set[int] = set()
        self.created: list[tuple[Event, list[Mention]]] = []
        self.moved: list[Mention] = []
        self.added: list[Mention] = []
        self.placed: list[Mention] = []  # all of them: as stored after save()

    def place(self, mentions: list[Mention]) -> None:
        self.placed += mentions
        first = mentions[0].event_id if mentions[0].pk else None
        if first not in self.taken and all(
            m.pk and m.event_id == first for m in mentions
        ):
            self.taken.add(first)  # an event that stays as it is: the common case
            return
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
        for event, mentions in self.created:
            _event_count(event, mentions)  # counted now: no update after insert
        bulk.rows_insert([event for event, _ in self.created])
        for event, mentions in self.created:
            self.taken.add(event.pk)
            moved = [m for m in mentions if m.pk]
            self.changed |= {event.pk, *(m.event_id for m in moved)}
            self.moved += moved
            self.added += [m for m in mentions if not m.pk]
            for mention in mentions:
                mention.event = event
        bulk.rows_update(self.moved, ["event"])
        bulk.rows_insert(self.added)


def _report_of(mentions: list[Mention]) -> corroboration.Report:
    m = mentions[0]
    return corroboration.Report(
        article=m.article.content_hash,
        index=m.report,
        day=m.day if m.day is not None else (m.date or m.article.published),
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


def _events_settle(
    event_ids: set[int],
    *,
    created: list[tuple[Event, list[Mention]]] = (),
    held: dict[int, Mention] | None = None,
) -> tuple[set, dict[int, Event]]:
    """Refresh machine-made events from their accounts, drop those left without
    evidence, recount all; returns the DyadPeriod cells they counted in before
    and count in now, and the events kept, by id. Events just `created` (with
    all their mentions) were made from their accounts and counted: not read
    again. `held`: mentions in memory as stored, by id (see
    _mentions_by_event)."""
    known = {event.pk: (event, mentions) for event, mentions in created}
    events = list(Event.objects.filter(pk__in=event_ids - set(known)).order_by())
    cells = set().union(*(relations.event_cells(e) for e in events))
    mentions = _mentions_by_event(events, held or {})
    empty = {e.pk for e in events if not mentions[e.pk] and not e.is_reviewed}
    if empty:
        Event.objects.filter(pk__in=empty).delete()
    kept = [e for e in events if e.pk not in empty]
    updates: dict[frozenset, list[Event]] = {}
    for event in kept:
        changed = _event_refresh(event, mentions[event.pk])
        if changed:
            updates.setdefault(frozenset(changed), []).append(event)
    # One statement per set of changed fields (each event writes only its own
    # changes, as a lone update would).
    for names, changed_events in updates.items():
        bulk.rows_update(changed_events, sorted(names))
    kept += [event for event, _ in created]
    for event in kept:
        cells |= relations.event_cells(event)
    return cells, {e.pk: e for e in kept}


def _event_refresh(event: Event, mentions: list[Mention]) -> set[str]:
    """Set an event's fields and counts from its mentions; returns the changed
    field names."""
    changed: set[str] = set()
    if not event.is_reviewed and mentions[0].cluster_key:
        changed = _event_apply(event, _cluster_fields(_canonical(mentions)))
    counted = [getattr(event, name) for name in _COUNTED_FIELDS]
    _event_count(event, mentions)
    return changed | {
        name
        for name, before in zip(_COUNTED_FIELDS, counted, strict=True)
        if getattr(event, name) != before
    }


def _mentions_by_event(
    events: list[Event], held: dict[int, Mention]
) -> dict[int, list[Mention]]:
    """The events' mentions, by event. Which mentions an event has is read from
    the database; those `held` in memory are not read again: a batch's
    clustering holds nearly all the mentions of the events it changed, and
    reading them whole again took a seventh of its recording (bench/README.md,
    ingestion, session 16)."""
    found: dict[int, list[Mention]] = {e.pk: [] for e in events}
    rows = Mention.objects.filter(event__in=events).order_by()
    missing = []
    for pk, event_id in rows.values_list("pk", "event_id"):
        if pk in held:
            found[event_id].append(held[pk])
        else:
            missing.append(pk)
    if not missing:
        return found
    rows = Mention.objects.filter(pk__in=missing).order_by()
    mentions = bulk.rows_read(
        Mention, _ACCOUNT_NAMES, rows.values_list(*_ACCOUNT_NAMES)
    )
    articles = _articles_read({m.article_id for m in mentions})
    for mention in mentions:
        _ARTICLE.set_cached_value(mention, articles[mention.article_id])
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
