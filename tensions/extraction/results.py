"""The engine's results: frozen dataclasses, free of spaCy and of Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from . import taxonomy


class ActorKind:
    STATE = "state"
    LEADER = "leader"
    OFFICIAL = "official"
    GOVERNMENT = "government"
    MINISTRY = "ministry"
    MILITARY = "military"
    MEDIA = "media"
    EMBASSY = "embassy"
    IGO = "igo"
    ARMED_GROUP = "armed_group"
    CRIMINAL_GROUP = "criminal_group"
    PERSON = "person"
    GROUP = "group"

    ALL = (
        STATE,
        LEADER,
        OFFICIAL,
        GOVERNMENT,
        MINISTRY,
        MILITARY,
        MEDIA,
        EMBASSY,
        IGO,
        ARMED_GROUP,
        CRIMINAL_GROUP,
        PERSON,
        GROUP,
    )


@dataclass(frozen=True)
class Actor:
    """Who took part: `country` is an ISO 3166-1 alpha-3 code, or None (e.g. the UN)."""

    name: str
    kind: str
    country: str | None
    title: str = ""


@dataclass(frozen=True)
class Evidence:
    """Where the text says so: `start`/`end` are character offsets in the text."""

    sentence: str
    start: int
    end: int
    cited_source: str | None = None


@dataclass(frozen=True)
class Event:
    """One happening as one article tells it, with every sentence that says so."""

    type: str
    status: str
    source: Actor
    target: Actor | None
    evidence: tuple[Evidence, ...]
    mode: str | None = None
    context: tuple[str, ...] = ()
    channel: str | None = None
    date: dt.date | None = None
    date_precision: str | None = None
    what: str = ""
    confidence: float = 0.5
    intensity: float = field(default=0.0)

    def __post_init__(self):
        if self.type not in taxonomy.TYPES:
            raise ValueError(f"unknown event type {self.type!r}")
        if self.status not in taxonomy.STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if not self.evidence:
            raise ValueError("an event needs at least one piece of evidence")
        object.__setattr__(self, "intensity", taxonomy.intensity(self.type, self.mode))

    @property
    def sentence(self) -> str:
        return self.evidence[0].sentence

    @property
    def start(self) -> int:
        return self.evidence[0].start

    @property
    def end(self) -> int:
        return self.evidence[0].end

    @property
    def cited_source(self) -> str | None:
        return self.evidence[0].cited_source

    def as_json(self) -> dict:
        """The line format of `manage.py extract` (documented in the README)."""
        return {
            "type": self.type,
            "mode": self.mode,
            "context": list(self.context),
            "status": self.status,
            "channel": self.channel,
            "source": _actor_json(self.source),
            "target": _actor_json(self.target),
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "what": self.what,
            "intensity": self.intensity,
            "confidence": round(self.confidence, 3),
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "cited_source": self.cited_source,
            "evidence": [asdict(e) for e in self.evidence],
        }


def _actor_json(actor: Actor | None) -> dict | None:
    if actor is None:
        return None
    return {"name": actor.name, "kind": actor.kind, "country": actor.country}
