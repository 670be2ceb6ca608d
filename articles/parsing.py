"""Turning an uploaded file into text, with a clear reason when it cannot be."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

TEXT_EXTENSIONS = (".txt", ".md", ".text")


def text_from_upload(upload) -> str:
    """The text of an uploaded plain-text file, or a ValidationError saying why not."""
    name = upload.name or "the file"
    if not name.lower().endswith(TEXT_EXTENSIONS):
        raise ValidationError(
            f"{name}: only plain-text files "
            f"({', '.join(TEXT_EXTENSIONS)}) can be read.",
            code="unsupported_type",
        )
    limit = settings.TENSIONS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{name} is {filesizeformat(upload.size)}; "
            f"the limit is {filesizeformat(limit)}.",
            code="too_large",
        )
    data = upload.read()
    return decode_text(data, name=name)


def decode_text(data: bytes, *, name: str) -> str:
    if not data.strip():
        raise ValidationError(f"{name} is empty.", code="empty")
    if b"\x00" in data[:8192]:
        raise ValidationError(
            f"{name} looks like binary data, not text.", code="binary"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{name} is not UTF-8 text (invalid byte at position {exc.start}).",
            code="encoding",
        ) from None
