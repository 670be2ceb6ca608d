"""The dashboard: home, timeline, country and event pages (read-only)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, F, Prefetch, Q, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from articles.models import Article
from tensions import display
from tensions.forms import TimelineForm
from tensions.models import Actor, Country, Event, Mention
from tensions.timeline import STATUS_STYLES, build_timeline

ACTIVE_PAIRS_DAYS = 90
DEFAULT_PAIRS = 8  # lanes shown when no country is chosen
TIMELINE_MAX_EVENTS = 3000
LEGEND_INTENSITIES = (-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10)


def _dated(events):
    """Events with `at`: their date, else their first report; undated ones dropped."""
    return events.annotate(at=Coalesce("date", "first_reported")).filter(
        at__isnull=False
    )


def _latest_first(events):
    return _dated(events).order_by(F("at").desc(), "-id")


@login_required
def home(request):
    by_status = dict(
        Article.objects.order_by().values_list("status").annotate(n=Count("id"))
    )
    context = {
        "article_counts": [
            (s.label, s.value, by_status.get(s.value, 0)) for s in Article.Status
        ],
        "article_total": sum(by_status.values()),
        "event_total": Event.objects.visible().count(),
        "latest_events": _latest_first(Event.objects.visible().with_related())[:10],
        "active_pairs": _active_pairs(),
        "active_pairs_days": ACTIVE_PAIRS_DAYS,
        "queue": {s: by_status.get(s, 0) for s in ("queued", "processing", "failed")},
    }
    return render(request, "tensions/home.html", context)


def _active_pairs(limit: int = 10) -> list[dict]:
    since = timezone.localdate() - dt.timedelta(days=ACTIVE_PAIRS_DAYS)
    rows = list(
        _pair_counts(
            _dated(Event.objects.visible().interstate()).filter(at__gte=since)
        )[:limit]
    )
    names = _country_names(code for row in rows for code in (row["a"], row["b"]))
    for row in rows:
        row["label"] = (
            f"{names.get(row['a'], row['a'])} – {names.get(row['b'], row['b'])}"
        )
    return rows


def _pair_counts(events):
    """Event counts per undirected pair of countries, busiest first."""
    return (
        events.order_by()
        .values(a=Least("source_country_id", "target_country_id"))
        .annotate(
            b=Greatest("source_country_id", "target_country_id"),
            n=Count("id"),
            conflict=Count("id", filter=Q(intensity__lt=0)),
            cooperation=Count("id", filter=Q(intensity__gt=0)),
        )
        .values("a", "b", "n", "conflict", "cooperation")
        .order_by("-n", "a", "b")
    )


def _country_names(codes) -> dict[str, str]:
    return dict(Country.objects.filter(code__in=set(codes)).values_list("code", "name"))


@login_required
def timeline(request):
    form = TimelineForm(request.GET)
    choices = list(_countries_with_events())
    context = {"form": form, "choices": choices, "legend": _legend()}
    context.update(_picked(form, {c.code for c in choices}))
    if form.is_valid():
        context.update(_timeline_context(form.cleaned_data))
    return render(request, "tensions/timeline.html", context)


def _picked(form, choice_codes: set[str]) -> dict:
    """The codes asked for, valid or not: those in the list are selected in it,
    the others go back in the free-text input."""
    picked = form.fields["countries"].to_python(form["countries"].value())
    return {
        "picked": [c for c in picked if c in choice_codes],
        "extra_codes": " ".join(c for c in picked if c not in choice_codes),
    }


def _timeline_context(data) -> dict:
    countries, focus = data["countries"], data["focus"] or None
    if focus is None and len(countries) == 1:
        focus, countries = countries[0], []
    start, end = data["start"], data["end"]
    events = _dated(Event.objects.visible().interstate()).with_related()
    events = _in_period(events, start, end)
    events = _selected_pairs(events, countries, focus)
    events = list(events.order_by("at", "id")[: TIMELINE_MAX_EVENTS + 1])
    truncated = len(events) > TIMELINE_MAX_EVENTS
    built = build_timeline(
        events[:TIMELINE_MAX_EVENTS], start=start, end=end, focus=focus
    )
    return {
        "timeline": built,
        "truncated": truncated,
        "max_events": TIMELINE_MAX_EVENTS,
        "focus": focus,
        "selected": countries,
    }


def _in_period(events, start, end):
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lte=end)
    return events


def _selected_pairs(events, countries: list[str], focus: str | None):
    """Focus against its partners (among `countries` if given); else pairs among
    `countries`; else the busiest pairs of the period."""
    if focus:
        events = events.for_country(focus)
        if countries:
            others = [c for c in countries if c != focus]
            events = events.filter(
                Q(source_country_id__in=others) | Q(target_country_id__in=others)
            )
        return events
    if countries:
        return events.filter(
            source_country_id__in=countries, target_country_id__in=countries
        )
    busiest = list(_pair_counts(events)[:DEFAULT_PAIRS])
    pairs = Q(pk__in=[])
    for row in busiest:
        pairs |= Q(source_country_id=row["a"], target_country_id=row["b"])
        pairs |= Q(source_country_id=row["b"], target_country_id=row["a"])
    return events.filter(pairs)


def _countries_with_events():
    involved = Event.objects.visible().interstate()
    return Country.objects.filter(
        Q(code__in=involved.values("source_country_id"))
        | Q(code__in=involved.values("target_country_id"))
    ).only("code", "name")


def _legend() -> dict:
    return {
        "intensities": [
            (i * 10, display.intensity_colour(value))
            for i, value in enumerate(LEGEND_INTENSITIES)
        ],
        "scale_width": 10 * len(LEGEND_INTENSITIES),
        "statuses": list(STATUS_STYLES.items()),
    }


@login_required
def country(request, code: str):
    country = get_object_or_404(Country, code=code.upper())
    events = Event.objects.visible().for_country(country.code)
    context = {
        "country": country,
        "partners": _partners(events.interstate(), country.code),
        "recent_events": _latest_first(events.with_related())[:20],
        "actors": _actors_seen(country.code),
        "event_total": events.count(),
    }
    return render(request, "tensions/country.html", context)


def _partners(events, code: str) -> list[dict]:
    partner = Case(
        When(source_country_id=code, then=F("target_country_id")),
        default=F("source_country_id"),
    )
    rows = list(
        events.order_by()
        .values(partner_code=partner)
        .annotate(
            n=Count("id"),
            conflict=Count("id", filter=Q(intensity__lt=0)),
            cooperation=Count("id", filter=Q(intensity__gt=0)),
        )
        .order_by("-n", "partner_code")
    )
    names = _country_names(row["partner_code"] for row in rows)
    for row in rows:
        row["name"] = names.get(row["partner_code"], row["partner_code"])
    return rows


def _actors_seen(code: str):
    return (
        Actor.objects.filter(country_id=code)
        .exclude(kind=Actor.Kind.STATE)
        .annotate(
            as_source=Count("events_as_source", distinct=True),
            as_target=Count("events_as_target", distinct=True),
        )
        .filter(Q(as_source__gt=0) | Q(as_target__gt=0))
        .order_by("-as_source", "name")
    )


@login_required
def event(request, pk: int):
    mentions = Mention.objects.select_related("article").order_by(
        "article__published", "article_id", "start"
    )
    event = get_object_or_404(
        Event.objects.with_related().prefetch_related(Prefetch("mentions", mentions)),
        pk=pk,
    )
    context = {
        "event": event,
        "sentence": display.event_sentence(event),
        "date_label": display.event_date_label(event),
        "colour": display.intensity_colour(event.intensity),
        "evidence": [
            (m, display.paragraph_around(m.article.text, m.start, m.end, m.sentence))
            for m in event.mentions.all()
        ],
    }
    return render(request, "tensions/event.html", context)
