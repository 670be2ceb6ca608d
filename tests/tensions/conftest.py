"""API clients for the domain's API tests, each starting with fresh rate counters."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture
def fresh_throttles():
    """Throttle counts live in the cache: a test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def _signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def viewer_api(viewer, fresh_throttles):
    return _signed_in(viewer)


@pytest.fixture
def analyst_api(analyst, fresh_throttles):
    return _signed_in(analyst)
