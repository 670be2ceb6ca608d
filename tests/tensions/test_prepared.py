"""Queries run as prepared statements on PostgreSQL (tensions/prepared.py): once
prepared per connection, executed after, prepared again after a reconnect or a
failed first run, never more than the cap; the rows are those of the text."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tensions import prepared
from tests.stack import assert_passes_on_postgres

pytestmark = pytest.mark.django_db

TEXT = "SELECT %s + 1, 'a%%b'"


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (see the last test)")


@pytest.fixture
def room(monkeypatch):
    """Room for a few more statements on this connection, which the suite's
    earlier tests may have filled up to the cap."""
    more = prepared._statements(connection).prepared + 5
    monkeypatch.setattr(prepared, "_MOST", max(prepared._MOST, more))


def _sent(sql: str, params: tuple) -> tuple[list[tuple], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        rows = prepared.rows_fetch(sql, params)
    return rows, [query["sql"] for query in queries]


def test_the_rows_are_those_of_the_text():
    assert prepared.rows_fetch(TEXT, (1,)) == [(2, "a%b")]
    assert prepared.rows_fetch(TEXT, (41,)) == [(42, "a%b")]
    assert prepared.rows_fetch("SELECT 7", ()) == [(7,)]


def test_a_text_is_prepared_once_per_connection(postgres, room):
    text = TEXT + " -- once"
    _, first = _sent(text, (1,))
    rows, then = _sent(text, (2,))

    assert rows == [(3, "a%b")]
    assert first[0].startswith("PREPARE tensions_") and "$1 + 1" in first[0]
    assert len(first) == len(then) == 1
    assert then[0].startswith("EXECUTE tensions_") and then[0].endswith("(2)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_prepares_again(postgres):
    text = TEXT + " -- again"
    _sent(text, (1,))
    connection.close()  # the next query opens another

    rows, sent = _sent(text, (1,))

    assert rows == [(2, "a%b")] and sent[0].startswith("PREPARE")


def test_a_failed_first_run_renews_the_names(postgres, room):
    text = "SELECT 1 / %s -- fails first"
    with pytest.raises(DataError), transaction.atomic():
        prepared.rows_fetch(text, (0,))  # prepared, then failed: a name in doubt

    rows, sent = _sent(text, (1,))

    assert rows == [(1,)] and sent[0].startswith("PREPARE")  # not "already exists"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_more_than_the_cap_are_prepared(postgres, monkeypatch):
    monkeypatch.setattr(prepared, "_MOST", 2)
    connection.close()  # a connection of its own, none prepared yet
    texts = [f"SELECT %s + {n}" for n in range(3)]

    sent = [_sent(text, (1,))[1][0] for text in texts]
    again = [_sent(text, (1,))[1][0] for text in texts]

    assert [s.split()[0] for s in sent] == ["PREPARE", "PREPARE", "SELECT"]
    assert [s.split()[0] for s in again] == ["EXECUTE", "EXECUTE", "SELECT"]


def test_it_holds_on_postgresql():
    assert_passes_on_postgres(__file__, but="test_it_holds_on_postgresql")
