"""The actor gazetteer: countries, demonyms, capitals, institutions, people,
international organisations, armed groups and news outlets, found in a parsed
text with one spaCy PhraseMatcher.

Countries come from pycountry; everything else from the data files beside this
module. Matching is case-sensitive ("US" the country, not "us" the pronoun).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pycountry
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .lexicon import load_json
from .results import Actor, ActorKind

COUNTRY = "country"
DEMONYM = "demonym"
NAMED = "named"
OUTLET = "outlet"
PLACE = "place"  # a city or region: where something happens, never an actor


@dataclass(frozen=True)
class Entry:
    """One thing an alias may name."""

    actor: Actor | None
    role: str
    terms: tuple[tuple[int, int | None], ...] = ()
    outlet: str | None = None

    def in_office(self, year: int) -> bool:
        return any(start <= year <= (end or 9999) for start, end in self.terms)


@dataclass(frozen=True)
class Mention:
    """An actor named in the text, as token offsets in its Doc."""

    start: int
    end: int
    entry: Entry

    @property
    def actor(self) -> Actor | None:
        return self.entry.actor

    @property
    def role(self) -> str:
        return self.entry.role


def country_name(code: str) -> str:
    """The everyday English name of a country code (historic ones too)."""
    return _country_names().get(code, code)


@functools.cache
def _country_names() -> dict[str, str]:
    names = {}
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        names[country.alpha_3] = name.split(",")[0]
    for country in pycountry.historic_countries:
        names.setdefault(country.alpha_3, country.name.split(",")[-1].strip())
    names.update(load_json("countries.json")["extra_countries"])
    names.update({"USA": "United States", "RUS": "Russia", "GBR": "United Kingdom"})
    names["SUN"] = "Soviet Union"
    return names


def country_actor(code: str) -> Actor:
    """The state itself as an actor."""
    return Actor(name=country_name(code), kind=ActorKind.STATE, country=code)


def _country_aliases() -> dict[str, set[str]]:
    supplement = load_json("countries.json")
    aliases: dict[str, set[str]] = {}
    for country in pycountry.countries:
        names = {country.name, getattr(country, "common_name", None)}
        names.add(getattr(country, "official_name", None))
        aliases[country.alpha_3] = {n for n in names if n and "," not in n}
    for section in ("aliases", "historic"):
        for code, names in supplement[section].items():
            aliases.setdefault(code, set()).update(names)
    return aliases


def _named_entries() -> list[tuple[list[str], Entry]]:
    named = []
    for person in load_json("actors.json")["people"]:
        actor = Actor(
            person["name"], person["kind"], person["country"], person["title"]
        )
        terms = tuple((start, end) for start, end in person["terms"])
        named.append((person["aliases"], Entry(actor, NAMED, terms)))
    for item in load_json("metonyms.json")["institutions"]:
        actor = Actor(item["name"], item["kind"], item["country"])
        named.append((item["aliases"], Entry(actor, NAMED)))
    organisations = load_json("organisations.json")
    for item in organisations["igos"]:
        actor = Actor(item["name"], ActorKind.IGO, None)
        named.append((item["aliases"], Entry(actor, NAMED)))
    for item in organisations["ngos"]:
        actor = Actor(item["name"], ActorKind.GROUP, None)
        named.append((item["aliases"], Entry(actor, NAMED)))
    for item in load_json("groups.json")["groups"]:
        actor = Actor(item["name"], item["kind"], item["country"])
        named.append((item["aliases"], Entry(actor, NAMED)))
    return named


def _place_entries() -> list[tuple[list[str], Entry]]:
    places = []
    for code, names in _country_aliases().items():
        places.append((sorted(names), Entry(country_actor(code), COUNTRY)))
    metonyms = load_json("metonyms.json")
    former = metonyms["former_capitals"]
    for capital, code in metonyms["capitals"].items():
        places.append(([capital], Entry(_capital_actor(capital, code), COUNTRY)))
        for old_code, first, last in former.get(capital, ()):
            # "Moscow" in a 1987 article is the Soviet Union's government
            entry = Entry(
                _capital_actor(capital, old_code), COUNTRY, ((first or 0, last),)
            )
            places.append(([capital], entry))
    for place, code in metonyms["places"].items():
        places.append(([place], Entry(country_actor(code), PLACE)))
    for code, names in load_json("countries.json")["demonyms"].items():
        places.append((names, Entry(country_actor(code), DEMONYM)))
    return places


def _capital_actor(capital: str, code: str) -> Actor:
    return Actor(capital, ActorKind.GOVERNMENT, code, f"government of {code}")


def _outlet_entries() -> list[tuple[list[str], Entry]]:
    outlets = []
    for item in load_json("outlets.json")["outlets"]:
        code = item.get("country")
        actor = Actor(item["name"], ActorKind.MEDIA, code) if code else None
        outlets.append((item["aliases"], Entry(actor, OUTLET, outlet=item["name"])))
    return outlets


class Gazetteer:
    """Every alias the engine knows, matched in one pass over a Doc."""

    def __init__(self, nlp):
        self._entries: dict[str, list[Entry]] = {}
        for aliases, entry in _named_entries() + _place_entries() + _outlet_entries():
            for alias in aliases:
                self._entries.setdefault(alias, []).append(entry)
        self._matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for alias in self._entries:
            self._matcher.add(alias, [nlp.make_doc(alias)])

    def find(self, doc: Doc, published: dt.date | None) -> list[Mention]:
        """The actor mentions in `doc`, longest first where they overlap."""
        spans = [
            Span(doc, start, end, label=match_id)
            for match_id, start, end in self._matcher(doc)
        ]
        year = (published or dt.date.today()).year
        return [
            Mention(span.start, span.end, self._choose(span.label_, year))
            for span in sorted(filter_spans(spans), key=lambda s: s.start)
        ]

    def _choose(self, alias: str, year: int) -> Entry:
        candidates = self._entries[alias]
        if len(candidates) == 1:
            return candidates[0]
        in_office = [c for c in candidates if c.terms and c.in_office(year)]
        return (in_office or candidates)[0]
