"""What parsing yields: documents with their metadata, or failures in words."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields

# Control characters no article needs: C0 but tab, newline and carriage
# return, and DEL. PostgreSQL refuses NUL in text; the others garble pages.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(item) -> None:
    """Drop control characters from the dataclass's text fields, whichever
    parser (PDF text, a JSON record, an archive's entry name) let them in."""
    for f in fields(item):
        value = getattr(item, f.name)
        if isinstance(value, str) and CONTROL.search(value):
            object.__setattr__(item, f.name, CONTROL.sub("", value))


class ParseError(Exception):
    """The file (or one record of it) cannot be read; the message says why."""


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    url: str = ""
    published: dt.date | None = None
    # Which metadata the file itself gave (e.g. {"title": "html <title>"}).
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        _clean(self)


@dataclass(frozen=True)
class Failure:
    name: str
    message: str

    def __post_init__(self):
        _clean(self)
