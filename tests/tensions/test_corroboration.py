"""One event per happening, whatever the order the articles arrive in."""

import datetime as dt
import itertools
import random
import uuid

import pytest

from tensions import review, services
from tensions.corroboration import Report, clusters, compatible, disagreements
from tensions.models import Event, Mention
from tensions.services import events_record
from tests.factories import article_make, found_event

pytestmark = pytest.mark.django_db

D = dt.date(2025, 10, 10)


def _article(publisher: str, published=D):
    text = f"Report {uuid.uuid4().hex} by {publisher}."
    return article_make(text=text, publisher=publisher, published=published)


def _record(article, *found):
    return events_record(article=article, events=list(found), extractor_version="t")


def _accounts():
    """Five articles: a chain of dates (1st-6th-11th, each 5 days from the next,
    the ends 10 apart), a strike with a different mode and one on other radars."""
    return [
        ("A", [found_event(date=D, what="radars and missiles")]),
        ("B", [found_event(date=D + dt.timedelta(days=5), what="radars")]),
        ("C", [found_event(date=D + dt.timedelta(days=10), what="radars")]),
        ("D", [found_event(date=D, what="wheat and fuel shipments")]),
        (
            "E",
            [
                found_event("USA", "VEN", type="ASSAULT", mode="aerial", date=D),
                found_event(
                    "USA", "VEN", type="ASSAULT", mode="naval", date=D, start=40
                ),
            ],
        ),
    ]


def _events_by_content():
    """Events as sets of (publisher, start): comparable across databases."""
    return sorted(
        sorted(
            (m.article.publisher, m.start, e.type, e.mode, str(e.date))
            for m in e.mentions.select_related("article")
        )
        for e in Event.objects.all()
    )


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (2, 0, 4, 1, 3), (4, 3, 2, 1, 0)])
def test_the_same_articles_in_any_order_make_the_same_events(order):
    accounts = _accounts()
    articles = {name: _article(name) for name, _ in accounts}
    for i in order:
        name, found = accounts[i]
        _record(articles[name], *found)

    events = _events_by_content()

    # The chain splits where the window ends, the same way whatever the order.
    assert events == _expected_events()


def _expected_events():
    return [
        [("A", 0, "REQUEST", "", "2025-10-10"), ("B", 0, "REQUEST", "", "2025-10-10")],
        [("C", 0, "REQUEST", "", "2025-10-20")],
        [("D", 0, "REQUEST", "", "2025-10-10")],
        [("E", 0, "ASSAULT", "aerial", "2025-10-10")],
        [("E", 40, "ASSAULT", "naval", "2025-10-10")],
    ]


def test_clusters_do_not_depend_on_the_order_reports_are_given():
    reports = [
        Report(
            article=c,
            index=0,
            day=D + dt.timedelta(days=d),
            published=D,
            mode="",
            what="",
        )
        for c, d in zip("abcdef", (0, 5, 10, 15, 3, 8), strict=True)
    ]
    canonical = clusters(reports, window_days=7)

    for permutation in itertools.islice(itertools.permutations(reports), 0, 720, 37):
        assert clusters(permutation, window_days=7) == canonical


def test_a_report_joins_only_a_happening_it_matches_in_every_report():
    a, b = _article("A"), _article("B")
    _record(a, found_event(date=D, what="defensive radars"))
    _record(b, found_event(date=D + dt.timedelta(days=2), what="radars"))

    event = Event.objects.get()
    assert (event.article_count, event.publisher_count) == (2, 2)
    assert event.first_reported == D


def test_reprocessing_moves_mentions_without_orphans_or_duplicates():
    a, b, c = _article("A"), _article("B"), _article("C")
    _record(a, found_event(date=D))
    _record(b, found_event(date=D + dt.timedelta(days=5)))
    _record(c, found_event(date=D + dt.timedelta(days=10)))
    # A now reports a date 20 days later: B and C are one happening, A another.
    _record(a, found_event(date=D + dt.timedelta(days=20)))
    _record(a, found_event(date=D + dt.timedelta(days=20)))

    assert Mention.objects.count() == 3
    assert not Event.objects.filter(mentions__isnull=True).exists()
    assert sorted(e.mention_count for e in Event.objects.all()) == [1, 2]
    assert sorted(Event.objects.values_list("mention_count", flat=True)) == sorted(
        len(e.mentions.all()) for e in Event.objects.all()
    )


