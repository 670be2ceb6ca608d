"""Reading every accepted format, and a clear reason for every bad file."""

import datetime as dt

import pytest

from articles.parsing import Document, Failure, Kind, detect_kind, parse_file
from tests.articles import samples

STORY = samples.STORY


def _one(name: str, data: bytes) -> Document:
    results = parse_file(name=name, data=data)
    assert len(results) == 1 and isinstance(results[0], Document), results
    return results[0]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
)
def test_text_in_any_common_encoding_is_read(encoding, bom):
    text = "Café talks in Bogotá: " + STORY
    assert _one("a.txt", bom + text.encode(encoding)).text == text


def test_utf16_without_a_byte_order_mark_is_read():
    text = "Caracas asked Moscow for help. " * 5
    assert _one("a.txt", text.encode("utf-16-le")).text == text.strip()


def test_a_utf8_file_with_one_broken_byte_keeps_its_text():
    data = STORY.encode() + b" \xff " + STORY.encode()
    assert _one("a.txt", data).text.count("Venezuela asked Russia") == 2


def test_a_long_windows_1252_text_keeps_its_accents():
    # Three accented letters in 3,000 characters: as UTF-8 they would be
    # three broken bytes, few enough to pass for a damaged UTF-8 file.
    text = f"Talks in Bogotá. {STORY * 12} Then Medellín and Bogotá again."
    assert _one("a.txt", text.encode("cp1252")).text == text


def test_markdown_is_read_as_text():
    assert _one("a.md", f"# Letters\n\n{STORY}".encode()).text.startswith("# Letters")


def test_html_gives_main_text_title_author_site_and_date():
    head = (
        "<title>Letters to Moscow</title>"
        '<meta name="author" content="Ana María Pérez">'
        '<meta property="og:site_name" content="The Daily">'
        '<meta property="article:published_time" content="2025-10-30">'
    )
    body = f"<nav>Home | World</nav><h1>Letters to Moscow</h1><p>{STORY}</p>"
    document = _one("page.html", samples.html(body, head))
    assert STORY in document.text and "Home | World" not in document.text
    assert (document.title, document.author, document.publisher) == (
        "Letters to Moscow",
        "Ana María Pérez",
        "The Daily",
    )
    assert document.published == dt.date(2025, 10, 30)
    assert document.sources["published"] == "the HTML page"


def test_html_scripts_iframes_and_handlers_never_reach_the_text():
    body = (
        f'<p onclick="steal()">{STORY}</p><script>alert("x")</script>'
        '<iframe src="https://evil.example"></iframe><img src=x onerror="alert(1)">'
    )
    text = _one("page.html", samples.html(body)).text
    for trace in ("alert", "<script", "iframe", "onerror", "onclick", "steal"):
        assert trace not in text


def test_a_pdf_with_a_text_layer_is_read():
    assert "Venezuela asked Russia" in _one("a.pdf", samples.pdf()).text


def test_a_docx_gives_its_paragraphs_and_title():
    document = _one("a.docx", samples.docx(title="Letters"))
    assert (document.text, document.title) == (STORY, "Letters")


def test_an_email_gives_its_body_subject_and_date():
    document = _one("a.eml", samples.eml())
    assert document.text == STORY
    assert document.title == "Caracas letters"
    assert document.published == dt.date(2025, 10, 28)


def test_bulk_files_give_one_document_per_record():
    records = [samples.record(1), samples.record(2, published="28/10/2025")]
    csv = "title,text,publisher,url,published\n" + "".join(
        f'{r["title"]},"{r["text"]}",{r["publisher"]},{r["url"]},{r["published"]}\n'
        for r in records
    )
    for name, data in [
        ("a.json", samples.records_json(records)),
        ("a.jsonl", samples.jsonl(records)),
        ("a.csv", csv.encode()),
    ]:
        results = parse_file(name=name, data=data)
        assert [r.title for r in results] == ["Story 1", "Story 2"], name
        assert {r.published for r in results} == {dt.date(2025, 10, 28)}
        assert results[0].publisher == "Wire"


