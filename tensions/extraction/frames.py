"""Event frames from one parsed sentence: verbal triggers ("Russia attacked
Ukraine", passives, conjunctions, "threatened to strike") and nominal ones
("drone strikes on vessels", "a bid for support from China").

A Frame is the mutable draft of an Event; engine.py finishes and merges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from . import taxonomy
from .lexicon import Lexicon, NounEntry, VerbEntry
from .resolve import Resolver
from .results import Actor, ActorKind
from .status import StatusCues

_MATERIAL = {"ASSAULT", "COERCE", "MOBILIZE", "SANCTION", "PROTEST"}
_ABSORBED_MODE = {
    "THREATEN": {"ASSAULT": "violence", "SANCTION": "restrict", "COERCE": "restrict"},
    "REJECT": {
        "CONSULT": "meet",
        "AID": "assist",
        "RETREAT": "yield",
        "CONCEDE": "yield",
    },
    "REQUEST": {
        "CONSULT": "meet",
        "AID": "assist",
        "RETREAT": "yield",
        "CONCEDE": "yield",
    },
}
_RELATIVE = {"that", "which", "who", "whom"}
_ABOUT = ("of", "for", "over", "about")
_AIMED = {"to", "with", "against", "on", "from", "into", "in"}
_INSTITUTIONS = {
    ActorKind.GOVERNMENT,
    ActorKind.MILITARY,
    ActorKind.MINISTRY,
    ActorKind.LEADER,
    ActorKind.OFFICIAL,
}
_CONDITIONS = {"if", "unless"}
_VENUES = {"in", "at", "outside", "near", "around", "off"}
_TRANSFERS = {"AID", "COOPERATE"}
_STATE_MODES = {"arrest", "deport", "investigate"}
_SYMMETRIC_NOUNS = {"AGREE", "CONSULT", "COOPERATE"}


@dataclass
class Frame:
    """A draft event: one trigger, its actors and cues."""

    type: str
    trigger: Token
    sources: list[Actor]
    targets: list[Actor]
    status: str = taxonomy.OCCURRED
    mode: str | None = None
    context: set[str] = field(default_factory=set)
    channel: str | None = None
    what: str = ""
    nominal: bool = False
    implicit: bool = False
    extra_evidence: list[Span] = field(default_factory=list)

    @property
    def sent(self) -> Span:
        return self.trigger.sent


@dataclass
class Letter:
    """A letter or message sent to someone: its content comes later ("In it,")."""

    sources: list[Actor]
    targets: list[Actor]
    verb: Token


class SentenceReader:
    """Reads the frames of one sentence."""

    def __init__(self, lex: Lexicon, resolver: Resolver, status: StatusCues):
        self.lex = lex
        self.res = resolver
        self.status = status
        self.cues = lex.cues

    def read(self, sent: Span) -> tuple[list[Frame], list[Letter]]:
        """All frames and letters of `sent`, absorbed complements removed."""
        frames: dict[int, Frame] = {}
        absorbed: set[int] = set()
        letters = []
        for tok in sent:
            letter = self._letter(tok)
            if letter is not None:
                letters.append(letter)
            elif (frame := self._obligation_frame(tok)) is not None:
                frames[tok.i] = frame
            elif tok.pos_ == "VERB" and tok.lemma_ in self.cues["claim_verbs"]:
                frame = self._claim_frame(tok)
                if frame is not None:
                    frames[tok.i] = frame
            elif tok.pos_ in {"VERB", "AUX"} and tok.lemma_ in self.lex.verbs:
                frame = self._verb_frame(tok, absorbed)
                if frame is not None:
                    frames[tok.i] = frame
            elif tok.pos_ in {"NOUN", "PROPN"} and tok.lemma_.lower() in self.lex.nouns:
                frame = self._noun_frame(tok)
                if frame is not None:
                    frames[tok.i] = frame
        modals = self.cues["obligation_modals"]
        for i, frame in frames.items():
            if frame.nominal and _under_absorber(frame.trigger, frames):
                absorbed.add(i)
            if not frame.nominal and _obliged(frame.trigger, modals):
                absorbed.add(i)  # "Iraq must cooperate": owed, not done
            clause = _demanded(frame.trigger) if frame.nominal else None
            if clause is not None and frame.type in _ABSORBED_MODE:
                absorbed.add(clause.i)  # "its call for Kyiv to withdraw"
        return [f for i, f in frames.items() if i not in absorbed], letters

    # -- verbs -------------------------------------------------------------

    def _verb_frame(self, verb: Token, absorbed: set[int]) -> Frame | None:
        entry = self._verb_entry(verb)
        if entry is None:
            return None
        frame = Frame(
            type=entry.type,
            trigger=verb,
            sources=self._subjects(verb),
            targets=self._verb_targets(verb, entry),
            mode=entry.mode,
            context=set(entry.context),
            channel=entry.channel,
        )
        self._apply_object_reading(verb, entry, frame)
        if entry.absorbs:
            self._absorb(verb, frame, absorbed)
        if entry.symmetric and not frame.targets and len(frame.sources) > 1:
            frame.sources, frame.targets = frame.sources[:1], frame.sources[1:]
        self._sides_from_venue(verb, entry, frame)
        frame.status = self.status.of_verb(verb)
        frame.what = frame.what or self._object_text(verb)
        if frame.status == taxonomy.PLANNED and self._unless(verb):
            # "will withdraw its force unless the rebels disarm": a threat made
            frame.type, frame.status = "THREATEN", taxonomy.OCCURRED
            frame.targets = frame.targets or self._condition_subjects(verb)
        return frame

    def _sides_from_venue(self, verb: Token, entry: VerbEntry, frame: Frame):
        """A protest abroad is aimed at the state where it is held ("prisoners
        rioted at a jail in Israel"); an arrest with no agent is the act of the
        state where it happened ("two Britons were detained in Iran")."""
        if frame.type == "PROTEST" and not frame.targets:
            frame.targets = self._venue(verb, frame.sources)
        if entry.mode in _STATE_MODES and not frame.sources and _passive(verb):
            frame.sources = self._venue(verb, frame.targets)

    def _venue(self, head: Token, others: list[Actor]) -> list[Actor]:
        """The states where an act is held ("in Beijing", "around Taiwan"),
        but those of `others`, the act's other side."""
        found = []
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in _VENUES:
                found += self._pobj_actors(prep, location=True)
        return _others(_unique(found), {a.country for a in others})

    @staticmethod
    def _unless(verb: Token) -> bool:
        return any(
            clause.dep_ == "advcl"
            and any(c.dep_ == "mark" and c.lower_ == "unless" for c in clause.children)
            for clause in verb.children
        )

    def _object_text(self, verb: Token) -> str:
        """What the act is about: the object, unless the object is the target
        actor ("accused Washington of violating its sovereignty")."""
        dobj = _child(verb, "dobj")
        if dobj is not None and not self.res.actors(dobj):
            return _clause_text(dobj)
        for prep in verb.children:
            if prep.dep_ == "prep" and prep.lower_ in _ABOUT:
                found = _child(prep, "pobj", "pcomp")
                if found is not None and _is_content(found, self.res):
                    return _clause_text(found)
        return ""

    def _verb_entry(self, verb: Token) -> VerbEntry | None:
        particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), "")
        for entry in self.lex.verbs[verb.lemma_]:
            if entry.particle and entry.particle != particle:
                continue
            if all(self._need_met(verb, need) for need in entry.needs):
                return entry
        return None

    def _need_met(self, verb: Token, need: str) -> bool:
        return any(self._alternative_met(verb, alt) for alt in need.split("|"))

    def _alternative_met(self, verb: Token, alt: str) -> bool:
        dobj = _child(verb, "dobj")
        if alt == "dobj":
            return dobj is not None
        if alt == "dobj_actor":
            return dobj is not None and bool(self.res.actors(dobj))
        if alt == "on_visit":
            # "arrived in Amman on a visit" (not "troops arrived in Amman")
            visits = self.cues["visit_nouns"]
            return any(
                pobj.dep_ == "pobj" and pobj.lemma_ in visits
                for prep in verb.children
                if prep.dep_ == "prep"
                for pobj in prep.children
            )
        if alt == "owned_object":
            # "welcomed President Reagan's statement": the object's owner
            owner = _child(dobj, "poss") if dobj is not None else None
            return owner is not None and bool(self.res.actors(owner))
        if alt == "xcomp":
            return _child(verb, "xcomp", "ccomp") is not None
        if alt == "inner_subject":
            # "wants Putin to attack": the wanted act has its own actor
            inner = _child(verb, "xcomp", "ccomp")
            if inner is None or not any(c.lower_ == "to" for c in inner.children):
                return False
            subject = _child(inner, "nsubj")
            return subject is not None and bool(self.res.actors(subject))
        if alt == "envoy_object":
            return dobj is not None and dobj.lower_ in self.cues["envoy_nouns"]
        if alt == "sanction_object":
            return dobj is not None and dobj.lower_ in self.cues["sanction_nouns"]
        if alt.startswith("object:"):
            # "halted aid", "established ties": the object's head names the act
            nouns = self.cues[alt.removeprefix("object:")]
            heads = _object_heads(dobj) if dobj is not None else []
            return any(_word_in(tok, nouns) for tok in heads)
        if alt == "aid_object":
            # "gave Kyiv weapons", "gave Ghana $5m of aid", not "gave him the edge"
            return dobj is not None and any(
                _word_in(tok, self.cues["aid_nouns"]) for tok in _object_heads(dobj)
            )
        if alt == "plain_object":
            # "provided a green light", "provide ISIS with a victory": figurative
            figures = self.cues["figurative_objects"]
            heads = _object_heads(dobj) if dobj is not None else []
            return not any(_word_in(tok, figures) for tok in heads)
        heads = [verb] + ([dobj] if dobj is not None else [])
        return any(c.dep_ in {"prep", "dative"} and c.lower_ == alt
                   for h in heads for c in h.children)  # fmt: skip

    def _subjects(self, verb: Token, depth: int = 0) -> list[Actor]:
        for child in verb.children:
            if child.dep_ == "nsubj" or (depth and child.dep_ == "nsubjpass"):
                if child.lower_ in _RELATIVE and verb.dep_ == "relcl":
                    return self.res.actors(verb.head)
                return self._actors_or_owner(child)
            if child.dep_ == "agent":
                return self._pobj_actors(child)
        if verb.dep_ in {"acl", "relcl"} and _child(verb, "aux") is not None:
            # "an Iranian plot to bomb", "Russia's plan to strike": the owner
            # (not of "Pyongyang's demand to sever ties": another is to act)
            if verb.head.lower_ in self.cues["request_nouns"]:
                return []
            return self._actors_or_owner(verb.head) or self._modifier_owner(verb.head)
        if verb.dep_ == "relcl":
            return self.res.actors(verb.head)
        if _child(verb, "nsubjpass") is not None:
            # "... if it is attacked": a passive without agent names no agent
            return []
        if verb.dep_ in {"xcomp", "advcl", "conj", "pcomp", "acomp"} and depth < 3:
            return self._subjects(verb.head, depth + 1)
        return []

    def _modifier_owner(self, tok: Token) -> list[Actor]:
        for child in tok.children:
            if child.dep_ in {"amod", "compound", "nmod"}:
                found = self.res.owner(child)
                if found:
                    return found
        return []

    def _actors_or_owner(self, tok: Token) -> list[Actor]:
        found = self.res.actors(tok)
        if found:
            return found
        owner = _child(tok, "poss")
        if owner is not None:
            return self.res.actors(owner)
        of = next(
            (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None
        )
        return self._pobj_actors(of) if of is not None else []

    def _verb_targets(self, verb: Token, entry: VerbEntry) -> list[Actor]:
        location = entry.type in _MATERIAL
        found: list[Actor] = []
        recipients: list[Actor] = []
        for child in verb.children:
            if child.dep_ in {"dobj", "nsubjpass", "attr"} or (
                child.dep_ == "dative" and child.pos_ != "ADP"
            ):
                found += self._target_phrase(child, location)
            elif child.dep_ in {"prep", "dative"} and child.lower_ in entry.targets:
                recipients += self._pobj_actors(child, location)
        if recipients and entry.type in _TRANSFERS:
            # "handed a Russian hacker over to the United States": the person
            # handed over is what is given, the recipient is the target
            found = []
        found += recipients
        dobj = _child(verb, "dobj")
        if dobj is not None:
            # "$70m of aid for Romania" (not "proof of a link to al-Qaeda")
            for prep in self._object_preps(dobj):
                if prep.lower_ in entry.targets:
                    found += self._pobj_actors(prep, location)
        return _unique(found)

    def _target_phrase(self, tok: Token, location: bool) -> list[Actor]:
        if location and tok.lemma_.lower() in self.res.not_places:
            return []  # "the worst attack in Syrian history" hit no Syria
        found = self.res.actors(tok, location=location)
        if found:
            return found
        owner = _child(tok, "poss")
        if owner is not None and any(c.lower_ == "own" for c in tok.children):
            return []  # "kill its own children": the actor's own people
        if owner is not None:
            return self.res.actors(owner)
        # "vetoed the American resolution", "lift sanctions on Belarus potash"
        found = self._modifier_owner(tok)
        if found:
            return found
        # "rejected an offer from Kabul", "demanded an admission by Moscow": the
        # party whose proposal or act it is
        if tok.lemma_.lower() in self.cues["proposal_nouns"]:
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in {"by", "from"}:
                    found = self._pobj_actors(prep, location)
                    if found:
                        return found
        # "mobilized reservists for a war against Iraq": the war's enemy
        if tok.lemma_.lower() in self.cues["war_nouns"]:
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in {"against", "on"}:
                    return self._pobj_actors(prep, location)
        # "tortured scores of Liberian refugees": the people counted
        if tok.lemma_.lower() in self.cues["quantity_nouns"]:
            found = self._pobj_actors(_child(tok, "prep") or tok, location)
            if found:
                return found
        # "demanded the withdrawal of Serbian forces": those who would act
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    found = [
                        actor
                        for actor in self.res.actors(pobj)
                        if actor.kind in _INSTITUTIONS
                    ]
                    if pobj.dep_ == "pobj" and found:
                        return found
        return []

    def _object_preps(self, dobj: Token) -> list[Token]:
        preps = [c for c in dobj.children if c.dep_ == "prep"]
        for prep in list(preps):
            if prep.lower_ == "of":
                # "$70m of aid for Romania", "part of an aid programme for Bosnia"
                portion = dobj.lemma_.lower() in self.cues["portion_nouns"]
                for pobj in prep.children:
                    if portion or _word_in(pobj, self.cues["aid_nouns"]):
                        preps += [c for c in pobj.children if c.dep_ == "prep"]
        return preps

    def _pobj_actors(self, prep: Token, location: bool = False) -> list[Actor]:
        found = []
        for pobj in prep.children:
            if pobj.dep_ == "pobj":
                found += self._target_phrase(pobj, location)
        return found

    def _apply_object_reading(self, verb: Token, entry: VerbEntry, frame: Frame):
        dobj = _child(verb, "dobj")
        heads = _object_heads(dobj) if dobj is not None else []
        # "handed over 700 kg of medicine": the measured thing names the act
        word = next(filter(None, (_word_in(h, entry.objects) for h in heads)), None)
        if word is None:
            return
        override = entry.objects[word]
        frame.type = override.get("type", frame.type)
        frame.mode = override.get("mode", frame.mode)
        frame.context = set(override.get("context", frame.context))
        if "targets" in override:
            location = frame.type in _MATERIAL
            frame.targets = [
                actor
                for head in (verb, dobj)
                for prep in head.children
                if prep.dep_ == "prep" and prep.lower_ in override["targets"]
                for actor in self._pobj_actors(prep, location)
            ]

    def _absorb(self, verb: Token, frame: Frame, absorbed: set[int]) -> None:
        inner = _child(verb, "xcomp", "ccomp")
        if inner is None:
            return
        frame.what = _clause_text(inner)
        if not frame.targets:
            subject = _child(inner, "nsubj")
            frame.targets = self.res.actors(subject) if subject is not None else []
        entries = self.lex.verbs.get(inner.lemma_)
        inner_entry = None
        if entries and inner.pos_ in {"VERB", "AUX"}:
            absorbed.add(inner.i)
            inner_entry = self._verb_entry(inner)
        own = {actor.country for actor in frame.sources}
        if inner_entry is not None:
            frame.mode = _ABSORBED_MODE.get(frame.type, {}).get(
                inner_entry.type, frame.mode
            )
            frame.context |= set(inner_entry.context)
            if not frame.targets:
                frame.targets = _others(self._verb_targets(inner, inner_entry), own)
        if not frame.targets:
            frame.targets = _others(self._complement_targets(inner), own)
        if not frame.targets and frame.type == "THREATEN":
            # "threatened to stop talks if the United States deploys missiles"
            frame.targets = _others(self._condition_subjects(inner), own)

    def _complement_targets(self, inner: Token) -> list[Actor]:
        """Whom an absorbed act the lexicon does not code is aimed at: the
        object's owner ("refused to approve Sweden's accession") or the object
        of a directional preposition ("threatened to cut off gas to Moldova",
        "to break off relations with Congo")."""
        inner_object = _child(inner, "dobj")
        if inner_object is not None:
            found = self._target_phrase(inner_object, False)
            if found:
                return found
        heads = [inner] + ([inner_object] if inner_object is not None else [])
        found = []
        for head in heads:
            for prep in head.children:
                if prep.dep_ in {"prep", "dative"} and prep.lower_ in _AIMED:
                    found += self._pobj_actors(prep)
        return _unique(found)

    def _condition_subjects(self, inner: Token) -> list[Actor]:
        for head in (inner, inner.head):
            for clause in head.children:
                if clause.dep_ == "advcl" and any(
                    c.dep_ == "mark" and c.lower_ in _CONDITIONS
                    for c in clause.children
                ):
                    subject = _child(clause, "nsubj", "nsubjpass")
                    if subject is not None:
                        return self.res.actors(subject)
        return []

    # -- claims ------------------------------------------------------------

    def _claim_frame(self, verb: Token) -> Frame | None:
        """ "U.S. officials claim the cartel exports cocaine": an accusation."""
        content = [t for t in verb.subtree if t.dep_ != "nsubj" or t.head.i != verb.i]
        words = self.cues["accusation_content"]
        if not any(t.lemma_.lower() in words or t.lower_ in words for t in content):
            return None
        if verb.dep_ == "relcl":
            accused = self.res.actors(verb.head)
        else:
            clause = _child(verb, "ccomp")
            subject = (
                _child(clause, "nsubj", "nsubjpass") if clause is not None else None
            )
            accused = self.res.actors(subject) if subject is not None else []
        frame = Frame(
            type="ACCUSE",
            trigger=verb,
            sources=self._subjects(verb),
            targets=accused,
            mode="allege",
            what=_clause_text(_child(verb, "ccomp", "dobj")),
        )
        frame.status = self.status.of_verb(verb)
        return frame

    # -- obligations -------------------------------------------------------

    def _obligation_frame(self, verb: Token) -> Frame | None:
        """ "Russia said Sudan must return the helicopter": a demand on Sudan."""
        if verb.pos_ != "VERB" or verb.lemma_ not in self.cues["speech_verbs"]:
            return None
        clause = _child(verb, "ccomp")
        if clause is None or not any(
            c.dep_ == "aux" and c.lower_ in self.cues["obligation_modals"]
            for c in clause.children
        ):
            return None
        subject = _child(clause, "nsubj", "nsubjpass")
        targets = self.res.actors(subject) if subject is not None else []
        sources = self._subjects(verb)
        if not targets or not sources:
            return None
        frame = Frame(
            type="REQUEST",
            trigger=verb,
            sources=sources,
            targets=targets,
            mode="change",
            what=_clause_text(clause),
        )
        frame.status = self.status.of_verb(verb)
        return frame

    # -- letters -----------------------------------------------------------

    def _letter(self, verb: Token) -> Letter | None:
        if verb.pos_ != "VERB" or verb.lemma_ not in self.cues["letter_verbs"]:
            return None
        dobj = _child(verb, "dobj")
        if dobj is None or dobj.lemma_.lower() not in self.cues["letter_nouns"]:
            return None
        targets = []
        for head in (verb, dobj):
            for child in head.children:
                if child.dep_ in {"dative", "prep"} and child.lower_ == "to":
                    targets += self._pobj_actors(child)
        return Letter(self._subjects(verb), _unique(targets), verb)

    # -- nouns -------------------------------------------------------------

    def _noun_object_text(self, noun: Token, entry: NounEntry) -> str:
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ in entry.targets + ("for",):
                found = _child(prep, "pobj")
                if found is not None and not self.res.actors(found):
                    return _clause_text(found)
        return ""

    def _noun_frame(self, noun: Token) -> Frame | None:
        entry = self._noun_entry(noun)
        if entry is None:
            return None
        nouns, verb = _governors(noun)
        agent_verb = verb if verb is not None and self._gives_agent(verb) else None
        sources = self._noun_sources(noun, entry, nouns, agent_verb)
        targets = self._noun_targets(noun, entry, agent_verb)
        if not sources and not targets:
            sources, targets = self._between(noun)
        if not sources and not targets:
            return None
        kind = entry.type
        if entry.abroad and sources and not targets:
            # "activists staged a protest in Beijing", "exercises in Alaska"
            heads = [noun] + ([agent_verb] if agent_verb is not None else [])
            targets = _unique([a for h in heads for a in self._venue(h, sources)])
            kind = entry.abroad if targets else kind
        if not targets and len(sources) > 1 and entry.type in _SYMMETRIC_NOUNS:
            # "Israel and Egypt reached an agreement": one party and the rest
            sources, targets = sources[:1], sources[1:]
        return Frame(
            type=kind,
            trigger=noun,
            sources=sources,
            targets=targets,
            status=self.status.of_noun(noun, nouns, verb),
            mode=entry.mode or self._noun_mode(noun),
            context=set(entry.context),
            channel=entry.channel,
            what=self._noun_object_text(noun, entry),
            nominal=True,
        )

    def _between(self, noun: Token) -> tuple[list[Actor], list[Actor]]:
        """ "talks between Egypt and Ethiopia": the first party and the rest."""
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ == "between":
                parties = self._pobj_actors(prep)
                if len(parties) > 1:
                    return parties[:1], parties[1:]
        return [], []

    def _gives_agent(self, verb: Token) -> bool:
        """Whether the subject of `verb` is the agent of the nominal event it
        governs: light verbs ("launched strikes") and planning verbs
        ("is considering airstrikes")."""
        lemma = verb.lemma_.lower()
        governors = self.status.governors
        return (
            lemma in self.lex.light_verbs
            or governors.get(lemma)
            in {
                taxonomy.PLANNED,
                taxonomy.POSSIBLE,
            }
            and lemma not in self.cues["absorbing_governors"]
        )

    def _noun_entry(self, noun: Token) -> NounEntry | None:
        modifiers = {c.lower_ for c in noun.children if c.dep_ in {"compound", "amod"}}
        for entry in self.lex.nouns[noun.lemma_.lower()]:
            if entry.modifier and entry.modifier not in modifiers:
                continue
            if entry.plural_only and noun.tag_ not in {"NNS", "NNPS"}:
                continue
            if all(_has_prep(noun, need) for need in entry.needs):
                return entry
        return None

    def _noun_mode(self, noun: Token) -> str | None:
        for child in noun.children:
            if child.dep_ in {"compound", "amod"}:
                mode = self.lex.mode_modifiers.get(child.lower_)
                if mode:
                    return mode
        return None

    def _noun_sources(self, noun, entry, nouns, verb) -> list[Actor]:
        for holder in (noun, *nouns):
            for child in holder.children:
                if child.dep_ in {"poss", "compound", "amod", "nmod"}:
                    found = self.res.owner(child)
                    if found and child.lower_ not in self.lex.mode_modifiers:
                        return found
                if (
                    holder.i == noun.i
                    and child.dep_ == "prep"
                    and child.lower_ in entry.sources
                ):
                    found = self._pobj_actors(child)
                    if found:
                        return found
        return self._subjects(verb) if verb is not None else []

    def _noun_targets(self, noun, entry, verb) -> list[Actor]:
        location = entry.type in _MATERIAL
        found = []
        for prep in _preps_below(noun):
            if prep.lower_ in entry.targets:
                found += self._pobj_actors(prep, location)
        if noun.dep_ == "compound" and "between" in entry.targets:
            # "a mediation effort between A and B": the compound's head has them
            for prep in noun.head.children:
                if prep.dep_ == "prep" and prep.lower_ == "between":
                    found += self._pobj_actors(prep, location)
        if not found and verb is not None:
            for child in verb.children:
                if child.dep_ in {"prep", "dative"} and child.lower_ in entry.targets:
                    found += self._pobj_actors(child, location)
        clause = _demanded(noun) if entry.type in _ABSORBED_MODE else None
        if not found and clause is not None:
            found = self.res.actors(_child(clause, "nsubj", "nsubjpass"))
        return _unique(found)


def _governors(noun: Token) -> tuple[list[Token], Token | None]:
    """The nouns a nominal event hangs from and the verb it is an argument of."""
    nouns, tok = [], noun
    for _ in range(5):
        head = tok.head
        if head.i == tok.i:
            break
        if head.pos_ in {"VERB", "AUX"} and head.dep_ != "prep":
            argument = tok.dep_ in {"dobj", "nsubjpass", "nsubj", "attr", "pobj"}
            return nouns, head if argument else None
        if head.pos_ in {"NOUN", "PROPN"}:
            nouns.append(head)
        tok = head
    return nouns, None


def _obliged(verb: Token, modals: list[str]) -> bool:
    """Whether an act is only said to be owed: "Iraq must cooperate", "the US
    must be ready to mediate"."""
    tok = verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in modals for c in tok.children):
            return True
        if tok.dep_ not in {"xcomp", "acomp"} or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def _demanded(noun: Token) -> Token | None:
    """The act a request or threat is about, when it has its own subject: "its
    call for Ukraine to withdraw", "reiterated its demand that Israel ease"."""
    heads = [noun] + ([noun.head] if noun.dep_ == "dobj" else [])
    for head in heads:
        for clause in head.children:
            marks = {c.lower_ for c in clause.children if c.dep_ in {"mark", "aux"}}
            if (
                clause.dep_ in {"acl", "advcl", "ccomp", "relcl"}
                and marks & {"that", "for", "to"}
                and _child(clause, "nsubj", "nsubjpass") is not None
                and (head.i == noun.i or "that" in marks)
            ):
                return clause
    return None


