import datetime as dt
import io

import pytest
from django.core.management import call_command

from articles.demo import demo_articles
from articles.models import Article
from tensions.models import Event


def test_demo_articles_are_moved_so_the_latest_is_two_days_old():
    today = dt.date(2030, 1, 10)
    original = demo_articles()
    moved = demo_articles(today=today)

    assert max(a.published for a in moved) == dt.date(2030, 1, 8)
    gaps = [
        b.published - a.published for a, b in zip(original, original[1:], strict=False)
    ]
    assert [
        b.published - a.published for a, b in zip(moved, moved[1:], strict=False)
    ] == gaps


@pytest.mark.django_db
def test_load_demo_fills_the_timeline_and_can_run_again():
    call_command("load_demo", stdout=io.StringIO())
    articles, events = Article.objects.count(), Event.objects.count()
    call_command("load_demo", stdout=io.StringIO())

    assert articles == len(demo_articles()) >= 6
    assert Article.objects.filter(status="done").count() == articles
    assert Event.objects.interstate().count() >= 8
    assert (Article.objects.count(), Event.objects.count()) == (articles, events)


@pytest.mark.django_db
def test_after_load_demo_the_pair_rows_hold_the_demo_events():
    from tensions.models import DyadPeriod, StaleCell

    call_command("load_demo", stdout=io.StringIO())

    assert not StaleCell.objects.exists()  # nothing left for a worker to refresh
    months = DyadPeriod.objects.filter(period="month")
    counted = Event.objects.visible().interstate().filter(day__isnull=False)
    assert sum(months.values_list("events", flat=True)) == counted.count() > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_demo_wakes_no_worker_for_what_it_processed(monkeypatch):
    from articles import services

    woken = []
    monkeypatch.setattr(services, "wake", lambda: woken.append(1))

    call_command("load_demo", stdout=io.StringIO())

    assert woken == []
    assert not Article.objects.filter(status="queued").exists()
