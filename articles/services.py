"""Uploading articles and processing them into events."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from articles.fingerprint import Fingerprint, similarity, sketch_pack, sketch_unpack
from articles.language import UNDETERMINED, detect_language
from articles.models import (
    Article,
    ArticleSketch,
    CommonSketchValue,
    OriginalFile,
    UploadBatch,
    normalise_text,
)
from articles.parsing import Document, Failure, parse_file
from tensions import extraction, prepared
from tensions.bulk import row_insert_values, row_inserted, rows_insert, rows_update
from tensions.services import events_record_many

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    article: Article
    created: bool


def article_create(
    *,
    text: str,
    title: str = "",
    publisher: str = "",
    author: str = "",
    url: str = "",
    published: dt.date | None = None,
    uploaded_by=None,
    filename: str = "",
    batch: UploadBatch | None = None,
    file_metadata: Document | None = None,
    original: OriginalFile | Callable[[], OriginalFile] | None = None,
    original_member: str = "",
    stored: dict[str, Article] | None = None,
    fingerprint: Fingerprint | None = None,
    wake_worker: bool = True,
) -> Upload:
    """Save an article and enqueue it after commit.

    The same text (whitespace and markup folded) is never stored twice: the
    existing article is returned with `created=False`. What the analyst typed
    wins over what the file says; `metadata_sources` records where each came
    from. A near-duplicate of a stored story is linked to it and not processed
    into events again; a text in another language is stored as unsupported.

    `stored`, when given, holds every stored article among the hashes of the
    caller's texts, read at once (see _stored_among); it is kept up to date.
    `fingerprint`, when given, is the text's, made by the caller already.
    `original` may be a function giving the stored file, asked only when the
    article is created: a file that adds no article is not kept.
    With `wake_worker=False` no worker is woken: the caller processes the
    article itself.
    """
    _validate(text=text, published=published)
    fingerprint = fingerprint or Fingerprint(text)
    digest = fingerprint.digest
    if stored is None:
        existing = Article.objects.filter(content_hash=digest).first()
    else:
        existing = stored.get(digest)
    if existing:
        return Upload(existing, created=False)
    given = {"title": title, "publisher": publisher, "author": author, "url": url}
    fields = _metadata(given, published, text, file_metadata, fingerprint.normal)
    fields.update(
        text=text.strip(),
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content_hash=digest,
        queued_at=timezone.now(),
        batch=batch,
        language=detect_language(text),
        original=original() if callable(original) else original,
        original_member=original_member[:500],
    )
    signature = fingerprint.sketch
    fields["sketch"] = sketch_pack(signature)
    # Within a caller's transaction (a bulk file's records), no savepoint: a
    # text another upload stores at the same moment is left out, not an error
    # to roll back, and a savepoint per record cost about a seventh of an
    # upload (bench/README.md, ingestion).
    with transaction.atomic(savepoint=False):
        article = Article(**fields, **_near_duplicate(signature))
        verdict = _verdict(article)
        if verdict:  # finished as it is stored
            for name, value in _finished_fields(*verdict).items():
                setattr(article, name, value)
        if not _article_insert(article, signature[:SKETCH_INDEXED]):
            # Another upload of the same text won the race.
            return Upload(Article.objects.get(content_hash=digest), created=False)
    if stored is not None:
        stored[digest] = article
    if article.status == Article.Status.QUEUED and wake_worker:
        queue_wake()
    return Upload(article, created=True)


def _metadata(
    given: dict, published, text: str, document: Document | None, normal: str
) -> dict:
    """The article's metadata fields and where each came from; `normal` is
    the text's normal form (Fingerprint.normal)."""
    found = document or Document(name="", text="")
    fields, sources = {}, {}
    for key, value in given.items():
        value = value.strip()
        from_file = getattr(found, key)
        fields[key] = (value or from_file)[
            : 500 if key == "title" else 200 if key != "url" else 1000
        ]
        if value:
            sources[key] = "form"
        elif from_file:
            sources[key] = found.sources.get(key, "the file")
    if not fields["title"]:
        fields["title"] = _title_from(text, normal)
        sources["title"] = "first line of the text"
    fields["published"], fields["published_source"] = _date_and_source(
        published, found.published
    )
    sources["published"] = {
        Article.DateSource.FORM: "form",
        Article.DateSource.FILE: found.sources.get("published", "the file"),
        Article.DateSource.UPLOAD_TIME: "upload time (no date given)",
    }[fields["published_source"]]
    fields["metadata_sources"] = sources
    return fields


