"""Rows of the dashboard's tables of pairs, built in Python: a country page
lists dozens of partners, and the same rows as a template loop (with its
floatformat filters) cost more than the rest of the page."""

from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def fixed(value: float, places: int = 0) -> str:
    """As `floatformat:places` writes it: rounded half up, never "-0".

    floatformat rounds the float's shortest repr half up; Python's format
    rounds its exact binary value. The two differ only where that repr ends in
    a 5 just past the places kept (a tie for floatformat; 0.15 is a little
    under it in binary): those, and reprs with an exponent, go the Decimal
    way, the rest are formatted (1.3 µs instead of 3.1; a country page writes
    over a hundred)."""
    shortest = repr(value)
    point = shortest.find(".")
    if point < 0 or "e" in shortest or shortest[point + 1 + places :] == "5":
        return _fixed_decimal(value, places)
    text = f"{value:.{places}f}"
    return text[1:] if text[0] == "-" and not text.strip("-0.") else text


def _fixed_decimal(value: float, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:f}"


@register.simple_tag
def partner_rows(partners: list[dict], country) -> SafeString:
    """A country page's partners: name, timeline link, sparkline, index over
    the sparkline's months, events of all time."""
    name = escape(country.name)
    return mark_safe("".join(_partner_row(p, name) for p in partners))


def _partner_row(p: dict, country_name: str) -> str:
    partner = escape(p["name"])
    index = (
        fixed(p["index"])
        if p["recent"]
        else '<span class="muted" title="No events in these months">—</span>'
    )
    return (
        f'<tr><td><a href="{escape(p["pair_href"])}">{partner}</a>\n'
        f'              <a class="muted small" href="{escape(p["timeline_href"])}" '
        f'aria-label="Timeline of {country_name} and {partner}">timeline</a></td>'
        f'<td>{p["spark"].svg()}</td><td class="num">{index}</td>'
        f'<td class="num" title="tension index of all their events: '
        f'{fixed(p["all_time"])}">{p["n"]}</td></tr>'
    )


@register.simple_tag
def score_rows(rows: list[dict], month) -> SafeString:
    """Home's rankings: pair (and its spike), sparkline, events this month,
    index, change."""
    pair = reverse("tensions:pair", args=["AAA", "BBB"])
    events = reverse("tensions:events")
    since = month.isoformat()
    return mark_safe("".join(_score_row(row, pair, events, since) for row in rows))


def _score_row(row: dict, pair: str, events: str, since: str) -> str:
    s = row["score"]
    spike = ' <span class="badge badge-spike">spike</span>' if row["spike"] else ""
    href = pair.replace("AAA", s.a).replace("BBB", s.b)
    listed = f"{events}?pair={s.a},{s.b}&day_from={since}"
    return (
        f'<tr><td><a href="{escape(href)}">{escape(row["label"])}</a>{spike}</td>'
        f'<td>{row["spark"].svg()}</td><td class="num"><a href="{escape(listed)}">'
        f'{s.events}</a></td><td class="num">{fixed(s.index, 1)}</td>'
        f'<td class="num">{fixed(s.change, 1)}</td></tr>'
    )


@register.simple_tag
def active_rows(pairs: list[dict], month) -> SafeString:
    """Home's most active pairs: pair (to its timeline), events this month (to
    their list), index."""
    timeline = reverse("tensions:timeline")
    events = reverse("tensions:events")
    since = month.isoformat()
    return mark_safe("".join(_active_row(p, timeline, events, since) for p in pairs))


def _active_row(pair: dict, timeline: str, events: str, since: str) -> str:
    s = pair["score"]
    shown = f"{timeline}?countries={s.a}&countries={s.b}"
    listed = f"{events}?pair={s.a},{s.b}&day_from={since}"
    return (
        f'<tr><td><a href="{escape(shown)}">{escape(pair["label"])}</a></td>'
        f'<td class="num"><a href="{escape(listed)}">{s.events}</a></td>'
        f'<td class="num">{fixed(s.index, 1)}</td></tr>'
    )


@register.simple_tag
def country_options(choices: list, picked=(), *, codes: bool = True) -> SafeString:
    """<option>s of (code, name) pairs, labelled "name (code)" (or the name
    alone), those `picked` selected: two lists of every country with events
    as template loops cost a tenth of the timeline page."""
    chosen = set(picked)
    return mark_safe(
        "".join(
            f'<option value="{escape(code)}"{" selected" if code in chosen else ""}>'
            f"{escape(f'{name} ({code})' if codes else name)}</option>"
            for code, name in choices
        )
    )


@register.simple_tag
def choice_select(field) -> SafeString:
    """A SelectMultiple field as its widget writes it (but for blank lines),
    built here: the widget's templates cost a template render per option. A
    field with errors is left to the widget (it adds aria attributes)."""
    if field.errors:
        return field.as_widget()
    chosen = {str(v) for v in field.value() or ()}
    options = "".join(
        f'\n  <option value="{escape(v)}"{" selected" if v in chosen else ""}>'
        f"{escape(label)}</option>\n"
        for v, label in field.field.choices
    )
    size = field.field.widget.attrs["size"]
    return mark_safe(
        f'<select name="{field.html_name}" size="{size}" id="{field.auto_id}" '
        f"multiple>{options}</select>"
    )


@register.simple_tag
def choice_boxes(field) -> SafeString:
    """A CheckboxSelectMultiple field's boxes, each in a label, as the template
    wrote them with the widget's `tag` (one template render per box)."""
    chosen = {str(v) for v in field.value() or ()}
    return mark_safe(
        "".join(
            f'<label class="choice"><input type="checkbox" name="{field.html_name}" '
            f'value="{escape(v)}" id="{field.auto_id}_{i}"'
            f"{' checked' if v in chosen else ''}> {escape(label)}</label>"
            for i, (v, label) in enumerate(field.field.choices)
        )
    )
