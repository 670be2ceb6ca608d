"""What a user follows, what is new on it since their last visit, and spikes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tensions import charts, prepared, relations
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
    spikes. Records this visit as the one the next digest compares with.

    A fixed number of queries however many watches: one for the newest events
    of all watches, one for the counts, one for the spikes."""
    now = timezone.now()
    since, follows = _visit_last(user, now)
    watches = list(user.watches.select_related("country")) if follows else []
    newest = _newest(watches, since)
    counts = _counts([w for w in watches if len(newest[w.pk]) > NEW_SHOWN], since)
    spikes = _spikes(watches)
    followed = [
        Followed(
            w,
            newest[w.pk][:NEW_SHOWN],
            counts.get(w.pk, len(newest[w.pk])),
            spikes.get(w.pk, False),
        )
        for w in watches
    ]
    _visit_record(user, now)
    return {"since": since, "followed": followed}


# The visit's read and write are raw SQL: compiled, they cost more than they run,
# on every view of the home page.
_VISIT = HomeVisit._meta.db_table


def _visit_last(user, now: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """Since when events count as new for the user (None: all of them), and
    whether they follow anything (those who don't, most, need no read of their
    watches). A view more than VISIT_GAP after the last one starts a visit:
    what is new is new since that last view; a view within the gap belongs to
    the same visit, and keeps what it showed."""
    [(seen, since, follows)] = prepared.rows_fetch(_VISIT_LAST, (user.pk, user.pk))
    seen, since = _aware(seen), _aware(since)
    if seen is not None and now - seen > VISIT_GAP:
        since = seen
    return since, bool(follows)


# Views of the home page closer together than this are one visit.
VISIT_GAP = dt.timedelta(minutes=30)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and timezone.is_naive(moment):  # SQLite's, in UTC
        return timezone.make_aware(moment, dt.UTC)
    return moment


_VISIT_LAST = f"""
SELECT visit.seen_at, visit.since,
    EXISTS (SELECT 1 FROM {Watch._meta.db_table} WHERE user_id = %s)
FROM (SELECT 1) AS one LEFT JOIN {_VISIT} AS visit ON visit.user_id = %s
"""


def _visit_record(user, now: dt.datetime) -> None:
    """One upsert (two first visits at once must not collide): this view, and
    where a visit starts, the last view of the one before."""
    adapt = connection.ops.adapt_datetimefield_value
    upsert = _VISIT_UPSERT
    if connection.vendor == "postgresql" and connection.get_autocommit():
        upsert = _NO_FLUSH + upsert
    with connection.cursor() as cursor:
        cursor.execute(upsert, [user.pk, adapt(now), adapt(now - VISIT_GAP)])


_VISIT_UPSERT = f"""
INSERT INTO {_VISIT} (user_id, seen_at, since) VALUES (%s, %s, NULL)
ON CONFLICT (user_id) DO UPDATE SET
    since = CASE WHEN {_VISIT}.seen_at < %s THEN {_VISIT}.seen_at
                 ELSE {_VISIT}.since END,
    seen_at = excluded.seen_at
"""

# Sent with the upsert, in one string: PostgreSQL runs the two statements as one
# transaction, whose commit then does not wait for the WAL to reach the disk
# (0.13 ms a home page on a quiet disk, over 1 ms on a busy one, the web worker
# idle meanwhile). A crash in the next fraction of a second may lose the view,
# never half of it: the next view is then counted from the one before.
_NO_FLUSH = "SET LOCAL synchronous_commit TO OFF;\n"


def _new_events(watch: Watch, since):
    events = watch.events()
    return events.filter(created_at__gt=since) if since else events


def _newest(watches: list[Watch], since) -> dict[int, list[Event]]:
    """Each watch's NEW_SHOWN + 1 newest events, from one query: the union of
    every watch's own newest, shared out again in the same order."""
    if not watches:
        return {}
    order = ("-created_at", "-id")
    wanted = Q()
    for watch in watches:
        newest = _new_events(watch, since).order_by(*order)[: NEW_SHOWN + 1]
        wanted |= Q(pk__in=newest.values("pk"))
    rows = list(Event.objects.filter(wanted).with_related().order_by(*order))
    # An event among a watch's newest is never preceded by a covered event
    # outside them, so the first covered rows are exactly that watch's own.
    return {w.pk: [e for e in rows if _covers(w, e)][: NEW_SHOWN + 1] for w in watches}


def _covers(watch: Watch, event: Event) -> bool:
    """Watch.events() for one visible event already loaded."""
    if watch.type and event.type != watch.type:
        return False
    source, target = event.source_country_id, event.target_country_id
    if watch.directed:
        return source == watch.country_id and (
            not watch.partner_id or target == watch.partner_id
        )
    if watch.partner_id:
        return {source, target} == {watch.country_id, watch.partner_id}
    return watch.country_id in (source, target)


def _counts(watches: list[Watch], since) -> dict[int, int]:
    """How many new events each watch has, in one query."""
    if not watches:
        return {}
    counts = Event.objects.aggregate(
        **{
            f"w{w.pk}": Count("pk", filter=Q(pk__in=_new_events(w, since).values("pk")))
            for w in watches
        }
    )
    return {w.pk: counts[f"w{w.pk}"] for w in watches}


def _spikes(watches: list[Watch]) -> dict[int, bool]:
    """Whether each watched pair's index this week spikes (never a country's),
    from one query over all the pairs."""
    pairs = [w for w in watches if w.partner_id]
    if not pairs:
        return {}
    end = timezone.localdate()
    first = relations.period_start(
        end - dt.timedelta(weeks=SPIKE_HISTORY), SPIKE_PERIOD
    )
    last = relations.period_start(end, SPIKE_PERIOD)
    wanted = Q()
    for w in pairs:
        wanted |= Q(source_id=w.country_id, target_id=w.partner_id)
        wanted |= Q(source_id=w.partner_id, target_id=w.country_id)
    cells = charts.dyad_sums(
        wanted, period=SPIKE_PERIOD, first=first, last=last, directed=True
    )
    starts = charts.period_starts(first, last, SPIKE_PERIOD)
    spikes = {}
    for w in pairs:
        directions = [(w.country_id, w.partner_id)]
        if not w.directed:
            directions.append((w.partner_id, w.country_id))
        index = []
        for day in starts:
            found = [cells[(*d, day)] for d in directions if (*d, day) in cells]
            conflict = sum(c[1] for c in found)
            cooperation = sum(c[2] for c in found)
            index.append(relations.tension_index(conflict, cooperation))
        spikes[w.pk] = relations.is_spike(index)
    return spikes
