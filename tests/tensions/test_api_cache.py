"""List answers kept per data version (PostgreSQL's snapshot): served again only
while no commit could have changed them.

These run on PostgreSQL; from a suite on SQLite, test_the_answer_cache_holds runs
them there in a database of their own.
"""

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from tensions import api_cache
from tensions.models import Event
from tensions.relations import relations_rebuild
from tests.stack import assert_passes_on_postgres
from tests.tensions.factories import make_event

EVENTS = "/api/v1/events/?pair=USA,VEN"
RELATIONS = "/api/v1/relations/?pair=USA,VEN"


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; test_the_answer_cache_holds runs it there")


@pytest.fixture
def api(viewer, postgres_only):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


@pytest.fixture
def steady_version(monkeypatch):
    """The version as it stays while nothing commits: other databases of a
    shared server commit too, and their transactions change the snapshot."""
    monkeypatch.setattr(api_cache, "data_version", lambda: "steady")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_repeated_list_is_answered_without_its_queries(
    api, steady_version, django_assert_num_queries
):
    make_event("USA", "VEN")
    first = api.get(EVENTS)

    with django_assert_num_queries(0):
        again = api.get(EVENTS)

    assert again.status_code == 200 and again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_committed_change_is_in_the_next_answer(api):
    event = make_event("USA", "VEN", what="before")
    assert api.get(EVENTS).json()["results"][0]["what"] == "before"

    Event.objects.filter(pk=event.pk).update(what="after")

    assert api.get(EVENTS).json()["results"][0]["what"] == "after"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rebuilt_relations_are_in_the_next_answer(api):
    make_event("USA", "VEN", type="ASSAULT")
    relations_rebuild()
    assert api.get(RELATIONS).json()["results"][0]["events"] == 1

    make_event("VEN", "USA", type="THREATEN")
    relations_rebuild()

    (row,) = api.get(RELATIONS).json()["results"]
    assert row["events"] == 2 and row["by_type"] == {"ASSAULT": 1, "THREATEN": 1}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_this_transaction_wrote_are_never_hidden_by_a_kept_answer(api):
    with transaction.atomic():
        make_event("USA", "VEN")
        assert len(api.get(EVENTS).json()["results"]) == 1
        make_event("VEN", "USA")  # same snapshot: only its own xid tells

        assert len(api.get(EVENTS).json()["results"]) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_commit_changes_the_data_version(api):
    before = api_cache.data_version()
    make_event("USA", "VEN")

    assert before is not None and api_cache.data_version() not in (None, before)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_there_is_no_version_once_this_transaction_wrote(api):
    with transaction.atomic():
        assert api_cache.data_version() is not None
        make_event("USA", "VEN")

        assert api_cache.data_version() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_asking_for_no_cache_gets_a_fresh_answer(
    api, steady_version, django_assert_num_queries
):
    event = make_event("USA", "VEN", what="before")
    api.get(EVENTS)
    Event.objects.filter(pk=event.pk).update(what="after")

    with django_assert_num_queries(1):  # the page
        fresh = api.get(EVENTS, HTTP_CACHE_CONTROL="no-cache")

    assert fresh.json()["results"][0]["what"] == "after"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_fresh_answer_costs_no_version_query(api, django_assert_num_queries):
    make_event("USA", "VEN")

    with django_assert_num_queries(1):  # the page, not the snapshot
        api.get(EVENTS, HTTP_CACHE_CONTROL="no-cache")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_fresh_answer_is_not_kept(api, steady_version, django_assert_num_queries):
    make_event("USA", "VEN")
    api.get(EVENTS, HTTP_CACHE_CONTROL="no-cache")

    with django_assert_num_queries(1):  # the page again: nothing was kept
        api.get(EVENTS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_kept_when_the_setting_is_zero(
    api, settings, django_assert_num_queries
):
    settings.API_CACHE_SECONDS = 0
    make_event("USA", "VEN")
    api.get(EVENTS)

    with django_assert_num_queries(1):  # the page, no data version
        api.get(EVENTS)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_browsable_api_is_not_kept(api, steady_version):
    event = make_event("USA", "VEN", what="a zebra")
    api.get(EVENTS, HTTP_ACCEPT="text/html")
    Event.objects.filter(pk=event.pk).update(what="an okapi")

    page = api.get(EVENTS, HTTP_ACCEPT="text/html")

    assert page.status_code == 200 and b"an okapi" in page.content


# PostgreSQL, from a suite that runs on SQLite -----------------------------------------


@pytest.mark.django_db
def test_the_answer_cache_holds():
    assert_passes_on_postgres(__file__, but="test_the_answer_cache_holds")
