"""The upload form: exactly one of text or file, and readable reasons for refusals."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.forms import UploadForm


def _form(data=None, file=None):
    files = {"file": file} if file else {}
    return UploadForm(data={"text": "", **(data or {})}, files=files)


def test_pasted_text_is_accepted():
    form = _form({"text": "Moscow and Caracas signed a deal."})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == "Moscow and Caracas signed a deal."
    assert form.cleaned_data["file"] == []


def test_files_are_accepted_and_left_to_the_service_to_read():
    file = SimpleUploadedFile("deal.txt", b"Caracas asks Moscow.")
    form = _form({"publisher": "AP"}, file=file)
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["file"]] == ["deal.txt"]
    assert form.metadata() == {
        "title": "",
        "publisher": "AP",
        "author": "",
        "url": "",
        "published": None,
    }


def test_it_refuses_both_text_and_file():
    form = _form({"text": "Some text."}, SimpleUploadedFile("a.txt", b"Other text."))
    assert not form.is_valid()
    assert "not both" in str(form.non_field_errors())


def test_it_refuses_neither_text_nor_file():
    form = _form()
    assert not form.is_valid()
    assert "Paste the text or choose files." in form.non_field_errors()


def test_it_refuses_whitespace_only_text():
    form = _form({"text": "   \n\t "})
    assert not form.is_valid()
    assert form.errors["text"] == ["The text is only whitespace."]


def test_it_refuses_a_publication_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = _form({"text": "Some text.", "published": tomorrow.isoformat()})
    assert not form.is_valid()
    assert form.errors["published"] == ["The publication date is in the future."]


def test_it_refuses_a_bad_url():
    form = _form({"text": "Some text.", "url": "not a url"})
    assert not form.is_valid()
    assert "url" in form.errors
