"""How real an event is, as the text tells it: occurred, planned, possible,
alleged or denied, from cues attached to the trigger or governing it."""

from __future__ import annotations

from spacy.tokens import Token

from . import taxonomy

_CLIMB = {"xcomp", "ccomp", "pcomp", "csubj", "acomp", "oprd"}
# "accused of planning", "charged with smuggling" (not "without agreeing")
_GOVERNING_PREPS = {"of", "with"}
_DIRECTING = {"aim"}


class StatusCues:
    """The status cues of cues.json, indexed by word."""

    def __init__(self, cues: dict):
        self.modals = cues["modals"]
        self.adverbs = cues["adverbs"]
        self.adjectives = cues["adjectives"]
        self.negations = set(cues["negations"])
        self.governors = _invert(cues["governors"])
        self.noun_governors = _invert(cues["noun_governors"])
        self.speech_verbs = set(cues["speech_verbs"])

    def of_verb(self, verb: Token) -> str:
        """The status of the event a verb (or a light verb) reports."""
        chain = _governing_chain(verb)
        for depth, tok in enumerate(chain):
            own = self._own(tok)
            if own:
                return own
            if depth and tok.lemma_.lower() in self.governors:
                return self.governors[tok.lemma_.lower()]
        return self._of_aim(chain[-1]) or taxonomy.OCCURRED

    def _of_aim(self, tok: Token) -> str | None:
        """ "an alleged plot to carry out attacks", "a plan to strike": an act
        that is the aim of a noun takes that noun's status."""
        noun = tok.head
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
        if tok.dep_ not in {"acl", "relcl"} or not infinitive or noun.i == tok.i:
            return None
        for child in noun.children:
            if child.dep_ == "amod" and child.lower_ in self.adjectives:
                return self.adjectives[child.lower_]
        return self.noun_governors.get(noun.lemma_.lower())

    def of_noun(self, noun: Token, nouns: list[Token], verb: Token | None) -> str:
        """The status of a nominal event: its adjectives, the nouns that govern
        it ("the potential for airstrikes"), then its light verb."""
        for child in noun.children:
            if child.dep_ == "det" and child.lower_ == "no":
                return taxonomy.DENIED
            if child.dep_ == "det" and child.lower_ == "any":
                return taxonomy.POSSIBLE
            if child.dep_ in {"amod", "advmod"}:
                status = self.adjectives.get(child.lower_) or self.adverbs.get(
                    child.lower_
                )
                if status:
                    return status
        for governor in nouns:
            status = self.noun_governors.get(governor.lemma_.lower())
            if status:
                return status
        if verb is None:
            return taxonomy.OCCURRED
        lemma = verb.lemma_.lower()
        if lemma not in self.governors or _directs(verb):
            return self.of_verb(verb)
        return self.governors[lemma]

    def _own(self, tok: Token) -> str | None:
        # a negation outweighs a modal: "would not provide" is denied
        if any(
            c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ == "never")
            for c in tok.children
        ):
            return taxonomy.DENIED
        for child in tok.children:
            word = child.lower_
            if child.dep_ == "aux" and word in self.modals:
                return self._modal(tok, word)
            if child.dep_ == "advmod" and word in self.adverbs:
                return self.adverbs[word]
            if child.dep_ == "mark" and word in {"if", "unless", "whether"}:
                return taxonomy.POSSIBLE
        return None

    def _modal(self, tok: Token, word: str) -> str:
        # "Erdogan said he would visit Greece": reported future, not a guess.
        speech = tok.head.lemma_.lower() in self.speech_verbs
        if word == "would" and tok.dep_ == "ccomp" and speech:
            return taxonomy.PLANNED
        return self.modals[word]


def _directs(verb: Token) -> bool:
    """ "attacks aimed at Iranian bases": the verb says where the act went,
    not that it is planned."""
    return verb.lemma_.lower() in _DIRECTING and any(
        c.dep_ == "prep" and c.lower_ == "at" for c in verb.children
    )


def _governing_chain(verb: Token) -> list[Token]:
    chain = [verb]
    tok = verb
    while len(chain) < 4:
        if tok.dep_ == "conj" and tok.head.dep_ in _CLIMB:
            tok = tok.head  # "accused of planning and encouraging": one governor
        if tok.dep_ == "pcomp" and tok.head.lower_ in _GOVERNING_PREPS:
            head = tok.head.head  # "accused of planning attacks"
        elif tok.dep_ in _CLIMB:
            head = tok.head
        else:
            break
        if head.i == tok.i:
            break
        tok = head
        chain.append(tok)
    return chain


def _invert(groups: dict[str, list[str]]) -> dict[str, str]:
    return {word: status for status, words in groups.items() for word in words}
