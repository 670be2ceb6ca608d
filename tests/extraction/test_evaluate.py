"""The evaluation command's listing of misses and its scoring conventions."""

import json

from tensions.extraction import gold
from tensions.extraction.engine import extract
from tensions.extraction.evaluate import (
    event_key,
    main,
    misses,
    plover_key,
    plover_key_strict,
    suites,
)

HIT = {
    "id": "hit",
    "text": "Egypt agreed with Sudan on a plan to share the river's water.",
    "published": "2024-05-10",
    "events": [{"source": "EGY", "target": "SDN", "type": "AGREE"}],
}
MISS = {
    "id": "miss",
    "text": "Egypt agreed with Sudan on a plan to share the river's water.",
    "published": "2024-05-10",
    "events": [{"source": "EGY", "target": "SDN", "type": "ASSAULT"}],
}
# a PLOVER record naming two actors of one country
TWO_OF_ONE_COUNTRY = {
    "id": "x",
    "text": "Israeli helicopters and tanks shelled Palestinian positions.",
    "event": "FIGHT",
    "source": [{"code": "ISRMIL"}, {"code": "ISRMIL"}],
    "target": [{"code": "PSE"}],
}


def test_misses_lists_only_the_cases_the_engine_gets_wrong():
    lines = misses([HIT, MISS])
    assert len(lines) == 1
    assert lines[0].startswith("miss: missed [('EGY', 'SDN', 'ASSAULT')]")
    assert "('EGY', 'SDN', 'AGREE')" in lines[0]  # the extra it found instead


def test_misses_flag_prints_the_listing_after_the_figures(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(json.dumps(c) for c in (HIT, MISS)),
        encoding="utf-8",
    )
    assert main([str(cases), "--misses"]) == 0
    out = capsys.readouterr().out
    assert "precision 0.500" in out
    assert "miss: missed" in out and "hit: missed" not in out


def test_plover_key_codes_a_planned_visit_as_agree():
    # TAXONOMY.md: PLOVER codes future cooperation as AGREE; the engine keeps
    # CONSULT and says `planned`
    (event,) = extract("The Chilean president will visit Peru next month.")
    assert (event.type, event.status) == ("CONSULT", "planned")
    assert event_key(event) == ("CHL", "PER", "CONSULT")
    assert plover_key(event) == ("CHL", "PER", "AGREE")
    (done,) = extract("The Chilean president visited Peru.")
    assert plover_key(done) == ("CHL", "PER", "CONSULT")


def test_plover_record_counts_two_actors_of_one_country_once():
    (event,) = gold._plover_case(TWO_OF_ONE_COUNTRY)["events"]
    assert (event["source"], event["target"], event["types"]) == (
        "ISR",
        "PSE",
        ["ASSAULT"],
    )


def test_strict_plover_key_keeps_a_planned_visit_a_consult():
    (event,) = extract("The Chilean president will visit Peru next month.")
    assert plover_key_strict(event) == ("CHL", "PER", "CONSULT")


def test_strict_plover_case_keeps_two_actors_of_one_country_apart():
    events = gold._plover_case(TWO_OF_ONE_COUNTRY, merge_same_country=False)["events"]
    assert [(e["source"], e["target"]) for e in events] == [("ISR", "PSE")] * 2


def test_suites_score_the_plover_records_with_and_without_conventions():
    names = [name for name, _, _ in suites()]
    assert sum(name.startswith("PLOVER gold records") for name in names) == 2
    assert any("strict" in name for name in names)
