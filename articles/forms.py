"""The upload form: pasted text or several files, and what is known of them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.parsing import ACCEPTED_EXTENSIONS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Paste the article's text, or choose a file below.",
    )
    file = MultipleFileField(
        label="Files",
        required=False,
        allow_empty_file=True,  # an empty file is reported by name with the others
        widget=MultipleFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        help_text="One or more files, or drop them here: text, Markdown, HTML, PDF, "
        "Word (.docx), e-mail (.eml), bulk CSV/JSON/JSONL, or a zip of these.",
    )
    title = forms.CharField(required=False, max_length=500)
    publisher = forms.CharField(required=False, max_length=200)
    author = forms.CharField(required=False, max_length=200)
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
            raise ValidationError("Paste the text or choose files.", code="neither")
        return data

    def metadata(self) -> dict:
        """What the analyst said about the article(s), for the services."""
        keys = ("title", "publisher", "author", "url", "published")
        return {key: self.cleaned_data[key] for key in keys}

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's {field: message} errors on the fields the user filled."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)
