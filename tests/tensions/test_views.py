"""The dashboard pages: home, timeline, country and event."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from tensions import relations, views
from tensions.models import Country, Event
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

SEED_TEXT = (
    "Maduro writes to Putin\n"
    "\n"
    "Caracas is worried. Venezuelan President Nicolás Maduro sent a letter to "
    "Russian President Vladimir Putin asking for radars <script>alert(1)</script>. "
    "Officials confirmed it.\n"
    "Another paragraph that is not evidence."
)
SENTENCE = (
    "Venezuelan President Nicolás Maduro sent a letter to Russian President "
    "Vladimir Putin asking for radars <script>alert(1)</script>."
)


@pytest.fixture
def letter():
    article = make_article(SEED_TEXT, publisher="The Caracas Chronicle")
    event = make_event(
        "VEN",
        "RUS",
        type="REQUEST",
        mode="assist",
        channel="letter",
        source_actor="Nicolás Maduro",
        target_actor="Vladimir Putin",
        what="radars",
    )
    make_mention(event, article, SENTENCE, cited_source="two officials")
    return event


@pytest.mark.parametrize(
    "url",
    [
        reverse("tensions:home"),
        reverse("tensions:timeline"),
        reverse("tensions:country", args=["VEN"]),
        reverse("tensions:event", args=[1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_home_shows_counts_latest_events_pairs_and_queue(analyst_client, letter):
    today = timezone.localdate()
    make_event("USA", "VEN", type="ASSAULT", mode="drone", date=today)
    make_event("VEN", "USA", type="ACCUSE", date=today)
    relations.relations_rebuild()
    make_article(status="failed", error="boom")
    response = analyst_client.get(reverse("tensions:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert letter.get_absolute_url() in page
    active = {p["label"]: p["score"].events for p in response.context["active_pairs"]}
    assert active["United States – Venezuela"] == 2  # active this month
    assert response.context["month_events"] == sum(active.values())
    assert "?countries=USA&amp;countries=VEN" in page
    assert "?status=failed" in page


def test_the_timeline_draws_a_lane_per_pair_with_linked_marks(analyst_client, letter):
    make_event("RUS", "VEN", type="AID", status="planned", date=dt.date(2025, 10, 20))
    make_event("USA", "VEN", type="ASSAULT", mode="drone", status="denied")
    url = reverse("tensions:timeline") + "?countries=VEN&countries=RUS"
    response = analyst_client.get(url)
    assert response.status_code == 200
    lanes = response.context["timeline"].lanes
    assert [lane.key for lane in lanes] == [("RUS", "VEN")]
    page = response.content.decode()
    assert page.count('class="mark mark-') == 2
    assert f'href="{letter.get_absolute_url()}"' in page
    assert 'stroke-dasharray="4 2"' in page  # the planned event is dashed
    assert 'id="pair-RUS-VEN"' in page
    assert "VEN → RUS" in page and "RUS → VEN" in page
    assert '<option value="VEN" selected>' in page


def test_the_timeline_focus_shows_a_country_against_all_its_partners(analyst_client):
    make_event("VEN", "RUS")
    make_event("USA", "VEN", type="ASSAULT")
    make_event("USA", "CHN", type="SANCTION")
    response = analyst_client.get(reverse("tensions:timeline") + "?focus=ven")
    keys = [lane.key for lane in response.context["timeline"].lanes]
    assert sorted(keys) == [("RUS", "VEN"), ("USA", "VEN")]
    assert "Venezuela – Russia" in response.content.decode()


def test_the_timeline_without_countries_shows_the_busiest_pairs(analyst_client):
    make_event("VEN", "RUS")
    make_event("USA", "CHN", type="SANCTION")
    response = analyst_client.get(reverse("tensions:timeline"))
    assert len(response.context["timeline"].lanes) == 2


def test_the_timeline_keeps_to_the_period_asked(analyst_client):
    make_event("VEN", "RUS", date=dt.date(2025, 1, 5))
    make_event("VEN", "RUS", date=dt.date(2025, 6, 5))
    url = reverse("tensions:timeline") + "?countries=VEN,RUS&start=2025-03-01"
    timeline = analyst_client.get(url).context["timeline"]
    assert timeline.event_count == 1
    assert timeline.start == dt.date(2025, 3, 1)


def test_the_timeline_leaves_out_rejected_and_one_sided_events(analyst_client):
    make_event("VEN", "RUS", review_state=Event.ReviewState.REJECTED)
    make_event("VEN", None, type="PROTEST")
    response = analyst_client.get(reverse("tensions:timeline") + "?focus=VEN")
    assert response.context["timeline"].lanes == []
    assert "No events between these countries" in response.content.decode()


def test_home_and_country_pages_leave_out_rejected_events(analyst_client):
    shown = make_event("VEN", "RUS", date=dt.date(2024, 3, 5))
    rejected = make_event(  # the newest, and of a later month
        "VEN", "RUS", date=dt.date(2024, 5, 5), review_state=Event.ReviewState.REJECTED
    )
    home = analyst_client.get(reverse("tensions:home")).content.decode()
    country = analyst_client.get(reverse("tensions:country", args=["VEN"]))
    for page in (home, country.content.decode()):
        assert f'data-event="{shown.pk}"' in page
        assert f'data-event="{rejected.pk}"' not in page
    assert "The latest events between countries are from March 2024" in home


def test_the_timeline_says_which_country_code_is_unknown(analyst_client):
    url = reverse("tensions:timeline") + "?countries=VEN&countries=XYZ"
    response = analyst_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown country code: XYZ" in page
    # kept in the free-text input, for correction
    assert re.search(r'id="id_more_countries"[^>]*value="[^"]*XYZ', page, re.S)
    assert "timeline" not in response.context


def test_the_timeline_costs_the_same_queries_for_many_events(
    analyst_client, django_assert_max_num_queries
):
    for day in range(1, 29):
        for target in ("RUS", "CHN", "USA"):
            make_event("VEN", target, date=dt.date(2025, 2, day))
            make_event(target, "VEN", date=dt.date(2025, 2, day), status="possible")
    # Light rows for the layout, then one query for the drawn and listed events
    # (and one to find that the pairs' aggregates cannot answer: none built).
    with django_assert_max_num_queries(10):
        response = analyst_client.get(reverse("tensions:timeline") + "?focus=VEN")
    assert response.context["timeline"].event_count == 168


def test_the_country_page_ranks_partners_and_lists_actors(analyst_client, letter):
    make_event("USA", "VEN", type="ASSAULT", mode="drone")
    make_event("USA", "VEN", type="ACCUSE")
    relations.relations_rebuild()
    response = analyst_client.get(reverse("tensions:country", args=["ven"]))
    assert response.status_code == 200
    partners = response.context["partners"]
    assert [(p["partner_code"], p["n"]) for p in partners] == [("USA", 2), ("RUS", 1)]
    assert partners[0]["all_time"] > 0  # strikes and accusations: tense
    assert response.context["event_total"] == 3
    page = response.content.decode()
    assert "Nicolás Maduro" in page
    assert "?focus=VEN" in page


def test_an_unknown_country_is_not_found(analyst_client):
    response = analyst_client.get(reverse("tensions:country", args=["XYZ"]))
    assert response.status_code == 404


@pytest.mark.parametrize("code", ["VEN", "SUN"])  # SUN: a historic country
def test_the_country_page_reads_its_country_as_the_orm_does(code):
    read = views._country_or_404(code)
    stored = Country.objects.get(code=code)
    fields = [f.attname for f in Country._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(stored, f) for f in fields]


def test_the_event_page_reads_as_a_sentence_with_its_fields(analyst_client, letter):
    response = analyst_client.get(letter.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Venezuela (Nicolás Maduro) asked Russia (Vladimir Putin)"
        " for assistance"
        " — by letter — occurred, 8 Oct 2025"
    ) in page
    assert "two officials" in page
    assert "The Caracas Chronicle" in page
    assert "<dd>1 mention in 1 article from 0 publishers</dd>" in page


def test_the_event_page_highlights_the_sentence_inside_its_paragraph(
    analyst_client, letter
):
    page = analyst_client.get(letter.get_absolute_url()).content.decode()
    assert (
        "Caracas is worried. <mark>Venezuelan President Nicolás Maduro sent a letter"
    ) in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;.</mark> Officials confirmed it." in page
    )
    assert "<script>alert(1)" not in page
    assert "Another paragraph" not in page


def test_the_event_page_costs_the_same_queries_for_many_mentions(
    analyst_client, letter, django_assert_max_num_queries
):
    for n in range(20):
        article = make_article(f"Copy {n}\n{SEED_TEXT}")
        make_mention(letter, article, SENTENCE)
    # session, user, event, mentions, history, the analyst's groups
    with django_assert_max_num_queries(6):
        response = analyst_client.get(letter.get_absolute_url())
    assert response.content.decode().count("<mark>") == 21


def test_an_unknown_event_is_not_found(analyst_client):
    assert analyst_client.get(reverse("tensions:event", args=[999])).status_code == 404


def test_the_events_page_lists_the_latest_first_and_the_undated_last(analyst_client):
    undated = make_event("USA", "VEN", date=None)
    older = make_event("USA", "VEN", date=dt.date(2024, 1, 5))
    newer = make_event("VEN", "USA", date=dt.date(2025, 3, 1))
    same_day = make_event("USA", "VEN", date=dt.date(2025, 3, 1))

    page = analyst_client.get(reverse("tensions:events") + "?pair=USA,VEN")

    assert [e.pk for e in page.context["events"]] == [
        same_day.pk,  # the same day: the later recorded first
        newer.pk,
        older.pk,
        undated.pk,
    ]


def test_the_events_page_goes_on_to_older_events_and_offers_the_exports(
    analyst_client, monkeypatch
):
    from tensions import views

    monkeypatch.setattr(views, "EVENTS_PAGE", 3)
    made = [
        make_event("USA", "VEN", date=dt.date(2025, 1, 1) + dt.timedelta(days=n))
        for n in range(7)
    ]
    newest_first = [e.pk for e in reversed(made)]
    url = reverse("tensions:events") + "?pair=USA,VEN"
    seen, pages = [], 0
    while url:
        page = analyst_client.get(url)
        seen += [e.pk for e in page.context["events"]]
        older = page.context.get("older")
        url = reverse("tensions:events") + "?" + older if older else None
        pages += 1

    assert seen == newest_first and pages == 3
    html = page.content.decode()
    assert "/api/v1/events/export/?pair=USA%2CVEN&amp;format=csv" in html
    assert "Older events" not in html and "Latest events" in html
    export = analyst_client.get("/api/v1/events/export/?pair=USA%2CVEN&format=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert len(b"".join(export.streaming_content).splitlines()) == 1 + 7


def test_a_forged_position_on_the_events_page_is_told_not_a_crash(analyst_client):
    page = analyst_client.get(reverse("tensions:events") + "?pair=USA,VEN&before=x_y")

    assert page.status_code == 200
    assert "not one the list made" in page.content.decode()


def test_the_favicon_is_the_sites_icon_for_anyone(client):
    answer = client.get("/favicon.ico")

    assert answer.status_code == 301
    assert answer["Location"] == static("img/tensions.svg")
    assert finders.find("img/tensions.svg")
