"""The upload form: pasted text or one plain-text file, and what is known of it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.parsing import TEXT_EXTENSIONS, text_from_upload


class UploadForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Paste the article's text, or choose a file below.",
    )
    file = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join([*TEXT_EXTENSIONS, "text/plain"])}
        ),
        help_text="A UTF-8 plain-text file (.txt).",
    )
    title = forms.CharField(required=False, max_length=500)
    publisher = forms.CharField(required=False, max_length=200)
    url = forms.URLField(
        label="URL", required=False, max_length=1000, assume_scheme="https"
    )
    published = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty if unknown: the upload date is used.",
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if text and not text.strip():
            raise ValidationError("The text is only whitespace.", code="empty")
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.file_text = text_from_upload(upload) if upload else ""
        return upload

    def clean_published(self):
        published = self.cleaned_data["published"]
        if published and published > timezone.localdate():
            raise ValidationError(
                "The publication date is in the future.", code="future"
            )
        return published

    def clean(self):
        data = super().clean()
        has_text = bool(data.get("text"))
        has_file = bool(data.get("file")) or "file" in self.errors
        if has_text and has_file:
            raise ValidationError(
                "Give either the text or a file, not both.", code="both"
            )
        if not has_text and not has_file and "text" not in self.errors:
            raise ValidationError(
                "Paste the text or choose a .txt file.", code="neither"
            )
        return data

    @property
    def from_file(self) -> bool:
        return bool(self.cleaned_data.get("file"))

    def article_fields(self) -> dict:
        """Keyword arguments for `article_create`."""
        data = self.cleaned_data
        upload = data.get("file")
        return {
            "text": self.file_text if upload else data["text"],
            "title": data["title"],
            "publisher": data["publisher"],
            "url": data["url"],
            "published": data["published"],
            "filename": upload.name if upload else "",
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's {field: message} errors on the fields the user filled."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            if name == "text" and self.from_file:
                name = "file"
            self.add_error(name if name in self.fields else None, errors)
