"""Zip archives: every safe entry parsed, every unsafe one refused by name."""

from __future__ import annotations

import io
import posixpath
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from articles.parsing.base import Failure, ParseError
from articles.parsing.detect import Kind, detect_kind


def parse_zip(*, name: str, data: bytes, parse) -> list:
    """Parse each entry with `parse(name, kind, data)`; nested archives are refused.

    The articles limit holds for what the whole archive yields, a bulk entry's
    records included: an entry that would pass it gets a Failure, as do the rest.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if not _skipped(i)]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ParseError("the zip archive is corrupt or truncated.") from None
    _check_totals(entries)
    limit = settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE
    over = (
        f"the entry is over the archive's limit of {limit:,} articles; "
        "upload it on its own."
    )
    results, room = [], limit
    for info in entries:
        entry = f"{name}/{info.filename}"
        found = _parse_entry(archive, info, entry, parse) if room else []
        if room and len(found) <= room:
            room -= len(found)
        else:
            room = 0  # later entries are refused too: the articles kept come first
            found = [Failure(entry, over)]
        results.extend(found)
    if not results:
        raise ParseError("the zip archive holds no files.")
    return results


def _parse_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: str, parse):
    try:
        raw = _read(archive, info)
        kind = detect_kind(name=info.filename, data=raw)
        if kind is Kind.ZIP:
            raise ParseError("archives inside archives are not opened.")
        return parse(entry, kind, raw)
    except ParseError as exc:
        return [Failure(entry, str(exc))]


def _skipped(info: zipfile.ZipInfo) -> bool:
    base = posixpath.basename(info.filename.rstrip("/"))
    return (
        info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith(".")
    )


def _check_totals(entries: list[zipfile.ZipInfo]) -> None:
    limit = settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE
    if len(entries) > limit:
        raise ParseError(
            f"the archive holds {len(entries):,} files; the limit is {limit:,}."
        )
    unpacked_size_check(entries, "the archive")


def unpacked_size_check(entries: list[zipfile.ZipInfo], what: str) -> None:
    """Refuse a zip (an archive, a Word document) that would unpack past the
    archives' limit, before anything of it is read: a zip bomb."""
    total = sum(i.file_size for i in entries)
    cap = settings.TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES
    if total > cap:
        raise ParseError(
            f"{what} unpacks to {filesizeformat(total)}; "
            f"the limit is {filesizeformat(cap)}."
        )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    path = info.filename.replace("\\", "/")
    if path.startswith("/") or ".." in path.split("/") or ":" in path.split("/")[0]:
        raise ParseError("the entry's path leaves the archive; it was not opened.")
    if info.flag_bits & 0x1:
        raise ParseError("the entry is encrypted.")
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > settings.TENSIONS_MAX_COMPRESSION_RATIO and info.file_size > 1_000_000:
        raise ParseError(
            f"the entry expands {ratio:,.0f} times (a zip bomb?); it was not opened."
        )
    limit = settings.TENSIONS_MAX_UPLOAD_BYTES
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)  # never trust the declared size
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ParseError("the entry is corrupt.") from None
    if len(data) > limit:
        raise ParseError(f"the entry is over the {filesizeformat(limit)} file limit.")
    return data
