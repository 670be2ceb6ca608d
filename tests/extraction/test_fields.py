"""Fields beyond (source, target, type): what, date, actors by year, and the
article dyad that fills a missing side only when the text names a target."""

import datetime as dt

from tensions.extraction import extract

PUBLISHED = dt.date(2025, 10, 31)


def _only(text: str, published: dt.date = PUBLISHED):
    events = extract(text, published)
    assert len(events) == 1, events
    return events[0]


def test_accusation_what_is_the_charge_not_the_accused():
    event = _only(
        "Venezuela condemned the strike as an act of aggression and accused "
        "Washington of violating its sovereignty."
    )
    assert (event.type, event.target.country) == ("ACCUSE", "USA")
    assert event.what == "violating its sovereignty"


def test_date_in_clause_modifying_the_object_does_not_date_the_event():
    event = _only(
        "Caracas asked China to speed up deliveries of radar detection systems "
        "ordered last year."
    )
    assert event.type == "REQUEST"
    assert event.date is None


def test_date_of_the_event_itself_still_counts():
    event = _only("Russia accused Ukraine on Monday of shelling the plant.")
    assert event.date == dt.date(2025, 10, 27)
    assert event.what == "shelling the plant"


def test_surname_resolves_to_the_officeholder_of_the_article_year():
    old = _only("Reagan met Gorbachev in Reykjavik.", dt.date(1987, 3, 1))
    new = _only("Trump met Putin in Alaska.", dt.date(2025, 8, 15))
    assert (old.source.name, old.target.country) == ("Ronald Reagan", "SUN")
    assert (new.source.name, new.target.country) == ("Donald Trump", "RUS")


def test_clinton_is_the_secretary_of_state_in_2011():
    event = _only("Clinton met Lavrov in Geneva.", dt.date(2011, 3, 1))
    assert event.source.name == "Hillary Clinton"


def test_article_dyad_does_not_give_a_target_to_an_untargeted_attack():
    text = (
        "Britain and the United States discussed the case. Britain asked the "
        "United States for records. The United States gave Britain the files.\n"
        "Emwazi was believed killed in a US airstrike in 2015."
    )
    assert not [e for e in extract(text, PUBLISHED) if e.type == "ASSAULT"]
