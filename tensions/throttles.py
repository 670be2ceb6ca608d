"""API throttles whose rates come from the settings at request time.

DRF binds its rates when it is imported; these read API_THROTTLE_ANON and
API_THROTTLE_USER on each request, so an environment or a test can change them.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous clients, counted per address (API_THROTTLE_ANON, e.g. 60/min)."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_ANON or None


class UserThrottle(UserRateThrottle):
    """Signed-in clients, counted per user (API_THROTTLE_USER, e.g. 2000/min)."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_USER or None
