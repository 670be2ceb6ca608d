"""Bulk files: one article per CSV row, JSON list item or JSON Lines line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from django.conf import settings
from django.utils import timezone

from articles.parsing.base import Document, Failure, ParseError
from articles.parsing.detect import Kind
from articles.parsing.formats import decode_text

RECORD_KINDS = (Kind.CSV, Kind.JSON, Kind.JSONL)
FIELDS = ("title", "text", "publisher", "url", "published", "author")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d %B %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%b %d, %Y",
)
_QUOTED = re.compile(r'"[^"]*"')


def parse_records(*, name: str, kind: Kind, data: bytes) -> list[Document | Failure]:
    rows = _READERS[kind](decode_text(data))
    limit = settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE
    if len(rows) > limit:
        raise ParseError(
            f"the file holds {len(rows):,} records; the limit is {limit:,}."
        )
    if not rows:
        raise ParseError("the file holds no records.")
    return [_record(f"{name} {label}", row) for label, row in rows]


def _csv_rows(text: str) -> list[tuple[str, dict]]:
    try:
        reader = csv.DictReader(
            io.StringIO(text), delimiter=_csv_delimiter(text), restkey="_extra"
        )
        columns = [(c or "").strip() for c in reader.fieldnames or []]
        # Spreadsheets write "Title" or " Text "; the fields are matched by name.
        reader.fieldnames = [c.lower() for c in columns]
        if "text" not in reader.fieldnames:
            raise ParseError(
                f"the CSV has no 'text' column ({_found_columns(columns)})."
            )
        return [(f"row {n}", row) for n, row in enumerate(reader, start=2)]
    except csv.Error as exc:
        raise ParseError(f"the CSV is malformed ({exc}).") from None


def _csv_delimiter(text: str) -> str:
    """The delimiter a spreadsheet wrote: the one the header line uses most.

    European Excel writes semicolons and "Unicode text" exports use tabs; quoted
    names are left out of the count, and a single column means a comma.
    """
    header = _QUOTED.sub("", text[:4096]).split("\n", 1)[0]
    return max(",;\t", key=header.count)  # the first of a tie: a comma


def _found_columns(columns: list[str]) -> str:
    named = [c[:40] for c in columns if c]
    if not named:
        return "its first line names no columns"
    more = f" and {len(named) - 10} more" if len(named) > 10 else ""
    return f"it has: {', '.join(named[:10])}{more}"


def _json_rows(text: str) -> list[tuple[str, dict]]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ParseError(f"the JSON is invalid ({_json_reason(exc)}).") from None
    if not isinstance(value, list):
        raise ParseError("the JSON must be a list of records, each with a 'text'.")
    return [(f"item {n}", item) for n, item in enumerate(value, start=1)]


def _jsonl_rows(text: str) -> list[tuple[str, dict]]:
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((f"line {n}", json.loads(line)))
        except (json.JSONDecodeError, RecursionError) as exc:
            rows.append(
                (f"line {n}", ParseError(f"invalid JSON ({_json_reason(exc)})"))
            )
    return rows


def _json_reason(exc: Exception) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"


def _record(name: str, row) -> Document | Failure:
    if isinstance(row, ParseError):
        return Failure(name, f"{row}.")
    if not isinstance(row, dict):
        return Failure(name, "the record is not an object with a 'text' field.")
    if row.get("_extra"):
        return Failure(name, "the row has more values than the CSV has columns.")
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return Failure(name, "the record's text is empty.")
    try:
        published = _date(row.get("published"))
    except ParseError as exc:
        return Failure(name, str(exc))
    if published and published > timezone.localdate():
        # Refused, as the form and the API refuse it: a record's date is what
        # the analyst's data says, not a guess from a page to pass over.
        return Failure(name, f"the date {published:%Y-%m-%d} is in the future.")
    meta = {
        k: str(row.get(k) or "").strip()[:500]
        for k in ("title", "publisher", "url", "author")
    }
    sources = {k: "the record" for k, v in meta.items() if v}
    if published:
        sources["published"] = "the record" + _day_first_note(row.get("published"))
    return Document(
        name=name, text=text.strip(), published=published, sources=sources, **meta
    )


_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.]\d{4}")


def _day_first_note(value) -> str:
    """Where a date such as 03/04/2025 could be either, the page says how it
    was read: day first (3 April), as outside the United States."""
    found = _NUMERIC_DATE.fullmatch(str(value).strip())
    if not found or found[1] == found[2] or int(found[2]) > 12 or int(found[1]) > 12:
        return ""
    return f" ({value.strip()} read day first, month second)"


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(
                text[:10] if fmt == "%Y-%m-%d" else text, fmt
            ).date()
        except ValueError:
            continue
    raise ParseError(f"the date {text!r} is not a valid date.")


_READERS = {Kind.CSV: _csv_rows, Kind.JSON: _json_rows, Kind.JSONL: _jsonl_rows}
