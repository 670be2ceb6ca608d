"""Writes of the domain: countries, actors, and events with their evidence."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q

from tensions import extraction
from tensions.countries import country_rows
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
    rows. Events an analyst reviewed keep their mentions and are never changed.
    """
    touched = _mentions_detach(article)
    recorded = []
    for found in events:
        event = _event_match_or_create(found, article)
        _mentions_attach(event, article, found, extractor_version)
        touched.add(event.pk)
        recorded.append(event)
    _events_recount(touched)
    return recorded


def _mentions_detach(article) -> set[int]:
    machine_made = Mention.objects.filter(
        article=article, event__review_state=Event.ReviewState.UNREVIEWED
    )
    event_ids = set(machine_made.values_list("event_id", flat=True))
    machine_made.delete()
    return event_ids


def _event_match_or_create(found: extraction.Event, article) -> Event:
    source = actor_resolve(actor=found.source)
    target = actor_resolve(actor=found.target) if found.target else None
    fields = {
        "type": found.type,
        "status": found.status,
        "source_country_id": source.country_id,
        "target_country_id": target.country_id if target else None,
    }
    if source.country_id == fields["target_country_id"] and source.country_id:
        # An engine slip; the database would refuse it anyway.
        fields["target_country_id"] = None
    match = _corroborated_event(found, fields, source, target)
    if match:
        return match
    return Event.objects.create(
        **fields,
        source_actor=source,
        target_actor=target,
        mode=found.mode or "",
        context=list(found.context),
        channel=found.channel or "",
        date=found.date,
        first_reported=article.published,
        date_precision=found.date_precision or "",
        what=found.what[:300],
        intensity=found.intensity,
        confidence=found.confidence,
    )


def _corroborated_event(found, fields, source, target) -> Event | None:
    """An existing event reporting the same happening, if there is one."""
    candidates = Event.objects.visible().filter(**fields)
    if not fields["source_country_id"]:
        candidates = candidates.filter(source_actor=source)
    if not fields["target_country_id"]:
        candidates = candidates.filter(target_actor=target)
    if found.mode:
        candidates = candidates.filter(Q(mode=found.mode) | Q(mode=""))
    if found.date:
        window = dt.timedelta(days=settings.TENSIONS_CORROBORATION_WINDOW_DAYS)
        candidates = candidates.filter(
            date__gte=found.date - window, date__lte=found.date + window
        )
    else:
        candidates = candidates.filter(date__isnull=True)
    return candidates.order_by("id").first()


def _mentions_attach(event: Event, article, found, extractor_version: str) -> None:
    for evidence in found.evidence:
        Mention.objects.get_or_create(
            event=event,
            article=article,
            start=evidence.start,
            defaults={
                "sentence": evidence.sentence,
                "end": evidence.end,
                "cited_source": evidence.cited_source or "",
                "confidence": found.confidence,
                "extractor_version": extractor_version,
            },
        )


def _events_recount(event_ids: set[int]) -> None:
    counted = Event.objects.filter(pk__in=event_ids).annotate(
        n_mentions=Count("mentions"),
        n_articles=Count("mentions__article", distinct=True),
    )
    orphans = []
    counted = counted.annotate(earliest=Min("mentions__article__published"))
    for event in counted:
        if event.n_mentions == 0 and not event.is_reviewed:
            orphans.append(event.pk)
            continue
        Event.objects.filter(pk=event.pk).update(
            mention_count=event.n_mentions,
            article_count=event.n_articles,
            first_reported=event.earliest,
        )
    Event.objects.filter(pk__in=orphans).delete()