def _date_and_source(given: dt.date | None, from_file: dt.date | None):
    if given:
        return given, Article.DateSource.FORM
    if from_file and from_file <= timezone.localdate():
        return from_file, Article.DateSource.FILE
    return timezone.localdate(), Article.DateSource.UPLOAD_TIME


def _near_duplicate(signature: list[int]) -> dict:
    """The stored story this text re-publishes, if any, and how similar they are."""
    if not signature:
        return {}
    best, score = None, 0.0
    for candidate in _sharing(signature):  # most shared first: ties go to it
        value = similarity(signature, candidate.values)
        if value > score:
            best, score = candidate, value
    if best is None or score < settings.TENSIONS_NEAR_DUPLICATE_THRESHOLD:
        return {}
    return {
        "duplicate_of_id": best.duplicate_of or best.pk,
        "similarity": round(score, 3),
    }


def _article_insert(article: Article, values: list[int]) -> bool:
    """Insert the article and its sketch rows (the values a lookup may find it
    by); False, inserting nothing, when another upload stored the same text
    first.

    On PostgreSQL in one prepared statement: as two statements, each parsed
    and planned every time, they cost an upload of 1,000 texts about a tenth
    more database time (bench/README.md, ingestion, session 15)."""
    if connection.vendor != "postgresql":
        if not rows_insert([article], unless_stored="content_hash"):
            return False
        ArticleSketch.objects.bulk_create(
            ArticleSketch(article_id=article.pk, value=v) for v in values
        )
        return True
    columns, params = row_insert_values(article)
    places = ", ".join(["%s"] * len(params))
    sql = _ARTICLE_INSERT.format(columns=columns, places=places)
    rows = prepared.rows_fetch(sql, [*params, values])
    if not rows:
        return False
    row_inserted(article, rows[0][0])
    return True


# The sketch rows take the key the article row got; none when the text was
# stored already (by another upload, since the caller looked).
_ARTICLE_INSERT = """
WITH article AS (
    INSERT INTO articles_article ({columns}) VALUES ({places})
    ON CONFLICT (content_hash) DO NOTHING RETURNING id
), sketch AS (
    INSERT INTO articles_articlesketch (article_id, value)
    SELECT article.id, value FROM article, unnest(%s::bigint[]) AS value
)
SELECT id FROM article
"""


# A sketch value held by more stored articles than this is boilerplate (an
# agency's footer, a template): it tells nothing about which story a text
# re-publishes, and counting all its holders made each lookup read a share of
# the whole table. A lookup reads at most this many holders of each value
# (plus one, to know) and counts the others: a story's own values find it.
SKETCH_COMMON_HOLDERS = 100
# An article is found by the rows of its this many smallest sketch values; its
# whole sketch (SKETCH_SIZE values) is stored on it, for the similarity. A
# lookup probes a text's SKETCH_PROBED smallest values and needs a quarter of
# them among a candidate's rows. A story the text re-publishes at the
# threshold (Jaccard 0.6) has at most 1/0.6 times the text's shingles, so the
# probed values they share are expected by the 27th value of that story's
# sketch: within these 32. Re-publications at 0.60-0.66, either stored first,
# are all found with 12 indexed values; some are missed with 8 (tested). The
# upload wrote all 64 rows and checked their foreign key 64 times per article:
# half of them took a fifth off its database time (bench/README.md).
SKETCH_INDEXED = 32
# A lookup reads the holders of this many of the text's sketch values: the
# smallest ones not marked common, themselves a bottom-k sketch of the text.
# A re-publication at the similarity threshold (0.6) holds about 10 of these 16
# where 4 make it a candidate; the whole sketches then decide. Reading all 64
# read four times the rows (templated texts hold up to 100 each) for nothing.
SKETCH_PROBED = 16


class Candidate(NamedTuple):
    """A stored article a text may re-publish."""

    pk: int
    duplicate_of: int | None  # the first publication it is linked to
    values: list[int]  # its whole sketch


