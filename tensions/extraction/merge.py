"""One happening, one Event: mentions of the same happening within an article
(same type, source, target and status; compatible modes) merge into one Event
whose evidence lists every sentence that reports it."""

from __future__ import annotations

from dataclasses import replace

from .results import Actor, ActorKind, Event

# Named people and bodies say more than the bare state or its capital.
_SPECIFICITY = {
    ActorKind.LEADER: 6,
    ActorKind.OFFICIAL: 5,
    ActorKind.MINISTRY: 4,
    ActorKind.MILITARY: 4,
    ActorKind.GOVERNMENT: 3,
    ActorKind.CRIMINAL_GROUP: 3,
    ActorKind.ARMED_GROUP: 3,
}


def merge_events(events: list[Event]) -> list[Event]:
    """Merge events that report the same happening, in order of first mention."""
    merged: list[Event] = []
    for event in sorted(events, key=lambda e: e.start):
        twin = next((m for m in merged if _same_happening(m, event)), None)
        if twin is None:
            merged.append(event)
        else:
            merged[merged.index(twin)] = _combine(twin, event)
    return merged


def _side(actor: Actor | None) -> str | None:
    if actor is None:
        return None
    return actor.country or actor.name


def _same_happening(a: Event, b: Event) -> bool:
    return (
        a.type == b.type
        and a.status == b.status
        and _side(a.source) == _side(b.source)
        and _side(a.target) == _side(b.target)
        and (a.mode is None or b.mode is None or a.mode == b.mode)
    )


def _combine(a: Event, b: Event) -> Event:
    evidence = {(e.start, e.end): e for e in a.evidence + b.evidence}
    return replace(
        a,
        evidence=tuple(sorted(evidence.values(), key=lambda e: e.start)),
        source=_specific(a.source, b.source),
        target=_specific(a.target, b.target),
        mode=a.mode or b.mode,
        context=tuple(sorted(set(a.context) | set(b.context))),
        channel=a.channel or b.channel,
        date=a.date or b.date,
        date_precision=a.date_precision if a.date else b.date_precision,
        what=a.what if len(a.what) >= len(b.what) else b.what,
        confidence=min(0.95, max(a.confidence, b.confidence) + 0.05),
    )


def _specific(a: Actor | None, b: Actor | None) -> Actor | None:
    if a is None or b is None:
        return a or b
    return b if _SPECIFICITY.get(b.kind, 0) > _SPECIFICITY.get(a.kind, 0) else a
