"""The engine's dictionaries: data files in ./data, loaded once per process."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class VerbEntry:
    lemma: str
    type: str
    particle: str = ""
    mode: str | None = None
    context: tuple[str, ...] = ()
    channel: str | None = None
    targets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    objects: dict = field(default_factory=dict, hash=False, compare=False)
    absorbs: bool = False
    symmetric: bool = False


@dataclass(frozen=True)
class NounEntry:
    lemma: str
    type: str
    modifier: str = ""
    mode: str | None = None
    context: tuple[str, ...] = ()
    channel: str | None = None
    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    plural_only: bool = False
    abroad: str = ""  # the type it takes, partnerless, in a foreign country


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[VerbEntry, ...]]
    nouns: dict[str, tuple[NounEntry, ...]]
    mode_modifiers: dict[str, str | None]
    light_verbs: frozenset[str]
    cues: dict


def load_json(name: str) -> dict:
    """One data file of the package, parsed."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _verb_entry(raw: dict, defaults: dict) -> VerbEntry:
    targets = raw.get("targets", defaults.get(raw["type"], {}).get("targets", []))
    objects = {}
    for words, override in raw.get("objects", {}).items():
        for word in words.split():
            objects[word] = override
    return VerbEntry(
        lemma=raw["lemma"],
        type=raw["type"],
        particle=raw.get("particle", ""),
        mode=raw.get("mode"),
        context=tuple(raw.get("context", ())),
        channel=raw.get("channel"),
        targets=tuple(targets),
        needs=tuple(raw.get("needs", ())),
        objects=objects,
        absorbs=raw.get("absorbs", False),
        symmetric=raw.get("symmetric", False),
    )


def _noun_entry(raw: dict) -> NounEntry:
    *modifier, head = raw["lemma"].split()
    return NounEntry(
        lemma=head,
        type=raw["type"],
        modifier=" ".join(modifier),
        mode=raw.get("mode"),
        context=tuple(raw.get("context", ())),
        channel=raw.get("channel"),
        sources=tuple(raw.get("sources", ())),
        targets=tuple(raw.get("targets", ())),
        needs=tuple(raw.get("needs", ())),
        plural_only=raw.get("plural_only", False),
        abroad=raw.get("abroad", ""),
    )


def _group(entries) -> dict:
    grouped: dict[str, list] = {}
    for entry in entries:
        grouped.setdefault(entry.lemma, []).append(entry)
    # Most specific first: entries with a particle, a modifier or a need win.
    return {
        lemma: tuple(sorted(items, key=_specificity, reverse=True))
        for lemma, items in grouped.items()
    }


def _specificity(entry) -> int:
    return 2 * bool(
        getattr(entry, "particle", "") or getattr(entry, "modifier", "")
    ) + bool(entry.needs)


@functools.cache
def lexicon() -> Lexicon:
    """The verb, noun and cue dictionaries (cached: loaded once per process)."""
    verbs = load_json("verbs.json")
    nouns = load_json("nouns.json")
    return Lexicon(
        verbs=_group(_verb_entry(v, verbs["defaults"]) for v in verbs["verbs"]),
        nouns=_group(_noun_entry(n) for n in nouns["nouns"]),
        mode_modifiers=nouns["mode_modifiers"],
        light_verbs=frozenset(nouns["light_verbs"]),
        cues=load_json("cues.json"),
    )