def _sharing(signature: list[int]) -> list[Candidate]:
    """Up to 5 stored articles holding at least a quarter of the text's probed
    sketch values (its SKETCH_PROBED smallest not marked common, less those more
    than SKETCH_COMMON_HOLDERS articles hold), most first, ties to the oldest,
    with their whole sketches, whose similarity then decides (_near_duplicate).
    One statement (prepared on PostgreSQL).

    Values marked common (CommonSketchValue) are never probed; a value the
    lookup finds common is marked once the caller's transaction commits."""
    bound = SKETCH_COMMON_HOLDERS
    if connection.vendor == "postgresql":
        # A walk of (value, article) per value that stops past the bound.
        sql, params = _SHARING_POSTGRES, [signature, SKETCH_PROBED, bound + 1]
    else:
        wanted = _WANTED_VALUES.format(", ".join(["(%s)"] * len(signature)))
        sql = _SHARING.format(wanted=wanted, held=_HELD_WINDOW)
        params = [*signature, SKETCH_PROBED]
    rows = prepared.rows_fetch(sql, [*params, bound, bound])
    found = sorted(value for common, value, *_ in rows if common)
    if found:
        transaction.on_commit(lambda: _common_mark(found), robust=True)
    shared = sorted(
        (row for row in rows if not row[0]),
        key=lambda row: (-row[2], row[1]),  # most values held, then oldest
    )
    return [
        Candidate(pk, first, sketch_unpack(values))
        for _, pk, _, first, values in shared
    ]


def _common_mark(values: list[int]) -> None:
    """Mark sketch values common (in order: concurrent marks wait, never
    deadlock)."""
    CommonSketchValue.objects.bulk_create(
        [CommonSketchValue(value=v) for v in values], ignore_conflicts=True
    )


# (value, whether it is marked common)
_WANTED_POSTGRES = """
    SELECT w.value, EXISTS (
        SELECT 1 FROM articles_commonsketchvalue AS c WHERE c.value = w.value
    ) AS known
    FROM unnest(%s::bigint[]) AS w(value)
"""
_WANTED_VALUES = """
    SELECT w.column1 AS value, EXISTS (
        SELECT 1 FROM articles_commonsketchvalue AS c WHERE c.value = w.column1
    ) AS known
    FROM (VALUES {}) AS w
"""
# (value, article, how many hold the value: on PostgreSQL counted up to the
# bound plus one, which is all the query needs to know) for the probed values
_HELD_POSTGRES = """
    SELECT probed.value, holder.article_id, holder.holders
    FROM probed
    CROSS JOIN LATERAL (
        SELECT article_id, count(*) OVER () AS holders FROM (
            SELECT article_id FROM articles_articlesketch
            WHERE value = probed.value ORDER BY article_id LIMIT %s
        ) AS first
    ) AS holder
"""
_HELD_WINDOW = """
    SELECT value, article_id, count(*) OVER (PARTITION BY value) AS holders
    FROM articles_articlesketch
    WHERE value IN (SELECT value FROM probed)
"""
# Rows (0, candidate, values it holds, its first publication, its sketch) and
# (1, value found common, 0, NULL, NULL). The probed values are the smallest
# not marked common.
_SHARING = """
WITH wanted AS ({wanted}),
probed AS (SELECT value FROM wanted WHERE NOT known ORDER BY value LIMIT %s),
held AS ({held}),
found AS (SELECT DISTINCT value FROM held WHERE holders > %s),
needed AS (
    SELECT ((SELECT count(*) FROM probed) - (SELECT count(*) FROM found)) / 4 AS n
)
SELECT 0, best.article_id, best.n, article.duplicate_of_id, article.sketch
FROM (
    SELECT article_id, count(*) AS n FROM held WHERE holders <= %s
    GROUP BY article_id
    HAVING count(*) >= (SELECT CASE WHEN n > 1 THEN n ELSE 1 END FROM needed)
    ORDER BY count(*) DESC, article_id LIMIT 5
) AS best
JOIN articles_article AS article ON article.id = best.article_id
UNION ALL
SELECT 1, value, 0, NULL, NULL FROM found
"""
_SHARING_POSTGRES = _SHARING.format(wanted=_WANTED_POSTGRES, held=_HELD_POSTGRES)


def _verdict(article: Article) -> tuple[str, str] | None:
    """(status, note) when the article must not go through the extractor."""
    if article.language == UNDETERMINED:
        return Article.Status.UNSUPPORTED, "unsupported language (not English)"
    if article.language and article.language != "en":
        return Article.Status.UNSUPPORTED, f"unsupported language ({article.language})"
    if article.duplicate_of_id:
        return Article.Status.DONE, ""
    return None


def _validate(*, text: str, published: dt.date | None) -> None:
    if not text or not text.strip():
        raise ValidationError({"text": "The article has no text."}, code="empty")
    limit = settings.TENSIONS_MAX_ARTICLE_CHARS
    if len(text) > limit:
        raise ValidationError(
            {
                "text": f"The article has {len(text):,} characters; "
                f"the limit is {limit:,}."
            },
            code="too_long",
        )
    if published and published > timezone.localdate():
        raise ValidationError(
            {"published": "The publication date is in the future."}, code="future"
        )


