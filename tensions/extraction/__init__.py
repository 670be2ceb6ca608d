"""Tensions' event-extraction engine: plain Python and spaCy, never Django.

    from tensions.extraction import extract
    events = extract(text, published=datetime.date(2025, 10, 31))

Each Event is one happening between two actors (PLOVER type, status, mode,
context, channel, date, what) with every sentence of the article that reports
it as evidence. Dictionaries live in ./data and are loaded once per process.
"""

from . import taxonomy
from .engine import extract
from .errors import ExtractionError
from .results import Actor, ActorKind, Event, Evidence

EXTRACTOR_VERSION = "0.6.0"

__all__ = [
    "EXTRACTOR_VERSION",
    "Actor",
    "ActorKind",
    "Event",
    "Evidence",
    "ExtractionError",
    "extract",
    "taxonomy",
]
