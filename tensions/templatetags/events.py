"""Filters that read events the way the pages show them (see tensions.display)."""

from django import template

from tensions import display

register = template.Library()


@register.filter
def sentence(event) -> str:
    return display.event_sentence(event)


@register.filter
def when_label(event) -> str:
    return display.event_date_label(event)


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


@register.filter
def headline(event) -> str:
    """What the event was about, else what was done: a table row's link text."""
    if event.what:
        return event.what
    target = display.party(event.target_actor, event.target_country)
    return display.action_phrase(event.type, event.mode, target)
