"""Bulk files as spreadsheets export them, and the articles limit of an archive."""

import datetime as dt

from articles.parsing import Document, Failure, parse_file
from tests.articles import samples

STORY = samples.STORY


def _csv(*lines: str) -> bytes:
    return "\n".join(lines).encode()


def _titles(results) -> list[str]:
    assert all(isinstance(r, Document) for r in results), results
    return [r.title for r in results]


def test_a_semicolon_csv_from_european_excel_is_read():
    data = _csv("title;text;published", f"Letters;{STORY};28.10.2025", "Boats;B;")
    results = parse_file(name="a.csv", data=data)
    assert _titles(results) == ["Letters", "Boats"]
    assert results[0].text == STORY
    assert results[0].published == dt.date(2025, 10, 28)


def test_a_tab_separated_csv_is_read():
    data = _csv("title\ttext\tpublisher", f"Letters\t{STORY}\tWire")
    [document] = parse_file(name="a.csv", data=data)
    assert (document.title, document.text, document.publisher) == (
        "Letters",
        STORY,
        "Wire",
    )


def test_column_names_may_have_capitals_and_spaces():
    data = _csv(" Title ,TEXT, Published", f'Letters,"{STORY}",2025-10-28')
    [document] = parse_file(name="a.csv", data=data)
    assert (document.title, document.text) == ("Letters", STORY)
    assert document.published == dt.date(2025, 10, 28)


def test_a_quoted_field_may_hold_the_delimiter():
    data = _csv("Title;Text", 'Letters;"Caracas; then Moscow, then Beijing"')
    [document] = parse_file(name="a.csv", data=data)
    assert document.text == "Caracas; then Moscow, then Beijing"


def test_a_quoted_column_name_with_another_delimiter_does_not_decide():
    data = _csv('"Title, short";Text', "Letters;Body")
    [document] = parse_file(name="a.csv", data=data)
    assert document.text == "Body"


def test_a_csv_without_a_text_column_names_the_columns_it_has():
    [failure] = parse_file(name="a.csv", data=_csv("Headline;Body", "A;B"))
    assert isinstance(failure, Failure)
    assert failure.message == ("the CSV has no 'text' column (it has: Headline, Body).")


def test_a_row_with_more_values_than_columns_still_fails_alone():
    results = parse_file(name="a.csv", data=_csv("title;text", "A;B;C", "D;E"))
    assert [type(r) for r in results] == [Failure, Document]
    assert "more values" in results[0].message


def _archive_limit_failures(results) -> list[str]:
    return [
        r.name
        for r in results
        if isinstance(r, Failure) and "over the archive's limit of 5" in r.message
    ]


def test_the_archive_limit_counts_the_records_of_its_bulk_files(settings):
    settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE = 5
    archive = samples.zipped(
        {
            "a.jsonl": samples.jsonl([samples.record(n) for n in range(4)]),
            "b.json": samples.records_json([samples.record(n) for n in range(4, 8)]),
            "c.csv": _csv("title,text", f"Late,{STORY}"),
        }
    )
    results = parse_file(name="batch.zip", data=archive)
    assert _titles(results[:4]) == [f"Story {n}" for n in range(4)]
    assert _archive_limit_failures(results[4:]) == [
        "batch.zip/b.json",
        "batch.zip/c.csv",
    ]
    assert len(results) == 6


def test_the_archive_limit_counts_single_files_and_bulk_records_together(settings):
    settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE = 5
    archive = samples.zipped(
        {
            "one.txt": STORY.encode(),
            "two.html": samples.html(),
            "more.csv": _csv("Title;Text", *(f"Row {n};{STORY}" for n in range(3))),
            "late.txt": b"Caracas asked Moscow for help.",
        }
    )
    results = parse_file(name="batch.zip", data=archive)
    kept = [r for r in results if isinstance(r, Document)]
    assert [r.name for r in kept] == [
        "batch.zip/one.txt",
        "batch.zip/two.html",
        "batch.zip/more.csv row 2",
        "batch.zip/more.csv row 3",
        "batch.zip/more.csv row 4",
    ]
    assert _archive_limit_failures(results) == ["batch.zip/late.txt"]


def test_a_record_dated_in_the_future_is_refused_as_the_form_refuses_it():
    data = samples.jsonl([samples.record(1, published="2999-01-31"), samples.record(2)])
    results = parse_file(name="a.jsonl", data=data)
    assert isinstance(results[0], Failure) and isinstance(results[1], Document)
    assert results[0].message == "the date 2999-01-31 is in the future."


def test_a_date_that_reads_either_way_says_it_was_read_day_first():
    rows = [
        samples.record(1, published="03/04/2025"),
        samples.record(2, published="13/04/2025"),
        samples.record(3, published="2025-04-03"),
    ]
    first, second, third = parse_file(name="a.jsonl", data=samples.jsonl(rows))

    assert first.published == dt.date(2025, 4, 3)
    assert first.sources["published"] == (
        "the record (03/04/2025 read day first, month second)"
    )
    assert second.sources["published"] == third.sources["published"] == "the record"
