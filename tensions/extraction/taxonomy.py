"""The event taxonomy: PLOVER types, modes, statuses, channels and intensities.

Plain data shared by the engine and the Django models (which take their choices
from here), so that one table decides what an event can be and how intense it is.
Intensities follow ../shared/TAXONOMY.md: a Goldstein-like scale from -10
(most conflictual) to +10 (most cooperative), fixed per type and mode.
"""

from __future__ import annotations

from dataclasses import dataclass

OCCURRED = "occurred"
PLANNED = "planned"
POSSIBLE = "possible"
ALLEGED = "alleged"
DENIED = "denied"
STATUSES = (OCCURRED, PLANNED, POSSIBLE, ALLEGED, DENIED)

CHANNELS = ("letter", "phone", "meeting", "statement", "communique")

PRECISIONS = ("day", "month", "year")

QUADS = (
    "verbal cooperation",
    "material cooperation",
    "verbal conflict",
    "material conflict",
)

CONTEXTS = (
    "military",
    "economic",
    "diplomatic",
    "political",
    "illegal_drugs",
    "territory",
    "cyber",
    "humanitarian",
    "nuclear",
    "terrorism",
    "migration",
    "human_rights",
    "environment",
    "legal",
)


@dataclass(frozen=True)
class EventType:
    name: str
    quad: str
    meaning: str
    base_intensity: float
    cameo_root: str
    modes: dict[str, float]

    def intensity(self, mode: str | None = None) -> float:
        """The intensity of this type done in `mode` (the base one if unknown)."""
        return self.modes.get(mode or "", self.base_intensity)


_TYPES = (
    EventType(
        "AGREE", QUADS[0], "agree to, sign, promise future cooperation", 2.5, "03", {}
    ),
    EventType(
        "CONSULT",
        QUADS[0],
        "meet, visit, host, talk, call, negotiate",
        2.5,
        "04",
        {"visit": 4.0, "third-party": 1.0, "multilateral": 4.0, "phone": 1.5},
    ),
    EventType(
        "SUPPORT", QUADS[0], "praise, endorse, back diplomatically", 5.0, "05", {}
    ),
    EventType(
        "CONCEDE",
        QUADS[0],
        "ease, yield, apologise, announce withdrawal",
        4.5,
        "08",
        {},
    ),
    EventType(
        "COOPERATE",
        QUADS[1],
        "joint action, trade or security cooperation",
        9.5,
        "06",
        {},
    ),
    EventType(
        "AID", QUADS[1], "give economic, military or humanitarian aid", 10.0, "07", {}
    ),
    EventType(
        "RETREAT",
        QUADS[1],
        "withdraw, release, disarm, ceasefire, grant access",
        6.5,
        "08",
        {
            "withdraw": 8.0,
            "release": 6.5,
            "disarm": 10.0,
            "ceasefire": 7.5,
            "access": 6.5,
            "resign": 4.5,
        },
    ),
    EventType(
        "REQUEST",
        QUADS[2],
        "ask, appeal, demand",
        0.0,
        "02",
        {"assist": 0.5, "change": -1.0, "yield": -1.0, "meet": 0.0},
    ),
    EventType(
        "ACCUSE",
        QUADS[2],
        "accuse, criticise, condemn, investigate",
        -3.0,
        "11",
        {"disapprove": -2.0, "investigate": -3.5, "allege": -3.5},
    ),
    EventType(
        "REJECT",
        QUADS[2],
        "refuse, reject, veto",
        -2.0,
        "12",
        {"assist": -1.5, "change": -2.0, "yield": -2.0, "meet": -2.0},
    ),
    EventType(
        "THREATEN",
        QUADS[2],
        "threaten, warn of consequences, ultimatum",
        -3.5,
        "13",
        {
            "restrict": -3.0,
            "arrest": -3.5,
            "relations": -3.5,
            "expel": -3.5,
            "territory": -4.0,
            "violence": -3.5,
        },
    ),
    EventType(
        "PROTEST",
        QUADS[3],
        "demonstrate, riot, strike, boycott",
        -5.0,
        "14",
        {
            "demo": -5.0,
            "riot": -7.0,
            "strike": -5.0,
            "hunger": -4.5,
            "boycott": -4.5,
            "obstruct": -4.5,
        },
    ),
    EventType(
        "SANCTION",
        QUADS[3],
        "sanctions, embargo, expel diplomats, cut relations",
        -6.0,
        "16",
        {"convict": -6.0, "expel": -5.5, "withdraw": -6.0, "discontinue": -6.0},
    ),
    EventType(
        "MOBILIZE",
        QUADS[3],
        "deploy or alert troops, weapons tests, shows of force",
        -5.5,
        "15",
        {"troops": -6.5, "weapons": -6.5, "police": -5.5, "militia": -6.0},
    ),
    EventType(
        "COERCE",
        QUADS[3],
        "seize, blockade, arrest, deport, restrict, cyber operations",
        -7.0,
        "17",
        {
            "seize": -7.0,
            "restrict": -6.5,
            "censor": -6.5,
            "arrest": -7.0,
            "deport": -7.0,
            "withhold": -6.5,
            "cyber": -7.5,
            "blockade": -7.5,
        },
    ),
    EventType(
        "ASSAULT",
        QUADS[3],
        "attack, strike, bomb, shell, kill",
        -9.0,
        "18",
        {
            "aerial": -9.5,
            "drone": -9.5,
            "firearms": -9.0,
            "explosives": -9.5,
            "heavy-weapons": -10.0,
            "targeted": -9.0,
            "destroy": -9.5,
            "abduct": -9.0,
            "unconventional": -10.0,
            "naval": -9.5,
        },
    ),
)

TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}
TYPE_NAMES = tuple(TYPES)
MODES = tuple(sorted({mode for t in _TYPES for mode in t.modes}))

# CAMEO roots a mode moves a type to (ASSAULT: 19 fight, 20 mass violence; 195 air).
_CAMEO_BY_MODE = {
    ("ASSAULT", "aerial"): "19",
    ("ASSAULT", "drone"): "19",
    ("ASSAULT", "heavy-weapons"): "19",
    ("ASSAULT", "naval"): "19",
    ("ASSAULT", "unconventional"): "20",
    ("ACCUSE", "investigate"): "09",
    ("REQUEST", "change"): "10",
    ("REQUEST", "yield"): "10",
}


def intensity(type_name: str, mode: str | None = None) -> float:
    """The intensity of an event of `type_name` done in `mode`."""
    return TYPES[type_name].intensity(mode)


def cameo_root(type_name: str, mode: str | None = None) -> str:
    """The nearest CAMEO root code, for exports read by GDELT/ICEWS tools."""
    return _CAMEO_BY_MODE.get((type_name, mode or ""), TYPES[type_name].cameo_root)


def is_cooperation(type_name: str) -> bool:
    return TYPES[type_name].quad.endswith("cooperation")
