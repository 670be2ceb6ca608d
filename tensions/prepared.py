"""Queries run as server-side prepared statements on PostgreSQL.

PostgreSQL parses and plans a query each time it receives its text: for the API's
short queries that was a fifth to a half of their CPU (an events page 0.44 ->
0.36 ms, the token 0.125 -> 0.065 ms; bench/README.md). Here a text is PREPAREd the
first time a connection runs it (in the same round trip as its first EXECUTE) and
EXECUTEd with its parameters after that. PostgreSQL then keeps its parse tree and,
from the sixth run on, a generic plan if that plan's estimated cost is no worse
than the custom plans' (plan_cache_mode=auto), else it plans each run as before.
psycopg 3 does the same for repeated texts; psycopg2 has no such thing.

The statements a connection holds are tracked on Django's connection object, for
the driver connection they were prepared on (a reconnect starts afresh); a failed
first run leaves it unknown whether its statement exists, so the names are
renewed. At most _MOST statements are prepared per connection; other texts run as
they are, and so do all texts on other databases (SQLite's driver keeps its own
statement cache). Statements live in the server session: a pooler that hands one
client's transactions to several sessions (PgBouncer's transaction mode) would
need its own prepared-statement support in between.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections

_MOST = 100
_PLACEHOLDER = re.compile(r"%%|%s")


@dataclasses.dataclass
class _Statements:
    driver: object  # the driver connection they were prepared on
    generation: int = 0
    names: set[str] = dataclasses.field(default_factory=set)  # this generation's
    prepared: int = 0  # of every generation: they stay until the connection ends


def rows_fetch(sql: str, params: Sequence) -> list[tuple]:
    """The rows of `sql` (with %s placeholders) for `params`."""
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each lookup costs
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            sql = _prepared(db, sql)
        try:
            cursor.execute(sql, params)
        except Exception:
            if sql.startswith("PREPARE"):  # whether it is prepared is unknown now
                _statements_renew(db)
            raise
        return cursor.fetchall()


def _prepared(db, sql: str) -> str:
    statements = _statements(db)
    digest, text, arguments = _statement(sql)
    name = f"tensions_{statements.generation}_{digest}"
    execute = f"EXECUTE {name}{arguments}"
    if name in statements.names:
        return execute
    if statements.prepared >= _MOST:
        return sql
    statements.names.add(name)
    statements.prepared += 1
    return f"PREPARE {name} AS {text}\n; {execute}"  # after a -- comment too


def _statements(db) -> _Statements:
    """This connection's statements (none yet after a reconnect)."""
    statements = getattr(db, "_tensions_statements", None)
    if statements is None or statements.driver is not db.connection:
        statements = db._tensions_statements = _Statements(db.connection)
    return statements


def _statements_renew(db) -> None:
    """New names from now on: none of the old ones is used again."""
    statements = _statements(db)
    statements.generation += 1
    statements.names.clear()


@functools.lru_cache(maxsize=1024)
def _statement(sql: str) -> tuple[str, str, str]:
    """A name for the text, the text with $n parameters, and EXECUTE's arguments."""
    numbers = iter(range(1, 100_000))
    text = _PLACEHOLDER.sub(
        lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql
    )
    count = next(numbers) - 1
    arguments = f"({', '.join(['%s'] * count)})" if count else ""
    return hashlib.blake2s(sql.encode(), digest_size=8).hexdigest(), text, arguments
