"""Builders for rows that need many fields, and engine results to record."""

from __future__ import annotations

import datetime as dt
import itertools

from articles.models import Article, content_hash
from tensions.extraction.results import Actor, Evidence
from tensions.extraction.results import Event as Found

_numbers = itertools.count(1)


def article_make(*, text: str | None = None, **fields) -> Article:
    text = text or f"Article number {next(_numbers)}. Nothing happened."
    defaults = {"title": "A test article", "published": dt.date(2025, 10, 31)}
    return Article.objects.create(
        text=text, content_hash=content_hash(text), **{**defaults, **fields}
    )


def state(code: str, name: str | None = None) -> Actor:
    return Actor(name=name or code, kind="state", country=code)


def found_event(
    source: str = "VEN",
    target: str = "RUS",
    *,
    type: str = "REQUEST",
    status: str = "occurred",
    date: dt.date | None = dt.date(2025, 10, 20),
    start: int = 0,
    sentence: str = "Venezuela asked Russia for radars.",
    **fields,
) -> Found:
    return Found(
        type=type,
        status=status,
        source=state(source),
        target=state(target),
        date=date,
        date_precision="day" if date else None,
        evidence=(Evidence(sentence=sentence, start=start, end=start + len(sentence)),),
        **fields,
    )
