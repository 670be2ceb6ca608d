"""Odd input never crashes or hangs the engine."""

import datetime as dt
import time

import pytest

from tensions.extraction import ExtractionError, extract
from tensions.extraction.engine import paragraphs


@pytest.mark.parametrize("text", ["", "   \n\t  \n", "\n\n\n"])
def test_empty_text_gives_no_events(text):
    assert extract(text) == []


def test_non_text_input_is_refused_with_a_readable_message():
    with pytest.raises(ExtractionError, match="expected text"):
        extract(b"Russia attacked Ukraine.")


def test_a_200000_character_line_is_handled_quickly():
    sentence = "Russia attacked Ukraine on Monday and the talks went on. "
    text = sentence * (200_000 // len(sentence))
    start = time.monotonic()
    events = extract(text, dt.date(2024, 3, 1))
    assert time.monotonic() - start < 120
    assert len(events) == 1 and events[0].type == "ASSAULT"
    assert len(events[0].evidence) > 100


def test_text_without_sentence_boundaries_does_not_crash():
    text = " ".join(["word"] * 30_000)
    assert extract(text) == []


def test_urls_and_markup_give_no_events():
    junk = '<div class="x"><a href="https://example.com/a?b=c">link</a></div> ' * 400
    assert extract(junk + "\nhttp://t.co/abc https://www.example.org/path#frag") == []


def test_non_english_text_gives_no_events():
    text = (
        "La Russie a attaqué l'Ukraine lundi, selon le ministère de la Défense, "
        "et les négociations entre les deux pays sont suspendues depuis des mois. "
    ) * 5
    assert extract(text) == []


def test_web_junk_line_gives_no_events():
    assert extract('"*" indicates required fields') == []


def test_exceeding_the_time_budget_raises():
    text = "Russia attacked Ukraine on Monday. " * 2000
    with pytest.raises(ExtractionError, match="took longer than"):
        extract(text, budget_seconds=0.001)


def test_paragraph_offsets_point_into_the_original_text():
    text = "First line.\n\nSecond line here." + " x" * 20_000
    for offset, chunk in paragraphs(text):
        assert text[offset : offset + len(chunk)] == chunk


def test_evidence_offsets_point_into_the_original_text():
    text = "Intro line.\nIran seized a Greek tanker in the Gulf of Oman."
    (event,) = extract(text)
    evidence = event.evidence[0]
    assert text[evidence.start : evidence.end] == evidence.sentence
