"""Who may do what: viewers read, analysts upload and review, admins manage.

Roles are Django groups ("viewer", "analyst", created by a migration) plus
staff/superuser for administrators. Every active account may read; the viewer
group names that role explicitly. Roles nest: an admin is also an analyst.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

VIEWER = "viewer"
ANALYST = "analyst"
ADMIN = "admin"


def is_admin(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_staff))


def is_analyst(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if not hasattr(user, "_tensions_is_analyst"):  # asked several times a page
        user._tensions_is_analyst = (
            is_admin(user) or user.groups.filter(name=ANALYST).exists()
        )
    return user._tensions_is_analyst


def is_viewer(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


_CHECKS = {VIEWER: is_viewer, ANALYST: is_analyst, ADMIN: is_admin}


def user_role(user) -> str | None:
    """The highest role the user holds."""
    for role in (ADMIN, ANALYST, VIEWER):
        if _CHECKS[role](user):
            return role
    return None


def role_required(role: str):
    """View decorator: anonymous users log in; users without `role` get 403."""
    check = _CHECKS[role]

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(f"This needs the {role} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class IsAnalyst(BasePermission):
    """DRF: analysts (and admins) only."""

    message = "This needs the analyst role."

    def has_permission(self, request, view) -> bool:
        return is_analyst(request.user)


class ReadOrReview(BasePermission):
    """DRF: every signed-in user reads; only analysts write."""

    message = "Reading is open to every account; changes need the analyst role."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return is_viewer(request.user)
        return is_analyst(request.user)


def roles_context(request) -> dict:
    """Template context: what the signed-in user may do (asked only when used)."""
    return {"can_upload": lambda: is_analyst(request.user)}
