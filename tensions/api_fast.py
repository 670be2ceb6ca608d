"""The events and relations lists answered with SQL written by hand, for the
questions clients ask most (a pair, a period, a country, a few filters).

Why it exists: a cold events page took about 6 ms in-process, of which the
query in PostgreSQL and its round trip were about one; django-filter resolving
its WHERE terms (`Least`, `Greatest`, `Coalesce`) anew for every request and
Django compiling the SQL again were over 40 % of it. Here each parameter is
checked by hand, a parameterised WHERE term is added for it (no input is ever
put into the SQL text), and the rows are read with one statement, prepared once
per connection on PostgreSQL (tensions/prepared.py): an events page joins its
actors around an inner ORDER BY ... LIMIT, so that the plan PostgreSQL may keep
for all the pages of a question still stops after a page's rows (bench/README.md
lists the plans). Rows come back as tuples named by their columns.

The answer stays the one the general path gives, byte for byte: the view still
authenticates, checks permissions and throttles as a DRF view; an events page
answered in compact JSON (what clients ask for) is written row by row to the text
the JSON renderer makes of `event_row_data` (about 15 % of a cold page's CPU, in
building dicts and encoding them, saved), and so is a relations page from the rows
`_row_finish` makes (0.13 ms of a cold page's 1.1 saved, bench/README.md,
session 7); other renderings use the general path's code (`event_row_data`; the
relations serializer); and the page and its `next`/`previous` links come from the
view's own paginator, to which `_Rows` offers the three things DRF's cursor code
asks of a QuerySet (`order_by`, `filter` on the position, a slice). The terms are
the SQL that EventFilter and RelationFilter make, as Django writes it for the same
backend (tests/tensions/test_api_fast.py compares both paths' answers).

On PostgreSQL a compact JSON events page reads less: each event's JSON, which a
trigger writes beside its row (migration tensions 0013), in two texts around
what the page writes itself (the id, the URL, the CAMEO root). An event whose
texts the trigger left out (a context that is not a list of strings) has its
page read and written from the columns instead. Reading 30 values an event and
its two actors, and writing them, were over half of a cold page's CPU
(bench/README.md, session 11).

A client signing in with a token has its events page computed afresh while it
is authenticated (`events_page_signed`, through api_auth's hook): the page's
statement also reads the token's user, so one round trip does the work of two.
The user is then refused or let in as api_auth would, permissions and throttles
are checked after, as for any request, and a question this module leaves to the
general path has its token checked by api_auth's own query.

Anything else (another parameter, a repeated one, a value a filter would refuse,
a database other than PostgreSQL or SQLite) gets None, and the view takes the
general path, which answers it, its 400s included. API_FAST_PATH=false turns
this module off.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer

from tensions import api, api_auth, prepared, relations
from tensions.extraction import taxonomy
from tensions.models import UNDATED, Actor, DyadPeriod, Event, Period

_EVENT_PARAMS = {
    "pair", "country", "source", "target", "type", "status", "channel", "mode",
    "review_state", "min_confidence", "min_articles", "date_from", "date_to",
    "day_from", "day_to", "ordering", "rejected", "cursor", "page_size",
}  # fmt: skip
_RELATION_PARAMS = {
    "period", "pair", "country", "date_from", "date_to", "directed", "cursor",
    "page_size",
}  # fmt: skip
_CHOICES = {
    "type": set(Event.Type.values),
    "status": set(Event.Status.values),
    "channel": set(Event.Channel.values),
    "review_state": set(Event.ReviewState.values),
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?\d{1,15}(\.\d{1,15})?")
_COUNT = re.compile(r"\d{1,9}")


class _Unsupported(Exception):
    """A question this module leaves to the general path."""


def events_page(request, view) -> list[dict] | bytes | None:
    """An events page: the body of its answer when that is compact JSON, else its
    rendered rows; with the view's paginator set up for its links; None when the
    general path must answer."""
    try:
        query = _Query(request, _EVENT_PARAMS)
        rows = _event_rows(query, texts=_compact_json(request))
        rows = view.paginator.paginate_queryset(rows, request, view)
    except _Unsupported:
        return None
    return _events_answer(request, view, rows)


def events_page_signed(request, view, key: str) -> tuple[tuple, list | bytes] | None:
    """For a client signing in with the token `key`: the user and token it signs
    in (as api_auth's authentication returns them) and its events page (as
    `events_page`), both read by the page's one statement. None when the key is
    unknown, its user inactive or the question one this module leaves to the
    general path: nothing is decided then, and the token is checked as usual."""
    signature = _Signature(key)
    try:
        query = _Query(request, _EVENT_PARAMS)
        rows = _event_rows(query, signature, texts=_compact_json(request))
        page = view.paginator.paginate_queryset(rows, request, view)
    except (_Unsupported, exceptions.APIException):  # asked again once signed in
        return None
    if signature.row is None:  # an unknown key, or no statement ran
        return None
    if (signed := api_auth.signed_in(key, signature.row)) is None:
        return None
    return signed, _events_answer(request, view, page)


def _events_answer(request, view, rows: list) -> list[dict] | bytes:
    if _compact_json(request):
        return _json_page(view.paginator, _events_json(rows))
    return [api.event_row_data(_event_dict(row)) for row in rows]


def relations_page(request, view, *, directed: bool) -> list[dict] | None:
    """The rows of a relations page (before `_row_finish`), with the view's
    paginator set up for its links; None when the general path must answer."""
    try:
        query = _Query(request, _RELATION_PARAMS)
        rows = _relation_rows(query, directed)
        return view.paginator.paginate_queryset(rows, request, view)
    except _Unsupported:
        return None


def relations_json(request, view, rows: list[dict]) -> bytes | None:
    """The body of a relations page's answer when that is compact JSON, from
    its finished rows (those RelationSerializer renders); else None."""
    if not _compact_json(request):
        return None
    return _json_page(view.paginator, [_relation_json(row) for row in rows])


# The query string, read as the filter forms read it --------------------------


class _Query:
    def __init__(self, request, known: set[str]):
        self.params = request.query_params
        if not settings.API_FAST_PATH or connection.vendor not in _LITERALS:
            raise _Unsupported
        if not known.issuperset(self.params):
            raise _Unsupported

    def raw(self, name: str) -> str:
        """The value given ("" when absent), if given at most once."""
        values = self.params.getlist(name)
        if len(values) > 1 or any("\x00" in value for value in values):
            raise _Unsupported
        return values[0] if values else ""

    def text(self, name: str) -> str:
        """As a CharField, DateField or DecimalField reads it: stripped."""
        return self.raw(name).strip()

    def choice(self, name: str, choices) -> str:
        """As a ChoiceField reads it: not stripped, one of the choices or ""."""
        value = self.raw(name)
        if value and value not in choices:
            raise _Unsupported
        return value

    def choices(self, name: str) -> list[str]:
        values = self.params.getlist(name)
        if not set(values) <= _CHOICES[name]:
            raise _Unsupported
        return values

    def day(self, name: str) -> dt.date | None:
        value = self.text(name)
        return _iso_day(value) if value else None

    def matching(self, name: str, pattern: re.Pattern) -> str:
        value = self.text(name)
        if value and not pattern.fullmatch(value):
            raise _Unsupported
        return value

    def pair(self) -> tuple[str, str] | None:
        value = self.text("pair")
        try:
            return api.pair_codes(value) if value else None
        except serializers.ValidationError:
            raise _Unsupported from None


def _iso_day(value: str) -> dt.date:
    if not _ISO_DAY.fullmatch(value):
        raise _Unsupported
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Unsupported from None


# A QuerySet as far as CursorPagination uses one -------------------------------


@dataclasses.dataclass(frozen=True)
class _Rows:
    """SELECT ... FROM ... [WHERE terms] [GROUP BY]: DRF's cursor pagination
    orders it, bounds it by the position in its cursor and slices one page, which
    `around` may join to other tables (in `outer` order): below the LIMIT, a plan
    kept for every page of the question can stop after a page's rows."""

    select: str
    terms: tuple[str, ...]
    params: tuple
    group: str
    columns: dict[str, str]  # what the paginator orders by -> its SQL
    convert: Callable[[tuple], object]  # to the row the paginator reads
    around: str = ""  # a SELECT of the page, as {page}, ending ORDER BY {order}
    outer: dict[str, str] = dataclasses.field(default_factory=dict)  # in `around`
    ordering: tuple[str, ...] = ()
    signature: _Signature | None = None  # a token `around` reads too
    # Another (select, around, convert) read first; its rows stand unless one
    # has no text (see _text_missing), and then this query's are read.
    texts: tuple[str, str, Callable[[tuple], object]] | None = None

    def where(self, term: str, *params) -> _Rows:
        return self._with(terms=(*self.terms, term), params=(*self.params, *params))

    def order_by(self, *ordering: str) -> _Rows:
        return self._with(ordering=ordering)

    def _with(self, **changes) -> _Rows:
        # dataclasses.replace, without its per-field checks and frozen setattrs
        # (a page's terms made 7 copies: a third of its query building).
        rows = object.__new__(_Rows)
        rows.__dict__.update(self.__dict__, **changes)
        return rows

    def filter(self, **position) -> _Rows:
        ((lookup, value),) = position.items()
        name, operator = lookup.rsplit("__", 1)
        bound = _position(name, value)
        return self.where(f"{self.columns[name]} {_OPERATORS[operator]} %s", bound)

    def __getitem__(self, window: slice) -> list:
        params = (*self.params, window.stop - window.start, window.start)
        if self.texts is not None:
            rows = self._read(*self.texts, params)
            if not any(map(_text_missing, rows)):
                return rows
        return self._read(self.select, self.around, self.convert, params)

    def _read(self, select: str, around: str, convert, params: tuple) -> list:
        where = f" WHERE {' AND '.join(self.terms)}" if self.terms else ""
        page = (
            f"{select}{where}{self.group} ORDER BY {self._order(self.columns)} "
            "LIMIT %s OFFSET %s"
        )
        if around:
            page = around.format(page=page, order=self._order(self.outer))
        if self.signature is None:
            return list(map(convert, prepared.rows_fetch(page, params)))
        return list(map(convert, self.signature.read(page, params)))

    def _order(self, columns: dict[str, str]) -> str:
        return ", ".join(
            f"{columns[name.lstrip('-')]} "
            + ("DESC" if name.startswith("-") else "ASC")
            for name in self.ordering
        )


