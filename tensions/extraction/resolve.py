"""Who a noun phrase stands for: the gazetteer's mentions, pronouns resolved
within the article, and phrases such as "U.S. officials", "the Maduro regime",
"Venezuelan vessels" or "installations in Venezuela" (for targets of force).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .actors import COUNTRY, DEMONYM, NAMED, OUTLET, PLACE, Mention, country_actor
from .results import Actor, ActorKind

_MODIFIERS = {"compound", "amod", "nmod", "poss", "npadvmod"}
_LOCATIONS = {"in", "inside", "near", "off", "across", "along", "within", "of"}
_BORDERS = {"border", "frontier", "boundary"}
_LOCAL_KINDS = {ActorKind.MILITARY, ActorKind.ARMED_GROUP, ActorKind.PERSON}
_TITLES = {
    "president": ActorKind.LEADER,
    "prime": ActorKind.LEADER,
    "premier": ActorKind.LEADER,
    "chancellor": ActorKind.LEADER,
    "king": ActorKind.LEADER,
    "leader": ActorKind.LEADER,
    "minister": ActorKind.OFFICIAL,
    "secretary": ActorKind.OFFICIAL,
    "ambassador": ActorKind.OFFICIAL,
    "envoy": ActorKind.OFFICIAL,
    "chairman": ActorKind.OFFICIAL,
    "chairperson": ActorKind.OFFICIAL,
    "spokesman": ActorKind.OFFICIAL,
    "spokeswoman": ActorKind.OFFICIAL,
    "general": ActorKind.MILITARY,
    "commander": ActorKind.MILITARY,
}


class Resolver:
    """Turns tokens of one Doc into actors."""

    def __init__(self, mentions: list[Mention], coref: dict[int, Actor], cues: dict):
        self.by_token: dict[int, Mention] = {}
        for mention in mentions:
            for i in range(mention.start, mention.end):
                self.by_token[i] = mention
        self.coref = coref
        self.noun_kinds = _noun_kinds(cues["actor_nouns"])
        self.not_places = frozenset(cues["not_places"])
        self.bodies = frozenset(cues["body_nouns"])

    def actors(self, token: Token, *, location: bool = False) -> list[Actor]:
        """The actors `token` and its conjuncts stand for ("Moscow and Beijing")."""
        found = []
        for tok in (token, *token.conjuncts):
            actor = self.actor(tok) or self._apposed(tok)
            if location and (actor is None or tok.lemma_.lower() in _BORDERS):
                actor = self._located(tok) or actor
            for each in (actor, *self._co_owned(tok, actor)):
                if each is not None and each not in found:
                    found.append(each)
        return found

    def _apposed(self, token: Token) -> Actor | None:
        """ "its neighbour, Syria": the actor an apposition names."""
        for child in token.children:
            if child.dep_ == "appos":
                actor = self.actor(child)
                if actor is not None:
                    return actor
        return None

    def _co_owned(self, token: Token, actor: Actor | None) -> list[Actor]:
        """The other parties of "Hungarian and Romanian officials": the same
        kind of actor for each conjunct of the modifier that gave `actor`."""
        if actor is None or token.i in self.by_token or token.i in self.coref:
            return []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                # "the leaders of Russia and China"
                child = _child(child, "pobj") or child
            if child.dep_ in _MODIFIERS | {"pobj"} and child.conjuncts:
                first = self._modifier(child)
                if first is None or first.country != actor.country:
                    continue
                others = [(c, self._modifier(c)) for c in child.conjuncts]
                return [
                    _same_kind(actor, other.country, _named(token, child, conj))
                    for conj, other in others
                    if other is not None and other.country
                ]
        return []

    def actor(self, token: Token) -> Actor | None:
        """The actor `token` (the head of a noun phrase) stands for, if any."""
        mention = self.by_token.get(token.i)
        if mention is not None:
            return self._from_mention(mention, token)
        if token.i in self.coref:
            return self.coref[token.i]
        if token.lower_ in self.noun_kinds or token.lemma_.lower() in self.noun_kinds:
            described = self._described(token)
            if described is not None or token.ent_type_ != "PERSON":
                return described
            # "Defence Secretary Tom King": a name that is also a title word
        if token.ent_type_ == "PERSON":
            return self._titled_person(token)
        return None

    def owner(self, modifier: Token) -> list[Actor]:
        """The actors a modifier names: "Pakistani" in "Pakistani airstrikes"."""
        found = []
        for tok in (modifier, *modifier.conjuncts):
            actor = self._modifier(tok)
            if actor is not None and actor not in found:
                found.append(actor)
        return found

    def mention(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)

    def _from_mention(self, mention: Mention, token: Token) -> Actor | None:
        if mention.role == OUTLET:
            return mention.actor if token.dep_ in {"nsubj", "nsubjpass"} else None
        if mention.role == PLACE:
            return None
        if mention.role == DEMONYM and token.dep_ in {"amod", "compound"}:
            return None
        if mention.role == DEMONYM and (_ethnic(token) or _resident(token)):
            return self._community(token)
        return mention.actor

    def _community(self, token: Token) -> Actor | None:
        """ "ethnic Albanians in south Serbia", "the Albanians of southern
        Serbia": a community, of the country it lives in (if the text says)."""
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in {"in", "of"}:
                for pobj in prep.children:
                    place = self.actor(pobj) if pobj.dep_ == "pobj" else None
                    if place is not None and place.country:
                        return Actor(_phrase(token), ActorKind.PERSON, place.country)
        return None

    def _modifier_actor(self, token: Token, preps=("of",)) -> Actor | None:
        for child in token.children:
            if child.dep_ in _MODIFIERS:
                actor = self._modifier(child)
                if actor is not None:
                    return actor
            if child.dep_ == "prep" and child.lower_ in preps:
                for pobj in child.children:
                    if pobj.dep_ == "pobj" and self.actor(pobj) is not None:
                        return self.actor(pobj)
        return None

    def _modifier(self, child: Token) -> Actor | None:
        if child.lemma_ == "lead" and child.dep_ == "amod":
            # "Vietnamese-led forces" are the leader's forces ("-backed" are not)
            for leader in child.children:
                if leader.dep_ in {"npadvmod", "compound", "nmod", "amod"}:
                    return self._modifier(leader)
        mention = self.by_token.get(child.i)
        if mention is not None and mention.role == DEMONYM and _ethnic(child):
            return None  # "ethnic Albanian guerrillas": not Albania's
        if mention is not None and mention.role in {COUNTRY, DEMONYM, NAMED}:
            return mention.actor
        if mention is not None and mention.role == OUTLET:
            return mention.actor
        return self.coref.get(child.i)

    def _described(self, token: Token) -> Actor | None:
        kind = (
            self.noun_kinds.get(token.lower_) or self.noun_kinds[token.lemma_.lower()]
        )
        # "security forces in Guinea", "demonstrators in Baghdad" (not
        # "officials in Nairobi", who may speak for anyone)
        preps = ("of", "in") if kind in _LOCAL_KINDS else ("of",)
        owner = self._modifier_actor(token, preps)
        if owner is None:
            return None
        if owner.country is None:
            return owner
        if kind == ActorKind.STATE:
            return country_actor(owner.country)
        return Actor(name=_phrase(token), kind=kind, country=owner.country)

    def _place(self, token: Token) -> Actor | None:
        """The country of a place named as a location ("targets in Jericho")."""
        mention = self.by_token.get(token.i)
        if mention is not None and mention.role == PLACE:
            return mention.actor
        actor = self.actor(token)
        return country_actor(actor.country) if actor and actor.country else None

    def _located(self, token: Token) -> Actor | None:
        mention = self.by_token.get(token.i)
        if mention is not None and mention.role == PLACE:
            return mention.actor  # "fired at Jericho"
        if token.lemma_.lower() in self.not_places:
            return None  # "the worst attack in Syrian history" names no place
        if token.lemma_.lower() in _BORDERS:
            neighbour = self._border_with(token)
            if neighbour is not None:
                return neighbour
        for child in token.children:
            if child.dep_ in {"amod", "compound", "poss", "nmod"}:
                actor = self._modifier(child)
                if actor is not None and actor.country:
                    return country_actor(actor.country)
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in _LOCATIONS:
                for pobj in child.children:
                    place = self._place(pobj) if pobj.dep_ == "pobj" else None
                    if place is not None:
                        return place
        return None

    def _border_with(self, token: Token) -> Actor | None:
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ == "with":
                for pobj in child.children:
                    actor = self.actor(pobj) if pobj.dep_ == "pobj" else None
                    if actor is not None and actor.country:
                        return country_actor(actor.country)
        return None

    def _titled_person(self, token: Token) -> Actor | None:
        entity = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
        if entity is None:
            return None
        window = token.doc[max(entity.start - 5, token.sent.start) : entity.start]
        country = _country_in(window, self.by_token)
        kind = next((_TITLES[t.lower_] for t in window if t.lower_ in _TITLES), None)
        if kind is None:
            return None
        if country is None:
            # "Arab League Secretary General Chadli Klibi" speaks for the League
            return _organisation_in(window, self.by_token)
        title = window[[t.i for t in window if t.lower_ in _TITLES][0] - window.start :]
        return Actor(entity.text, kind, country, title.text)


