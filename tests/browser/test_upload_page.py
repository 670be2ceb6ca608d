"""The upload page in Chromium, against the real stack: files dropped together,
the batch's progress as the worker goes, and the failures with their retry."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Long enough for the worker: a first article of a fresh process waits for it.
WORKER_SECONDS = 60_000


def _story(sentence: str) -> bytes:
    return " ".join([sentence] * 6).encode()


def _records(*sentences: str) -> bytes:
    rows = [
        {"title": s[:40], "text": " ".join([s] * 6), "published": "2025-11-03"}
        for s in sentences
    ]
    return "\n".join(json.dumps(row) for row in rows).encode()


def _file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": data}


def _drop(page, files: list[dict]) -> None:
    """Drop the files on the drop zone as a file manager does: one DataTransfer
    carrying them all, through dragenter, dragover and drop."""
    transfer = page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = new Uint8Array(f.bytes);
                transfer.items.add(new File([bytes], f.name, {type: f.mimeType}));
            }
            return transfer;
        }""",
        [
            {"name": f["name"], "mimeType": f["mimeType"], "bytes": list(f["buffer"])}
            for f in files
        ],
    )
    zone = page.locator("[data-drop-zone]")
    for event in ("dragenter", "dragover", "drop"):
        zone.dispatch_event(event, {"dataTransfer": transfer})


def _upload(page, stack, files: list[dict]) -> None:
    page.goto(f"{stack.url}/articles/upload/")
    page.get_by_label("Files").set_input_files(files)
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url(re.compile(r"/articles/upload/\?batch=\d+$"))


def _workers_stop(stack) -> None:
    for name in [n for n in stack.processes if n != "web"]:
        stack.stop(name)


def _worker_start(stack, name: str, **env: str) -> None:
    """A worker under a name not used before (start_worker waits for "ready."
    in that name's log), with `env` over the stack's for it alone."""
    before = dict(stack.extra_env)
    stack.extra_env.update(env)
    try:
        stack.start_worker(name)
    finally:
        stack.extra_env = before


def _count(page, status: str):
    return page.locator(f'#batch-status dd[data-status="{status}"]')


def test_files_dropped_together_are_one_batch_listing_each_refused_file(
    stack, analyst_login, page
):
    log_in(page, stack, analyst_login)
    page.goto(f"{stack.url}/articles/upload/")
    letter = _story("Venezuela asked Russia for military help on 28 October 2025.")
    wire = _records(
        "Iran warned Israel against new strikes on 3 November 2025.",
        "Japan protested to China about ships near the Senkaku islands.",
    )
    _drop(
        page,
        [
            _file("letter.txt", letter),
            _file("wire.jsonl", wire),
            _file("notes.txt", b""),
            _file("scan.txt", bytes(range(256)) * 4),
        ],
    )
    expect(page.locator("[data-drop-list]")).to_have_text(
        "4 chosen: letter.txt, wire.jsonl, notes.txt, scan.txt"
    )
    page.get_by_role("button", name="Upload", exact=True).click()

    page.wait_for_url(re.compile(r"/articles/upload/\?batch=\d+$"))
    batch = page.locator("#batch-status")
    expect(batch.locator("h2")).to_contain_text("4 files")
    expect(batch.locator("progress")).to_have_attribute("max", "3")
    expect(_count(page, "refused")).to_have_text("2")
    refused = batch.locator("ul.failures li")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_have_text(re.compile(r"^notes\.txt: .*empty"))
    expect(refused.nth(1)).to_have_text(re.compile(r"^scan\.txt: .*binary data"))


def test_the_batch_progress_updates_without_a_reload_until_it_is_finished(
    stack, analyst_login, page
):
    _workers_stop(stack)  # the batch waits, unprocessed, until the page is open
    log_in(page, stack, analyst_login)
    talks = _story("India and Pakistan held talks in Geneva on 5 November 2025.")
    bulk = _records(
        "Turkey sent troops to Syria on 7 November 2025.",
        "Brazil recalled its ambassador from Argentina after the vote.",
    )
    _upload(page, stack, [_file("talks.txt", talks), _file("bulk.jsonl", bulk)])
    batch = page.locator("#batch-status")
    expect(batch.locator("strong")).to_have_text("0 of 3")
    expect(batch.locator("progress")).to_have_attribute("value", "0")
    expect(_count(page, "queued")).to_have_text("3")
    page.evaluate("window.__notReloaded = true")  # a reload would drop it

    _worker_start(stack, "progress-worker")
    expect(batch.locator("strong")).to_have_text("3 of 3", timeout=WORKER_SECONDS)
    assert page.evaluate("window.__notReloaded") is True
    expect(batch.locator("progress")).to_have_attribute("value", "3")
    expect(batch.locator("progress")).to_have_attribute("max", "3")
    expect(_count(page, "done")).to_have_text("3")
    expect(_count(page, "queued")).to_have_text("0")
    expect(batch).not_to_have_attribute("hx-trigger", re.compile("."))


def test_retry_queues_the_failed_articles_again_and_they_finish(
    stack, analyst_login, page
):
    # A worker whose extraction budget no article can meet fails each one for
    # real (as a too-slow extraction would), with the engine's reason.
    _workers_stop(stack)
    _worker_start(stack, "starved-worker", TENSIONS_EXTRACTION_BUDGET_SECONDS="1e-6")
    log_in(page, stack, analyst_login)
    embargo = _story("Canada imposed sanctions on Belarus on 10 November 2025.")
    visit = _story("Egypt hosted the president of Kenya for a state visit in Cairo.")
    _upload(page, stack, [_file("embargo.txt", embargo), _file("visit.txt", visit)])
    failed = page.locator("#batch-status ul.failures li")
    expect(failed).to_have_count(2, timeout=WORKER_SECONDS)
    for item in failed.all():
        expect(item).to_contain_text("extraction took longer than")
    expect(_count(page, "failed")).to_have_text("2")

    # The budget put right; the retried articles wait until this worker starts.
    stack.stop("starved-worker")
    page.get_by_role("button", name="Retry the failed articles").click()
    page.wait_for_url(re.compile(r"/articles/upload/\?batch=\d+$"))
    expect(page.get_by_text("2 failed articles queued again.")).to_be_visible()
    expect(_count(page, "queued")).to_have_text("2")
    expect(failed).to_have_count(0)

    _worker_start(stack, "retry-worker")
    batch = page.locator("#batch-status")
    expect(batch.locator("strong")).to_have_text("2 of 2", timeout=WORKER_SECONDS)
    expect(_count(page, "done")).to_have_text("2")
    expect(_count(page, "failed")).to_have_text("0")
