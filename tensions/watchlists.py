"""What a user follows, what is new on it since their last visit, and spikes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tensions import relations
from tensions.models import Event, HomeVisit, Period, Watch

SPIKE_HISTORY = 12  # trailing periods a spike is measured against
SPIKE_PERIOD = Period.WEEK
NEW_SHOWN = 5


@transaction.atomic
def watch_add(
    *, user, country: str, partner: str | None, directed: bool, type: str
) -> Watch:
    """Follow a country, a pair, or a pair and an event type (idempotent)."""
    watch, _ = Watch.objects.get_or_create(
        user=user,
        country_id=country,
        partner_id=partner,
        directed=directed,
        type=type or "",
    )
    return watch


@dataclass(frozen=True)
class Followed:
    watch: Watch
    new: list[Event]
    new_count: int
    spike: bool


def home_digest(*, user) -> dict:
    """Per watch: what is new since the previous visit, and whether its pair
    spikes. Records this visit as the one the next digest compares with."""
    visit = HomeVisit.objects.filter(user=user).first()
    since = visit.seen_at if visit else None
    followed = [_followed(w, since) for w in user.watches.select_related("country")]
    HomeVisit.objects.update_or_create(user=user, defaults={"seen_at": timezone.now()})
    return {"since": since, "followed": followed}


def _followed(watch: Watch, since) -> Followed:
    events = watch.events()
    if since:
        events = events.filter(created_at__gt=since)
    new = list(events.with_related().order_by("-created_at")[: NEW_SHOWN + 1])
    count = events.count() if len(new) > NEW_SHOWN else len(new)
    return Followed(watch, new[:NEW_SHOWN], count, pair_spikes(watch=watch))


def pair_spikes(*, watch: Watch) -> bool:
    """Whether the watched pair's index this week spikes (never for a country)."""
    if not watch.partner_id:
        return False
    end = timezone.localdate()
    start = end - dt.timedelta(weeks=SPIKE_HISTORY)
    series = relations.pair_series(
        a=watch.country_id,
        b=watch.partner_id,
        period=SPIKE_PERIOD,
        start=start,
        end=end,
        directed=watch.directed,
    )
    return relations.is_spike([p.index for p in series])
