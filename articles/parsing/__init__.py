"""Turning an uploaded file into documents, or a clear reason why it cannot be.

    results = parse_file(name="report.zip", data=raw_bytes)

Each result is a `Document` (text and the metadata the file gave) or a
`Failure` (which file, and why in words). A file holds one document (txt, md,
html, pdf, docx, eml), many (csv, json, jsonl) or other files (zip). The kind is
decided from the content; the extension only breaks ties between text formats.
"""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from articles.parsing.base import Document, Failure, ParseError
from articles.parsing.detect import Kind, detect_kind

__all__ = ["Document", "Failure", "Kind", "ParseError", "detect_kind", "parse_file"]

ACCEPTED_EXTENSIONS = [
    ".txt",
    ".md",
    ".text",
    ".html",
    ".htm",
    ".pdf",
    ".docx",
    ".eml",
    ".csv",
    ".json",
    ".jsonl",
    ".zip",
]


def parse_file(
    *, name: str, data: bytes, max_bytes: int | None = None
) -> list[Document | Failure]:
    """Every document in the file, and a Failure for each part that is
    unreadable. `max_bytes` replaces the upload limit on the file's size (an
    archive's entries keep it)."""
    try:
        _check_size(len(data), max_bytes or settings.TENSIONS_MAX_UPLOAD_BYTES)
        kind = detect_kind(name=name, data=data)
        if kind is Kind.ZIP:
            from articles.parsing.archive import parse_zip

            return parse_zip(name=name, data=data, parse=_parse_one)
        return _parse_one(name, kind, data)
    except ParseError as exc:
        return [Failure(name, str(exc))]


def _parse_one(name: str, kind: Kind, data: bytes) -> list[Document | Failure]:
    from articles.parsing import formats, records

    if kind in records.RECORD_KINDS:
        return records.parse_records(name=name, kind=kind, data=data)
    return [formats.PARSERS[kind](name=name, data=data)]


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ParseError(
            f"the file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}."
        )
