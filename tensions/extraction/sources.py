"""Who a sentence cites: "according to The Miami Herald", "memos obtained by
The Washington Post". Outlets are sources of a mention, never actors."""

from __future__ import annotations

from spacy.tokens import Span

from .actors import OUTLET, Mention


def cited_source(sent: Span, mentions: list[Mention], cues: set[str]) -> str | None:
    """The outlets a sentence attributes itself to, joined by ', ' (or None)."""
    if not any(tok.lemma_.lower() in cues for tok in sent):
        return None
    names = []
    for mention in mentions:
        if mention.role != OUTLET or not sent.start <= mention.start < sent.end:
            continue
        if mention.entry.outlet not in names:
            names.append(mention.entry.outlet)
    if names:
        return ", ".join(names)
    return _according_to(sent)


def _according_to(sent: Span) -> str | None:
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 2 < sent.end:
            after = tok.doc[tok.i + 2]
            if after.ent_type_ in {"ORG", "PERSON"}:
                ent = next(e for e in tok.doc.ents if e.start <= after.i < e.end)
                return ent.text
    return None
