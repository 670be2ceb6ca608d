"""The timeline's filter form: its whole state lives in the URL's query string."""

from __future__ import annotations

import re

from django import forms

from tensions.models import Country, Event

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
    rejected = forms.BooleanField(required=False, label="Show rejected events")

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


class _Versioned(forms.Form):
    """What every review form carries: the version seen, and why."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; kept in the history.",
    )


class ReviewForm(_Versioned):
    action = forms.ChoiceField(choices=[("confirm", "Confirm"), ("reject", "Reject")])


class EventEditForm(_Versioned):
    type = forms.ChoiceField(choices=Event.Type.choices)
    mode = forms.CharField(required=False, max_length=20)
    status = forms.ChoiceField(choices=Event.Status.choices)
    source_country = forms.CharField(max_length=3, label="Source country (ISO3)")
    target_country = forms.CharField(
        required=False, max_length=3, label="Target country (ISO3)"
    )
    date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    what = forms.CharField(required=False, max_length=300, label="Object")

    FIELDS = ("type", "mode", "status", "source_country", "target_country", "what")

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> EventEditForm:
        initial = {name: getattr(event, name) for name in ("type", "mode", "status")}
        initial |= {
            "source_country": event.source_country_id,
            "target_country": event.target_country_id or "",
            "date": event.date,
            "what": event.what,
            "version": event.version,
        }
        return cls(initial=initial, **kwargs)

    def clean_source_country(self) -> str:
        return self.cleaned_data["source_country"].strip().upper()

    def clean_target_country(self) -> str | None:
        return self.cleaned_data["target_country"].strip().upper() or None

    def changes(self, event: Event) -> dict:
        """The fields the analyst changed, as the review service takes them."""
        data = self.cleaned_data
        now = {
            "type": event.type,
            "mode": event.mode,
            "status": event.status,
            "source_country": event.source_country_id,
            "target_country": event.target_country_id,
            "what": event.what,
            "date": event.date,
        }
        return {name: data[name] for name in now if data[name] != now[name]}


class MergeForm(_Versioned):
    other = forms.IntegerField(min_value=1, label="Event number to merge into this")
    other_version = forms.IntegerField(min_value=1, required=False)


class SplitForm(_Versioned):
    mention = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class WatchForm(forms.Form):
    country = forms.CharField(max_length=3)
    partner = forms.CharField(max_length=3, required=False, help_text="Empty: any.")
    directed = forms.BooleanField(
        required=False, label="Only what the first country does"
    )
    type = forms.ChoiceField(
        choices=[("", "Any type"), *Event.Type.choices], required=False
    )

    def clean(self):
        data = super().clean()
        codes = [data.get(k, "").strip().upper() for k in ("country", "partner")]
        known = set(
            Country.objects.filter(code__in=codes).values_list("code", flat=True)
        )
        for name, code in zip(("country", "partner"), codes, strict=True):
            if code and code not in known:
                self.add_error(name, f"Unknown country code: {code} (use ISO alpha-3).")
            data[name] = code or None
        if data.get("partner") and data["partner"] == data.get("country"):
            self.add_error("partner", "Pick two different countries.")
        return data
