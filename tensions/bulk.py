"""Reading, inserting and updating many rows at once, without the ORM's
per-value work.

`bulk_create` and `bulk_update` prepare every value of every row through the
field's methods and, for updates, build a CASE expression with a branch per
row. Recording a worker's batch writes a few hundred events and mentions that
way, and preparing them cost more than the statements themselves. On
PostgreSQL these write the same rows with one statement each: an insert by
COPY (the values in its text format) and an update joining a VALUES list,
quoted by psycopg2 as its own parameters would be, on the primary key.
Elsewhere (SQLite in development and tests) they are `bulk_create` and
`bulk_update`.

Only the field types the domain's rows use are written directly; any other
field's values go through its own `get_db_prep_save`, as the ORM would.

Reading, `rows_read` makes instances from a `values_list` without
`Model.__init__`, which sorts each value out among positional, keyword and
deferred fields: recording a batch reads some 1,300 stored mentions and their
articles, and building them that way was a fifth of its Python.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, connection, models, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from psycopg2.extras import Json

# Values psycopg2 adapts exactly as the ORM would hand them over.
_AS_THEY_ARE = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def rows_read(model: type[models.Model], names: Sequence[str], rows) -> list:
    """Saved instances of `model`, one per row of values of the attributes
    `names` (attnames: `event_id`, not `event`; the primary key among them),
    as `QuerySet.only` would load them: an attribute not named is deferred."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        # Model.__init__ sends these: take the ORM's way, in its field order.
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in names]
        where = [list(names).index(name) for name in fields]
        return [
            model.from_db(connection.alias, fields, [row[i] for i in where])
            for row in rows
        ]
    made = []
    for row in rows:
        obj = model.__new__(model)
        obj.__dict__.update(zip(names, row, strict=True))
        obj._state = state = ModelState()
        state.adding, state.db = False, connection.alias
        made.append(obj)
    return made


def rows_insert(
    objs: Sequence[models.Model], *, unless_stored: str = ""
) -> list[models.Model]:
    """Insert new rows of one model, setting each one's primary key; returns
    the objects inserted.

    On PostgreSQL the rows of a model keyed by its sequence go in by COPY,
    under keys drawn first: a worker's batch writes some 120 events and 240
    mentions, and as a VALUES list psycopg2 quoted each of their values and
    the server parsed each one as a constant; that took 1.5-2.2 times as long
    (bench/README.md, ingestion, session 15).

    With `unless_stored`, the name of a unique field, a row whose value of it
    is already stored (or being stored by another transaction, once that one
    commits) is left out instead of raising: PostgreSQL's ON CONFLICT DO
    NOTHING, which needs no savepoint to survive the conflict.
    """
    if not objs:
        return []
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return _rows_insert_orm(model, objs, unless_stored)
    meta = model._meta
    fields = _inserted_fields(meta)
    _inserts_prepare(objs, fields)
    copied = not unless_stored and isinstance(meta.pk, models.AutoField)
    if copied and (lines := _copy_lines(objs, fields)) is not None:
        _rows_copy(meta, fields, objs, lines)
        return list(objs)
    values = _values(objs, fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    pk = quote(meta.pk.column)
    returning = pk
    if unless_stored:
        unique = meta.get_field(unless_stored)
        returning = f"{pk}, {quote(unique.column)}"
        values += f" ON CONFLICT ({quote(unique.column)}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES {values} RETURNING {returning}"
        )
        rows = cursor.fetchall()
    if unless_stored:
        # Only the rows inserted come back: found by their unique value (the
        # first of the objects sharing one is the row inserted).
        keys = {value: key for key, value in rows}
        found = [(o, keys.pop(getattr(o, unique.attname), None)) for o in objs]
        keyed = [(obj, key) for obj, key in found if key is not None]
    else:
        # PostgreSQL returns the rows of a multi-row VALUES insert in order.
        keyed = [(obj, key) for obj, (key,) in zip(objs, rows, strict=True)]
    for obj, key in keyed:
        row_inserted(obj, key)
    return [obj for obj, _ in keyed]


def _copy_lines(objs: Sequence[models.Model], fields: list) -> list[str] | None:
    """Each row's values in COPY's text format, tab-separated; None when one
    of them has no such text here (the caller writes a VALUES list)."""
    prepare = [_preparer(f, json_value=json.dumps) for f in fields]
    attnames = [f.attname for f in fields]
    try:
        return [
            "\t".join([_copy_text(v) for v in _row(prepare, attnames, obj)])
            for obj in objs
        ]
    except TypeError:
        return None


