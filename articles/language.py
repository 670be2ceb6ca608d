"""A cheap language guess: enough to tell English from the common other languages.

The engine reads English only; anything confidently something else is stored
as unsupported rather than processed into invented events.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
_COMMON = {
    "en": "the of and to in is that for on with was as by said are from at",
    "fr": "le la les des et est une dans que pour sur avec qui du au pas",
    "es": "el la los las del y que en por con para una es se al su",
    "de": "der die das und ist nicht mit den von zu ein eine sich auf für",
    "it": "il la che di e per un una del della sono con non gli le",
    "pt": "o a os as do da que em para com um uma não dos das é",
    "nl": "de het een van en is dat op te met voor niet zijn",
}
_SETS = {code: set(words.split()) for code, words in _COMMON.items()}
_SCRIPTS = {
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff]"),
    "ko": re.compile(r"[\uac00-\ud7af]"),
    "he": re.compile(r"[\u0590-\u05ff]"),
    "el": re.compile(r"[\u0370-\u03ff]"),
}
_MIN_WORDS = 20


def detect_language(text: str) -> str:
    """An ISO 639-1 code, or "" when the text is too short or unclear to say."""
    sample = text[:20_000]
    letters = sum(1 for ch in sample if ch.isalpha()) or 1
    for code, script in _SCRIPTS.items():
        if len(script.findall(sample)) / letters > 0.3:
            return code
    words = [w.casefold() for w in _WORD.findall(sample)]
    if len(words) < _MIN_WORDS:
        return ""
    scores = {code: sum(w in common for w in words) for code, common in _SETS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] / len(words) > 0.08 else ""
