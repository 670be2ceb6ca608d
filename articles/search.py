"""Full-text search of articles: ranked PostgreSQL search, a plain fallback elsewhere.

On PostgreSQL the query is read with websearch syntax ("exact phrase", -word,
or) and matched against each article's weighted words (title A, publisher B,
text C), which a trigger keeps in ArticleDocument and a GIN index serves
(migration articles 0005_article_documents). Results come best first by
ts_rank.

Elsewhere (SQLite, in development and tests) every word or quoted phrase must
appear in the title, publisher or text, words after a minus must not, and an
article ranks by the terms its title and publisher hold.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tensions.models import Mention

CONFIG = "english"
_TERM = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')


def articles_search(articles: QuerySet, query: str) -> QuerySet:
    """`articles` matching `query`, annotated with `rank`, best first."""
    query = query.strip()
    if not query:
        return articles.annotate(rank=Value(0.0, FloatField()))
    if connection.vendor == "postgresql":
        return _postgres(articles, query)
    return _fallback(articles, query)


def _postgres(articles: QuerySet, query: str) -> QuerySet:
    wanted = SearchQuery(query, search_type="websearch", config=CONFIG)
    return (
        articles.filter(document__vector=wanted)
        .annotate(rank=SearchRank(F("document__vector"), wanted))
        .order_by("-rank", "-id")
    )


def search_terms(query: str) -> tuple[list[str], list[str]]:
    """(wanted, excluded): words and "quoted phrases", a leading minus excludes."""
    wanted, excluded = [], []
    for phrase_not, phrase, word_not, word in _TERM.findall(query):
        term = (phrase or word).strip()
        if term and term.lower() != "or":
            (excluded if (phrase_not or word_not) else wanted).append(term)
    return wanted, excluded


def _fallback(articles: QuerySet, query: str) -> QuerySet:
    wanted, excluded = search_terms(query)
    for term in wanted:
        articles = articles.filter(_anywhere(term))
    for term in excluded:
        articles = articles.exclude(_anywhere(term))
    score = Value(0.0, FloatField())
    for term in wanted:
        for field, points in (("title", 2.0), ("publisher", 1.0)):
            score = score + Case(
                When(**{f"{field}__icontains": term}, then=Value(points)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return articles.annotate(rank=score).order_by("-rank", "-id")


def _anywhere(term: str) -> Q:
    return (
        Q(title__icontains=term)
        | Q(publisher__icontains=term)
        | Q(text__icontains=term)
    )


def events_search(events: QuerySet, query: str) -> QuerySet:
    """`events` whose object or evidence holds every term of `query` (words and
    "quoted phrases"; a leading minus excludes), latest first."""
    wanted, excluded = search_terms(query)

    def said(term: str) -> Q:
        sentences = Mention.objects.filter(
            event=OuterRef("pk"), sentence__icontains=term
        )
        return Q(what__icontains=term) | Exists(sentences)

    for term in wanted:
        events = events.filter(said(term))
    for term in excluded:
        events = events.exclude(said(term))
    return events.order_by(F("day").desc(nulls_last=True), "-id")


def articles_with_event_counts(articles):
    """Articles without their text, each with the number of events it reports
    (a subquery: no GROUP BY over the search expressions, no query per row)."""
    counted = (
        Mention.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("event", distinct=True))
        .values("n")
    )
    return articles.defer("text").annotate(event_count=Coalesce(Subquery(counted), 0))
