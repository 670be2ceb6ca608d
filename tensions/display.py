"""How events read on the pages: sentences, dates, colours, highlighted text.

Pure functions over model instances (no queries of their own), shared by the
dashboard, the timeline and the article pages.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

CONFLICT_RGB = (178, 24, 43)
NEUTRAL_RGB = (136, 136, 136)
COOPERATION_RGB = (33, 102, 172)

# What the source did to "{t}" (the target), by type and, when it says more, mode.
_PHRASES = {
    "AGREE": {"": "reached an agreement with {t}"},
    "CONSULT": {
        "": "consulted {t}",
        "visit": "visited {t}",
        "phone": "spoke by phone with {t}",
        "multilateral": "met {t} in a multilateral setting",
        "third-party": "talked with {t} through a third party",
    },
    "SUPPORT": {"": "expressed support for {t}"},
    "CONCEDE": {"": "made concessions to {t}"},
    "COOPERATE": {"": "cooperated with {t}"},
    "AID": {"": "gave aid to {t}"},
    "RETREAT": {
        "": "eased pressure on {t}",
        "withdraw": "withdrew forces from {t}",
        "release": "released people held from {t}",
        "ceasefire": "agreed a ceasefire with {t}",
        "access": "granted access to {t}",
    },
    "REQUEST": {
        "": "made a request to {t}",
        "assist": "asked {t} for assistance",
        "change": "demanded change from {t}",
        "yield": "demanded that {t} yield",
        "meet": "asked {t} for a meeting",
    },
    "ACCUSE": {
        "": "accused {t}",
        "disapprove": "criticised {t}",
        "investigate": "investigated {t}",
        "allege": "made allegations against {t}",
    },
    "REJECT": {
        "": "rejected {t}",
        "assist": "refused to help {t}",
        "change": "refused the change {t} demanded",
        "yield": "refused to yield to {t}",
        "meet": "refused to meet {t}",
    },
    "THREATEN": {
        "": "threatened {t}",
        "violence": "threatened {t} with force",
        "restrict": "threatened {t} with restrictions",
        "arrest": "threatened {t} with arrests",
        "relations": "threatened to cut relations with {t}",
        "expel": "threatened to expel {t}'s diplomats",
        "territory": "threatened {t}'s territory",
    },
    "PROTEST": {"": "protested against {t}"},
    "SANCTION": {
        "": "sanctioned {t}",
        "expel": "expelled {t}'s diplomats",
        "discontinue": "cut ties with {t}",
        "withdraw": "withdrew its ambassador from {t}",
        "convict": "convicted nationals of {t}",
    },
    "MOBILIZE": {
        "": "mobilised against {t}",
        "troops": "deployed troops against {t}",
        "weapons": "showed military force to {t}",
    },
    "COERCE": {
        "": "coerced {t}",
        "seize": "seized assets of {t}",
        "blockade": "blockaded {t}",
        "cyber": "carried out a cyber operation against {t}",
        "arrest": "arrested nationals of {t}",
        "deport": "deported nationals of {t}",
        "restrict": "imposed restrictions on {t}",
    },
    "ASSAULT": {
        "": "attacked {t}",
        "aerial": "carried out air strikes on {t}",
        "drone": "carried out drone strikes on {t}",
        "naval": "attacked {t} at sea",
        "targeted": "carried out a targeted attack on {t}",
    },
}

_CHANNELS = {
    "letter": "by letter",
    "phone": "by phone",
    "meeting": "at a meeting",
    "statement": "in a statement",
    "communique": "in a communiqué",
}


def party(actor, country) -> str:
    """'Venezuela (Nicolás Maduro)': the country, then who acted for it."""
    if actor is None and country is None:
        return "an unnamed party"
    if country is None:
        return actor.name
    if actor is None or actor.name.casefold() == country.name.casefold():
        return country.name
    return f"{country.name} ({actor.name})"


def action_phrase(type_name: str, mode: str, target: str) -> str:
    phrases = _PHRASES.get(type_name, {"": f"{type_name.lower()} {{t}}"})
    phrase = phrases.get(mode or "", phrases[""])
    return phrase.format(t=target)


def event_sentence(event) -> str:
    """'Venezuela (Nicolás Maduro) asked Russia (Vladimir Putin) for assistance —
    by letter — occurred, Oct 2025'."""
    source = party(event.source_actor, event.source_country)
    target = party(event.target_actor, event.target_country)
    parts = [f"{source} {action_phrase(event.type, event.mode, target)}"]
    if event.channel:
        parts.append(_CHANNELS.get(event.channel, event.channel))
    parts.append(f"{event.status}, {event_date_label(event)}")
    return " — ".join(parts)


