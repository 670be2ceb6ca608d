"""Analyst review: actions, history, refusals, concurrent edits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tensions import review
from tensions.models import DyadPeriod, Event, Revision
from tensions.relations import relations_rebuild
from tensions.services import events_record
from tests.factories import article_make, found_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(analyst):
    article = article_make(text="Report alpha about radars.")
    (event,) = events_record(
        article=article, events=[found_event()], extractor_version="t"
    )
    return event


def test_an_edit_is_kept_with_who_when_before_after_and_why(event, analyst):
    review.event_edit(
        event_id=event.pk,
        user=analyst,
        version=1,
        changes={"status": "possible", "what": "radars only"},
        reason="the letter was a draft",
    )

    event.refresh_from_db()
    (revision,) = Revision.objects.filter(event=event)
    assert (event.review_state, event.version) == ("edited", 2)
    assert (revision.user, revision.reason, revision.version) == (
        analyst,
        "the letter was a draft",
        2,
    )
    assert ("status", "occurred", "possible") in revision.changes()
    assert revision.at <= timezone.now()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_country": "VEN"}, "target_country", "same country"),
        ({"source_country": "XXX"}, "source_country", "Unknown country code"),
        ({"status": "rumoured"}, "status", "Unknown status"),
        ({"date": dt.date(2999, 1, 1)}, "date", "in the future"),
        ({"mode": "aerial"}, "mode", "has no mode"),
    ],
)
def test_an_invalid_edit_is_refused_and_changes_nothing(
    event, analyst, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        review.event_edit(event_id=event.pk, user=analyst, version=1, changes=changes)

    assert message in " ".join(refused.value.message_dict[field])
    event.refresh_from_db()
    assert (event.version, event.review_state) == (1, "unreviewed")
    assert not Revision.objects.exists()


def test_the_second_of_two_concurrent_edits_is_told_not_lost(event, analyst):
    review.event_edit(
        event_id=event.pk, user=analyst, version=1, changes={"what": "first"}
    )

    with pytest.raises(review.ReviewConflict) as conflict:
        review.event_edit(
            event_id=event.pk, user=analyst, version=1, changes={"what": "second"}
        )

    assert conflict.value.event.what == "first"
    assert conflict.value.event.version == 2


def test_rejecting_hides_the_event_and_removes_it_from_the_index(event, analyst):
    assert DyadPeriod.objects.exists()

    review.event_reject(event_id=event.pk, user=analyst, version=1, reason="noise")

    assert not Event.objects.visible().exists()
    assert Event.objects.visible(rejected=True).count() == 1
    assert not DyadPeriod.objects.exists()
    assert relations_rebuild() == 0


def test_reprocessing_never_changes_a_reviewed_event(event, analyst):
    review.event_edit(event_id=event.pk, user=analyst, version=1, changes={"what": "x"})
    article = event.mentions.get().article

    events_record(
        article=article,
        events=[found_event(what="something else")],
        extractor_version="t2",
    )

    event.refresh_from_db()
    assert (event.what, event.version, event.mention_count) == ("x", 2, 1)
    assert Event.objects.count() == 1


def test_merge_moves_the_evidence_and_split_takes_a_mention_back(event, analyst):
    other_article = article_make(text="Report beta about boats.")
    (other,) = events_record(
        article=other_article,
        events=[found_event("USA", "VEN", type="ASSAULT")],
        extractor_version="t",
    )

    merged = review.events_merge(
        event_id=event.pk, other_id=other.pk, user=analyst, version=1, other_version=1
    )
    assert (merged.mention_count, merged.article_count) == (2, 2)
    assert not Event.objects.filter(pk=other.pk).exists()

    moved = merged.mentions.get(article=other_article)
    split = review.mention_split(mention_id=moved.pk, user=analyst, version=2)

    merged.refresh_from_db()
    assert (split.type, split.source_country_id, split.mention_count) == (
        "ASSAULT",
        "USA",
        1,
    )
    assert merged.mention_count == 1
    actions = list(
        Revision.objects.filter(event=merged).values_list("action", flat=True)
    )
    assert actions == ["split", "merge"]


def test_an_event_cannot_be_merged_with_itself(event, analyst):
    with pytest.raises(ValidationError):
        review.events_merge(
            event_id=event.pk,
            other_id=event.pk,
            user=analyst,
            version=1,
            other_version=1,
        )
