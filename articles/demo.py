"""The team's demo articles: a new install opens on a populated timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"


@dataclass(frozen=True)
class DemoArticle:
    title: str
    publisher: str
    published: dt.date
    text: str


def demo_articles(*, today: dt.date | None = None) -> list[DemoArticle]:
    """The demo articles, moved in time so that the latest appeared two days ago.

    The texts keep their spacing in time; a demo always shows recent activity.
    """
    articles = [_read(path) for path in sorted(DEMO_DIR.glob("*.txt"))]
    if today is None:
        return articles
    shift = today - dt.timedelta(days=2) - max(a.published for a in articles)
    return [replace(a, published=a.published + shift) for a in articles]


def _read(path: Path) -> DemoArticle:
    header, _, text = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in header.splitlines())
    return DemoArticle(
        title=fields["Title"],
        publisher=fields["Publisher"],
        published=dt.date.fromisoformat(fields["Published"]),
        text=text.strip(),
    )
