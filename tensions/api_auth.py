"""Token authentication in one lean query.

DRF's TokenAuthentication builds an ORM query (token joined to its user) on every
request: building and compiling it cost more than running it. This reads the
same row with fixed SQL, written once per process (and prepared once per database
connection, tensions/prepared.py), and refuses what DRF refuses: an unknown (or
revoked, hence deleted) key and an inactive user.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from tensions import prepared


class LeanTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as DRF's, with the user read in one query."""

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:  # a subclass chose another model
            return super().authenticate_credentials(key)
        found = prepared.rows_fetch(_token_sql(connection.vendor), (key,))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        row = found[0]
        token_columns, user_columns = _columns()
        split = len(token_columns)
        token = Token.from_db(connection.alias, token_columns, row[:split])
        user = get_user_model().from_db(connection.alias, user_columns, row[split:])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token


@functools.cache
def _columns() -> tuple[list[str], list[str]]:
    """Attribute names of the token's fields and of the user's, as selected."""
    return _attnames(Token), _attnames(get_user_model())


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


@functools.cache
def _token_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    token, user = Token._meta, get_user_model()._meta
    selected = [f"t.{quote(f.column)}" for f in token.concrete_fields]
    selected += [f"u.{quote(f.column)}" for f in user.concrete_fields]
    key = quote(token.get_field("key").column)
    user_id = quote(token.get_field("user").column)
    return (
        f"SELECT {', '.join(selected)} "
        f"FROM {quote(token.db_table)} t "
        f"JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = t.{user_id} "
        f"WHERE t.{key} = %s"
    )
