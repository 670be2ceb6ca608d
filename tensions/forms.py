"""The timeline's filter form: its whole state lives in the URL's query string."""

from __future__ import annotations

import re

from django import forms

from tensions.models import Country

_CODE_SEPARATORS = re.compile(r"[\s,;]+")


class CountryCodesField(forms.Field):
    """ISO alpha-3 codes from several `countries=` values, each maybe 'USA, VEN'."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value or ""]
        codes: list[str] = []
        for raw in values:
            for code in _CODE_SEPARATORS.split(str(raw).strip().upper()):
                if code and code not in codes:
                    codes.append(code)
        return codes


class TimelineForm(forms.Form):
    countries = CountryCodesField(required=False)
    focus = forms.CharField(required=False, max_length=3)
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_focus(self) -> str:
        return self.cleaned_data["focus"].strip().upper()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        self._check_codes(data)
        return data

    def _check_codes(self, data) -> None:
        codes = list(data.get("countries") or [])
        focus = data.get("focus")
        known = set(
            Country.objects.filter(code__in=[*codes, focus]).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in codes if code not in known]
        if unknown:
            self.add_error(
                "countries",
                f"Unknown country code: {', '.join(unknown)} (use ISO alpha-3).",
            )
        if focus and focus not in known:
            self.add_error("focus", f"Unknown country code: {focus} (use ISO alpha-3).")
