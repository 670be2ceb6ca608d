"""The upload form: exactly one of text or file, and readable reasons for refusals."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.forms import UploadForm


def _form(data=None, file=None):
    files = {"file": file} if file else {}
    return UploadForm(data={"text": "", **(data or {})}, files=files)


def test_pasted_text_is_accepted():
    form = _form({"text": "Moscow and Caracas signed a deal."})
    assert form.is_valid(), form.errors
    assert form.article_fields()["text"] == "Moscow and Caracas signed a deal."
    assert form.article_fields()["filename"] == ""


def test_a_text_file_is_read_as_the_article():
    file = SimpleUploadedFile("deal.txt", b"Caracas asks Moscow.")
    form = _form(file=file)
    assert form.is_valid(), form.errors
    assert form.article_fields() == {
        "text": "Caracas asks Moscow.",
        "title": "",
        "publisher": "",
        "url": "",
        "published": None,
        "filename": "deal.txt",
    }


def test_it_refuses_both_text_and_file():
    form = _form({"text": "Some text."}, SimpleUploadedFile("a.txt", b"Other text."))
    assert not form.is_valid()
    assert "not both" in str(form.non_field_errors())


def test_it_refuses_neither_text_nor_file():
    form = _form()
    assert not form.is_valid()
    assert "Paste the text or choose a .txt file." in form.non_field_errors()


def test_it_refuses_whitespace_only_text():
    form = _form({"text": "   \n\t "})
    assert not form.is_valid()
    assert form.errors["text"] == ["The text is only whitespace."]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.txt", b"\x00\x01binary\x00", "binary"),
        ("a.txt", "café".encode("latin-1"), "not UTF-8"),
        ("a.txt", b"   ", "empty"),
        ("a.pdf", b"%PDF-1.4", "only plain-text files"),
    ],
)
def test_it_explains_why_a_file_cannot_be_read(name, content, reason):
    form = _form(file=SimpleUploadedFile(name, content))
    assert not form.is_valid()
    assert reason in form.errors["file"][0]
    assert not form.non_field_errors()  # one message, on the file


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.TENSIONS_MAX_UPLOAD_BYTES = 10
    form = _form(file=SimpleUploadedFile("big.txt", b"x" * 11))
    assert not form.is_valid()
    assert "the limit is" in form.errors["file"][0]


def test_it_refuses_a_publication_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = _form({"text": "Some text.", "published": tomorrow.isoformat()})
    assert not form.is_valid()
    assert form.errors["published"] == ["The publication date is in the future."]


def test_it_refuses_a_bad_url():
    form = _form({"text": "Some text.", "url": "not a url"})
    assert not form.is_valid()
    assert "url" in form.errors