def _title_from(text: str, normal: str) -> str:
    """The first line, normalised; a text of one line (a bulk record's, often)
    is normalised already: `normal`."""
    lines = text.strip().splitlines()
    first_line = normal if len(lines) == 1 else normalise_text(lines[0])
    return first_line[:120] + ("…" if len(first_line) > 120 else "")


def queue_wake(*, always: bool = False) -> None:
    """Wake a worker after the current transaction commits (at once outside of
    one), for the articles it queued; `always`: see wake.

    Workers take queued articles from the database in batches (see
    articles_claim), so a transaction that queues many articles sends one
    wake-up, not one task per article.
    """
    callback = _wake_always if always else wake
    current = transaction.get_connection()
    if current.in_atomic_block and any(
        registered is callback for _, registered, _ in current.run_on_commit
    ):
        # Already due after this commit. Had it been registered in a savepoint
        # rolled back since, Django would have dropped it: it is still there,
        # so this commit will send it.
        return
    transaction.on_commit(callback)


def wake(*, always: bool = False) -> None:
    """Send one process_queue task, unless one already waits for a worker.

    A task waiting in the queue will claim whatever is queued when it starts,
    so while one waits no other is sent: an upload committed in many slices,
    or while workers are busy, does not leave dozens of empty tasks behind it.
    The mark that one waits lives in the shared cache (only there: a cache of
    this process alone cannot know) and is taken off by the task as it starts,
    before it claims (wake_taken). With `always` a task is sent anyway: the
    sweeper's, for the waiting one may have been lost with the broker.

    If the broker is unreachable the articles stay queued; the sweeper sends a
    wake-up again later, so no upload is lost. After one failure this process
    stops trying for a while, so that an outage does not stall a large upload
    on one timeout per request.
    """
    from articles.tasks import process_queue

    if time.monotonic() < _broker.down_until:
        logger.warning("broker down: queued articles wait for the sweeper")
        return
    if not always and not _wake_mark():
        return  # a waiting task will claim these articles too
    try:
        process_queue.delay()
    except Exception:  # the broker is down: the sweeper will retry
        wake_taken()
        _broker.down_until = time.monotonic() + _BROKER_PAUSE_SECONDS
        logger.warning("could not wake a worker; the articles stay queued")


def _wake_always() -> None:
    wake(always=True)


def wake_taken() -> None:
    """A process_queue task has started: the next wake-up sends another."""
    if settings.TENSIONS_SHARED_CACHE:
        try:
            cache.delete(WAKE_PENDING)
        except Exception:  # the cache is down: the mark expires by itself
            logger.warning("could not clear the wake-up mark")


def _wake_mark() -> bool:
    """Mark that a task waits; False if one already did."""
    if not settings.TENSIONS_SHARED_CACHE:
        return True
    try:
        return cache.add(WAKE_PENDING, True, timeout=_WAKE_PENDING_SECONDS)
    except Exception:  # the cache is down: wake anyway
        return True


WAKE_PENDING = "articles:wake-pending"
# A bound only: should the waiting task be lost (a broker that keeps nothing
# across a restart), wake-ups resume after this.
_WAKE_PENDING_SECONDS = 60


class _BrokerState:
    down_until = 0.0


_broker = _BrokerState()
_BROKER_PAUSE_SECONDS = 15.0

# A worker's errors worth retrying the task for: the database or the broker
# went away for a moment. Anything else is about the article and is final.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError)


def article_reprocess(*, article: Article) -> None:
    articles_reprocess(articles=Article.objects.filter(pk=article.pk))


def _language_again(articles) -> None:
    """Guess again the language of those of the articles that were refused as
    unsupported: the guess improves (a short English paragraph once passed for
    Portuguese), and a refused article is reprocessed under today's guess."""
    refused = articles.filter(status=Article.Status.UNSUPPORTED)
    for article in refused.only("pk", "text", "language").iterator():
        language = detect_language(article.text)
        if language != article.language:
            Article.objects.filter(pk=article.pk).update(language=language)


def _queued_fields() -> dict:
    return {
        "status": Article.Status.QUEUED,
        "queued_at": timezone.now(),
        "error": "",
        "claimed_by": "",
    }