_OPERATORS = {"lt": "<", "gt": ">"}


class _Signature:
    """A token the page's statement checks: after the page's columns, each row
    of `around` has those of api_auth.signed_in_sql() for its key (and an empty
    page is one row of them, the page's columns NULL). After the read, `row`
    holds them, or None when the key matched no token."""

    def __init__(self, key: str):
        self.key = key
        self.row: tuple | None = None

    def read(self, sql: str, params: tuple) -> list[tuple]:
        found = prepared.rows_fetch(sql, (self.key, *params))
        if not found:
            return found
        self.row = found[0][-api_auth.signed_in_width() :]
        return [] if found[0][0] is None else found  # rows have an id, first


def _position(name: str, value: str):
    """A cursor's position as the ORM would compare it: a day or a number."""
    if name in ("sort_day", "start"):
        return _day_param(_iso_day(value))
    try:
        number = float(value)
    except ValueError:
        raise _Unsupported from None
    if number != number or abs(number) == float("inf"):
        raise _Unsupported
    return number


def _day_param(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _day(value) -> dt.date | None:
    """A day as the ORM converts it (SQLite gives computed days as text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _json(value):
    """A JSON column as JSONField reads it (text on both backends here)."""
    return json.loads(value) if isinstance(value, str) else value


# SQL per backend --------------------------------------------------------------

# What Django writes for Least, Greatest and Coalesce(day, UNDATED): the same
# expressions the event_pair_day and event_sort_day indexes are built on.
_LITERALS = {
    "postgresql": {
        "least": "LEAST",
        "greatest": "GREATEST",
        "undated": f"'{UNDATED.isoformat()}'::date",
        "each": "JSONB_AGG({})",
    },
    "sqlite": {
        "least": "MIN",
        "greatest": "MAX",
        "undated": f"'{UNDATED.isoformat()}'",
        "each": "JSON_GROUP_ARRAY(JSON({}))",
    },
}


def _sql(name: str) -> str:
    return _LITERALS[connection.vendor][name]


@functools.cache
def _column(model, name: str, alias: str) -> str:
    # Quoted as both backends quote names (the connection costs a lookup per use).
    return f'{alias}."{model._meta.get_field(name).column}"'


# Events -----------------------------------------------------------------------


@functools.cache
def _events_sql(vendor: str) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """The SELECT of an events page's own columns, the SELECT joining its actors
    around it, and the ordering columns of each, once per process."""
    own = [_column(Event, n, "e") for n in api.EVENT_ROW_COLUMNS if "__" not in n]
    sort_day = f"COALESCE({_column(Event, 'day', 'e')}, {_sql('undated')})"
    quote = connection.ops.quote_name
    event = quote(Event._meta.db_table)
    select = (
        f"SELECT {', '.join(own)}, {sort_day} AS {quote('sort_day')} FROM {event} e"
    )
    around = f"SELECT {_events_selected()} FROM {_events_joined()} ORDER BY {{order}}"
    columns = {
        "sort_day": sort_day,
        "intensity": _column(Event, "intensity", "e"),
        "id": _column(Event, "id", "e"),
    }
    return select, around, columns, columns | {"sort_day": f"e.{quote('sort_day')}"}


@functools.cache
def _events_signed_sql(vendor: str) -> str:
    """_events_sql's `around`, each row ending with the token's columns (its
    key's %s first): one row of them after NULLs for an empty page, none for no
    token. Its rows are those of `_event_signed_row`."""
    return (
        f"SELECT {_events_selected()}, w.* FROM ({api_auth.signed_in_sql()}) w "
        f"LEFT OUTER JOIN ({_events_joined()}) ON TRUE ORDER BY {{order}}"
    )


def _events_selected() -> str:
    """The columns `around` reads of a page and its actors (the id first), then
    the page's sort day: those of `_event_row`."""
    selected = [_event_column(name) for name in api.EVENT_ROW_COLUMNS]
    return f"{', '.join(selected)}, e.{connection.ops.quote_name('sort_day')}"


def _events_joined() -> str:
    """An events page (as {page}) joined to its source and target actors."""
    actor = connection.ops.quote_name(Actor._meta.db_table)
    return (
        f"({{page}}) e INNER JOIN {actor} s ON {_column(Actor, 'id', 's')} = "
        f"{_column(Event, 'source_actor', 'e')} LEFT OUTER JOIN {actor} t ON "
        f"{_column(Actor, 'id', 't')} = {_column(Event, 'target_actor', 'e')}"
    )


def _event_column(name: str) -> str:
    if "__" not in name:
        return _column(Event, name, "e")
    relation, field = name.split("__")
    return _column(Actor, field, "s" if relation == "source_actor" else "t")


@functools.cache
def _event_row() -> type:
    """An events page's row: a tuple whose values the paginator and the JSON
    writer read by name."""
    return collections.namedtuple("EventRow", (*api.EVENT_ROW_COLUMNS, "sort_day"))


@functools.cache
def _event_signed_row() -> type:
    """`_event_row`, then the columns of the token's user (read, not copied)."""
    user = [f"token_user_{n}" for n in range(api_auth.signed_in_width())]
    return collections.namedtuple("EventRow", (*_event_row()._fields, *user))


# Read instead on PostgreSQL for a compact JSON page: each event's API text as
# the trigger of migration tensions 0013 keeps it, in two parts, and what the
# page writes around them (see _event_text_json) or orders by.
_TEXT_COLUMNS = ("id", "type", "mode", "intensity", "api_head", "api_tail")


@functools.cache
def _events_texts(signed: bool) -> tuple[str, str, Callable[[tuple], object]]:
    """The select, around and convert of a page of events' texts (with the
    token's columns after them when `signed`, as _events_signed_sql)."""
    quote = connection.ops.quote_name
    event = quote(Event._meta.db_table)
    sort_day = _events_sql(connection.vendor)[2]["sort_day"]
    read = [f"e.{quote(name)}" for name in _TEXT_COLUMNS]
    select = (
        f"SELECT {', '.join(read)}, {sort_day} AS {quote('sort_day')} FROM {event} e"
    )
    fields = (*_TEXT_COLUMNS, "sort_day")
    if not signed:
        return select, "", collections.namedtuple("EventText", fields)._make
    user = [f"token_user_{n}" for n in range(api_auth.signed_in_width())]
    around = (
        f"SELECT {', '.join(read)}, e.{quote('sort_day')}, w.* "
        f"FROM ({api_auth.signed_in_sql()}) w "
        "LEFT OUTER JOIN ({page}) e ON TRUE ORDER BY {order}"
    )
    return select, around, collections.namedtuple("EventText", (*fields, *user))._make


def _text_missing(row) -> bool:
    """Whether the trigger left this event's text to the columns' writer."""
    return row.api_head is None


def _event_dict(row) -> dict:
    """The row as the general path reads it."""
    found = row._asdict()
    for name in ("date", "first_reported", "sort_day"):
        found[name] = _day(found[name])
    found["context"] = _json(found["context"])
    return found


def _event_rows(
    query: _Query, signature: _Signature | None = None, *, texts: bool = False
) -> _Rows:
    """The question's events; with `texts`, on PostgreSQL, read as the texts
    of their compact JSON (_events_texts) where the trigger wrote them."""
    select, around, columns, outer = _events_sql(connection.vendor)
    convert = _event_row()._make
    if signature is not None:
        around, convert = (
            _events_signed_sql(connection.vendor),
            _event_signed_row()._make,
        )
    rows = _Rows(select, (), (), "", columns, convert, around, outer, (), signature)
    if texts and connection.vendor == "postgresql":
        rows = rows._with(texts=_events_texts(signature is not None))
    if query.params.get("rejected") != "1":  # as Event.objects.visible()
        rejected = Event.ReviewState.REJECTED.value
        rows = rows.where(f"NOT ({_column(Event, 'review_state', 'e')} = %s)", rejected)
    for add in (_by_countries, _by_choices, _by_numbers, _by_days):
        rows = add(query, rows)
    query.choice("ordering", api.EVENT_ORDERINGS)  # the paginator reads it
    return rows


def _by_countries(query: _Query, rows: _Rows) -> _Rows:
    source, target = (_column(Event, f"{n}_country", "e") for n in ("source", "target"))
    if pair := query.pair():
        low, high = sorted(pair)
        rows = rows.where(f"{_sql('least')}({source}, {target}) = %s", low)
        rows = rows.where(f"{_sql('greatest')}({source}, {target}) = %s", high)
    if country := query.text("country").upper():
        rows = rows.where(f"({source} = %s OR {target} = %s)", country, country)
    for name, column in (("source", source), ("target", target)):
        if value := query.text(name).upper():  # as stored: an index serves it
            rows = rows.where(f"{column} = %s", value)
    if mode := query.text("mode"):
        rows = rows.where(f"{_column(Event, 'mode', 'e')} = %s", mode)
    return rows


def _by_choices(query: _Query, rows: _Rows) -> _Rows:
    for name in _CHOICES:
        if values := sorted(set(query.choices(name))):
            either = " OR ".join([f"{_column(Event, name, 'e')} = %s"] * len(values))
            rows = rows.where(f"({either})", *values)
    return rows


def _by_numbers(query: _Query, rows: _Rows) -> _Rows:
    if confidence := query.matching("min_confidence", _DECIMAL):
        # The form's Decimal, as FloatField prepares it.
        rows = rows.where(
            f"{_column(Event, 'confidence', 'e')} >= %s", float(Decimal(confidence))
        )
    if articles := query.matching("min_articles", _COUNT):
        rows = rows.where(
            f"{_column(Event, 'article_count', 'e')} >= %s", int(articles)
        )
    return rows


def _by_days(query: _Query, rows: _Rows) -> _Rows:
    # As EventFilter.filter_day_range: on the sort day, and the field not null.
    for field in ("date", "day"):
        for bound, operator in (("from", ">="), ("to", "<=")):
            if day := query.day(f"{field}_{bound}"):
                rows = rows.where(
                    f"{rows.columns['sort_day']} {operator} %s "
                    f"AND {_column(Event, field, 'e')} IS NOT NULL",
                    _day_param(day),
                )
    return rows


# An events page's JSON, written row by row ------------------------------------

# DRF would build a dict per row (event_row_data) and encode the page; here each
# row is written straight to the text the JSON renderer makes of that dict
# (compact, UTF-8): strings by the json module's own escaper, floats by repr as
# json does, days in ISO, the context re-written without its separators' spaces.
# tests/tensions/test_api_fast.py compares the bytes with the general path's.

_PLAIN_STRINGS = re.compile(r'\[("[^"\\]*"(, "[^"\\]*")*)?\]')  # as stored
_escaped = json.encoder.encode_basestring  # json.dumps's, ensure_ascii off


def _compact_json(request) -> bool:
    """Whether the answer is the JSON renderer's compact UTF-8 text."""
    renderer = getattr(request, "accepted_renderer", None)
    return (
        type(renderer) is JSONRenderer
        and request.accepted_media_type == renderer.media_type
        and renderer.compact
        and not renderer.ensure_ascii
    )


def _json_page(paginator, rows: list[str]) -> bytes:
    """What the paginator's response renders to, around the rows' JSON."""
    next_, previous = (
        "null" if link is None else _escaped(link)
        for link in (paginator.get_next_link(), paginator.get_previous_link())
    )
    text = f'{{"next":{next_},"previous":{previous},"results":[{",".join(rows)}]}}'
    # As JSONRenderer: valid JSON, but not JavaScript unless escaped.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def _events_json(rows: list) -> list[str]:
    # One query read the page: an actor's columns are the same on each of its
    # rows, and contexts and days repeat, so each is written once per page.
    if rows and hasattr(rows[0], "api_head"):
        before, after = _url_json()
        return [_event_text_json(row, before, after) for row in rows]
    page = _Written(_url_json(), {None: "null"}, {}, {None: "null"})
    return [_event_json(row, page) for row in rows]


def _event_text_json(row, before: str, after: str) -> str:
    """_event_json's text, from the parts the trigger wrote."""
    return (
        f'{{"id":{row.id},"url":{before}{row.id}{after},{row.api_head},'
        f'"cameo_root":{_cameo_json(row.type, row.mode)},{row.api_tail}}}'
    )


class _Written(NamedTuple):
    url: tuple[str, str]  # an event's URL, before and after its id
    actors: dict[int | None, str]
    contexts: dict[str, str]
    days: dict[dt.date | str | None, str]


def _event_json(row, page: _Written) -> str:
    """api.event_row_data(row) as the JSON renderer writes it."""
    actors, (before, after) = page.actors, page.url
    if (source := actors.get(row.source_actor_id)) is None:
        source = actors[row.source_actor_id] = _actor_json(
            row.source_actor_id, row.source_actor__name, row.source_actor__kind,
            row.source_actor__title, row.source_actor__country_id,
        )  # fmt: skip
    if (target := actors.get(row.target_actor_id)) is None:
        target = actors[row.target_actor_id] = _actor_json(
            row.target_actor_id, row.target_actor__name, row.target_actor__kind,
            row.target_actor__title, row.target_actor__country_id,
        )  # fmt: skip
    if (context := page.contexts.get(row.context)) is None:
        context = page.contexts[row.context] = _context_json(row.context)
    if (date := page.days.get(row.date)) is None:
        date = page.days[row.date] = _day_json(row.date)
    if (reported := page.days.get(row.first_reported)) is None:
        reported = page.days[row.first_reported] = _day_json(row.first_reported)
    return (
        f'{{"id":{row.id},"url":{before}{row.id}{after},"type":{_escaped(row.type)},'
        f'"mode":{_escaped(row.mode)},"context":{context},'
        f'"status":{_escaped(row.status)},"channel":{_escaped(row.channel)},'
        f'"source":{source},"target":{target},'
        f'"source_country":{_text_json(row.source_country_id)},'
        f'"target_country":{_text_json(row.target_country_id)},'
        f'"date":{date},'
        f'"date_precision":{_escaped(row.date_precision)},'
        f'"what":{_escaped(row.what)},"intensity":{_float_json(row.intensity)},'
        f'"cameo_root":{_cameo_json(row.type, row.mode)},'
        f'"confidence":{_float_json(row.confidence)},'
        f'"review_state":{_escaped(row.review_state)},"version":{row.version},'
        f'"mention_count":{row.mention_count},'
        f'"article_count":{row.article_count},'
        f'"publisher_count":{row.publisher_count},'
        f'"first_reported":{reported}}}'
    )


def _actor_json(pk: int, name: str, kind: str, title: str, country: str | None) -> str:
    """The source or target of api.event_row_data(row), as the renderer writes it."""
    return (
        f'{{"id":{pk},"name":{_escaped(name)},"kind":{_escaped(kind)},'
        f'"title":{_escaped(title)},"country":{_text_json(country)}}}'
    )


@functools.cache
def _url_json() -> tuple[str, str]:
    """api.event_url's JSON text, before and after the event's id."""
    mark = 918273645
    before, after = _escaped(api.event_url(mark)).split(str(mark))
    return before, after


@functools.lru_cache(maxsize=1024)
def _cameo_json(type_: str, mode: str) -> str:
    return _escaped(taxonomy.cameo_root(type_, mode))


def _text_json(text: str | None) -> str:
    return "null" if text is None else _escaped(text)


def _day_json(day: dt.date | str | None) -> str:
    return "null" if day is None else f'"{day}"'  # ISO, as a date or text


def _float_json(value) -> str:
    if not math.isfinite(value := float(value)):  # as the (strict) renderer
        raise ValueError("Out of range float values are not JSON compliant")
    return float.__repr__(value)


def _relation_json(row: dict) -> str:
    """RelationSerializer.to_representation(row) as the renderer writes it."""
    return (
        f'{{"source":{_escaped(row["a"])},"target":{_escaped(row["b"])},'
        f'"directed":{"true" if row["directed"] else "false"},'
        f'"period":{_escaped(row["period"])},"start":"{row["start"].isoformat()}",'
        f'"end":"{row["end"].isoformat()}","events":{int(row["events"])},'
        f'"by_type":{_counts_json(row["by_type"])},'
        f'"by_status":{_counts_json(row["by_status"])},'
        f'"conflict":{_float_json(row["conflict"])},'
        f'"cooperation":{_float_json(row["cooperation"])},'
        f'"index":{_float_json(row["index"])},'
        f'"events_url":{_escaped(row["events_url"])}}}'
    )


def _counts_json(counts: dict) -> str:
    written = [f"{_escaped(str(key))}:{int(count)}" for key, count in counts.items()]
    return f"{{{','.join(written)}}}"


def _context_json(text: str) -> str:
    if _PLAIN_STRINGS.fullmatch(text):  # no escapes, no other separators inside
        return text.replace('", "', '","')
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


# Relations --------------------------------------------------------------------


@functools.cache
def _relations_sql(vendor: str, directed: bool) -> tuple[str, str, dict, tuple]:
    """SELECT, GROUP BY, ordering columns and row keys of a relations page."""
    table = connection.ops.quote_name(DyadPeriod._meta.db_table)
    source, target = (_column(DyadPeriod, n, "d") for n in ("source", "target"))
    period, start = (_column(DyadPeriod, n, "d") for n in ("period", "start"))
    cells = [_column(DyadPeriod, n, "d") for n in ("events", "conflict", "cooperation")]
    if directed:
        counts = [_column(DyadPeriod, n, "d") for n in ("by_type", "by_status")]
        a, b, group = source, target, ""
        names = ("period", "start", "a", "b", "n", "c", "k", "by_type", "by_status")
    else:
        counts = [
            _sql("each").format(_column(DyadPeriod, n, "d"))
            for n in ("by_type", "by_status")
        ]
        cells = [f"SUM({cell})" for cell in cells]
        a = f"{_sql('least')}({source}, {target})"
        b = f"{_sql('greatest')}({source}, {target})"
        group = f" GROUP BY {period}, {start}, {a}, {b}"
        names = ("period", "start", "a", "b", "n", "c", "k", "types", "statuses")
    selected = ", ".join([period, start, a, b, *cells, *counts])
    select = f"SELECT {selected} FROM {table} d"
    return select, group, {"start": start, "a": a, "b": b}, names


def _relation_row(names: tuple[str, ...], values: tuple) -> dict:
    row = dict(zip(names, values, strict=True))
    row["start"] = _day(row["start"])
    for name in ("by_type", "by_status", "types", "statuses"):
        if name in row:
            row[name] = _json(row[name])
    return row


def _relation_rows(query: _Query, directed: bool) -> _Rows:
    # The view reads `directed` itself, the filter form as NullBooleanSelect
    # does: keep to the values both read alike.
    query.choice("directed", ("true", "false"))
    select, group, columns, names = _relations_sql(connection.vendor, directed)
    convert = functools.partial(_relation_row, names)
    rows = _Rows(select, (), (), group, columns, convert)
    period = query.choice("period", Period.values)
    if "period" in query.params and not period:
        raise _Unsupported  # the view drops the month default, the filter not
    rows = rows.where(f"{_column(DyadPeriod, 'period', 'd')} = %s", period or "month")
    source, target = (_column(DyadPeriod, n, "d") for n in ("source", "target"))
    if pair := query.pair():
        a, b = pair
        either = f"({source} = %s AND {target} = %s)"
        if directed:
            rows = rows.where(either, a, b)
        else:
            rows = rows.where(f"({either} OR {either})", a, b, b, a)
    if country := query.text("country").upper():
        rows = rows.where(f"({source} = %s OR {target} = %s)", country, country)
    start = columns["start"]
    if first := query.day("date_from"):
        first = relations.period_start(first, period or Period.MONTH)
        rows = rows.where(f"{start} >= %s", _day_param(first))
    if last := query.day("date_to"):
        rows = rows.where(f"{start} <= %s", _day_param(last))
    return rows