def _under_absorber(noun: Token, frames: dict[int, Frame]) -> bool:
    _, verb = _governors(noun)
    if verb is None or verb.i not in frames:
        return False
    return frames[verb.i].type in {"THREATEN", "REQUEST", "REJECT"}


def _preps_below(noun: Token) -> list[Token]:
    preps = [c for c in noun.children if c.dep_ == "prep"]
    for prep in list(preps):
        for pobj in prep.children:
            preps += [c for c in pobj.children if c.dep_ == "prep"]
    return preps


def _word_in(tok: Token, words) -> str | None:
    """The form of `tok` (as written, else its lemma) found in `words`."""
    for form in (tok.lower_, tok.lemma_.lower()):
        if form in words:
            return form
    return None


def _object_heads(dobj: Token) -> list[Token]:
    """An object's head, its conjuncts, the noun of "5 million dollars of aid"
    and the object of "provide Iraq with weapons"."""
    heads = [dobj, *dobj.conjuncts]
    for prep in list(dobj.children) + list(dobj.head.children):
        if prep.dep_ == "prep" and prep.lower_ in {"of", "with"}:
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    heads += [pobj, *pobj.conjuncts]
    return heads


def _has_prep(noun: Token, need: str) -> bool:
    words = need.split("|")
    if "clause" in words and _demanded(noun) is not None:
        return True
    return any(c.dep_ == "prep" and c.lower_ in words for c in noun.children)


def _passive(verb: Token) -> bool:
    return _child(verb, "nsubjpass") is not None and _child(verb, "agent") is None


def _child(tok: Token, *deps: str) -> Token | None:
    return next((c for c in tok.children if c.dep_ in deps), None)


def _others(actors: list[Actor], countries: set[str | None]) -> list[Actor]:
    """`actors` but those of the source's own country ("its Gulf war")."""
    return [a for a in actors if a.country is None or a.country not in countries]


def _unique(actors: list[Actor]) -> list[Actor]:
    return list(dict.fromkeys(actors))


def _is_content(tok: Token, resolver: Resolver) -> bool:
    return tok.ent_type_ not in {"DATE", "TIME"} and not resolver.actors(tok)


def _clause_text(tok: Token | None) -> str:
    if tok is None:
        return ""
    words = tok.doc[tok.left_edge.i : tok.right_edge.i + 1]
    return words.text if len(words) <= 16 else words[:16].text + " ..."