def event_title(event) -> str:
    """The sentence and what it was about: the tooltip of a timeline mark."""
    what = f" ({event.what})" if event.what else ""
    return f"{event.type}: {event_sentence(event)}{what}"


def date_label(date: dt.date | None, precision: str = "day") -> str:
    if date is None:
        return "undated"
    if precision == "year":
        return str(date.year)
    if precision == "month":
        return date.strftime("%b %Y")
    return f"{date.day} {date.strftime('%b %Y')}"


def event_date_label(event) -> str:
    if event.date:
        return date_label(event.date, event.date_precision or "day")
    if event.first_reported:
        return f"reported {date_label(event.first_reported)}"
    return "undated"


def reports_summary(event) -> str:
    """'4 mentions in 1 article from 1 publisher'."""
    mentions, articles = event.mention_count, event.article_count
    publishers = event.publisher_count
    return (
        f"{mentions} mention{_plural(mentions)} in {articles} "
        f"article{_plural(articles)} from {publishers} "
        f"publisher{_plural(publishers)}"
    )


def _plural(n: int) -> str:
    """The `pluralize` filter for a count (a page writes hundreds)."""
    return "" if n == 1 else "s"


def direction(event) -> str:
    """'VEN → RUS'."""
    source = event.source_country_id or "—"
    target = event.target_country_id or "—"
    return f"{source} → {target}"


@functools.lru_cache(maxsize=4096)  # a pure function; pages ask for hundreds
def intensity_colour(intensity: float) -> str:
    """Red for conflict (−10), grey at 0, blue for cooperation (+10)."""
    share = min(abs(intensity), 10.0) / 10.0
    end = CONFLICT_RGB if intensity < 0 else COOPERATION_RGB
    rgb = (round(n + (e - n) * share) for n, e in zip(NEUTRAL_RGB, end, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def intensity_label(intensity: float) -> str:
    if intensity <= -0.5:
        return "conflict"
    if intensity >= 0.5:
        return "cooperation"
    return "neutral"


@dataclass(frozen=True)
class Excerpt:
    """A paragraph cut in three around the sentence to highlight."""

    before: str
    marked: str
    after: str


def paragraph_around(text: str, start: int, end: int, fallback: str = "") -> Excerpt:
    """The paragraph (text between newlines) holding text[start:end]."""
    if not 0 <= start < end <= len(text):
        return Excerpt("", fallback, "")
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last == -1 else last
    return Excerpt(text[first:start], text[start:end], text[end:last])


@dataclass(frozen=True)
class Segment:
    """A run of article text; `links` are the events a highlighted run evidences."""

    text: str
    links: tuple = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.links)


def highlight_segments(text: str, spans) -> list[Segment]:
    """Cut `text` into plain and highlighted runs.

    `spans` are (start, end, link) triples; overlapping spans merge into one
    run carrying every link. Out-of-range spans are ignored.
    """
    merged: list[list] = []
    for start, end, link in sorted(spans, key=lambda s: (s[0], s[1])):
        if not 0 <= start < end <= len(text):
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if link not in merged[-1][2]:
                merged[-1][2].append(link)
        else:
            merged.append([start, end, [link]])
    segments, cursor = [], 0
    for start, end, links in merged:
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(Segment(text[start:end], tuple(links)))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    return segments