def test_a_zip_gives_the_documents_of_its_entries():
    archive = samples.zipped(
        {"a.txt": STORY.encode(), "b/c.docx": samples.docx(), ".DS_Store": b"x"}
    )
    results = parse_file(name="batch.zip", data=archive)
    assert [r.name for r in results] == ["batch.zip/a.txt", "batch.zip/b/c.docx"]
    assert all(isinstance(r, Document) for r in results)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("notes.txt", samples.pdf(), Kind.PDF),
        ("page.txt", samples.html(), Kind.HTML),
        ("article.pdf", STORY.encode(), Kind.TEXT),
        ("letter.txt", samples.docx(), Kind.DOCX),
        ("mail.txt", samples.eml(), Kind.EMAIL),
        ("data.txt", samples.jsonl([samples.record(1), samples.record(2)]), Kind.TEXT),
        ("data", samples.jsonl([samples.record(1), samples.record(2)]), Kind.JSONL),
        ("data.bin", samples.records_json([samples.record(1)]), Kind.JSON),
        ("bundle.docx", samples.zipped({"a.txt": b"x"}), Kind.ZIP),
    ],
)
def test_the_kind_comes_from_the_content_not_the_name(name, data, kind):
    assert detect_kind(name=name, data=data) is kind


def _bulk(*lines: str) -> bytes:
    return "\n".join(lines).encode()


