"""The team's demo articles: a new install opens on a populated timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"


@dataclass(frozen=True)
class DemoArticle:
    title: str
    publisher: str
    published: dt.date
    text: str


def demo_articles() -> list[DemoArticle]:
    return [_read(path) for path in sorted(DEMO_DIR.glob("*.txt"))]


def _read(path: Path) -> DemoArticle:
    header, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in header.splitlines())
    return DemoArticle(
        title=fields["Title"],
        publisher=fields["Publisher"],
        published=dt.date.fromisoformat(fields["Published"]),
        text=text.strip(),
    )