def articles_claim(
    *, claim: str, ids: list[int] | None = None, limit: int | None = None
) -> tuple[list[Article], bool]:
    """Take the oldest articles waiting to be processed, marking them processing
    for `claim`; returns them and whether more are waiting.

    A batch holds at most TENSIONS_PROCESS_BATCH_ARTICLES articles and, beyond
    its first, TENSIONS_PROCESS_BATCH_CHARACTERS characters, so that a batch
    of long articles still ends well within the task's time limit. Rows
    another worker is claiming at the same moment are skipped (PostgreSQL's
    SKIP LOCKED), so two workers never wait for each other or take the same
    article. A retry of the same task carries the same claim and takes its own
    articles again; a claim older than the stuck timeout is fair game for
    anyone. With `ids`, only among those.
    """
    limit = limit or settings.TENSIONS_PROCESS_BATCH_ARTICLES
    stale = timezone.now() - dt.timedelta(seconds=settings.TENSIONS_STUCK_AFTER_SECONDS)
    claimable = Q(status=Article.Status.QUEUED) | Q(
        Q(claimed_by=claim) | Q(started_at__lt=stale), status=Article.Status.PROCESSING
    )
    waiting = Article.objects.filter(claimable)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    with transaction.atomic():
        _flush_not_awaited()  # lost in a crash, the articles are just queued
        # Up to two batches: how many wait decides this claim's share.
        rows = list(
            waiting.select_for_update(skip_locked=True)
            .defer("sketch")  # the upload's business, not the worker's
            .order_by("queued_at", "pk")
            .annotate(characters=Length("text"))[: 2 * limit]
        )
        taken = _batch_of(rows[: _share(len(rows), limit)])
        if taken:
            fields = {
                "status": Article.Status.PROCESSING,
                "claimed_by": claim,
                "started_at": timezone.now(),
                "finished_at": None,
            }
            # On PostgreSQL the rows are locked since the read: by their keys
            # alone (the claimable terms made the planner scan every queued
            # row). SQLite has no row locks: another worker may have taken
            # some of them since the read, so they must still be claimable.
            chosen = [a.pk for a in taken]
            locked = connection.vendor == "postgresql"
            claimed = Article.objects if locked else waiting
            if claimed.filter(pk__in=chosen).update(
                **fields, attempts=F("attempts") + 1
            ) < len(taken):
                mine = set(
                    Article.objects.held_by(claim)
                    .filter(pk__in=chosen)
                    .values_list("pk", flat=True)
                )
                taken = [a for a in taken if a.pk in mine]
            for article in taken:
                for name, value in fields.items():
                    setattr(article, name, value)
                article.attempts += 1
    return taken, len(rows) > len(taken)


def articles_waiting() -> bool:
    """Whether any article waits in the queue."""
    return Article.objects.filter(status=Article.Status.QUEUED).exists()


