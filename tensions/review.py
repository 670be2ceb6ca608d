"""Analyst review: confirm, reject, edit, merge, split — each kept in the history.

Every action takes the version the analyst saw. The event row is locked and its
version compared, so of two concurrent edits the second is refused with the
current event (ReviewConflict) instead of silently overwriting the first.
Reviewed events are never touched by reprocessing (see services.events_record).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tensions import extraction, relations
from tensions.extraction import taxonomy
from tensions.models import Actor, Country, Event, Mention, Revision
from tensions.services import actor_resolve, event_recount

EDITABLE = (
    "type",
    "mode",
    "status",
    "source_country",
    "target_country",
    "source_actor",
    "target_actor",
    "date",
    "date_precision",
    "what",
)


class ReviewConflict(Exception):
    """Someone changed the event since the analyst loaded it."""

    def __init__(self, event: Event):
        self.event = event
        super().__init__(
            f"Event {event.pk} was changed by someone else since you opened it "
            f"(it is now at version {event.version}). Review the current version "
            "and apply your change again."
        )


def event_snapshot(event: Event) -> dict:
    """The reviewable fields as JSON: what the history stores before and after."""
    return {
        "type": event.type,
        "mode": event.mode,
        "status": event.status,
        "source_country": event.source_country_id,
        "target_country": event.target_country_id,
        "source_actor": str(event.source_actor),
        "target_actor": str(event.target_actor) if event.target_actor_id else None,
        "date": event.date.isoformat() if event.date else None,
        "date_precision": event.date_precision,
        "what": event.what,
        "review_state": event.review_state,
        "mentions": event.mention_count,
    }


def changes_validate(*, event: Event, changes: dict) -> dict:
    """`changes` checked against the event they apply to, as model values.

    Raises ValidationError with one message per bad field.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be edited: {', '.join(unknown)}.")
    merged = {name: _current(event, name) for name in EDITABLE} | changes
    errors: dict[str, str] = {}
    for check in (_check_type, _check_status, _check_countries, _check_date):
        errors |= check(merged)
    if errors:
        raise ValidationError(errors)
    return _actors_settle(merged, changes)


def _current(event: Event, name: str):
    if name in ("source_country", "target_country", "source_actor", "target_actor"):
        return getattr(event, f"{name}_id")
    return getattr(event, name)


def _check_type(data: dict) -> dict:
    if data["type"] not in taxonomy.TYPES:
        return {"type": f"Unknown event type {data['type']!r}."}
    modes = taxonomy.TYPES[data["type"]].modes
    if data["mode"] and modes and data["mode"] not in modes:
        allowed = ", ".join(sorted(modes))
        return {"mode": f"{data['type']} has no mode {data['mode']!r} ({allowed})."}
    return {}


def _check_status(data: dict) -> dict:
    if data["status"] not in taxonomy.STATUSES:
        allowed = ", ".join(taxonomy.STATUSES)
        return {"status": f"Unknown status {data['status']!r}; use one of {allowed}."}
    return {}


def _check_countries(data: dict) -> dict:
    errors = {}
    codes = {k: data[k] for k in ("source_country", "target_country") if data[k]}
    known = set(Country.objects.filter(code__in=codes.values()).values_list("code"))
    known = {code for (code,) in known}
    for name, code in codes.items():
        if code not in known:
            errors[name] = f"Unknown country code {code!r} (use ISO alpha-3)."
    if data["source_country"] and data["source_country"] == data["target_country"]:
        errors["target_country"] = "The source and the target are the same country."
    return errors


def _check_date(data: dict) -> dict:
    date = data["date"]
    if isinstance(date, str):
        try:
            date = data["date"] = dt.date.fromisoformat(date)
        except ValueError:
            return {"date": f"{date!r} is not a date (YYYY-MM-DD)."}
    if date and date > timezone.localdate():
        return {"date": "The date is in the future; events are what happened."}
    if data["date_precision"] and data["date_precision"] not in taxonomy.PRECISIONS:
        return {"date_precision": "Use day, month or year."}
    return {}


def _actors_settle(merged: dict, changes: dict) -> dict:
    """Model values for the changes: a side whose country changed without a new
    actor is acted by the state itself."""
    values = {k: v for k, v in merged.items() if k in changes}
    for side in ("source", "target"):
        country = merged[f"{side}_country"]
        if f"{side}_country" in changes and f"{side}_actor" not in changes:
            values[f"{side}_actor"] = _state_actor(country)
        elif f"{side}_actor" in changes and values[f"{side}_actor"] is not None:
            values[f"{side}_actor"] = Actor.objects.get(pk=values[f"{side}_actor"])
    if values.get("source_actor", "") is None:
        raise ValidationError({"source_country": "An event needs a source."})
    return values


def _state_actor(code: str | None) -> Actor | None:
    if not code:
        return None
    name = Country.objects.get(pk=code).name
    return actor_resolve(actor=extraction.Actor(name=name, kind="state", country=code))


# Actions ---------------------------------------------------------------------


