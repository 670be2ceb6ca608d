"""Within-article resolution of pronouns, short names and "the president".

A light, rule-based memory in reading order: "he" is the person most recently
named as a grammatical subject (else the most recent person), "its"/"they" the
most recent state or organisation, a bare surname the person first introduced
with it, "the president" the most recent leader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from .results import Actor, ActorKind

_PEOPLE = {ActorKind.LEADER, ActorKind.OFFICIAL, ActorKind.PERSON}
_PERSON_PRONOUNS = {"he", "him", "his", "she", "her", "himself", "herself"}
_THING_PRONOUNS = {"it", "its", "they", "them", "their", "itself"}
_SUBJECTS = {"nsubj", "nsubjpass"}


def is_person(actor: Actor) -> bool:
    return actor.kind in _PEOPLE or (actor.kind == ActorKind.IGO and bool(actor.title))


@dataclass
class ArticleMemory:
    """What the article has named so far, in reading order."""

    people: list[tuple[Actor | None, bool]] = field(default_factory=list)
    others: list[Actor | None] = field(default_factory=list)
    surnames: dict[str, Actor] = field(default_factory=dict)
    leaders: list[Actor] = field(default_factory=list)

    def note(self, actor: Actor, token: Token) -> None:
        """Remember that `actor` was just named at `token`."""
        if is_person(actor):
            self.people.append((actor, token.dep_ in _SUBJECTS))
            self.surnames.setdefault(actor.name.split()[-1], actor)
            if actor.kind == ActorKind.LEADER:
                self.leaders.append(actor)
        else:
            self.others.append(actor)

    def note_unknown(self, token: Token) -> None:
        """Remember a person the engine cannot place ("Jan Egeland, a UN
        adviser"), so that a later "he" is not given to someone named earlier."""
        self.people.append((None, token.dep_ in _SUBJECTS))

    def note_unknown_body(self) -> None:
        """Remember a body the engine cannot place ("the opposition" as a
        subject), so that a later "its" is not given to a state named earlier."""
        self.others.append(None)

    def resolve(self, token: Token) -> Actor | None:
        """The actor a pronoun, short name or definite title refers to."""
        lower = token.lower_
        if lower in _PERSON_PRONOUNS:
            return self._person(token)
        if lower in _THING_PRONOUNS:
            return self.others[-1] if self.others else None
        if token.pos_ == "PROPN" and token.text in self.surnames:
            return self.surnames[token.text]
        if _is_bare_title(token) and self.leaders:
            return self.leaders[-1]
        return None

    def _person(self, token: Token) -> Actor | None:
        if not self.people:
            return None
        if token.dep_ in _SUBJECTS:
            for actor, was_subject in reversed(self.people[-6:]):
                if was_subject:
                    return actor
        return self.people[-1][0]


def _is_bare_title(token: Token) -> bool:
    if token.lower_ not in {"president", "premier", "chancellor", "leader"}:
        return False
    children = [c for c in token.children if c.dep_ not in {"punct"}]
    return [c.lower_ for c in children] == ["the"]
