"""Filters that read events the way the pages show them (see tensions.display)."""

import unicodedata
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from tensions import display
from tensions.models import Event

register = template.Library()


@register.filter
def sentence(event) -> str:
    return display.event_sentence(event)


@register.filter
def reports(event) -> str:
    return display.reports_summary(event)


@register.filter
def direction(event) -> str:
    return display.direction(event)


@register.filter
def colour(intensity) -> str:
    return display.intensity_colour(float(intensity))


@register.filter
def signed(value) -> str:
    """+2.5, −9, 0: intensities read with their sign."""
    value = float(value)
    text = f"{abs(value):g}"
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else "0"


def headline(event) -> str:
    """What the event was about, else what was done: a table row's link text."""
    if event.what:
        return event.what
    target = display.party(event.target_actor, event.target_country)
    return display.action_phrase(event.type, event.mode, target)


@register.simple_tag
def event_rows(events) -> SafeString:
    """The rows of an events table (date, direction, type, status, what,
    reports), built here: pages list dozens to hundreds of events, and the same
    rows as a template cost several times more."""
    pattern = reverse("tensions:event", args=[987654321]).replace("987654321", "{}")
    return mark_safe("".join(_event_row(event, pattern) for event in events))


def _event_row(event, pattern: str) -> str:
    mode = f' <span class="muted">· {escape(event.mode)}</span>' if event.mode else ""
    status = _STATUS_LABELS.get(event.status, event.status)
    return (
        f'<tr data-event="{event.pk}">'
        f'<td class="nowrap">{escape(display.event_date_label(event))}</td>'
        f'<td class="nowrap">{escape(display.direction(event))}</td>'
        '<td><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">'
        '<circle cx="5" cy="5" r="5" '
        f'fill="{display.intensity_colour(float(event.intensity))}"/></svg>'
        f"{escape(event.type)}{mode}</td>"
        f'<td><span class="badge badge-{escape(event.status)}">'
        f"{escape(status)}</span></td>"
        f'<td><a href="{pattern.format(event.pk)}">{escape(_short(headline(event)))}'
        f'</a></td><td class="num" title="{display.reports_summary(event)}">'
        f"{event.article_count}</td></tr>"
    )


# get_status_display() without its per-call lookup table (the labels are fixed)
_STATUS_LABELS = dict(Event.Status.choices)


def _short(text: str, chars: int = 90) -> str:
    """Truncator(text).chars(chars), skipping its walk when the text fits (it
    counts code points less combining marks, never more than len())."""
    if len(text) <= chars:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(chars)
