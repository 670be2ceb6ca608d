"""The founding article: the first milestone's acceptance test."""

import datetime as dt
from pathlib import Path

import pytest

from tensions.extraction import extract

SEED = Path(__file__).parents[3] / "shared" / "seed" / "000_3faa9aadb56da95d.txt"
OUTLETS = ("Washington Post", "Miami Herald", "Wall Street Journal")


@pytest.fixture(scope="module")
def text():
    if not SEED.exists():
        pytest.fail(f"the seed article is missing: {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def events(text):
    return extract(text, dt.date(2025, 10, 31))


def _find(events, source, target, type_, status):
    found = [
        e
        for e in events
        if e.source.country == source
        and e.target is not None
        and e.target.country == target
        and e.type == type_
        and e.status == status
    ]
    assert len(found) == 1, f"{source}->{target} {type_} {status}: {found}"
    return found[0]


def _sentences(event):
    return [e.sentence for e in event.evidence]


def test_letter_to_putin_is_a_military_request(events):
    event = _find(events, "VEN", "RUS", "REQUEST", "occurred")
    assert event.source.name == "Nicolás Maduro"
    assert event.source.kind == "leader"
    assert event.target.name == "Vladimir Putin"
    assert event.channel == "letter" and event.mode == "assist"
    assert "military" in event.context
    assert any(s.startswith("He sent a letter to Russian President Vladimir Putin,")
               for s in _sentences(event))  # fmt: skip


def test_drafted_letter_to_xi_is_a_request_for_radars(events):
    event = _find(events, "VEN", "CHN", "REQUEST", "occurred")
    assert event.target.name == "Xi Jinping"
    assert event.channel == "letter"
    assert "radar detection systems" in event.what
    assert (
        "Additionally, he drafted a letter to Chinese President Xi Jinping, "
        "requesting expedited production of radar detection systems."
    ) in _sentences(event)


def test_outreach_to_moscow_and_beijing_merges_into_both_requests(events):
    outreach = "Maduro has reached out to Moscow and Beijing for military equipment"
    for target in ("RUS", "CHN"):
        event = _find(events, "VEN", target, "REQUEST", "occurred")
        assert any(outreach in s for s in _sentences(event))


def test_drone_strikes_on_smuggling_vessels_occurred(events):
    event = _find(events, "USA", "VEN", "ASSAULT", "occurred")
    assert event.mode == "drone"
    assert any("drone strikes on narcotics smuggling vessels" in s
               for s in _sentences(event))  # fmt: skip


def test_looming_airstrikes_are_possible_and_cite_the_papers(events):
    event = _find(events, "USA", "VEN", "ASSAULT", "possible")
    assert event.mode == "aerial"
    evidence = next(e for e in event.evidence if "looms" in e.sentence)
    assert evidence.sentence.endswith(
        "the potential for airstrikes against military installations in "
        "Venezuela looms."
    )
    assert "Miami Herald" in evidence.cited_source


def test_cocaine_claim_is_an_accusation(events):
    event = _find(events, "USA", "VEN", "ACCUSE", "occurred")
    assert any("500 tons of cocaine" in s for s in _sentences(event))


def test_outlets_are_never_actors(events):
    for event in events:
        for actor in (event.source, event.target):
            assert not any(outlet in actor.name for outlet in OUTLETS)


def test_the_spokeswoman_statement_is_not_an_event(events):
    assert not any("Anna Kelly" in s for e in events for s in _sentences(e))


def test_evidence_offsets_point_into_the_article(text, events):
    for event in events:
        for evidence in event.evidence:
            assert text[evidence.start : evidence.end] == evidence.sentence


def test_web_junk_last_line_yields_nothing(text, events):
    junk_start = text.rindex('"*" indicates required fields')
    assert all(ev.start < junk_start for e in events for ev in e.evidence)