def test_reprocessing_keeps_the_surviving_event_id():
    a, b = _article("A"), _article("B")
    (event,) = _record(a, found_event(date=D))
    _record(b, found_event(date=D))

    _record(a, found_event(date=D))

    assert list(Event.objects.values_list("pk", flat=True)) == [event.pk]


def test_publishers_are_counted_once_however_many_articles_they_wrote():
    for name in ("Reuters", "reuters", "AP"):
        _record(_article(name), found_event(date=D))

    event = Event.objects.get()
    assert (event.article_count, event.publisher_count) == (3, 2)


def test_reports_disagreeing_on_date_and_figures_are_listed():
    said = disagreements(
        [
            (
                "Post",
                {
                    "date": D,
                    "status": "occurred",
                    "mode": "",
                    "what": "cocaine",
                    "text": "They ship 500 tons a year.",
                },
            ),
            (
                "Herald",
                {
                    "date": D + dt.timedelta(days=1),
                    "status": "occurred",
                    "mode": "",
                    "what": "cocaine",
                    "text": "They ship 400 tons and 3 boats.",
                },
            ),
        ]
    )

    assert [(d.field, d.values) for d in said] == [
        ("date", (("2025-10-10", ("Post",)), ("2025-10-11", ("Herald",)))),
        ("figure (tons)", (("400", ("Herald",)), ("500", ("Post",)))),
    ]


# At scale: a window of each key is read, with the same result as reading it all


WHATS = ["radars", "radar systems", "missiles", "wheat", "fuel and wheat", ""]


def _random_accounts(seed: int, n: int = 36) -> list[tuple[str, dt.date, str]]:
    """(publisher, day, object) for n reports of one key over three months."""
    rng = random.Random(seed)
    return [
        (f"P{i:02d}", D + dt.timedelta(days=rng.randrange(90)), rng.choice(WHATS))
        for i in range(n)
    ]


def _expected(articles: dict, accounts) -> list[list[str]]:
    """The clustering of all reports at once, as sorted publishers."""
    reports = {
        Report(articles[name].content_hash, 0, day, D, "", what): name
        for name, day, what in accounts
    }
    found = clusters(reports, window_days=7)
    return sorted(sorted(reports[r] for r in cluster) for cluster in found)


