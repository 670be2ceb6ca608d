"""Token authentication in one lean query.

DRF's TokenAuthentication builds an ORM query (token joined to its user) on every
request: building and compiling it cost more than running it. This reads the
same row with fixed SQL, written once per process (and prepared once per database
connection, tensions/prepared.py), and refuses what DRF refuses: an unknown (or
revoked, hence deleted) key and an inactive user.

A view may also read its answer's rows in the statement that checks the token
(one round trip instead of two): it defines `read_as_token_user(request, key)`,
which runs its statement with `signed_in_sql()` joined in and returns the user
and token `signed_in()` makes of it, or None. On None (an unknown key, an
inactive user, a question the view does not read that way) the token is checked
here as above, so what is refused, and how, stays the same.
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

    request = None  # DRF makes an authenticator per request

    def authenticate(self, request):
        self.request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if self.get_model() is not Token:  # a subclass chose another model
            return super().authenticate_credentials(key)
        context = getattr(self.request, "parser_context", None) or {}
        read = getattr(context.get("view"), "read_as_token_user", None)
        if read is not None and (signed := read(self.request, key)) is not None:
            return signed
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
    token, user = Token._meta, get_user_model()._meta
    quote = connection.ops.quote_name
    selected = [f"k.{quote(f.column)}" for f in token.concrete_fields]
    selected += [f"u.{quote(f.column)}" for f in user.concrete_fields]
    return _token_user_sql(selected)


def _token_user_sql(selected: list[str]) -> str:
    """SELECT `selected` of the token of the %s key (as k) and its user (as u)."""
    quote = connection.ops.quote_name
    token, user = Token._meta, get_user_model()._meta
    key = quote(token.get_field("key").column)
    user_id = quote(token.get_field("user").column)
    return (
        f"SELECT {', '.join(selected)} FROM {quote(token.db_table)} k "
        f"JOIN {quote(user.db_table)} u ON u.{quote(user.pk.column)} = k.{user_id} "
        f"WHERE k.{key} = %s"
    )


# The token checked inside a view's own statement ---------------------------

# What reading a list needs of its user (tensions/roles.py): who, whether
# active, staff or superuser. The user's other fields load if something asks.
_SIGNED_IN_FIELDS = ("id", "is_superuser", "is_staff", "is_active")


@functools.cache
def signed_in_sql() -> str:
    """One row (the user's columns `signed_in` takes) for the token of the %s
    key, none for an unknown key."""
    user = get_user_model()._meta
    quote = connection.ops.quote_name
    return _token_user_sql([f"u.{quote(user.get_field(f).column)}" for f in _fields()])


def signed_in(key: str, row: tuple) -> tuple | None:
    """The user and token that `signed_in_sql()`'s row signs in, as
    authenticate_credentials would return them; None for an inactive user."""
    user = get_user_model().from_db(connection.alias, _fields(), row)
    if not user.is_active:
        return None
    token = Token.from_db(connection.alias, ["key", "user_id"], (key, user.pk))
    token.user = user
    return user, token


@functools.cache
def _fields() -> list[str]:
    """_SIGNED_IN_FIELDS in the model's order, as from_db takes them."""
    user = get_user_model()._meta
    return [f.attname for f in user.concrete_fields if f.attname in _SIGNED_IN_FIELDS]


def signed_in_width() -> int:
    """How many columns `signed_in_sql()` reads."""
    return len(_fields())
