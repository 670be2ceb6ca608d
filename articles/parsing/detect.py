"""Deciding what a file is from its bytes, not from the name it was given."""

from __future__ import annotations

import enum
import re

from articles.parsing.base import ParseError


class Kind(enum.StrEnum):
    TEXT = "text"
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"
    EMAIL = "eml"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"
    ZIP = "zip"


_HTML_START = re.compile(
    rb"^\s*(<!doctype html|<html|<head|<body|<article|<meta)", re.I
)
_EMAIL_HEADER = re.compile(
    rb"^(from|to|subject|date|message-id|received|mime-version"
    rb"|return-path|delivered-to|content-type):",
    re.I | re.M,
)
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (.doc/.xls); save it as .docx",
    b"\x7fELF": "a program",
    b"MZ": "a Windows program",
}


def detect_kind(*, name: str, data: bytes) -> Kind:
    """The kind of the file; a ParseError for empty or unsupported binary data."""
    if not data.strip():
        raise ParseError("the file is empty.")
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return Kind.PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(name.lower(), data)
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise ParseError(f"this is {what}, not an article.")
    return _text_kind(name.lower(), data.lstrip(b"\xef\xbb\xbf")[:4096])


def _zip_kind(name: str, data: bytes) -> Kind:
    # A .docx is a zip holding word/document.xml; looking inside decides.
    import io
    import zipfile

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        if name.endswith(".docx") or b"word/" in data[:4096]:
            raise ParseError("the Word document is corrupt.") from None
        raise ParseError("the zip archive is corrupt or truncated.") from None
    return Kind.DOCX if "word/document.xml" in names else Kind.ZIP


def _text_kind(name: str, head: bytes) -> Kind:
    stripped = head.lstrip()
    if _HTML_START.match(head) or (
        name.endswith((".html", ".htm")) and stripped.startswith(b"<")
    ):
        return Kind.HTML
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return Kind.JSONL
    if stripped[:1] in (b"[", b"{") and not name.endswith((".txt", ".md", ".text")):
        return Kind.JSONL if _looks_like_jsonl(stripped) else Kind.JSON
    if name.endswith(".csv"):
        return Kind.CSV
    if name.endswith(".eml") or _looks_like_email(head):
        return Kind.EMAIL
    return Kind.TEXT


def _looks_like_jsonl(head: bytes) -> bool:
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    return (
        len(lines) > 1
        and all(line.startswith(b"{") for line in lines[:3])
        and (lines[0].endswith(b"}"))
    )


def _looks_like_email(head: bytes) -> bool:
    top = head.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    return len(_EMAIL_HEADER.findall(top)) >= 2
