"""The pairs' scores computed the plain way, with the ORM: the reference that
relations.pairs_ranked (one prepared statement) is checked against."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.db.models.functions import Greatest, Least

from tensions.models import DyadPeriod
from tensions.relations import PairScore, period_previous, tension_index


def pairs_compare(*, period: str, start: dt.date) -> list[PairScore]:
    """Every undirected pair active in the period or the one before, with both
    indexes: "most tense" and "largest change" are two orderings of this list.
    One row per pair, both periods summed apart in the database."""
    previous = period_previous(start, period)
    now, before = Q(start=start), Q(start=previous)
    rows = (
        DyadPeriod.objects.filter(period=period, start__in=[start, previous])
        .values(a=Least("source_id", "target_id"), b=Greatest("source_id", "target_id"))
        .annotate(
            n=Sum("events", filter=now, default=0),
            c=Sum("conflict", filter=now, default=0.0),
            k=Sum("cooperation", filter=now, default=0.0),
            was_c=Sum("conflict", filter=before, default=0.0),
            was_k=Sum("cooperation", filter=before, default=0.0),
        )
        .order_by()
        .values_list("a", "b", "n", "c", "k", "was_c", "was_k")
    )
    return [
        PairScore(a, b, n, c, k, tension_index(was_c, was_k))
        for a, b, n, c, k, was_c, was_k in rows
    ]
