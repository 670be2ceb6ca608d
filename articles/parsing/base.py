"""What parsing yields: documents with their metadata, or failures in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Failure:
    name: str
    message: str
