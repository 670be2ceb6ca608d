"""How real an event is, as the text tells it: occurred, planned, possible,
alleged or denied, from cues attached to the trigger or governing it."""

from __future__ import annotations

from spacy.tokens import Token

from . import taxonomy

_CLIMB = {"xcomp", "ccomp", "pcomp", "csubj", "acomp", "oprd"}


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
        for depth, tok in enumerate(_governing_chain(verb)):
            own = self._own(tok)
            if own:
                return own
            if depth and tok.lemma_.lower() in self.governors:
                return self.governors[tok.lemma_.lower()]
        return taxonomy.OCCURRED

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
        return (
            self.of_verb(verb)
            if verb.lemma_.lower() not in self.governors
            else self.governors[verb.lemma_.lower()]
        )

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


def _governing_chain(verb: Token) -> list[Token]:
    chain = [verb]
    tok = verb
    while tok.dep_ in _CLIMB and tok.head.i != tok.i and len(chain) < 4:
        tok = tok.head
        chain.append(tok)
    return chain


def _invert(groups: dict[str, list[str]]) -> dict[str, str]:
    return {word: status for status, words in groups.items() for word in words}