def _share(waiting: int, limit: int) -> int:
    """How many of the `waiting` articles (counted up to two batches) one claim
    takes: a whole batch while two or more wait, else half of them, but not
    fewer than TENSIONS_PROCESS_BATCH_FLOOR. As the queue drains, the worker
    processes share its last articles instead of one of them taking a whole
    batch while the others wait idle: with two processes the last batches
    end within a few articles of each other (bench/README.md, ingestion)."""
    if waiting >= 2 * limit:
        return limit
    half = -(-waiting // 2)
    return min(limit, max(half, settings.TENSIONS_PROCESS_BATCH_FLOOR))


def _batch_of(rows: list[Article]) -> list[Article]:
    """The first rows within the batch's characters (always the first one)."""
    budget = settings.TENSIONS_PROCESS_BATCH_CHARACTERS
    taken, characters = [], 0
    for article in rows:
        characters += article.characters
        if taken and characters > budget:
            break
        taken.append(article)
    return taken


def article_process(*, article_id: int, claim: str) -> Article | None:
    """Claim the article and process it (see articles_process); None when
    another worker got there first."""
    taken, _ = articles_claim(claim=claim, ids=[article_id], limit=1)
    if not taken:
        return None
    (article,) = articles_process(articles=taken)
    return article


def articles_process(*, articles: list[Article]) -> list[Article]:
    """Extract the events of claimed articles and record them; returns the
    articles, finished.

    Each article is extracted on its own; then the events of all of them are
    recorded in one transaction (see tensions.services.events_record_many):
    per batch, not per article, the queries cost what extraction costs. Should
    recording the batch fail for something other than a lost database or
    broker, each article is recorded on its own, so one article's fault never
    fails another. An input the engine cannot handle fails its article with
    the reason. Database and broker errors propagate so that the task is
    retried: nothing of the batch was written, and its claim takes the same
    articles again.
    """
    extracted: dict[Article, list[extraction.Event]] = {}
    for index, article in enumerate(articles):
        if verdict := _verdict(article):
            _finish_held(article, *verdict)
            continue
        started = time.perf_counter()
        try:
            extracted[article] = article_extract(article=article)
        except extraction.ExtractionError as exc:
            _article_fail(article, str(exc))
            continue
        except SoftTimeLimitExceeded:
            # This article ran the task out of time: it fails, the rest of
            # the batch goes back to the queue for another task.
            _article_fail(article, "Processing took too long.")
            articles_release(articles=[*extracted, *articles[index + 1 :]])
            return articles
        article.extraction_seconds = round(time.perf_counter() - started, 4)
    if len(extracted) > 1:
        try:
            _record(extracted)
            return articles
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception(
                "recording %d articles together failed; recording each alone",
                len(extracted),
            )
    for article, events in extracted.items():
        try:
            _record({article: events})
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # a bug must not leave the article processing
            logger.exception("processing article %s failed", article.pk)
            _article_fail(article, f"Internal error: {exc}")
    return articles


def _record(extracted: dict[Article, list[extraction.Event]]) -> None:
    with transaction.atomic():
        _flush_not_awaited()
        extracted = _still_held(extracted)
        if not extracted:
            return
        # The pair rows are refreshed in batches after commit, not per article.
        events_record_many(
            found=extracted,
            extractor_version=extraction.EXTRACTOR_VERSION,
            relations_later=True,
        )
        _finish_many(list(extracted), status=Article.Status.DONE, error="")


def _still_held(
    extracted: dict[Article, list[extraction.Event]],
) -> dict[Article, list[extraction.Event]]:
    """The articles this run still holds, their rows locked until it commits.

    While one was being extracted, an analyst may have queued it again
    (reprocess) or the sweeper may have taken it for stuck; another worker may
    be processing it now. Recording it too would leave two runs' evidence
    (neither run's replacement sees the other's uncommitted rows) and mark it
    done over the analyst's request: it is left to whoever holds it now.
    """
    held = set(
        Article.objects.held_by(next(iter(extracted)).claimed_by)
        .select_for_update()
        .filter(pk__in=[a.pk for a in extracted])
        .values_list("pk", flat=True)
    )
    if len(held) < len(extracted):
        logger.info(
            "%d articles were taken back while processed: not recorded",
            len(extracted) - len(held),
        )
    return {a: events for a, events in extracted.items() if a.pk in held}


def article_extract(*, article: Article) -> list[extraction.Event]:
    """The engine's events for the article, asked for as the worker asks (the
    ingestion benchmark times extraction through this same call)."""
    return extraction.extract(
        article.text,
        published=article.published,
        budget_seconds=settings.TENSIONS_EXTRACTION_BUDGET_SECONDS,
    )


def _flush_not_awaited() -> None:
    """Commit this transaction without waiting for the disk (PostgreSQL).

    What processing writes can be made again from the stored article: should
    the server crash in the instant after commit, the article is left queued
    or processing and the sweeper sends it again. Not waiting saves a disk
    flush per batch. Uploads are always committed durably.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def articles_fail_claimed(*, claim: str, reason: str) -> int:
    """Fail the articles `claim` still holds; returns how many."""
    return Article.objects.held_by(claim).update(
        **_finished_fields(Article.Status.FAILED, reason[:2000])
    )


def _article_fail(article: Article, reason: str) -> None:
    _finish_held(article, Article.Status.FAILED, reason[:2000])


def _finish_held(article: Article, status: str, error: str) -> None:
    """Finish one article, if this run still holds it (see _still_held)."""
    fields = _finished_fields(status, error)
    Article.objects.held_by(article.claimed_by).filter(pk=article.pk).update(
        **fields, extraction_seconds=article.extraction_seconds
    )
    for name, value in fields.items():
        setattr(article, name, value)


def articles_release(*, articles: list[Article]) -> None:
    """Put claimed articles back in the queue untouched, for another task."""
    if articles:
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            status=Article.Status.QUEUED, claimed_by=""
        )
        queue_wake()


def _finished_fields(status: str, error: str) -> dict:
    return {
        "status": status,
        "error": error,
        "claimed_by": "",
        "finished_at": timezone.now(),
        "extractor_version": extraction.EXTRACTOR_VERSION,
    }


def _finish_many(articles: list[Article], *, status: str, error: str) -> None:
    """Record the same outcome for claimed articles, with each one's extraction
    time, in one statement (each row written once: every write of an article
    row also writes its full-text index entry)."""
    fields = _finished_fields(status, error)
    for article in articles:
        for name, value in fields.items():
            setattr(article, name, value)
    rows_update(articles, [*fields, "extraction_seconds"])


def articles_requeue_stuck() -> list[int]:
    """Queue again every article stuck in queued or processing past the
    timeout, and wake a worker for them."""
    before = timezone.now() - dt.timedelta(
        seconds=settings.TENSIONS_STUCK_AFTER_SECONDS
    )
    with transaction.atomic():
        # Locked, and only if still stuck: a worker may be finishing one now.
        stuck = list(
            Article.objects.stuck(before=before)
            .select_for_update(skip_locked=True)
            .order_by()
            .values_list("pk", flat=True)
        )
        if stuck:
            still = Article.objects.stuck(before=before).filter(pk__in=stuck)
            still.update(**_queued_fields())
            queue_wake(always=True)
    if stuck:
        logger.info("re-enqueued %d stuck articles", len(stuck))
    return stuck


@dataclass(frozen=True)
class BatchUpload:
    batch: UploadBatch
    uploads: list[Upload]
    errors: list[dict]


def batch_upload(
    *,
    files: list[File],
    source: str,
    uploaded_by=None,
    fields: dict | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchUpload:
    """Read every file into articles under one batch; a bad file is an error line.

    A refused file or record never keeps the others out and leaves nothing
    behind. `max_bytes` replaces the upload limit on a file's size (the
    import command reads archives up to the archives' limit); `progress` is
    told, as a file's records are saved, how many of them are done.
    """
    batch = UploadBatch.objects.create(
        source=source, created_by=uploaded_by, files=len(files)
    )
    uploads, errors, existing = [], [], []
    limit = settings.TENSIONS_MAX_FILES_PER_UPLOAD
    for index, upload in enumerate(files):
        if index >= limit:
            errors.append(_error(upload.name, _over_files_limit(limit)))
            continue
        results, original = _parse_upload(upload, max_bytes)
        prints = [
            Fingerprint(r.text) if isinstance(r, Document) and r.text else None
            for r in results
        ]
        stored = _stored_among([p.digest for p in prints if p])
        # One commit per slice of records, not per record: a bulk file of a
        # thousand records costs a few dozen disk flushes, not a thousand, and
        # a worker starts on its first records while the rest are still read.
        # A refused record writes nothing (article_create checks before it
        # writes), so the slice needs no savepoint per record.
        for first in range(0, len(results), _RECORDS_PER_COMMIT):
            records = [
                (
                    result,
                    {
                        **(fields or {}),
                        **original.fields(result),
                        "fingerprint": p,
                        "stored": stored,
                    },
                )
                for result, p in zip(
                    results[first : first + _RECORDS_PER_COMMIT],
                    prints[first : first + _RECORDS_PER_COMMIT],
                    strict=True,
                )
            ]
            for result, outcome in _slice_save(
                records, batch, uploaded_by, stored, original
            ):
                if isinstance(outcome, dict):
                    errors.append(outcome)
                    continue
                uploads.append(outcome)
                if not outcome.created:
                    existing.append(
                        {"file": result.name, "article": outcome.article.pk}
                    )
            if progress:
                progress(min(first + _RECORDS_PER_COMMIT, len(results)), len(results))
    batch.existing, batch.existing_articles = len(existing), existing
    batch.file_errors = errors
    batch.save(update_fields=["existing", "existing_articles", "file_errors"])
    return BatchUpload(batch, uploads, errors)


def _slice_save(records, batch, uploaded_by, stored, original) -> list[tuple]:
    """Save a slice of a file's records in one transaction; (record, its
    Upload or error line) each.

    Should that fail for anything but a lost database or broker (a bug that
    one record meets), nothing of the slice stays and it is saved again
    record by record: that record gets an error line, the others are saved,
    and the files after it are still read.
    """
    kept = len(stored)
    try:
        with transaction.atomic():
            return [
                (result, _upload_one(result, batch, uploaded_by, given))
                for result, given in records
            ]
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception(
            "saving %d records together failed; saving each alone", len(records)
        )
    saved = []
    for result, given in records:
        # What the rolled-back attempt left behind: articles and a stored
        # copy of the file that are not there.
        _stored_rewind(stored, kept)
        original.forget()
        try:
            with transaction.atomic():
                outcome = _upload_one(result, batch, uploaded_by, given)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("saving %s failed", result.name)
            outcome = _error(result.name, _NOT_SAVED)
        kept = len(stored)
        saved.append((result, outcome))
    return saved


def _stored_rewind(stored: dict[str, Article], size: int) -> None:
    """Forget what `stored` gained since it held `size` articles. It only
    gains new keys (article_create adds the article it creates), so they are
    its last ones: no copy of it is kept per slice in case of a rollback."""
    for digest in list(stored)[size:]:
        del stored[digest]


_NOT_SAVED = (
    "it could not be saved: an internal error, logged for the team. "
    "The other files and records were saved."
)


def _over_files_limit(limit: int) -> str:
    return (
        f"over the limit of {limit} file{'s' if limit != 1 else ''} per upload: "
        "send it in another upload."
    )


# Records of a bulk file saved per commit (see batch_upload).
_RECORDS_PER_COMMIT = 20


def _stored_among(digests: list[str]) -> dict[str, Article]:
    """The stored articles with any of these texts' hashes, by hash: one query
    for a whole bulk file instead of one per record."""
    digests = sorted(set(digests))
    found = {}
    for first in range(0, len(digests), 500):  # under SQLite's variable limit
        chunk = Article.objects.filter(content_hash__in=digests[first : first + 500])
        found |= {article.content_hash: article for article in chunk}
    return found


def _parse_upload(
    upload: File, max_bytes: int | None = None
) -> tuple[list[Document | Failure], _Original]:
    """The file's documents, and its stored copy to be."""
    limit = max_bytes or settings.TENSIONS_MAX_UPLOAD_BYTES
    if upload.size > limit:
        size, most = filesizeformat(upload.size), filesizeformat(limit)
        failure = Failure(upload.name, f"the file is {size}; the limit is {most}.")
        return [failure], _Original(upload.name, b"")
    upload.seek(0)
    data = upload.read()
    original = _Original(upload.name, data)
    return parse_file(name=upload.name, data=data, max_bytes=limit), original