def _stored() -> list[list[str]]:
    return sorted(
        sorted(m.article.publisher for m in e.mentions.select_related("article"))
        for e in Event.objects.all()
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_recording_one_by_one_clusters_as_clustering_all_at_once(seed):
    accounts = _random_accounts(seed)
    articles = {name: _article(name, published=D) for name, _, _ in accounts}
    shuffled = accounts[:]
    random.Random(seed).shuffle(shuffled)
    for name, day, what in shuffled:
        _record(articles[name], found_event(date=day, what=what))

    assert _stored() == _expected(articles, accounts)
    # Reprocessing a third of them with other days and objects: still the same.
    moved = _random_accounts(seed + 100)[: len(accounts) // 3]
    for name, day, what in moved:
        _record(articles[name], found_event(date=day, what=what))
    final = {name: (name, day, what) for name, day, what in accounts}
    final |= {name: (name, day, what) for name, day, what in moved}
    assert _stored() == _expected(articles, list(final.values()))
    assert sorted(Event.objects.values_list("mention_count", flat=True)) == sorted(
        len(e) for e in _stored()
    )


@pytest.mark.parametrize("seed", [3, 4])
def test_recording_in_batches_clusters_as_one_by_one(seed):
    """A worker records several articles in one call: the events are those
    of recording them one at a time, whatever the batches."""
    accounts = _random_accounts(seed)
    articles = {name: _article(name, published=D) for name, _, _ in accounts}
    shuffled = accounts[:]
    random.Random(seed).shuffle(shuffled)
    for first in range(0, len(shuffled), 5 + seed):
        batch = shuffled[first : first + 5 + seed]
        recorded = services.events_record_many(
            found={
                articles[name]: [found_event(date=day, what=what)]
                for name, day, what in batch
            },
            extractor_version="t",
        )
        assert [len(events) for events in recorded] == [1] * len(batch)

    assert _stored() == _expected(articles, accounts)
    # Reprocessing a third of them in one batch: still the same.
    moved = _random_accounts(seed + 100)[: len(accounts) // 3]
    services.events_record_many(
        found={
            articles[name]: [found_event(date=day, what=what)]
            for name, day, what in moved
        },
        extractor_version="t",
    )
    final = {name: (name, day, what) for name, day, what in accounts}
    final |= {name: (name, day, what) for name, day, what in moved}
    assert _stored() == _expected(articles, list(final.values()))
    assert sorted(Event.objects.values_list("mention_count", flat=True)) == sorted(
        len(e) for e in _stored()
    )


def test_a_batch_returns_each_articles_events_in_order():
    accounts = _accounts()
    articles = {name: _article(name) for name, _ in accounts}

    recorded = services.events_record_many(
        found={articles[name]: found for name, found in accounts},
        extractor_version="t",
    )

    assert _events_by_content() == _expected_events()
    for (name, found), events in zip(accounts, recorded, strict=True):
        assert len(events) == len(found)
        for event in events:
            assert event.mentions.filter(article=articles[name]).exists()


def test_a_batch_leaves_reviewed_evidence_alone(analyst):
    a, b = _article("A"), _article("B")
    (event,) = _record(a, found_event(date=D, what="radars"))
    review.event_confirm(event_id=event.pk, user=analyst, version=event.version)

    services.events_record_many(
        found={a: [found_event(date=D, what="radars")], b: [found_event(date=D)]},
        extractor_version="t",
    )

    event.refresh_from_db()
    assert event.is_reviewed
    assert sorted(m.article.publisher for m in event.mentions.all()) == ["A", "B"]
    assert Mention.objects.filter(article=a).count() == 1


def test_recording_reads_only_the_days_around_the_report(monkeypatch):
    for n in range(12):  # strikes on twelve days, long before
        day = D - dt.timedelta(days=200 + n)
        _record(_article(f"old{n}"), found_event(date=day, what="radars"))
    before = Event.objects.count()
    read = []
    slices_read = services._slices_read

    def spy(wanted, window):
        found = slices_read(wanted, window)
        read.extend(m for ms in found.values() for m in ms)
        return found

    monkeypatch.setattr(services, "_slices_read", spy)
    _record(_article("new"), found_event(date=D, what="radars"))

    assert read == []
    assert Event.objects.count() == before + 1


# Reviewed events gain evidence and keep what the analyst decided


def test_a_new_report_of_a_reviewed_event_attaches_without_changing_it(analyst):
    (event,) = _record(_article("A"), found_event(date=D, what="radars"))
    review.event_edit(
        event_id=event.pk, user=analyst, version=1, changes={"what": "S-300 radars"}
    )
    later = _article("B", published=D + dt.timedelta(days=2))

    (attached,) = _record(later, found_event(date=D + dt.timedelta(days=1)))

    event.refresh_from_db()
    assert attached.pk == event.pk and Event.objects.count() == 1
    assert (event.what, event.date, event.review_state, event.version) == (
        "S-300 radars",
        D,
        "edited",
        2,
    )
    assert (event.mention_count, event.article_count, event.publisher_count) == (
        2,
        2,
        2,
    )
    # Reprocessing the new article leaves the evidence where it is.
    _record(later, found_event(date=D + dt.timedelta(days=1)))
    event.refresh_from_db()
    assert (event.mention_count, event.version, Mention.objects.count()) == (2, 2, 2)


def test_a_report_that_does_not_match_a_reviewed_event_is_its_own(analyst):
    (event,) = _record(_article("A"), found_event(date=D, what="radars"))
    review.event_confirm(event_id=event.pk, user=analyst, version=1)

    _record(_article("B"), found_event(date=D + dt.timedelta(days=20)))
    _record(_article("C"), found_event(date=D, what="wheat shipments"))

    event.refresh_from_db()
    assert event.mention_count == 1 and Event.objects.count() == 3


def _clusters_naively(reports, window_days):
    """The definition: each report, in canonical order, joins the first cluster
    whose every report it is compatible with."""
    found = []
    for report in sorted(reports, key=Report.order):
        for cluster in found:
            if all(compatible(report, other, window_days) for other in cluster):
                cluster.append(report)
                break
        else:
            found.append([report])
    return found


def test_skipping_clusters_out_of_reach_changes_no_cluster():
    rng = random.Random(5)
    reports = [
        Report(
            article=f"a{n}",
            index=0,
            day=None if rng.random() < 0.1 else D + dt.timedelta(rng.randrange(60)),
            published=D,
            mode=rng.choice(["", "", "aerial"]),
            what=rng.choice(WHATS),
        )
        for n in range(150)
    ]

    assert clusters(reports, window_days=7) == _clusters_naively(reports, 7)
    ordered = sorted(reports, key=Report.order)
    seeds = clusters(ordered[:60], window_days=7)
    resumed = clusters(ordered[60:], window_days=7, seeds=seeds)
    assert resumed == _clusters_naively(reports, 7)
