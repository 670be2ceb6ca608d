"""Streamed exports of events: CSV and JSON Lines, one row per event.

GET /api/v1/events/export.csv and /api/v1/events/export.jsonl (or
/api/v1/events/export/?format=csv|jsonl) take every filter of the events list.
Rows are read with queryset.iterator(chunk_size=API_EXPORT_CHUNK) and written as
they come, so memory stays constant whatever the number of rows.

Columns, in this order (CSV header row; JSON Lines keys):

- id: the event's id in Tensions.
- date: when it happened (ISO date), empty when unknown.
- date_precision: day, month or year (empty when the date is unknown).
- source_country, target_country: ISO 3166 alpha-3 codes (empty when none).
- source_actor, target_actor: the actors' names.
- type: the PLOVER event type (AGREE, ASSAULT, ...).
- mode: the PLOVER mode within the type (may be empty).
- context: the PLOVER contexts, joined by ";" in CSV, a list in JSON Lines.
- status: occurred, possible, ... (see TAXONOMY.md).
- channel: letter, phone, meeting, statement or communique (may be empty).
- what: the object of the action, in a few words.
- intensity: Tensions' intensity, -10 (most hostile) to +10 (most cooperative).
- goldstein: the same value, named for tools built for GDELT and ICEWS: the
  intensity is on a Goldstein-like scale (-10..+10), not a CAMEO code lookup.
- cameo_root: the nearest CAMEO root code (two digits) for the type and mode.
- confidence: the extractor's confidence, 0..1.
- review_state: unreviewed, confirmed, edited or rejected.
- article_count: how many articles report the event (its corroboration).
- first_reported: publication date of the earliest report.
- url: the event's page in Tensions (absolute).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from tensions.extraction import taxonomy

COLUMNS = (
    "id",
    "date",
    "date_precision",
    "source_country",
    "source_actor",
    "target_country",
    "target_actor",
    "type",
    "mode",
    "context",
    "status",
    "channel",
    "what",
    "intensity",
    "goldstein",
    "cameo_root",
    "confidence",
    "review_state",
    "article_count",
    "first_reported",
    "url",
)
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}

# Columns read from a related row, and those computed from the others.
_SOURCES = {
    "source_country": "source_country_id",
    "source_actor": "source_actor__name",
    "target_country": "target_country_id",
    "target_actor": "target_actor__name",
}
_DERIVED = {"goldstein", "cameo_root", "url"}
_FIELDS = tuple(_SOURCES.get(c, c) for c in COLUMNS if c not in _DERIVED)


def events_export(
    *, events: QuerySet, fmt: str, base_url: str
) -> StreamingHttpResponse:
    """A streamed response of `events` in `fmt` (csv or jsonl)."""
    rows = _rows(events, base_url)
    lines = _csv_lines(rows) if fmt == "csv" else _jsonl_lines(rows)
    response = StreamingHttpResponse(lines, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="events.{fmt}"'
    return response


def _rows(events: QuerySet, base_url: str) -> Iterator[dict]:
    # The event page's address, with a placeholder id to fill per row.
    page = base_url.rstrip("/") + reverse("tensions:event", args=[0])
    head, tail = page.rsplit("0", 1)
    values = events.values(*_FIELDS).iterator(chunk_size=settings.API_EXPORT_CHUNK)
    for value in values:
        yield _row(value, head, tail)


def _row(value: dict, head: str, tail: str) -> dict:
    return {
        "id": value["id"],
        "date": _iso(value["date"]),
        "date_precision": value["date_precision"],
        "source_country": value["source_country_id"] or "",
        "source_actor": value["source_actor__name"] or "",
        "target_country": value["target_country_id"] or "",
        "target_actor": value["target_actor__name"] or "",
        "type": value["type"],
        "mode": value["mode"],
        "context": list(value["context"] or []),
        "status": value["status"],
        "channel": value["channel"],
        "what": value["what"],
        "intensity": value["intensity"],
        "goldstein": value["intensity"],
        "cameo_root": taxonomy.cameo_root(value["type"], value["mode"]),
        "confidence": value["confidence"],
        "review_state": value["review_state"],
        "article_count": value["article_count"],
        "first_reported": _iso(value["first_reported"]),
        "url": f"{head}{value['id']}{tail}",
    }


def _iso(day) -> str:
    return day.isoformat() if day else ""


class _Echo:
    """A file-like object csv.writer writes to; it hands the line back."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for row in rows:
        row["context"] = ";".join(row["context"])
        yield writer.writerow([row[column] for column in COLUMNS])


def _jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"
