"""Parsers for the formats that hold one article: text, HTML, PDF, Word, e-mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import logging
import unicodedata
import zipfile
from email.utils import parsedate_to_datetime

import charset_normalizer

from articles.parsing.archive import unpacked_size_check
from articles.parsing.base import CONTROL, Document, ParseError
from articles.parsing.detect import Kind

logger = logging.getLogger(__name__)


def decode_text(data: bytes) -> str:
    """The bytes as text in whatever common encoding they use; binary data refused."""
    data = _strip_bom(data)
    text = _utf16_without_bom(data)
    if text is None:
        text = _mostly_utf8(data)
        if text is None:
            text = _detected(data)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    if len(CONTROL.findall(text)) > max(2, len(text) // 200):
        raise ParseError("the file is binary data, not text.")
    if not text.strip():
        raise ParseError("the file has no text.")
    return CONTROL.sub("", text)


def _strip_bom(data: bytes) -> bytes:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec).encode("utf-8")
            except UnicodeDecodeError:
                raise ParseError(f"the file is not valid {codec} text.") from None
    return data


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) / 2
    codec = (
        "utf-16-le" if odd > half * 0.4 else "utf-16-be" if even > half * 0.4 else ""
    )
    if not codec or (even and odd and min(even, odd) > half * 0.4):
        return None
    try:
        return data[: len(data) - len(data) % 2].decode(codec)
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """The text, if the bytes are UTF-8: a file with a few broken bytes keeps
    its text, with U+FFFD marks. Bytes with no UTF-8 sequence at all are in
    another encoding (a Windows-1252 export's "Bogotá"), however few they are:
    read as UTF-8 they would lose every accent."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if not broken:
        return text
    if not any(ch > "\x7f" and ch != "\ufffd" for ch in text):
        return None
    return text if broken <= max(1, len(text) // 500) else None


def _detected(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ParseError("the file is binary data or in an unknown encoding.")
    return str(best)


def parse_text(*, name: str, data: bytes) -> Document:
    return Document(name=name, text=decode_text(data).strip())


def parse_html(*, name: str, data: bytes) -> Document:
    import htmldate
    import trafilatura

    html = decode_text(data)
    try:
        found = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True
        )
    except (RecursionError, ValueError, TypeError) as exc:
        logger.info("trafilatura could not read %s: %s", name, exc)
        raise ParseError("the HTML page could not be read.") from None
    if found is None or not (found.text or "").strip():
        raise ParseError("no article text was found in the HTML page.")
    meta = {
        "title": found.title or "",
        "author": found.author or "",
        "publisher": found.sitename or "",
        "url": found.url or "",
    }
    try:
        date = htmldate.find_date(html, extensive_search=False, original_date=True)
    except (RecursionError, ValueError):
        date = None
    return _document(name, found.text, meta, _iso_date(date), "the HTML page")


def parse_pdf(*, name: str, data: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import (
        DependencyError,
        FileNotDecryptedError,
        PdfReadError,
        PdfStreamError,
    )

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("the PDF is protected by a password.")
        text = "\n".join((page.extract_text() or "") for page in reader.pages)
        info = reader.metadata or {}
    except FileNotDecryptedError:
        raise ParseError("the PDF is protected by a password.") from None
    except DependencyError as exc:  # an encryption pypdf cannot undo here
        logger.warning("pypdf could not decrypt %s: %s", name, exc)
        raise ParseError("the PDF's encryption cannot be read.") from None
    except (
        PdfReadError,
        PdfStreamError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        NotImplementedError,
    ) as exc:
        logger.info("pypdf could not read %s: %s", name, exc)
        raise ParseError("the PDF is corrupt or truncated.") from None
    if not text.strip():
        raise ParseError(
            "the PDF has no text layer (a scanned image?): run OCR on it first."
        )
    meta = {"title": info.get("/Title") or "", "author": info.get("/Author") or ""}
    # A PDF's creation date is when the file was made, not when the story ran.
    return _document(name, text, meta, None, "the PDF")


def parse_docx(*, name: str, data: bytes) -> Document:
    import docx

    _unpacked_size_check(data, "the Word document")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a corrupt file
        logger.info("python-docx could not read %s: %s", name, exc)
        raise ParseError("the Word document is corrupt.") from None
    text = "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    props = document.core_properties
    meta = {"title": props.title or "", "author": props.author or ""}
    # Its creation date is the file's (often a template's), not the story's.
    return _document(name, text, meta, None, "the Word document")


def _unpacked_size_check(data: bytes, what: str) -> None:
    """A Word document is a zip archive: checked as an archive is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ParseError(f"{what} is corrupt.") from None
    unpacked_size_check(entries, what)


def parse_email(*, name: str, data: bytes) -> Document:
    message = email.message_from_bytes(data, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        raise ParseError("the e-mail has no text body.")
    content = body.get_content()
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if body.get_content_type() == "text/html":
        text = parse_html(name=name, data=raw).text
    else:
        text = decode_text(raw)
    meta = {
        "title": str(message["subject"] or ""),
        "author": str(message["from"] or ""),
    }
    return _document(name, text, meta, _email_date(message["date"]), "the e-mail")


def _email_date(header) -> dt.date | None:
    try:
        return parsedate_to_datetime(str(header)).date() if header else None
    except (TypeError, ValueError):
        return None


def _iso_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _document(name, text, meta, published, where) -> Document:
    if not (text or "").strip():
        raise ParseError(f"{where} has no text.")
    meta = {key: str(value).strip()[:500] for key, value in meta.items() if value}
    sources = dict.fromkeys(meta, where)
    if published:
        sources["published"] = where
    return Document(
        name=name, text=text.strip(), published=published, sources=sources, **meta
    )


PARSERS = {
    Kind.TEXT: parse_text,
    Kind.HTML: parse_html,
    Kind.PDF: parse_pdf,
    Kind.DOCX: parse_docx,
    Kind.EMAIL: parse_email,
}
