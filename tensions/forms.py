"""The timeline's filter form: its whole state lives in the URL's query string."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Exists, OuterRef

from tensions.extraction import taxonomy
from tensions.models import Country, Event, Mention

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
    scope = forms.ChoiceField(
        required=False,
        choices=[
            ("all", "Including threats and possibilities"),
            ("actual", "Actual events only (occurred or denied)"),
        ],
        widget=forms.RadioSelect,
        label="Events",
    )
    type = forms.MultipleChoiceField(
        required=False,
        choices=Event.Type.choices,
        label="Types",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    status = forms.MultipleChoiceField(
        required=False,
        choices=Event.Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_confidence = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=2,
        label="Minimum confidence",
        widget=forms.NumberInput(attrs={"step": "0.05", "placeholder": "0 – 1"}),
    )
    reviewed = forms.BooleanField(required=False, label="Reviewed events only")
    publisher = forms.CharField(
        required=False, max_length=200, help_text="Reported by this publisher."
    )
    rejected = forms.BooleanField(required=False, label="Show rejected events")

    ACTUAL = (taxonomy.OCCURRED, taxonomy.DENIED)
    REVIEWED = (Event.ReviewState.CONFIRMED, Event.ReviewState.EDITED)

    def __init__(self, *args, known: frozenset[str] = frozenset(), **kwargs):
        """`known`: codes of countries the caller has just read (the page's
        choices), which need no look-up."""
        super().__init__(*args, **kwargs)
        self.known = known

    def filter(self, events):
        """`events` narrowed by the filters chosen (the form must be valid)."""
        data = self.cleaned_data
        if data["scope"] == "actual":
            events = events.filter(status__in=self.ACTUAL)
        if data["type"]:
            events = events.filter(type__in=data["type"])
        if data["status"]:
            events = events.filter(status__in=data["status"])
        if data["min_confidence"] is not None:
            events = events.filter(confidence__gte=float(data["min_confidence"]))
        if data["reviewed"]:
            events = events.filter(review_state__in=self.REVIEWED)
        if publisher := data["publisher"].strip():
            reported = Mention.objects.filter(
                event=OuterRef("pk"), article__publisher__iexact=publisher
            )
            events = events.filter(Exists(reported))
        return events

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
        asked = {*codes, focus} - self.known - {"", None}
        known = self.known | set(
            Country.objects.filter(code__in=asked).values_list("code", flat=True)
            if asked
            else ()
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
