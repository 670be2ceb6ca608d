"""Readers for the two external gold suites in ../shared/corpus/gold, turned
into the case format of tests/extraction/cases.jsonl so that one scorer serves
all three suites.

Conventions (both suites are scored on countries only):

- actor codes become ISO alpha-3 country codes; CAMEO's own spellings are
  mapped (JAP -> JPN, ITL -> ITA, VTN -> VNM) and non-state codes (IGO, NGO,
  IMG, ISM, "---") become None, which is also what the engine gives an
  international organisation;
- PLOVER 0.5 type names are mapped to today's (DEMAND -> REQUEST,
  DISAPPROVE and INVESTIGATE -> ACCUSE, FIGHT -> ASSAULT);
- CAMEO codes map to PLOVER types by their root, as in TAXONOMY.md, with the
  few three-digit codes whose PLOVER home differs from their root's; root 01
  (public statements) has no PLOVER type and is not scored;
- a compound actor with no separate target ("Jordan and Britain agreed") is a
  symmetric pair, matched in either order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pycountry

_CAMEO_COUNTRIES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
_PLOVER_05 = {
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
    "FIGHT": "ASSAULT",
}
_CAMEO_ROOTS = {
    "02": "REQUEST", "03": "AGREE", "04": "CONSULT", "05": "SUPPORT",
    "06": "COOPERATE", "07": "AID", "08": "CONCEDE", "09": "ACCUSE",
    "10": "REQUEST", "11": "ACCUSE", "12": "REJECT", "13": "THREATEN",
    "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE",
    "18": "ASSAULT", "19": "ASSAULT", "20": "ASSAULT",
}  # fmt: skip
# Three-digit CAMEO codes whose PLOVER type is not their root's.
_CAMEO_CODES = {
    "055": ("CONCEDE",),
    "057": ("AGREE",),
    "080": ("CONCEDE", "RETREAT"),
    "084": ("RETREAT",),
    "086": ("RETREAT",),
    "087": ("RETREAT",),
}


def country(code: str | None) -> str | None:
    """The ISO alpha-3 country of a gold actor code, or None for non-states."""
    if not code:
        return None
    code = _CAMEO_COUNTRIES.get(code[:3], code[:3])
    return code if pycountry.countries.get(alpha_3=code) else None


def cameo_types(code: str) -> tuple[str, ...]:
    """The PLOVER types a CAMEO event code stands for (empty: not scored)."""
    if code[:3] in _CAMEO_CODES:
        return _CAMEO_CODES[code[:3]]
    root = _CAMEO_ROOTS.get(code[:2])
    return (root,) if root else ()


def plover_cases(path: Path, *, merge_same_country: bool = True) -> list[dict]:
    """The PLOVER gold records (record 0 documents the file) as cases. With
    `merge_same_country` off, a record's two actors of one country ("Israeli
    helicopters and tanks") stay two events, as they were first scored."""
    records = json.loads(path.read_text(encoding="utf-8"))[1:]
    return [_plover_case(record, merge_same_country) for record in records]


def _plover_case(record: dict, merge_same_country: bool = True) -> dict:
    kind = _PLOVER_05.get(record["event"], record["event"])
    sources = [country(a.get("code")) for a in record.get("source") or []]
    target_list = record.get("target")
    if not isinstance(target_list, list):
        target_list = []
    targets = [country(a.get("code")) for a in target_list]
    if targets and sources:
        pairs = [(s, t, False) for s in sources for t in targets]
    elif len(sources) > 1:
        pairs = [(a, b, True) for i, a in enumerate(sources) for b in sources[i + 1 :]]
    else:
        return _case(record, [{"types": [kind], "excluded": "no target or source"}])
    if merge_same_country:
        # two actors of one country ("Israeli helicopters and tanks") make one key
        pairs = list(dict.fromkeys(pairs))
    events = [
        {"source": s, "target": t, "types": [kind], "symmetric": symmetric}
        for s, t, symmetric in pairs
    ]
    return _case(record, events)


def _case(record: dict, events: list[dict]) -> dict:
    for event in events:
        if event.get("source") == event.get("target") and "excluded" not in event:
            event["excluded"] = "within one country"
    return {
        "id": record["id"],
        "text": record["text"],
        "published": record.get("date"),
        "events": events,
    }


def petrarch_cases(path: Path) -> list[dict]:
    """The PETRARCH-2 validation records as cases (the file is not well-formed
    XML, so it is read record by record)."""
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"(?=<Sentence\b)", text)[1:]
    return [case for block in blocks if (case := _petrarch_case(block))]


def _petrarch_case(block: str) -> dict | None:
    ident = re.search(r'\bid="([^"]+)"', block)
    body = re.search(r"<Text>(.*?)</Text>", block, re.S)
    if ident is None or body is None or not body.group(1).strip():
        return None
    date = re.search(r'\bdate="(\d{4})(\d\d)(\d\d)"', block)
    record = {
        "id": ident.group(1),
        "text": " ".join(body.group(1).split()),
        "date": "-".join(date.groups()) if date else None,
    }
    case = _case(record, _petrarch_events(block))
    case["no_events"] = 'noevents="True"' in block
    return case


def _petrarch_events(block: str) -> list[dict]:
    """The scored events of one record; a pair coded in both directions with
    the same type ("Brazil and the United States ...") is one symmetric event."""
    events: dict[tuple, dict] = {}
    for attrs in re.findall(r"<EventCoding([^>]*)/>", block):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        types = cameo_types(fields.get("eventcode", ""))
        source = country(fields.get("sourcecode"))
        target = country(fields.get("targetcode"))
        if not types:
            continue
        reverse = events.get((target, source, types))
        if reverse is not None:
            reverse["symmetric"] = True
            continue
        events[(source, target, types)] = {
            "source": source,
            "target": target,
            "types": list(types),
        }
    return list(events.values())
