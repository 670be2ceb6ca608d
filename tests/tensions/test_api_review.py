"""Reviewing through the API: detail with evidence and history, merge, split, 409."""

import pytest

from tensions.models import Event, Mention, Revision
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

SAID = "Venezuela asked Russia for radars."


@pytest.fixture
def api(analyst_api):
    return analyst_api


def _reported(*publishers: str) -> Event:
    event = make_event()
    for publisher in publishers:
        article = make_article(f"{publisher} wrote it. {SAID}", publisher=publisher)
        make_mention(event, article, SAID)
    event.refresh_from_db()
    return event


def test_an_event_shows_its_evidence_and_its_history(api):
    event = _reported("Reuters", "AP")
    api.patch(
        f"/api/v1/events/{event.pk}/",
        {"version": 1, "status": "possible", "reason": "a draft"},
        format="json",
    )

    body = api.get(f"/api/v1/events/{event.pk}/").json()

    assert sorted(m["publisher"] for m in body["mentions"]) == ["AP", "Reuters"]
    (change,) = body["history"]
    assert (change["action"], change["user"], change["reason"]) == (
        "edit",
        "analyst",
        "a draft",
    )
    assert ["status", "occurred", "possible"] in change["changes"]


def test_an_event_detail_costs_a_fixed_number_of_queries(
    api, django_assert_max_num_queries
):
    event = _reported("A", "B", "C", "D")
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/events/{event.pk}/").status_code == 200


def test_merging_moves_the_evidence_and_deletes_the_other(api):
    kept, other = _reported("A"), _reported("B")

    response = api.post(
        f"/api/v1/events/{kept.pk}/merge/",
        {"version": 1, "other": other.pk, "reason": "same strike"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["mention_count"] == 2
    assert response.json()["history"][0]["action"] == "merge"
    assert not Event.objects.filter(pk=other.pk).exists()


def test_a_stale_merge_gets_a_409_with_the_current_event(api):
    kept, other = _reported("A"), _reported("B")
    Event.objects.filter(pk=kept.pk).update(version=3)

    response = api.post(
        f"/api/v1/events/{kept.pk}/merge/",
        {"version": 1, "other": other.pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["version"] == 3
    assert "version 3" in response.json()["detail"]
    assert Event.objects.filter(pk=other.pk).exists()


def test_merging_an_unknown_event_is_a_field_error(api):
    kept = _reported("A")

    response = api.post(
        f"/api/v1/events/{kept.pk}/merge/", {"version": 1, "other": 999999}
    )

    assert response.status_code == 400
    assert "no event 999999" in response.json()["other"][0]


def test_merging_an_event_with_itself_is_refused(api):
    kept = _reported("A")

    response = api.post(
        f"/api/v1/events/{kept.pk}/merge/", {"version": 1, "other": kept.pk}
    )

    assert response.status_code == 400
    assert "itself" in response.json()["other"][0]


def test_splitting_makes_a_new_event_of_one_mention(api):
    event = _reported("A", "B")
    mention = event.mentions.get(article__publisher="B")

    response = api.post(
        f"/api/v1/events/{event.pk}/split/",
        {"version": 1, "mention": mention.pk},
        format="json",
    )

    assert response.status_code == 201
    new = response.json()
    assert new["id"] != event.pk
    assert [m["id"] for m in new["mentions"]] == [mention.pk]
    assert Revision.objects.filter(event_id=event.pk, action="split").exists()


def test_splitting_a_mention_of_another_event_is_refused(api):
    event, other = _reported("A", "B"), _reported("C")
    foreign = Mention.objects.get(event=other)

    response = api.post(
        f"/api/v1/events/{event.pk}/split/", {"version": 1, "mention": foreign.pk}
    )

    assert response.status_code == 400
    assert "mention" in response.json()
    assert Mention.objects.get(pk=foreign.pk).event_id == other.pk


def test_a_stale_split_gets_a_409_and_splits_nothing(api):
    event = _reported("A", "B")
    mention = event.mentions.first()

    response = api.post(
        f"/api/v1/events/{event.pk}/split/", {"version": 7, "mention": mention.pk}
    )

    assert response.status_code == 409
    assert Event.objects.count() == 1
