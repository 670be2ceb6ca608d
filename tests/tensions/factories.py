"""Rows for view tests, made directly with the ORM (countries come from a migration)."""

from __future__ import annotations

import datetime as dt
import itertools

from articles.models import Article, content_hash
from tensions import review
from tensions.extraction import taxonomy
from tensions.models import Actor, Country, Event, Mention

_counter = itertools.count(1)


def make_article(text: str | None = None, **fields) -> Article:
    text = text or f"Article number {next(_counter)}.\n\nNothing happened."
    fields.setdefault("title", text.splitlines()[0][:100])
    fields.setdefault("published", dt.date(2025, 10, 1))
    fields.setdefault("status", Article.Status.DONE)
    return Article.objects.create(text=text, content_hash=content_hash(text), **fields)


def make_actor(name: str, country: str | None, kind: str = "leader") -> Actor:
    actor, _ = Actor.objects.get_or_create(
        key=Actor.make_key(name=name, kind=kind, country=country),
        defaults={"name": name, "kind": kind, "country_id": country},
    )
    return actor


def make_event(
    source: str = "VEN",
    target: str | None = "RUS",
    *,
    type: str = "REQUEST",
    mode: str = "",
    status: str = "occurred",
    date: dt.date | None = dt.date(2025, 10, 8),
    source_actor: str | None = None,
    target_actor: str | None = None,
    **fields,
) -> Event:
    source_name = source_actor or Country.objects.get(pk=source).name
    target_name = target_actor or (
        Country.objects.get(pk=target).name if target else ""
    )
    kind = "leader" if source_actor else "state"
    fields.setdefault("intensity", taxonomy.intensity(type, mode))
    fields.setdefault("first_reported", date)
    fields.setdefault("date_precision", "day" if date else "")
    return Event.objects.create(
        type=type,
        mode=mode,
        status=status,
        date=date,
        source_actor=make_actor(source_name, source, kind),
        target_actor=make_actor(
            target_name, target, "leader" if target_actor else "state"
        )
        if target
        else None,
        source_country_id=source,
        target_country_id=target,
        **fields,
    )


def make_mention(event: Event, article: Article, sentence: str, **fields) -> Mention:
    start = article.text.index(sentence)
    mention = Mention.objects.create(
        event=event,
        article=article,
        sentence=sentence,
        start=start,
        end=start + len(sentence),
        extractor_version="test",
        **fields,
    )
    Event.objects.filter(pk=event.pk).update(
        mention_count=event.mentions.count(),
        article_count=event.mentions.values("article").distinct().count(),
    )
    return mention


def merge_made(analyst) -> Event:
    """Two reports of one happening (CHL–PER, one each way), merged by the
    analyst: the event kept."""
    article = make_article("Two reports. Chile thanked Peru. Peru thanked Chile.")
    kept = make_event("CHL", "PER")
    other = make_event("PER", "CHL")
    make_mention(kept, article, "Chile thanked Peru.")
    make_mention(other, article, "Peru thanked Chile.")
    kept.refresh_from_db()
    return review.events_merge(
        event_id=kept.pk, other_id=other.pk, user=analyst, version=kept.version
    )