def _locked(event_id: int, version: int | None) -> Event:
    """The event, locked; a conflict unless at `version` (None: as it is now)."""
    event = Event.objects.select_for_update().get(pk=event_id)
    if version is not None and event.version != version:
        raise ReviewConflict(event)
    return event


def _record(event: Event, *, action: str, user, before: dict, reason: str) -> Event:
    event.version += 1
    event.save()
    Revision.objects.create(
        event=event,
        user=user,
        action=action,
        before=before,
        after=event_snapshot(event),
        reason=reason,
        version=event.version,
    )
    return event


@transaction.atomic
def event_confirm(*, event_id: int, user, version: int, reason: str = "") -> Event:
    """Mark the event right as it stands."""
    return _state_set(event_id, user, version, reason, Event.ReviewState.CONFIRMED)


@transaction.atomic
def event_reject(*, event_id: int, user, version: int, reason: str = "") -> Event:
    """Hide the event from timelines and indexes (it stays, and can be shown)."""
    return _state_set(event_id, user, version, reason, Event.ReviewState.REJECTED)


def _state_set(event_id, user, version, reason, state) -> Event:
    event = _locked(event_id, version)
    before, cells = event_snapshot(event), relations.event_cells(event)
    event.review_state = state
    action = (
        Revision.Action.REJECT
        if state == Event.ReviewState.REJECTED
        else Revision.Action.CONFIRM
    )
    _record(event, action=action, user=user, before=before, reason=reason)
    relations.relations_refresh(cells=cells | relations.event_cells(event))
    return event


@transaction.atomic
def event_edit(
    *, event_id: int, user, version: int, changes: dict, reason: str = ""
) -> Event:
    """Change what the event says; it becomes edited, beyond reprocessing's reach."""
    event = _locked(event_id, version)
    values = changes_validate(event=event, changes=changes)
    before, cells = event_snapshot(event), relations.event_cells(event)
    for name, value in values.items():
        setattr(event, name, value)
    event.intensity = taxonomy.intensity(event.type, event.mode)
    event.review_state = Event.ReviewState.EDITED
    _record(event, action=Revision.Action.EDIT, user=user, before=before, reason=reason)
    relations.relations_refresh(cells=cells | relations.event_cells(event))
    return event


@transaction.atomic
def events_merge(
    *,
    event_id: int,
    other_id: int,
    user,
    version: int,
    other_version: int | None = None,
    reason: str = "",
) -> Event:
    """Move `other`'s evidence onto the event and delete `other` (taken as it is
    now when no `other_version` is given)."""
    if event_id == other_id:
        raise ValidationError({"other": "An event cannot be merged with itself."})
    if not Event.objects.filter(pk=other_id).exists():
        raise ValidationError({"other": f"There is no event {other_id}."})
    first, second = sorted([(event_id, version), (other_id, other_version)])
    locked = {pk: _locked(pk, v) for pk, v in (first, second)}  # id order: no deadlock
    event, other = locked[event_id], locked[other_id]
    before = event_snapshot(event) | {"merged": other_id, "merged_event": str(other)}
    cells = relations.event_cells(event) | relations.event_cells(other)
    other.mentions.update(event=event)
    other.delete()
    event.review_state = Event.ReviewState.EDITED
    event_recount(event=event)
    _record(
        event, action=Revision.Action.MERGE, user=user, before=before, reason=reason
    )
    relations.relations_refresh(cells=cells | relations.event_cells(event))
    return event


@transaction.atomic
def mention_split(*, mention_id: int, user, version: int, reason: str = "") -> Event:
    """Make one mention its own event, told as its article tells it."""
    mention = Mention.objects.select_related("article").get(pk=mention_id)
    event = _locked(mention.event_id, version)
    if event.mention_count <= 1:
        raise ValidationError({"mention": "The event has no other evidence to keep."})
    before, cells = event_snapshot(event), relations.event_cells(event)
    new = Event.objects.create(**_split_fields(event, mention))
    mention.event = new
    mention.save(update_fields=["event"])
    for changed in (event, new):
        changed.review_state = Event.ReviewState.EDITED
        event_recount(event=changed)
    _record(
        event, action=Revision.Action.SPLIT, user=user, before=before, reason=reason
    )
    _record(
        new,
        action=Revision.Action.SPLIT,
        user=user,
        before={"split_from": event.pk},
        reason=reason,
    )
    relations.relations_refresh(cells=cells | relations.event_cells(event))
    relations.relations_refresh(cells=relations.event_cells(new))
    return new


def _split_fields(event: Event, mention: Mention) -> dict:
    """The mention's own account where it has one, else the event's fields."""
    fields = {name: getattr(event, name) for name in _COPIED}
    if mention.type:
        fields |= {name: getattr(mention, name) for name in _COPIED}
        fields["intensity"] = taxonomy.intensity(mention.type, mention.mode)
    fields["first_reported"] = mention.article.published
    return fields


_COPIED = (
    "type",
    "mode",
    "status",
    "context",
    "channel",
    "source_actor_id",
    "target_actor_id",
    "source_country_id",
    "target_country_id",
    "date",
    "date_precision",
    "what",
    "intensity",
    "confidence",
)
