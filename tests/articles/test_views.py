"""Article pages: list, detail with highlighted evidence, status polling, upload."""

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.tensions.factories import make_article, make_event, make_mention

pytestmark = pytest.mark.django_db

TEXT = (
    "Caracas asks Moscow\n"
    "Maduro wrote to Putin <b>urgently</b>. Nothing else.\n"
    "Washington struck a boat."
)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("articles:list", []),
        ("articles:upload", []),
        ("articles:detail", [1]),
        ("articles:status", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_articles_with_status_and_event_count(analyst_client):
    article = make_article(TEXT, publisher="Tensions desk")
    event = make_event("VEN", "RUS")
    make_mention(event, article, "Maduro wrote to Putin <b>urgently</b>.")
    response = analyst_client.get(reverse("articles:list"))
    assert response.status_code == 200
    assert response.context["page"].object_list[0].event_count == 1
    page = response.content.decode()
    assert "Caracas asks Moscow" in page and "Tensions desk" in page
    assert 'class="badge badge-done"' in page


def test_the_list_searches_and_filters_by_status(analyst_client):
    make_article("About Caracas\nText.", status=Article.Status.FAILED)
    make_article("About Beijing\nText.", status=Article.Status.DONE)
    make_article("Also Caracas\nText.", status=Article.Status.DONE)
    url = reverse("articles:list")
    found = analyst_client.get(url, {"q": "caracas"}).context["page"].object_list
    assert {a.title for a in found} == {"About Caracas", "Also Caracas"}
    found = analyst_client.get(url, {"q": "caracas", "status": "failed"})
    assert [a.title for a in found.context["page"].object_list] == ["About Caracas"]


def test_the_list_is_paginated_by_fifty_and_keeps_the_filters(analyst_client):
    for n in range(55):
        make_article(f"Report {n}\nText.")
    response = analyst_client.get(reverse("articles:list"), {"q": "report"})
    assert len(response.context["page"].object_list) == 50
    assert "?q=report&amp;page=2" in response.content.decode()
    second = analyst_client.get(reverse("articles:list"), {"q": "report", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_the_list_costs_the_same_queries_for_many_rows(
    analyst_client, django_assert_max_num_queries
):
    event = make_event("VEN", "RUS")
    for n in range(60):
        article = make_article(f"Report {n}\nMaduro wrote.")
        make_mention(event, article, "Maduro wrote.")
    with django_assert_max_num_queries(5):
        response = analyst_client.get(reverse("articles:list"))
    assert response.status_code == 200


def test_the_article_page_highlights_each_mention_in_the_escaped_text(
    analyst_client,
):
    article = make_article(TEXT, url="https://example.org/a", author="A. Writer")
    request = make_event("VEN", "RUS")
    strike = make_event("USA", "VEN", type="ASSAULT", mode="naval")
    make_mention(request, article, "Maduro wrote to Putin <b>urgently</b>.")
    make_mention(strike, article, "Washington struck a boat.")
    response = analyst_client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert (f'<a href="{request.get_absolute_url()}" class="mention"') in page
    assert "<mark>Maduro wrote to Putin &lt;b&gt;urgently&lt;/b&gt;.</mark>" in page
    assert "<b>urgently</b>" not in page
    assert "<mark>Washington struck a boat.</mark>" in page
    assert "A. Writer" in page and "https://example.org/a" in page
    assert len(response.context["events"]) == 2


def test_the_article_page_costs_the_same_queries_for_many_mentions(
    analyst_client, django_assert_max_num_queries
):
    text = "Title\n" + " ".join(f"Sentence {n} here." for n in range(40))
    article = make_article(text)
    for n in range(40):
        make_mention(make_event("VEN", "RUS"), article, f"Sentence {n} here.")
    with django_assert_max_num_queries(5):
        response = analyst_client.get(article.get_absolute_url())
    assert response.content.decode().count("<mark>") == 40


def test_a_queued_article_polls_its_status(analyst_client):
    article = make_article(status=Article.Status.QUEUED)
    page = analyst_client.get(article.get_absolute_url()).content.decode()
    status_url = reverse("articles:status", args=[article.pk])
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 2s"' in page and 'hx-swap="outerHTML"' in page


def test_the_status_partial_polls_while_processing(analyst_client):
    article = make_article(status=Article.Status.PROCESSING)
    response = analyst_client.get(
        reverse("articles:status", args=[article.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "HX-Refresh" not in response
    assert "<html" not in response.content.decode()


def test_the_status_partial_stops_polling_and_refreshes_when_done(analyst_client):
    article = make_article(status=Article.Status.DONE)
    response = analyst_client.get(
        reverse("articles:status", args=[article.pk]), headers={"HX-Request": "true"}
    )
    assert "hx-trigger" not in response.content.decode()
    assert response["HX-Refresh"] == "true"


def test_a_failed_article_says_why(analyst_client):
    article = make_article(status=Article.Status.FAILED, error="The text is garbled.")
    page = analyst_client.get(article.get_absolute_url()).content.decode()
    assert "Processing failed: The text is garbled." in page
    assert "hx-trigger" not in page


@pytest.mark.parametrize(
    ("language", "shown"),
    [("und", "not English (und:"), ("fr", "<dd>fr</dd>"), ("", "not determined")],
)
def test_the_article_page_says_its_language(analyst_client, language, shown):
    article = make_article(language=language)
    assert shown in analyst_client.get(article.get_absolute_url()).content.decode()


def test_reprocess_queues_the_article_again(analyst_client):
    article = make_article(status=Article.Status.FAILED, error="boom")
    response = analyst_client.post(reverse("articles:reprocess", args=[article.pk]))
    assert response.status_code == 302
    assert response.url == article.get_absolute_url()
    article.refresh_from_db()
    assert article.status == Article.Status.QUEUED and article.error == ""
    assert _messages(response) == ["Queued for processing again."]


def test_reprocess_is_a_post(analyst_client):
    article = make_article()
    response = analyst_client.get(reverse("articles:reprocess", args=[article.pk]))
    assert response.status_code == 405


def test_the_upload_page_renders_its_form(analyst_client):
    response = analyst_client.get(reverse("articles:upload"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("text", "file", "title", "publisher", "author", "url", "published"):
        assert f'name="{name}"' in page
    assert 'enctype="multipart/form-data"' in page


def test_it_uploads_pasted_text(analyst_client, analyst):
    response = analyst_client.post(
        reverse("articles:upload"),
        {
            "text": TEXT,
            "title": "A title",
            "author": "Ana Pérez",
            "url": "https://example.org/x",
        },
    )
    article = Article.objects.get()
    assert (article.author, article.metadata_sources["author"]) == ("Ana Pérez", "form")
    assert response.url == article.get_absolute_url()
    assert _messages(response) == ["Uploaded; processing…"]
    assert (article.title, article.uploaded_by) == ("A title", analyst)
    assert article.status == Article.Status.QUEUED


def test_it_uploads_a_text_file(analyst_client):
    file = SimpleUploadedFile("letter.txt", TEXT.encode())
    response = analyst_client.post(reverse("articles:upload"), {"file": file})
    article = Article.objects.get()
    assert response.status_code == 302
    assert article.filename == "letter.txt"
    assert article.text == TEXT


def test_it_rejects_a_duplicate_upload(analyst_client):
    existing = make_article(TEXT)
    response = analyst_client.post(
        reverse("articles:upload"), {"text": TEXT.replace(" ", "  ")}
    )
    assert response.url == existing.get_absolute_url()
    assert _messages(response) == [
        "This text was already uploaded: here is the existing article."
    ]
    assert Article.objects.count() == 1


def _future() -> str:
    return (timezone.localdate() + dt.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "  \n  "}, "The text is only whitespace."),
        ({}, "Paste the text or choose files."),
        ({"file": ("a.txt", b"\x00\x00binary\x01\x02")}, "binary data, not text"),
        ({"file": ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 9)}, "a PNG image"),
        ({"file": ("big.txt", b"x" * 101)}, "the limit is 100"),
        (
            {"text": TEXT, "published": _future()},
            "The publication date is in the future.",
        ),
        ({"text": TEXT, "url": "not a url"}, "Enter a valid URL."),
    ],
)
def test_it_rerenders_the_form_on_bad_input_and_saves_nothing(
    analyst_client, settings, data, message
):
    settings.TENSIONS_MAX_UPLOAD_BYTES = 100
    before = Article.objects.count()
    if "file" in data:
        name, content = data["file"]
        data = {**data, "file": SimpleUploadedFile(name, content)}
    response = analyst_client.post(reverse("articles:upload"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Article.objects.count() == before


def test_a_service_refusal_shows_on_the_form(analyst_client, settings):
    settings.TENSIONS_MAX_ARTICLE_CHARS = 10
    file = SimpleUploadedFile("long.txt", b"A rather long article.")
    response = analyst_client.post(reverse("articles:upload"), {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "long.txt: The article has 22 characters; the limit is 10."
    ]
    assert Article.objects.count() == 0


def test_the_status_box_tells_the_extraction_time_and_the_batchs(
    analyst_client,
):
    article = make_article(status=Article.Status.DONE)
    started = timezone.now() - dt.timedelta(seconds=2)
    Article.objects.filter(pk=article.pk).update(
        started_at=started,
        finished_at=started + dt.timedelta(seconds=1.5),
        extraction_seconds=0.25,
    )

    page = analyst_client.get(article.get_absolute_url()).content.decode()

    assert "<dt>Extraction</dt><dd>0.25 s</dd>" in page
    assert "1.5 s from start to finish, with the articles processed alongside" in page


def test_the_admin_action_reprocesses_the_chosen_articles(client, admin):
    done = make_article("First text.", extractor_version="0.0.1")
    failed = make_article("Second text.", status=Article.Status.FAILED, error="x")
    left = make_article("Third text.")
    call_command("set_role", admin.username, "admin", stdout=io.StringIO())
    client.force_login(admin)

    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "reprocess", "_selected_action": [done.pk, failed.pk]},
        follow=True,
    )

    assert "2 articles queued for processing." in _messages(response)
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {done.pk: "queued", failed.pk: "queued", left.pk: "done"}
    assert Article.objects.get(pk=failed.pk).error == ""
