"""Pages cached under the data version: served from the cache while nothing
changes, fresh as soon as events are recorded, reviewed or pair rows refreshed."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tensions import dataversion, relations, review
from tests.tensions.factories import make_event

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 10, 8)
TIMELINE = reverse("tensions:timeline") + "?countries=VEN&countries=RUS"


@pytest.fixture
def shared_cache(settings):
    """What a Redis cache gives every process, in this one (the test's LocMem)."""
    settings.TENSIONS_SHARED_CACHE = True


def _recorded(capture, *events_args):
    """Events saved the way ingestion leaves them: the cells marked stale in the
    same transaction, the version bumped once it commits."""
    with capture(execute=True), transaction.atomic():
        events = [make_event(*args, date=DAY) for args in events_args]
        relations.cells_mark_stale(
            cells=set().union(*(relations.event_cells(e) for e in events))
        )
    return events


def test_without_a_shared_cache_pages_are_not_cached_under_a_version():
    assert dataversion.current() is None


def test_a_bump_waits_for_the_commit(shared_cache, django_capture_on_commit_callbacks):
    before = dataversion.current()
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, transaction.atomic():
        dataversion.bump_on_commit()
        assert dataversion.current() == before  # not yet: still uncommitted
    assert len(callbacks) == 1
    assert dataversion.current() not in (None, before)


def test_a_cache_that_does_not_answer_means_no_caching(shared_cache, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    assert dataversion.current() is None


def test_the_timeline_comes_from_the_cache_until_events_are_recorded(
    shared_cache,
    analyst_client,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    (first,) = _recorded(django_capture_on_commit_callbacks, ("VEN", "RUS"))
    drawn = analyst_client.get(TIMELINE).content.decode()
    assert f'data-event="{first.pk}"' in drawn
    with django_assert_max_num_queries(4):  # session, user, roles: no event read
        again = analyst_client.get(TIMELINE).content.decode()
    assert _without_csrf(again) == _without_csrf(drawn)
    (second,) = _recorded(django_capture_on_commit_callbacks, ("RUS", "VEN"))
    later = analyst_client.get(TIMELINE).content.decode()
    assert f'data-event="{second.pk}"' in later


def test_a_rejected_event_leaves_the_cached_pages(
    shared_cache, analyst, analyst_client, django_capture_on_commit_callbacks
):
    kept, rejected = _recorded(
        django_capture_on_commit_callbacks, ("VEN", "RUS"), ("USA", "VEN")
    )
    pages = [
        TIMELINE.replace("countries=RUS", "countries=USA"),
        reverse("tensions:home"),
    ]
    for page in pages:
        assert rejected.get_absolute_url() in analyst_client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        review.event_reject(
            event_id=rejected.pk, user=analyst, version=rejected.version
        )
    for page in pages:
        assert rejected.get_absolute_url() not in (
            analyst_client.get(page).content.decode()
        ), page
    home = analyst_client.get(pages[1])
    assert kept.get_absolute_url() in home.content.decode()


def test_the_country_page_follows_the_refreshed_pair_rows(
    shared_cache, analyst_client, django_capture_on_commit_callbacks
):
    page = reverse("tensions:country", args=["VEN"])
    with django_capture_on_commit_callbacks(execute=True):
        make_event("USA", "VEN", type="ASSAULT", date=DAY)
        relations.relations_rebuild()
    first = analyst_client.get(page)
    assert [(p["partner_code"], p["n"]) for p in first.context["partners"]] == [
        ("USA", 1)
    ]
    assert "1 event between Venezuela and other countries" in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_event("RUS", "VEN", type="AGREE", date=DAY)
        relations.relations_rebuild()
    later = analyst_client.get(page)
    partners = {p["partner_code"]: p["n"] for p in later.context["partners"]}
    assert partners == {"USA": 1, "RUS": 1}
    assert "2 events between Venezuela and other countries" in (later.content.decode())


def test_the_empty_home_offers_the_upload_to_analysts_only(
    shared_cache, analyst_client, viewer, client
):
    upload = f'href="{reverse("articles:upload")}">Upload an article'
    assert upload in analyst_client.get(reverse("tensions:home")).content.decode()
    client.force_login(viewer)
    assert upload not in client.get(reverse("tensions:home")).content.decode()


def _without_csrf(page: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_new_code_never_reads_what_the_old_code_cached(shared_cache, monkeypatch):
    monkeypatch.setattr(dataversion, "_code", lambda: "old-templates")
    before = dataversion.current()
    monkeypatch.setattr(dataversion, "_code", lambda: "new-templates")
    assert dataversion.current() != before
    assert dataversion.current().endswith(before.split("-", 1)[1])  # same data
