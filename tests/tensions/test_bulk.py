"""Rows written by tensions.bulk equal those the ORM's bulk methods write."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from tensions import bulk
from tensions.models import Event, Mention
from tests.tensions.factories import make_actor, make_article, make_event

pytestmark = pytest.mark.django_db

# Values that quoting must carry through untouched.
AWKWARD = (
    "Quote ' and %s and %(name)s, backslash \\ and 'Ñandú' — “marks”,"
    " tab\tnew line\nreturn\r and a NULL's escape: \\N"
)


def _events() -> list[Event]:
    ven, rus = make_actor("Venezuela", "VEN", "state"), make_actor("Russia", "RUS")
    return [
        Event(
            type="REQUEST",
            mode="military" if n % 2 else "",
            context=["weapons", AWKWARD] if n % 2 else [],
            status="occurred",
            source_actor=ven,
            target_actor=rus,
            source_country_id="VEN",
            target_country_id="RUS",
            date=dt.date(2025, 10, n + 1) if n % 3 else None,
            date_precision="day" if n % 3 else "",
            first_reported=dt.date(2025, 10, 28),
            what=AWKWARD if n == 1 else f"radars {n}",
            intensity=-0.5 * n,
            confidence=0.75,
            mention_count=n,
        )
        for n in range(5)
    ]


def _stored(events: list[Event]) -> list[dict]:
    fresh = Event.objects.in_bulk([e.pk for e in events])
    return [
        model_to_dict(fresh[e.pk], exclude=["id", "created_at", "updated_at"])
        for e in events
    ]


def test_inserted_rows_get_their_keys_and_the_values_the_orm_would_store():
    ours, theirs = _events(), _events()

    with CaptureQueriesContext(connection) as queries:
        bulk.rows_insert(ours)
    Event.objects.bulk_create(theirs)

    assert all(e.pk and not e._state.adding for e in ours)
    assert len({e.pk for e in ours}) == 5
    assert _stored(ours) == _stored(theirs)
    assert _stored(ours)[1]["what"] == AWKWARD
    assert _stored(ours)[1]["context"] == ["weapons", AWKWARD]
    created = Event.objects.get(pk=ours[0].pk).created_at
    assert created is not None and created == ours[0].created_at
    if connection.vendor == "postgresql":
        # The keys drawn at once; the rows went by COPY, which the log omits.
        assert len(queries) == 1
        assert "nextval" in queries[0]["sql"]


def test_a_value_copy_has_no_text_for_goes_in_a_values_list():
    from articles.models import Article

    article = Article(text="Some text.", content_hash="c" * 64, sketch=b"\x00\\\xff")

    (inserted,) = bulk.rows_insert([article])

    assert inserted.pk
    assert bytes(Article.objects.get(pk=inserted.pk).sketch) == b"\x00\\\xff"


def test_a_row_the_database_refuses_raises_djangos_error():
    article = make_article()
    event = make_event()
    twice = [
        Mention(event=event, article=article, sentence="One.", start=0, end=4)
        for _ in range(2)
    ]

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.rows_insert(twice)


def test_updated_rows_change_in_the_named_fields_only():
    events = _events()
    Event.objects.bulk_create(events)
    before = _stored(events)
    for n, event in enumerate(events):
        event.what = f"{AWKWARD} {n}"
        event.date = None if n % 2 else dt.date(2024, 2, 29)
        event.context = [AWKWARD, n] if n else []
        event.mention_count = 10 + n
        event.confidence = 0.1  # set but not named: must stay as stored

    with CaptureQueriesContext(connection) as queries:
        bulk.rows_update(events, ["what", "date", "context", "mention_count"])

    after = _stored(events)
    for n, (old, new) in enumerate(zip(before, after, strict=True)):
        assert new["what"] == f"{AWKWARD} {n}"
        assert new["date"] == (None if n % 2 else dt.date(2024, 2, 29))
        assert new["context"] == ([AWKWARD, n] if n else [])
        assert new["mention_count"] == 10 + n
        assert new["confidence"] == old["confidence"] == 0.75
    if connection.vendor == "postgresql":
        assert len(queries) == 1


def test_a_foreign_key_moves_and_null_values_are_written():
    article = make_article()
    first, second = make_event(), make_event(type="ACCUSE")
    mentions = [
        Mention(event=first, article=article, sentence="One.", start=n, end=n + 4)
        for n in range(3)
    ]
    bulk.rows_insert(mentions)
    for mention in mentions[:2]:
        mention.event = second

    bulk.rows_update(mentions[:2], ["event"])

    assert list(
        Mention.objects.filter(pk__in=[m.pk for m in mentions])
        .order_by("start")
        .values_list("event_id", flat=True)
    ) == [second.pk, second.pk, first.pk]


def test_nothing_to_write_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        bulk.rows_insert([])
        bulk.rows_update([], ["what"])
    assert len(queries) == 0


def _read_both(names):
    """The same rows by QuerySet.only and by bulk.rows_read."""
    bulk.rows_insert(_events())
    rows = Event.objects.order_by("pk")
    by_orm = list(rows.only(*names))
    return by_orm, bulk.rows_read(Event, names, rows.values_list(*names))


def test_rows_read_makes_the_instances_only_makes():
    names = ("id", "type", "context", "date", "source_actor_id", "intensity")
    by_orm, by_bulk = _read_both(names)

    assert len(by_bulk) == len(by_orm) == 5
    for orm, made in zip(by_orm, by_bulk, strict=True):
        assert type(made) is Event
        assert [getattr(made, n) for n in names] == [getattr(orm, n) for n in names]
        assert made.get_deferred_fields() == orm.get_deferred_fields()
        assert (made._state.adding, made._state.db) == (False, orm._state.db)
        assert made.source_actor == orm.source_actor  # a relation still loads
        assert made.what == orm.what  # a deferred field too, as with only()
    made.confidence = 0.5  # and it saves as a loaded instance does
    made.save(update_fields=["confidence"])
    assert Event.objects.get(pk=made.pk).confidence == 0.5


def test_rows_read_goes_through_init_when_someone_listens():
    from django.db.models.signals import post_init

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Event)
    try:
        # In another order than the model's fields: from_db needs theirs.
        by_orm, by_bulk = _read_both(("intensity", "type", "id"))
    finally:
        post_init.disconnect(listener, sender=Event)

    assert len(seen) == 15  # five built to insert, then five read each way
    for orm, made in zip(by_orm, by_bulk, strict=True):
        assert (made.pk, made.type, made.intensity) == (orm.pk, orm.type, orm.intensity)
        assert made.get_deferred_fields() == orm.get_deferred_fields()


def test_rows_whose_unique_value_is_stored_are_left_out_without_an_error():
    from articles.models import Article

    stored = make_article(text="Chile thanked Peru.")
    rows = [
        Article(text="new one", content_hash="a" * 64),
        Article(text="the same again", content_hash=stored.content_hash),
        Article(text="new two", content_hash="b" * 64),
        Article(text="twice in one call", content_hash="a" * 64),
    ]

    with transaction.atomic():
        inserted = bulk.rows_insert(rows, unless_stored="content_hash")
        # No error was raised: the transaction goes on.
        assert Article.objects.count() == 3

    assert inserted == [rows[0], rows[2]]
    assert all(a.pk and not a._state.adding for a in inserted)
    assert rows[1].pk is None and rows[3].pk is None
    assert Article.objects.get(pk=rows[2].pk).text == "new two"
    assert Article.objects.get(content_hash=stored.content_hash).pk == stored.pk


def test_a_row_breaking_another_constraint_still_raises():
    from articles.models import Article

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.rows_insert(
            [Article(text="x", content_hash="d" * 64, status="lost")],
            unless_stored="content_hash",
        )


def test_plain_rows_go_in_by_copy_with_the_tables_defaults():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite inserts through the ORM")
    from tensions.models import StaleCell

    rows = [("VEN", "USA", "week", dt.date(2025, 10, 27))] * 2
    rows += [("RUS", "UKR", "day", dt.date(2024, 2, 29))]

    bulk.tuples_copy(
        StaleCell._meta.db_table, ["source", "target", "period", "start"], rows
    )

    stored = StaleCell.objects.order_by("pk")
    assert list(stored.values_list("source", "target", "period", "start")) == rows
    assert len({cell.pk for cell in stored}) == 3
