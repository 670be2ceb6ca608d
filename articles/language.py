"""A cheap language guess: enough to tell English from the common other languages.

The engine reads English only; anything confidently something else is stored
as unsupported rather than processed into invented events.
"""

from __future__ import annotations

import re
from collections import Counter

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
# Words English writes often ("a", "as", "do", "is", "per"; "al" and "van" in
# names) tell nothing against English: counted for another language, short
# English paragraphs passed for Portuguese ("a", "as", "do") or Spanish ("al
# Qaeda"): 20 of 25,320 snippets of 20-49 words cut from the corpus, now none.
_ENGLISH_TOO = {"a", "al", "as", "do", "is", "per", "van"}
_SETS = {
    code: set(words.split()) - (set() if code == "en" else _ENGLISH_TOO)
    for code, words in _COMMON.items()
}
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
# Not English, though none of the languages above: a text this long with so
# few of English's commonest words (13.8 % at the least among the corpus's
# English texts) is no English article, whatever it is.
UNDETERMINED = "und"  # ISO 639-2's code for an undetermined language
_SURE_WORDS = 50
_ENGLISH_AT_LEAST = 0.03
_LATIN_END = "\u024f"  # Basic Latin to Latin Extended-B
# Shorter, a text is surely not English when besides so few of its commonest
# words this share of its letters is accented (Turkish, Polish, Czech,
# Vietnamese...): English news, names like "Nicolás" or "Erdoğan" included,
# has well under 1 %.
_ACCENTED_AT_LEAST = 0.03


def detect_language(text: str) -> str:
    """An ISO 639-1 code; UNDETERMINED for a text surely in a language not
    told apart here (Turkish, Polish, Hindi...); "" when the text is too short
    or unclear to say."""
    sample = text[:20_000]
    alphabetic = [ch for ch in sample if ch.isalpha()]
    letters = len(alphabetic) or 1
    # Every script told apart lies past Latin: a text with few letters
    # there (most texts) needs no look for any of them.
    if sum(1 for ch in alphabetic if ch > _LATIN_END) / letters > 0.3:
        for code, script in _SCRIPTS.items():
            if len(script.findall(sample)) / letters > 0.3:
                return code
        return UNDETERMINED  # another script: Devanagari, Thai, Georgian...
    words = Counter(w.casefold() for w in _WORD.findall(sample))
    count = words.total()
    if count < _MIN_WORDS:
        return ""
    scores = {code: sum(words[w] for w in common) for code, common in _SETS.items()}
    best = max(scores, key=scores.get)
    if scores[best] / count > 0.08:
        return best
    if scores["en"] / count < _ENGLISH_AT_LEAST:
        if count >= _SURE_WORDS:
            return UNDETERMINED
        accented = sum(1 for ch in alphabetic if ch > "\x7f")
        if accented / letters >= _ACCENTED_AT_LEAST:
            return UNDETERMINED
    return ""