# What COPY's text format escapes in a value (a backslash starts an escape:
# a text "\N" must not read as NULL).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value) -> str:
    """A value in COPY's text format, as PostgreSQL reads it back exactly."""
    if value is None:
        return "\\N"
    if isinstance(value, str):  # choices too: their value
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)  # the shortest text giving the same float
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):  # a datetime too; an aware one keeps its offset
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _rows_copy(meta, fields: list, objs: Sequence[models.Model], lines) -> None:
    """Insert the rows by COPY, under keys drawn from the table's sequence
    first (COPY returns nothing), in the objects' order."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(  # OFFSET 0: the sequence looked up once, not once a key
            "SELECT nextval(s.sequence) FROM (SELECT"
            " pg_get_serial_sequence(%s, %s)::regclass AS sequence OFFSET 0) AS s,"
            " generate_series(1, %s)",
            [quote(meta.db_table), meta.pk.column, len(objs)],
        )
        keys = sorted(key for (key,) in cursor.fetchall())
        data = "".join(
            f"{key}\t{line}\n" for key, line in zip(keys, lines, strict=True)
        )
        columns = [f.column for f in [meta.pk, *fields]]
        _copy(cursor, meta.db_table, columns, data)
    for obj, key in zip(objs, keys, strict=True):
        row_inserted(obj, key)


def tuples_copy(table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert plain rows of values (str, int, float, Decimal, date, datetime,
    bool or None) into the `columns` of `table` by COPY (PostgreSQL); the
    table's defaults fill its other columns."""
    if not rows:
        return
    data = "".join("\t".join([_copy_text(v) for v in row]) + "\n" for row in rows)
    with connection.cursor() as cursor:
        _copy(cursor, table, columns, data)


def _copy(cursor, table: str, columns: Sequence[str], data: str) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.wrap_database_errors:  # Django's errors, as execute raises
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({names}) FROM STDIN", io.StringIO(data)
        )


def row_insert_values(obj: models.Model) -> tuple[str, list]:
    """The quoted columns and the values rows_insert writes for a new row,
    for a caller writing its own INSERT statement (PostgreSQL); then
    row_inserted gives the object the key it got."""
    fields = _inserted_fields(obj._meta)
    _inserts_prepare([obj], fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    prepare = [_preparer(f) for f in fields]
    return columns, _row(prepare, [f.attname for f in fields], obj)


def row_inserted(obj: models.Model, key) -> None:
    """Mark an object saved under `key`, as the ORM's insert does."""
    obj.pk = key
    obj._state.adding = False
    obj._state.db = connection.alias


def _inserted_fields(meta) -> list[models.Field]:
    return [f for f in meta.concrete_fields if f is not meta.pk]


def _inserts_prepare(objs: Sequence[models.Model], fields: list) -> None:
    stamped = [
        f
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        # As bulk_create: a related row saved since it was set lends its key.
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
        for field in stamped:
            field.pre_save(obj, add=True)


def _rows_insert_orm(model, objs, unless_stored: str) -> list[models.Model]:
    """rows_insert through bulk_create (SQLite): a row at a time, each in a
    savepoint, when a conflict must leave the row out."""
    if not unless_stored:
        return model.objects.bulk_create(objs)
    inserted = []
    for obj in objs:
        value = getattr(obj, model._meta.get_field(unless_stored).attname)
        try:
            with transaction.atomic():
                model.objects.bulk_create([obj])
        except IntegrityError:
            if not model.objects.filter(**{unless_stored: value}).exists():
                raise  # another constraint than the one named
            continue
        inserted.append(obj)
    return inserted


def rows_update(objs: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write the fields `names` of saved rows of one model (the values set on
    the instances), one statement for all."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, names)
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    values = _values(objs, [meta.pk, *fields])
    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(f.column)} = v.{quote(f.column)}::{f.cast_db_type(connection)}"
        for f in fields
    )
    aliases = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    pk = quote(meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
            f"FROM (VALUES {values}) AS v ({aliases}) WHERE t.{pk} = v.{pk}"
        )


def _values(objs: Sequence[models.Model], fields: list[models.Field]) -> str:
    """The rows as a VALUES list, each value quoted by psycopg2."""
    prepare = [_preparer(f) for f in fields]
    attnames = [f.attname for f in fields]
    template = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        mogrify = cursor.cursor.mogrify  # psycopg2's own quoting
        return b", ".join(
            mogrify(template, _row(prepare, attnames, obj)) for obj in objs
        ).decode()


def _row(prepare: list, attnames: list[str], obj: models.Model) -> list:
    """The object's values of the attributes `attnames` as psycopg2 takes
    them (`prepare` holds each one's _preparer)."""
    return [
        p(value) if p else value
        for p, value in zip(prepare, (getattr(obj, a) for a in attnames), strict=True)
    ]


def _preparer(field: models.Field, *, json_value=Json):
    """None when psycopg2 takes the attribute as it is, else a function; a
    JSON value goes through `json_value`: psycopg2's Json for a VALUES list,
    the same json.dumps text for COPY."""
    kind = field.get_internal_type()
    if kind in _AS_THEY_ARE:
        return None
    if kind == "JSONField":
        return lambda value: None if value is None else json_value(value)
    return lambda value: field.get_db_prep_save(value, connection)


def changes_fold(model: type[models.Model], key: str) -> int:
    """Fold a table of appended changes (a `key` and a count `n` per row, as
    statement-level triggers append them) into one row per key, dropping keys
    whose changes add up to nothing (PostgreSQL); returns how many rows were
    folded. Changes committed while this runs are not among those deleted:
    they stay for the next time."""
    if connection.vendor != "postgresql":
        return 0
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH folded AS (DELETE FROM {table} RETURNING {key}, n),
            kept AS (
                INSERT INTO {table} ({key}, n)
                SELECT {key}, SUM(n) FROM folded GROUP BY {key} HAVING SUM(n) <> 0
            )
            SELECT count(*) FROM folded
            """
        )
        return cursor.fetchone()[0]
