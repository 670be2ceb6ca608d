"""Batches of files, metadata and where it came from, duplicates, languages."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from articles import services
from articles.models import Article, OriginalFile, UploadBatch
from articles.services import (
    article_create,
    article_process,
    article_reprocess,
    batch_upload,
)
from tensions.models import Mention
from tests.articles import samples
from tests.articles.test_parsing import BAD_FILES

pytestmark = pytest.mark.django_db

WIRE = (
    "Venezuelan President Nicolas Maduro sent a letter to Russian President "
    "Vladimir Putin asking for radars, aircraft repairs and missiles, according "
    "to documents seen by reporters. The letter was delivered in Moscow during a "
    "visit by a senior aide. In a separate message Maduro asked Chinese President "
    "Xi Jinping to speed up the production of radar detection systems. United "
    "States forces struck several boats in the Caribbean this month, and "
    "officials said that strikes on military installations were being considered."
)
FRENCH = (
    "Le président vénézuélien a demandé à la Russie des radars et des missiles "
    "pour la défense du pays, selon des documents que le journal a pu consulter. "
    "Les responsables américains ont dit que des frappes étaient possibles."
)


def _files(*pairs):
    return [SimpleUploadedFile(name, data) for name, data in pairs]


def test_text_differing_only_in_markup_and_whitespace_is_the_same_article():
    first = article_create(text=f"<p>{WIRE}</p>")
    second = article_create(text="**" + WIRE.replace(" ", "\n  ") + "**")
    assert not second.created and second.article == first.article


def test_a_wire_story_with_another_headline_and_a_trailing_paragraph_is_linked():
    first = article_create(text=f"Maduro writes to Putin\n\n{WIRE}").article
    again = article_create(
        text=f"Caracas seeks Russian missiles\n\n{WIRE}\n\nReuters contributed.",
        title="Caracas seeks Russian missiles",
    ).article
    assert again.pk != first.pk
    assert again.duplicate_of == first and again.similarity >= 0.6
    assert again.status == Article.Status.DONE
    assert first.near_duplicates.get() == again


def test_a_near_duplicate_adds_no_mentions_so_events_are_not_counted_twice():
    first = article_create(text=WIRE, published=dt.date(2025, 10, 31)).article
    article_process(article_id=first.pk, claim="a")
    mentions = Mention.objects.count()
    again = article_create(text=f"{WIRE} More to follow.").article
    article_process(article_id=again.pk, claim="b")  # e.g. a reprocess
    assert mentions > 0
    assert Mention.objects.count() == mentions
    assert not Mention.objects.filter(article=again).exists()


def test_a_different_story_is_not_a_near_duplicate():
    article_create(text=WIRE)
    other = article_create(text=samples.STORY + " " + FRENCH[:0] + samples.STORY[::-1])
    assert other.article.duplicate_of is None


def test_a_non_english_text_is_stored_unsupported_and_never_processed(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        article = article_create(text=FRENCH).article
    assert (article.status, article.language) == ("unsupported", "fr")
    assert article.error == "unsupported language (fr)"
    assert callbacks == []
    article_reprocess(article=article)  # e.g. after an extractor upgrade
    assert article_process(article_id=article.pk, claim="x").status == "unsupported"
    assert not Mention.objects.filter(article=article).exists()


# Turkish and Hindi: languages the guess does not name, surely not English.
TURKISH = (
    "Dışişleri Bakanlığı, Venezuela ile ilgili gelişmeleri yakından takip "
    "ettiğini açıkladı. Bakanlık, bölgedeki gerginliğin diyalog yoluyla "
    "çözülmesi gerektiğini vurguladı ve tüm tarafları itidale davet etti. "
    "Açıklamada, uluslararası hukukun ve egemenlik haklarının korunmasının "
    "önemine dikkat çekildi. Ankara, Karakas ile Washington arasındaki "
    "anlaşmazlığın barışçıl yollarla giderilmesi için arabuluculuk yapmaya "
    "hazır olduğunu da bildirdi. Yetkililer, önümüzdeki günlerde yeni "
    "görüşmelerin planlandığını söyledi."
)
HINDI = (
    "भारत के विदेश मंत्रालय ने कहा कि वह वेनेज़ुएला की स्थिति पर करीबी नज़र "
    "रखे हुए है और सभी पक्षों से संयम बरतने का आग्रह करता है।"
)


@pytest.mark.parametrize("text", [TURKISH, HINDI], ids=["turkish", "hindi"])
def test_a_language_the_guess_does_not_name_is_still_not_taken_for_english(text):
    article = article_create(text=text).article

    assert (article.status, article.language) == ("unsupported", "und")
    assert article.error == "unsupported language (not English)"


def test_short_or_plain_english_is_never_called_another_language():
    for text in ("Chile thanked Peru.", samples.STORY, WIRE, SHORT_ENGLISH):
        article = article_create(text=text).article
        assert (article.status, article.language) in {("queued", ""), ("queued", "en")}


# Few of English's commonest words, and "a", "as", "do", "al" plenty: these
# once counted for Portuguese and Spanish.
SHORT_ENGLISH = (
    "Al Rashid sent a letter as a gesture: a reply may come within a week, "
    "though aides do doubt a deal, a diplomat said after a briefing."
)
# Under fifty words, in Latin letters, accented throughout.
SHORT_TURKISH = (
    "Dışişleri Bakanlığı, Ege'deki son adımları kınadı ve büyükelçiyi "
    "bakanlığa çağırdı. Açıklamada gerginliğin tırmanmasından karşı tarafın "
    "sorumlu olacağı belirtildi ve görüşmelerin sürmesi istendi."
)
SHORT_POLISH = (
    "Rzecznik rządu powiedział, że wstrzymanie dostaw gazu tej zimy byłoby "
    "poważnym błędem, a ministrowie spraw zagranicznych obu krajów spotkają "
    "się w przyszłym tygodniu w Warszawie."
)


@pytest.mark.parametrize("reprocess", ["one", "many"])
def test_reprocessing_a_refused_article_guesses_its_language_again(reprocess):
    article = article_create(text=SHORT_ENGLISH).article
    # As an older guess refused it.
    Article.objects.filter(pk=article.pk).update(
        status="unsupported", language="pt", error="unsupported language (pt)"
    )
    if reprocess == "one":
        article_reprocess(article=article)
    else:
        services.articles_reprocess(articles=Article.objects.filter(pk=article.pk))

    article.refresh_from_db()
    assert (article.status, article.language) == ("queued", "")
    assert article_process(article_id=article.pk, claim="x").status == "done"


@pytest.mark.parametrize("text", [SHORT_TURKISH, SHORT_POLISH], ids=["tr", "pl"])
def test_a_short_accented_text_without_english_words_is_not_english(text):
    assert 20 <= len(text.split()) < 50
    article = article_create(text=text).article

    assert (article.status, article.language) == ("unsupported", "und")


def test_metadata_says_where_each_piece_came_from():
    head = '<title>Letters</title><meta property="og:site_name" content="Daily">'
    result = batch_upload(
        files=_files(("p.html", samples.html(f"<p>{WIRE}</p>", head))),
        source="web",
        fields={
            "publisher": "Typed Publisher",
            "title": "",
            "url": "",
            "published": None,
        },
    )
    article = result.uploads[0].article
    assert (article.title, article.publisher) == ("Letters", "Typed Publisher")
    assert article.metadata_sources == {
        "title": "the HTML page",
        "publisher": "form",
        "published": "upload time (no date given)",
    }
    assert article.published_source == Article.DateSource.UPLOAD_TIME


def test_a_date_from_the_file_is_used_and_flagged_as_such():
    article = batch_upload(files=_files(("m.eml", samples.eml(WIRE))), source="api")
    article = article.uploads[0].article
    assert article.published == dt.date(2025, 10, 28)
    assert article.published_source == Article.DateSource.FILE
    assert article.metadata_sources["published"] == "the e-mail"


def test_a_batch_keeps_good_files_and_lists_each_bad_one():
    result = batch_upload(
        files=_files(
            ("good.txt", WIRE.encode()),
            ("again.txt", WIRE.encode()),
            ("scan.pdf", samples.pdf(None)),
            ("records.jsonl", samples.jsonl([samples.record(1), {"text": ""}])),
        ),
        source="web",
    )
    batch = result.batch
    assert batch.files == 4 and batch.existing == 1
    assert [e["file"] for e in batch.file_errors] == [
        "scan.pdf",
        "records.jsonl line 2",
    ]
    assert batch.articles.count() == 2
    assert batch.status_counts()["queued"] == 2


def test_a_record_that_meets_a_bug_is_its_own_error_and_loses_no_other(
    monkeypatch, media
):
    create = services.article_create

    def buggy(*, text, **fields):
        if "BOOM" in text:
            raise RuntimeError("a bug this text meets")
        return create(text=text, **fields)

    monkeypatch.setattr(services, "article_create", buggy)
    records = [
        samples.record(1),
        samples.record(2, text="BOOM " * 5),
        samples.record(3),
    ]

    result = batch_upload(
        files=_files(
            ("a.txt", WIRE.encode()),
            ("b.jsonl", samples.jsonl(records)),
            ("c.txt", b"Chile thanked Peru for the help after the floods."),
        ),
        source="api",
    )

    assert [e["file"] for e in result.errors] == ["b.jsonl line 2"]
    assert "internal error" in result.errors[0]["message"]
    assert [u.article.filename for u in result.uploads] == [
        "a.txt",
        "b.jsonl line 1",
        "b.jsonl line 3",
        "c.txt",
    ]
    assert Article.objects.count() == 4
    assert result.batch.file_errors == result.errors
    bulk = Article.objects.filter(filename__startswith="b.jsonl")
    assert {a.original.name for a in bulk} == {"b.jsonl"}


def test_a_slice_saved_again_record_by_record_keeps_nothing_of_its_first_try(
    monkeypatch, media
):
    # The second record's insert fails once, after the first record's article,
    # sketch and the file's stored copy were written in the same transaction.
    insert, calls = services._article_insert, []

    def once_broken(article, values):
        calls.append(article)
        if len(calls) == 2:
            raise RuntimeError("a passing bug")
        return insert(article, values)

    monkeypatch.setattr(services, "_article_insert", once_broken)
    records = samples.jsonl([samples.record(1), samples.record(1, text=WIRE)])

    result = batch_upload(files=_files(("b.jsonl", records)), source="api")

    assert not result.errors
    assert [u.created for u in result.uploads] == [True, True]
    saved = Article.objects.order_by("pk")
    assert [a.pk for a in saved] == [u.article.pk for u in result.uploads]
    assert OriginalFile.objects.count() == 1
    assert {a.original_id for a in saved} == {OriginalFile.objects.get().pk}
    # The copy the first try wrote, whose row was rolled back, is gone too.
    kept = [p for p in media.rglob("*") if p.is_file()]
    assert kept == [media / OriginalFile.objects.get().file.name]


def test_files_over_the_per_upload_limit_are_each_refused(settings):
    settings.TENSIONS_MAX_FILES_PER_UPLOAD = 1
    result = batch_upload(
        files=_files(("a.txt", b"First text."), ("b.txt", b"Second text.")),
        source="api",
    )
    assert len(result.uploads) == 1
    assert result.errors == [
        {
            "file": "b.txt",
            "message": "over the limit of 1 file per upload: "
            "send it in another upload.",
        }
    ]


@pytest.fixture
def api(analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=analyst)}")
    return client


def test_the_api_takes_every_bad_file_in_one_batch_and_still_saves_the_good_one(api):
    files = [SimpleUploadedFile(name, data) for name, data, _ in BAD_FILES.values()]
    good = SimpleUploadedFile("good.txt", WIRE.encode())

    response = api.post(
        "/api/v1/articles/", {"file": [*files, good]}, format="multipart"
    )

    assert response.status_code == 201, response.content[:2000]
    body = response.json()
    assert [a["title"] for a in body["articles"]] == [WIRE[:120] + "…"]
    refused = {e["file"].split(" ")[0].split("/")[0] for e in body["errors"]}
    assert refused == {name for name, _, _ in BAD_FILES.values()}
    assert Article.objects.count() == 1


def test_the_web_form_takes_several_files_and_shows_the_batch(analyst_client):
    response = analyst_client.post(
        reverse("articles:upload"),
        {"file": _files(("a.txt", WIRE.encode()), ("b.pdf", b"%PDF-1.4\n"))},
    )
    batch = UploadBatch.objects.get()
    assert response.url == f"{reverse('articles:upload')}?batch={batch.pk}"
    page = analyst_client.get(response.url).content.decode()
    poll = reverse("articles:batch", args=[batch.pk])
    assert f'hx-get="{poll}"' in page
    assert "0 of 1</strong> article finished" in page
    assert "b.pdf" in page and "corrupt or truncated" in page


def test_a_batch_page_points_to_the_stored_article_each_known_text_is(
    analyst_client,
):
    stored = article_create(text=WIRE, title="The wire story").article
    records = samples.jsonl([{"text": WIRE}, samples.record(1)])
    batch = batch_upload(
        files=_files(("again.txt", WIRE.encode()), ("records.jsonl", records)),
        source="web",
    ).batch

    assert batch.existing_articles == [
        {"file": "again.txt", "article": stored.pk},
        {"file": "records.jsonl line 1", "article": stored.pk},
    ]
    html = analyst_client.get(reverse("articles:batch", args=[batch.pk]))
    html = html.content.decode()
    link = f'<a href="{stored.get_absolute_url()}">The wire story</a>'
    assert f"<strong>again.txt</strong>: the same text as {link}" in html
    assert f"<strong>records.jsonl line 1</strong>: the same text as {link}" in html


def test_the_web_form_takes_the_files_within_the_limit_and_names_the_others(
    analyst_client, settings
):
    # As the API does: each file over the limit is its own error.
    settings.TENSIONS_MAX_FILES_PER_UPLOAD = 2
    files = [(f"{n}.txt", f"Text number {n}.".encode()) for n in range(3)]

    response = analyst_client.post(reverse("articles:upload"), {"file": _files(*files)})

    batch = UploadBatch.objects.get()
    assert response.url == f"{reverse('articles:upload')}?batch={batch.pk}"
    assert batch.articles.count() == 2
    assert batch.file_errors == [
        {
            "file": "2.txt",
            "message": "over the limit of 2 files per upload: "
            "send it in another upload.",
        }
    ]


def test_the_batch_partial_stops_polling_and_offers_a_retry_when_failed(
    analyst_client,
):
    batch = batch_upload(files=_files(("a.txt", WIRE.encode())), source="web").batch
    Article.objects.update(status=Article.Status.FAILED, error="Engine broke.")
    page = analyst_client.get(reverse("articles:batch", args=[batch.pk]))
    html = page.content.decode()
    assert "hx-get" not in html and "1 of 1</strong>" in html
    assert "Engine broke." in html

    analyst_client.post(reverse("articles:batch-retry", args=[batch.pk]))

    assert Article.objects.get().status == Article.Status.QUEUED


def test_import_articles_reads_a_folder_and_an_archive(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(WIRE)
    (tmp_path / "sub" / "b.docx").write_bytes(samples.docx(samples.STORY))
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    archive = tmp_path.parent / f"{tmp_path.name}.zip"
    archive.write_bytes(samples.zipped({"c.txt": b"Chile thanked Peru."}))
    out, err = _call("import_articles", str(tmp_path))
    assert "3 files: 2 articles added, 0 already stored, 1 refused." in out
    assert "[##############################] 3/3" in out
    assert "bad.pdf: the PDF is corrupt or truncated." in err
    out, _ = _call("import_articles", str(archive))
    assert "1 files: 1 articles added" in out
    assert Article.objects.count() == 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_import_articles_shows_progress_within_an_archive_of_records(tmp_path):
    records = samples.jsonl([samples.record(n) for n in range(45)])
    archive = tmp_path / "wire.zip"
    archive.write_bytes(samples.zipped({"records.jsonl": records}))
    out = _Terminal()

    call_command("import_articles", str(archive), stdout=out, stderr=io.StringIO())

    shown = out.getvalue()
    for done in (20, 40):  # a commit's slice of records at a time
        assert f"] 0/1 · wire.zip: {done}/45\x1b[K\r" in shown
    assert "[##############################] 1/1\x1b[K\n" in shown
    assert "1 files: 45 articles added" in shown


def test_import_articles_reads_an_archive_over_the_upload_limit(tmp_path, settings):
    settings.TENSIONS_MAX_UPLOAD_BYTES = 1_000
    archive = tmp_path / "big.zip"
    texts = {f"{n}.txt": samples.record(n)["text"].encode() for n in range(40)}
    archive.write_bytes(samples.zipped(texts, level=zipfile.ZIP_STORED))
    assert archive.stat().st_size > 10_000

    out, err = _call("import_articles", str(archive))

    assert "1 files: 40 articles added" in out and not err, err


def test_reprocess_picks_all_failed_or_older_articles():
    old = article_create(text="First text.").article
    failed = article_create(text="Second text.").article
    Article.objects.filter(pk=old.pk).update(status="done", extractor_version="0.0.9")
    Article.objects.filter(pk=failed.pk).update(
        status="failed", extractor_version="0.1.0"
    )
    assert "1 articles" in _call("reprocess", "--failed")[0]
    Article.objects.filter(pk=failed.pk).update(status="done")
    assert "1 articles" in _call("reprocess", "--before-version", "0.1.0")[0]
    assert Article.objects.get(pk=old.pk).status == Article.Status.QUEUED
    assert "2 articles" in _call("reprocess", "--all")[0]


def _call(*args) -> tuple[str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# Originals -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_uploaded_file_is_kept_as_uploaded_and_stored_once(media):
    data = WIRE.encode("utf-16")
    (first,) = batch_upload(files=_files(("wire.txt", data)), source="api").uploads
    (again,) = batch_upload(files=_files(("copy.txt", data)), source="api").uploads

    original = first.article.original
    assert original.file.read() == data
    assert (original.name, original.size, first.article.original_member) == (
        "wire.txt",
        len(data),
        "",
    )
    assert again.article == first.article and not again.created
    assert OriginalFile.objects.count() == 1
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_articles_of_an_archive_share_it_and_name_their_member(media):
    archive = samples.zipped({"a.txt": WIRE.encode(), "b/c.txt": FRENCH.encode()})
    result = batch_upload(files=_files(("news.zip", archive)), source="web")

    members = sorted(
        (u.article.original.name, u.article.original_member) for u in result.uploads
    )
    assert members == [("news.zip", "news.zip/a.txt"), ("news.zip", "news.zip/b/c.txt")]
    assert OriginalFile.objects.get().file.read() == archive


def test_a_file_that_yields_no_article_is_not_kept(media):
    result = batch_upload(files=_files(("empty.txt", b"")), source="api")

    assert result.errors and not OriginalFile.objects.exists()


def test_a_file_whose_texts_are_all_refused_or_stored_is_not_kept(media, settings):
    article_create(text=WIRE)
    settings.TENSIONS_MAX_ARTICLE_CHARS = len(WIRE) + 10
    records = samples.jsonl([{"text": WIRE}, {"text": WIRE + " and more" * 10}])

    result = batch_upload(files=_files(("again.jsonl", records)), source="api")

    assert [u.created for u in result.uploads] == [False]
    assert "limit" in result.errors[0]["message"]
    assert not OriginalFile.objects.exists()


def test_the_original_downloads_for_a_logged_in_user_only(media, client, viewer):
    data = WIRE.encode()
    (upload,) = batch_upload(
        files=_files(("<b>x</b>.html", data)), source="api"
    ).uploads
    url = reverse("articles:original", args=[upload.article.pk])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    page = client.get(upload.article.get_absolute_url()).content.decode()
    assert url in page


def test_pasted_text_has_no_original_to_download(client, viewer):
    article = article_create(text=WIRE).article
    client.force_login(viewer)

    assert (
        client.get(reverse("articles:original", args=[article.pk])).status_code == 404
    )


def test_a_bulk_file_looks_up_its_stored_texts_in_one_query():
    batch_upload(
        files=_files(("old.jsonl", samples.jsonl([samples.record(1)]))),
        source="api",
    )
    records = [samples.record(n) for n in (1, 2, 3, 2, 4)]  # one stored, one twice
    with CaptureQueriesContext(connection) as queries:
        result = batch_upload(
            files=_files(("new.jsonl", samples.jsonl(records))), source="api"
        )

    lookups = [q for q in queries.captured_queries if '."content_hash" IN' in q["sql"]]
    assert len(lookups) == 1
    assert [u.created for u in result.uploads] == [False, True, True, False, True]
    assert result.uploads[3].article == result.uploads[1].article
    assert Article.objects.count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bulk_file_is_committed_in_slices_each_waking_a_worker(monkeypatch):
    from articles import services

    # What a worker woken after each commit would find queued.
    seen = []
    monkeypatch.setattr(services, "wake", lambda: seen.append(Article.objects.count()))
    texts = samples.article_texts(45)  # distinct stories, not near-duplicates
    records = [{"title": f"Story {n}", "text": t} for n, t in enumerate(texts)]
    records[30]["text"] = ""  # a refused record among them

    result = batch_upload(
        files=_files(("bulk.jsonl", samples.jsonl(records))), source="api"
    )

    assert len(result.uploads) == 44 and len(result.errors) == 1
    # Three slices of 20: the first 20 are queued, and a worker woken, while
    # the other 25 records are still being read.
    assert seen == [20, 39, 44]


@pytest.mark.parametrize("sentences", [8, 3])  # 3: the footer a third of the text
def test_a_re_published_story_is_linked_among_many_sharing_a_boilerplate(
    monkeypatch, sentences
):
    from articles import services

    # Every story ends with the same agency footer: its sketch values are held
    # by more stories than a lookup reads, and the story's own values still
    # find the first publication.
    footer = (
        " Reporting by the wire desk in Caracas, Moscow and Beijing; additional "
        "reporting by correspondents in Washington and Brussels; writing by the "
        "foreign desk; editing by the night editors of the agency, who check "
        "every figure and every name before a story is sent to subscribers."
    )
    stories = samples.article_texts(12, seed=5, sentences=sentences)
    stored = [article_create(text=story + footer).article for story in stories]
    # fewer than the stories holding the footer: its values count as common
    monkeypatch.setattr(services, "SKETCH_COMMON_HOLDERS", 5)

    again = article_create(
        text="Another headline\n\n" + stories[9] + footer + " More soon."
    ).article
    unrelated = samples.article_texts(13, seed=5, sentences=sentences)[12]
    other = article_create(text=unrelated + footer)

    assert again.duplicate_of == stored[9]
    assert other.article.duplicate_of is None


def test_a_value_found_common_is_marked_and_counted_common_from_then_on(
    monkeypatch, django_capture_on_commit_callbacks
):
    from articles import services
    from articles.fingerprint import sketch
    from articles.models import ArticleSketch, CommonSketchValue

    footer = (
        " Reporting by the wire desk in Caracas, Moscow and Beijing; additional "
        "reporting by correspondents in Washington and Brussels; writing by the "
        "foreign desk; editing by the night editors of the agency, who check "
        "every figure and every name before a story is sent to subscribers."
    )
    stories = samples.article_texts(9, seed=6, sentences=3)
    stored = [article_create(text=story + footer).article for story in stories[:8]]
    text = stories[8] + footer
    footer_values = {v for v in sketch(text) if v in set(sketch(stories[0] + footer))}
    monkeypatch.setattr(services, "SKETCH_COMMON_HOLDERS", 5)

    with django_capture_on_commit_callbacks(execute=True):
        services._sharing(sketch(text))

    marked = set(CommonSketchValue.objects.values_list("value", flat=True))
    assert marked and marked <= footer_values
    # Fewer holders than the bound now: counted as common all the same, so
    # a story sharing only the footer is no candidate...
    monkeypatch.setattr(services, "SKETCH_COMMON_HOLDERS", 100)
    ArticleSketch.objects.exclude(article=stored[0]).delete()
    assert services._sharing(sketch(text)) == []
    # ...where, unmarked, the footer's values alone made it one.
    CommonSketchValue.objects.all().delete()
    assert [c.pk for c in services._sharing(sketch(text))] == [stored[0].pk]


def test_a_lookup_probes_the_text_s_smallest_values_not_marked_common():
    from articles import services
    from articles.fingerprint import sketch
    from articles.models import ArticleSketch, CommonSketchValue

    texts = samples.article_texts(4, seed=8)
    signature = sketch(texts[0])
    probed = services.SKETCH_PROBED
    assert len(signature) == 64 and probed == 16

    def stored_holding(text: str, values: list[int]) -> Article:
        article = article_create(text=text).article
        ArticleSketch.objects.filter(article=article).delete()
        ArticleSketch.objects.bulk_create(
            ArticleSketch(article=article, value=v) for v in values
        )
        return article

    # A quarter of the probed values makes a candidate; the 24 largest values,
    # held but never probed, do not (probing all 64, they would: 24 >= 16).
    near = stored_holding(texts[1], signature[:4] + [1, 2, 3])
    far = stored_holding(texts[2], signature[40:])
    candidates = services._sharing(signature)
    assert [c.pk for c in candidates] == [near.pk]
    # With its whole sketch, stored on it, for the similarity.
    assert candidates[0].values == sketch(texts[1]) and len(sketch(texts[1])) == 64
    assert candidates[0].duplicate_of is None

    # Marked common, the smallest values are skipped: the next 16 are probed.
    CommonSketchValue.objects.bulk_create(
        CommonSketchValue(value=v) for v in signature[:probed]
    )
    deeper = stored_holding(texts[3], signature[probed : probed + 4])
    assert [c.pk for c in services._sharing(signature)] == [deeper.pk]
    assert far.pk not in [c.pk for c in services._sharing(signature)]


def test_an_article_keeps_its_whole_sketch_and_rows_for_its_smallest_values():
    from articles.fingerprint import sketch, sketch_unpack
    from articles.models import ArticleSketch

    text = samples.article_texts(1, seed=9)[0]
    article = article_create(text=text).article
    article.refresh_from_db()

    assert sketch_unpack(article.sketch) == sketch(text)
    rows = ArticleSketch.objects.filter(article=article).order_by("value")
    assert list(rows.values_list("value", flat=True)) == sketch(text)[:32]
    assert services.SKETCH_INDEXED == 32


def _republished(story: str, extra: str, similarity: float) -> str:
    """The story with as much of `extra` after it as brings the estimated
    similarity of the two down to about `similarity`."""
    from articles.fingerprint import similarity as similar
    from articles.fingerprint import sketch

    words = extra.split()
    for end in range(0, len(words) + 1, 2):
        longer = f"{story} {' '.join(words[:end])}"
        if similar(sketch(story), sketch(longer)) <= similarity:
            return longer
    raise AssertionError("the extra text is too short")


@pytest.mark.parametrize("stored_first", ["the story", "the longer text"])
def test_re_publications_at_the_threshold_are_found_by_the_indexed_values(
    stored_first,
):
    """A story and the same with other paragraphs after it, estimated just
    above the threshold (0.60 to 0.66): either stored first, the other is
    linked to it. When the longer one is stored, the values the story shares
    with it rank deeper in its sketch than in the story's: the indexed
    values (32 of 64) must still hold enough of the story's probes: with 8
    indexed values, some are missed."""
    from articles.fingerprint import similarity, sketch

    stories = samples.article_texts(40, seed=21, sentences=10)
    pairs = []
    for n in range(0, 40, 2):
        story = stories[n]
        longer = _republished(story, stories[n + 1], 0.66)
        if similarity(sketch(story), sketch(longer)) >= 0.6:
            pairs.append((story, longer))
    assert len(pairs) >= 12
    for story, longer in pairs:
        first, second = (
            (story, longer) if stored_first == "the story" else (longer, story)
        )
        stored = article_create(text=first).article
        again = article_create(text=second).article
        assert again.duplicate_of == stored, similarity(sketch(first), sketch(second))


def test_the_migration_moves_each_sketch_to_its_article_and_back():
    """0011: the rows of an article's 64 values become its column and the
    rows of its 32 smallest; going back makes the 64 rows again."""
    import importlib

    from django.apps import apps

    from articles.fingerprint import sketch, sketch_unpack
    from articles.models import ArticleSketch

    migration = importlib.import_module("articles.migrations.0011_article_sketch")
    texts = samples.article_texts(3, seed=12)
    articles = [article_create(text=t).article for t in texts]
    # As 0010 left them: every value a row, no column.
    Article.objects.update(sketch=b"")
    for article, text in zip(articles, texts, strict=True):
        ArticleSketch.objects.filter(article=article).delete()
        ArticleSketch.objects.bulk_create(
            ArticleSketch(article=article, value=v) for v in sketch(text)
        )

    migration._sketches_moved(apps, None)

    for article, text in zip(articles, texts, strict=True):
        article.refresh_from_db()
        assert sketch_unpack(article.sketch) == sketch(text)
        held = ArticleSketch.objects.filter(article=article).order_by("value")
        assert list(held.values_list("value", flat=True)) == sketch(text)[:32]

    migration._rows_back(apps, None)

    for article, text in zip(articles, texts, strict=True):
        held = ArticleSketch.objects.filter(article=article).order_by("value")
        assert list(held.values_list("value", flat=True)) == sketch(text)
