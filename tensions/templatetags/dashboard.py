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
    """As `floatformat:places` writes it: rounded half up, never "-0"."""
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