class _Original:
    """An uploaded file's stored copy, saved when its first article is created:
    a file of failures, or of texts already stored, is not kept."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data
        self.row: OriginalFile | None = None

    def fields(self, document: Document | Failure) -> dict:
        """article_create's fields for one of the file's documents."""
        if isinstance(document, Failure):
            return {}
        member = "" if document.name == self.name else document.name
        return {"original": self.get, "original_member": member}

    def get(self) -> OriginalFile:
        if self.row is None:
            self.row = original_store(name=self.name, data=self.data)
        return self.row

    def forget(self) -> None:
        """Read it again when next asked: its row may have been rolled back.
        A copy saved for a row rolled back is deleted: nothing refers to it."""
        row, self.row = self.row, None
        if row is not None and not OriginalFile.objects.filter(pk=row.pk).exists():
            row.file.delete(save=False)


def original_store(*, name: str, data: bytes) -> OriginalFile:
    """The stored copy of these bytes: saved on first upload, then shared."""
    digest = hashlib.sha256(data).hexdigest()
    existing = OriginalFile.objects.filter(sha256=digest).first()
    if existing:
        return existing
    original = OriginalFile(sha256=digest, name=name[:255], size=len(data))
    original.file.save(_storage_name(name), ContentFile(data), save=False)
    try:
        with transaction.atomic():
            original.save()
    except IntegrityError:  # the same file, uploaded at the same time elsewhere
        original.file.delete(save=False)
        return OriginalFile.objects.get(sha256=digest)
    return original


def _storage_name(name: str) -> str:
    """A safe file name keeping the extension (the original name is in the row)."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return "original" + (suffix if _SAFE_SUFFIX.fullmatch(suffix) else "")


_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def _upload_one(result, batch, uploaded_by, fields) -> Upload | dict:
    if isinstance(result, Failure):
        return _error(result.name, result.message)
    try:
        return article_create(
            text=result.text,
            filename=result.name,
            uploaded_by=uploaded_by,
            batch=batch,
            file_metadata=result,
            **fields,
        )
    except ValidationError as exc:
        return _error(result.name, " ".join(exc.messages))


def _error(name: str, message: str) -> dict:
    return {"file": name, "message": message}


def batch_retry_failed(*, batch: UploadBatch) -> int:
    """Queue the batch's failed articles again; returns how many."""
    return articles_reprocess(
        articles=batch.articles.filter(status=Article.Status.FAILED)
    )


def articles_reprocess(*, articles) -> int:
    """Queue every article of the queryset again (after an extractor upgrade)."""
    with transaction.atomic():
        _language_again(articles)
        ids = list(articles.values_list("pk", flat=True))
        Article.objects.filter(pk__in=ids).update(**_queued_fields())
        if ids:
            queue_wake()
    return len(ids)