# Each bad file, and the words its error must contain.
BAD_FILES = {
    "empty file": ("a.txt", b"", "empty"),
    "only whitespace": ("a.txt", b" \n\t \n", "empty"),
    "binary data named .txt": ("a.txt", bytes(range(256)) * 4, "binary data"),
    "PNG named .txt": ("a.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "PNG image"),
    "JPEG named .pdf": ("a.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 50, "JPEG image"),
    "gzip file": ("a.txt.gz", b"\x1f\x8b\x08\x00" + b"\0" * 20, "gzip archive"),
    "old Word .doc": ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1" + b"\0" * 50, ".docx"),
    "program": ("a.txt", b"\x7fELF\x02\x01\x01" + b"\0" * 50, "a program"),
    "truncated PDF": ("a.pdf", samples.pdf()[:150], "corrupt or truncated"),
    "PDF header only": ("a.pdf", b"%PDF-1.4\n", "corrupt or truncated"),
    "encrypted PDF": ("a.pdf", samples.encrypted_pdf(), "password"),
    "AES-encrypted PDF": (
        "a.pdf",
        samples.encrypted_pdf(algorithm="AES-256"),
        "password",
    ),
    "PDF without text": ("scan.pdf", samples.pdf(None), "no text layer"),
    "corrupt docx": (
        "a.docx",
        b"PK\x03\x04" + b"garbage" * 20,
        "Word document is corrupt",
    ),
    "truncated docx": ("a.docx", samples.docx()[:700], "Word document is corrupt"),
    "zip bomb": ("a.zip", samples.zip_bomb(), "zip bomb"),
    "nested archive": (
        "a.zip",
        samples.zipped({"inner.zip": samples.zipped({"a.txt": b"x"})}),
        "archives inside archives",
    ),
    "../ path in zip": ("a.zip", samples.zipped({"../../etc/x.txt": b"x"}), "leaves"),
    "absolute path in zip": ("a.zip", samples.zipped({"/etc/x.txt": b"x"}), "leaves"),
    "corrupt zip": ("a.zip", b"PK\x03\x04" + b"\x00" * 40, "corrupt or truncated"),
    "empty zip": ("a.zip", samples.zipped({}), "holds no files"),
    "50 MB file": ("big.txt", b"word " * (10 * 1024 * 1024), "the limit is"),
    "HTML without text": (
        "a.html",
        samples.html("<div><img src=x></div>"),
        "no article",
    ),
    "deeply nested HTML": (
        "a.html",
        b"<html><body>" + b"<div>" * 20000 + b"x" + b"</div>" * 20000,
        "HTML",
    ),
    "e-mail without a body": (
        "a.eml",
        b"From: a@b.c\nSubject: x\nContent-Type: image/png\n\nxx",
        "no text body",
    ),
    "CSV without a text column": (
        "a.csv",
        _bulk("title,body", "A,B"),
        "no 'text' column",
    ),
    "CSV with only a header": ("a.csv", _bulk("title,text"), "no records"),
    "CSV row with extra columns": (
        "a.csv",
        _bulk("title,text", "A,B,C"),
        "more values",
    ),
    "CSV row with missing text": ("a.csv", _bulk("title,text", "A"), "text is empty"),
    "JSON that is not a list": ("a.json", b'{"text": "x"}', "must be a list"),
    "invalid JSON": ("a.json", b'[{"text": "x"', "JSON is invalid"),
    "JSON record that is not an object": ("a.json", b'["just text"]', "not an object"),
    "JSON nested too deeply": ("a.json", b"[" * 100000 + b"]" * 100000, "invalid"),
    "JSONL with a broken line": ("a.jsonl", b'{"text":\n', "invalid JSON"),
    "record with an empty text": ("a.json", b'[{"title": "T", "text": "  "}]', "empty"),
    "record with text not a string": ("a.json", b'[{"text": 42}]', "empty"),
    "date 31/02/2025": (
        "a.json",
        samples.records_json([samples.record(1, published="31/02/2025")]),
        "'31/02/2025' is not a valid date",
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_each_bad_file_gets_its_own_clear_error(kind):
    name, data, words = BAD_FILES[kind]
    results = parse_file(name=name, data=data)
    failures = [r for r in results if isinstance(r, Failure)]
    assert failures and not any(isinstance(r, Document) for r in results), results
    assert words in failures[0].message
    assert failures[0].name.startswith(name)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_a_pdf_anyone_may_open_is_read_though_encrypted(algorithm):
    # Only the owner's rights are protected, as in many published PDFs.
    data = samples.encrypted_pdf(user_password="", algorithm=algorithm)
    assert "Venezuela asked Russia" in _one("a.pdf", data).text


def test_a_word_document_that_unpacks_past_the_limit_is_refused(settings):
    settings.TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES = 20_000
    data = samples.docx(STORY * 200)  # about 50 KB of document.xml

    (failure,) = parse_file(name="a.docx", data=data)

    assert "Word document unpacks to" in failure.message
    assert "the limit is 19.5" in failure.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "a.jsonl",
            samples.jsonl([{"title": "T\x00", "text": "Chile\x00 thanked Peru."}]),
        ),
        ("a.pdf", samples.pdf("Chile\x00 thanked\x07 Peru.")),
        ("a.zip", samples.zipped({"a\x01.txt": b"Chile thanked Peru."})),
    ],
    ids=["json record", "pdf text", "archive entry name"],
)
def test_no_control_character_reaches_an_article(name, data):
    # PostgreSQL refuses NUL in text: such a record was a 500 there.
    (document,) = parse_file(name=name, data=data)

    assert document.text == "Chile thanked Peru."
    assert not any(
        ch in value
        for value in (document.name, document.title)
        for ch in "\x00\x01\x07"
    )


def test_there_are_at_least_thirty_kinds_of_bad_input():
    assert len(BAD_FILES) >= 30


def test_archive_limits_are_settings(settings):
    archive = samples.zipped({f"{n}.txt": b"text %d" % n for n in range(5)})
    settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE = 4
    assert (
        "5 files; the limit is 4" in parse_file(name="a.zip", data=archive)[0].message
    )
    settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE = 10
    settings.TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES = 20
    assert "unpacks to" in parse_file(name="a.zip", data=archive)[0].message


def test_the_records_limit_applies_to_bulk_files(settings):
    settings.TENSIONS_MAX_ARTICLES_PER_ARCHIVE = 2
    data = samples.jsonl([samples.record(n) for n in range(3)])
    assert (
        "3 records; the limit is 2" in parse_file(name="a.jsonl", data=data)[0].message
    )


def test_a_broken_jsonl_line_loses_no_other_line():
    results = parse_file(name="a.jsonl", data=b'{"text": "ok"}\n{"text":\n')
    assert [type(r) for r in results] == [Document, Failure]
    assert results[1].name == "a.jsonl line 2"


def test_one_bad_entry_does_not_hide_the_good_ones():
    archive = samples.zipped({"good.txt": STORY.encode(), "bad.pdf": b"%PDF-1.4\n"})
    results = parse_file(name="a.zip", data=archive)
    assert [type(r) for r in results] == [Document, Failure]
