"""How events read: sentences, dates, highlighted paragraphs."""

import datetime as dt

from tensions import display
from tensions.models import Actor, Country, Event

VEN = Country(code="VEN", name="Venezuela")
RUS = Country(code="RUS", name="Russia")


def _event(**fields):
    fields.setdefault("type", "REQUEST")
    fields.setdefault("mode", "assist")
    fields.setdefault("status", "occurred")
    fields.setdefault("channel", "letter")
    fields.setdefault("date", dt.date(2025, 10, 8))
    fields.setdefault("date_precision", "month")
    return Event(
        source_country=VEN,
        target_country=RUS,
        source_actor=Actor(name="Nicolás Maduro", kind="leader"),
        target_actor=Actor(name="Vladimir Putin", kind="leader"),
        intensity=0.5,
        **fields,
    )


def test_the_sentence_reads_who_did_what_to_whom_how_and_how_real():
    assert display.event_sentence(_event()) == (
        "Venezuela (Nicolás Maduro) asked Russia (Vladimir Putin) for assistance"
        " — by letter — occurred, Oct 2025"
    )


def test_the_sentence_names_a_state_actor_once():
    event = _event(type="ASSAULT", mode="drone", channel="", status="possible")
    event.source_actor = Actor(name="Venezuela", kind="state")
    event.target_actor = None
    assert display.event_sentence(event) == (
        "Venezuela carried out drone strikes on Russia — possible, Oct 2025"
    )


def test_an_unknown_mode_falls_back_to_the_type_phrase():
    assert display.action_phrase("ACCUSE", "shouting", "Russia") == "accused Russia"


def test_an_undated_event_reads_when_it_was_reported():
    event = _event(date=None, first_reported=dt.date(2025, 10, 3))
    assert display.event_date_label(event) == "reported 3 Oct 2025"


def test_the_paragraph_around_a_sentence_stops_at_newlines():
    text = "Title\n\nFirst one. The sentence here. Last one.\nNext paragraph."
    start = text.index("The sentence")
    excerpt = display.paragraph_around(text, start, start + len("The sentence here."))
    assert excerpt == display.Excerpt("First one. ", "The sentence here.", " Last one.")


def test_bad_offsets_show_the_stored_sentence():
    excerpt = display.paragraph_around("short", 10, 20, fallback="As stored.")
    assert excerpt == display.Excerpt("", "As stored.", "")


def test_overlapping_spans_merge_into_one_highlight_with_every_link():
    text = "Aaa. Bbb ccc. Ddd."
    segments = display.highlight_segments(text, [(5, 13, "e1"), (5, 13, "e2")])
    assert [(s.text, s.links) for s in segments] == [
        ("Aaa. ", ()),
        ("Bbb ccc.", ("e1", "e2")),
        (" Ddd.", ()),
    ]
    assert "".join(s.text for s in segments) == text


def test_intensity_colour_runs_from_red_through_grey_to_blue():
    assert display.intensity_colour(-10) == "#b2182b"
    assert display.intensity_colour(0) == "#888888"
    assert display.intensity_colour(10) == "#2166ac"


def test_event_rows_escape_what_the_event_was_about():
    from tensions.templatetags.events import event_rows

    event = _event(what='<img src=x onerror="y">' + "z" * 100)
    event.pk, event.mention_count, event.intensity = 7, 2, -8.0
    row = event_rows([event])
    assert "<img" not in row and "&lt;img src=x onerror=&quot;y&quot;&gt;" in row
    assert "…</a>" in row  # cut at 90 characters
    assert '<tr data-event="7">' in row and 'href="/events/7/"' in row
    assert 'class="badge badge-occurred">Occurred</span>' in row


def test_event_rows_count_articles_and_say_the_mentions_on_hover():
    from tensions.templatetags.events import event_rows

    event = _event()
    event.pk, event.intensity = 7, -8.0
    event.mention_count, event.article_count, event.publisher_count = 4, 1, 1
    row = event_rows([event])
    assert (
        '<td class="num" title="4 mentions in 1 article from 1 publisher">1</td>' in row
    )
