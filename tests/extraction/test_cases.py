"""The annotated cases of cases.jsonl, one test each."""

from pathlib import Path

import pytest

from tensions.extraction.evaluate import (
    expected_statuses,
    found_statuses,
    load_cases,
)

CASES = load_cases(Path(__file__).with_name("cases.jsonl"))


def _param(case):
    marks = [pytest.mark.xfail(reason=case["known_gap"])] if "known_gap" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case_yields_exactly_its_annotated_events(case):
    expected = expected_statuses(case)
    found = found_statuses(case)
    assert set(found) == set(expected), f"found {found}"
    for key, status in expected.items():
        assert status in found[key], f"{key}: expected {status}, found {found[key]}"
