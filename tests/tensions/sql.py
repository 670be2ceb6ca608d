"""The SQL a test saw sent, PostgreSQL's prepared statements read back."""

from django.db import connection


def statement_text(sql: str) -> str:
    """The SQL sent, or on PostgreSQL the prepared statement it EXECUTEs."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s",
            [sql.split()[1].split("(")[0]],
        )
        return cursor.fetchone()[0]
