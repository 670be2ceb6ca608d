"""How texts are compared: an exact hash after normalising, and a sketch of
word shingles (bottom-k MinHash) that finds the same story re-published with a
different headline or an extra paragraph."""

from __future__ import annotations

import hashlib
import html
import re
import struct
import unicodedata
from functools import cached_property

SKETCH_SIZE = 64
SHINGLE_WORDS = 4
_MIN_SHINGLES = 12  # below this a text is too short to call a near-duplicate
_TAG = re.compile(r"<[^>]{0,500}>")
# Markdown: heading, quote and list markers at a line's start; emphasis marks.
_MARKDOWN = re.compile(r"^[ \t]*(#{1,6}|>|[*+-]|\d+[.)])[ \t]+|[*`~]+|\b_+|_+\b", re.M)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"\w+")


def normalise_text(text: str) -> str:
    """The text as compared for duplicates: NFC, no markup, whitespace folded."""
    text = html.unescape(_TAG.sub(" ", unicodedata.normalize("NFC", text)))
    text = _MARKDOWN.sub(" ", _LINK.sub(r"\1", text))
    return " ".join(text.split())  # what \s+ -> " ", then strip, gives


class Fingerprint:
    """A text's normal form, made once, and what is compared of it: uploading
    an article needs both its hash and its sketch."""

    def __init__(self, text: str):
        self.normal = normalise_text(text)

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.normal.encode("utf-8")).hexdigest()

    @cached_property
    def sketch(self) -> list[int]:
        """The smallest SKETCH_SIZE shingle hashes (signed 63-bit); [] for
        short texts."""
        words = _WORD.findall(self.normal.casefold())
        shingles = {
            " ".join(words[i : i + SHINGLE_WORDS])
            for i in range(len(words) - SHINGLE_WORDS + 1)
        }
        if len(shingles) < _MIN_SHINGLES:
            return []
        hashes = {_hash63(s) for s in shingles}
        return sorted(hashes)[:SKETCH_SIZE]


def content_hash(text: str) -> str:
    return Fingerprint(text).digest


def sketch(text: str) -> list[int]:
    return Fingerprint(text).sketch


def sketch_pack(values: list[int]) -> bytes:
    """A sketch as its article stores it: 8 bytes a value, big-endian."""
    return struct.pack(f">{len(values)}q", *values)


def sketch_unpack(data: bytes | memoryview) -> list[int]:
    """The values of a sketch_pack (PostgreSQL gives a memoryview)."""
    data = bytes(data)
    return list(struct.unpack(f">{len(data) // 8}q", data))


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    if not a or not b:
        return 0.0
    first, second = set(a), set(b)
    union = sorted(first | second)[: min(len(a), len(b))]
    return sum(1 for h in union if h in first and h in second) / len(union)


def _hash63(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1
