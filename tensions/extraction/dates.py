"""When an event happened, from the dates its sentence gives, read against the
article's publication date. Returns (date, precision) with precision day,
month or year, or (None, None) when the text does not say."""

from __future__ import annotations

import datetime as dt
import re

from spacy.tokens import Span, Token

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"),
            ("april", "apr"), ("may",), ("june", "jun"), ("july", "jul"),
            ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
            ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
             "sunday"]  # fmt: skip
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\b")


_MODIFIER_CLAUSES = {"acl", "relcl"}


def event_date(sent: Span, published: dt.date | None, trigger: Token | None = None):
    """The date of the event a sentence reports, with its precision. A date
    inside a clause that modifies a noun ("systems ordered last year") dates
    that noun, not the event of `trigger`."""
    for ent in sent.ents:
        if ent.label_ == "DATE" and not _dates_a_noun(ent.root, trigger):
            found = parse_date(ent.text, published)
            if found[0] is not None:
                return found
    return None, None


def _dates_a_noun(tok: Token, trigger: Token | None) -> bool:
    if trigger is None:
        return False
    while tok.head.i != tok.i and tok.i != trigger.i:
        if tok.dep_ in _MODIFIER_CLAUSES and trigger not in tok.subtree:
            return True
        tok = tok.head
    return False


def parse_date(text: str, published: dt.date | None):
    """Parse one date expression ("last Tuesday", "March 3", "in 2019")."""
    lower = text.lower().strip()
    relative = _relative(lower, published) if published else None
    if relative:
        return relative
    return _absolute(lower, published)


def _relative(lower: str, published: dt.date):
    one_day = dt.timedelta(days=1)
    if lower in {"today", "this morning", "this afternoon", "tonight", "this evening"}:
        return published, "day"
    if lower in {"yesterday", "last night"}:
        return published - one_day, "day"
    if lower == "tomorrow":
        return published + one_day, "day"
    for index, name in enumerate(_WEEKDAYS):
        if name in lower:
            back = (published.weekday() - index) % 7 or (7 if "last" in lower else 0)
            return published - back * one_day, "day"
    if "last week" in lower or "past week" in lower:
        return published - 7 * one_day, "month"
    if "last month" in lower:
        first = published.replace(day=1) - one_day
        return first.replace(day=1), "month"
    if "this month" in lower:
        return published.replace(day=1), "month"
    if "last year" in lower:
        return dt.date(published.year - 1, 1, 1), "year"
    if "this year" in lower:
        return dt.date(published.year, 1, 1), "year"
    return None


def _absolute(lower: str, published: dt.date | None):
    words = re.findall(r"[a-z]+", lower)
    month = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    year_match = _YEAR.search(lower)
    year = int(year_match.group(1)) if year_match else None
    if month is None:
        return (dt.date(year, 1, 1), "year") if year else (None, None)
    if year is None:
        if published is None:
            return None, None
        year = published.year if month <= published.month else published.year - 1
    rest = _YEAR.sub("", lower)
    day_match = _DAY.search(rest)
    if day_match and 1 <= int(day_match.group(1)) <= 31:
        try:
            return dt.date(year, month, int(day_match.group(1))), "day"
        except ValueError:
            pass
    return dt.date(year, month, 1), "month"