def _ethnic(token: Token) -> bool:
    """ "ethnic Albanians", "ethnic Turkish villagers": a people, not a state."""
    return token.i > 0 and token.doc[token.i - 1].lower_ == "ethnic"


def _resident(token: Token) -> bool:
    """ "the Albanians of southern Serbia": a people named by where it lives."""
    return token.tag_ in {"NNS", "NNPS"} and any(
        c.dep_ == "prep" and c.lower_ == "of" for c in token.children
    )


def _named(token: Token, modifier: Token, conj: Token) -> str:
    words = token.doc[conj.left_edge.i : conj.i + 1].text
    if modifier.dep_ == "pobj":
        return f"{token.text} of {words}"
    return f"{words} {token.text}"


def _child(tok: Token, dep: str) -> Token | None:
    return next((c for c in tok.children if c.dep_ == dep), None)


def _same_kind(actor: Actor, country: str, name: str) -> Actor:
    if actor.kind == ActorKind.STATE:
        return country_actor(country)
    return Actor(name, actor.kind, country, actor.title)


def _country_in(window: Span, by_token: dict[int, Mention]) -> str | None:
    for tok in reversed(window):
        mention = by_token.get(tok.i)
        if mention is not None and mention.role in {COUNTRY, DEMONYM}:
            return mention.actor.country
    return None


def _organisation_in(window: Span, by_token: dict[int, Mention]) -> Actor | None:
    for tok in reversed(window):
        mention = by_token.get(tok.i)
        if mention is not None and mention.actor.kind == ActorKind.IGO:
            return mention.actor
    return None


def _phrase(token: Token) -> str:
    left = [c for c in token.lefts if c.dep_ in _MODIFIERS or c.dep_ == "det"]
    start = min([c.left_edge.i for c in left], default=token.i)
    words = token.doc[start : token.i + 1]
    text = words.text
    return text[4:] if text.lower().startswith("the ") else text


def _noun_kinds(actor_nouns: dict[str, list[str]]) -> dict[str, str]:
    kinds = {}
    for kind, words in actor_nouns.items():
        for word in words:
            kinds.setdefault(word, kind)
    return kinds
