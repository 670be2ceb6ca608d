"""Processing survives faults: a killed worker, a broker outage, a database restart.

Each test runs its own stack (database, queue, web, worker); the broker and
database that are stopped here are private servers the test started itself, never
the shared ones.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.articles import samples
from tests.stack import (
    PrivatePostgres,
    PrivateRedis,
    require_servers,
    stack_create,
    stack_destroy,
)

pytestmark = pytest.mark.integration

# A stuck article is sent again after a few seconds, so that tests are short.
FAST_SWEEP = {
    "TENSIONS_STUCK_AFTER_SECONDS": "4",
    "TENSIONS_SWEEP_EVERY_SECONDS": "1",
    # Batches of five: a kill lands in the middle of one of several batches.
    "TENSIONS_PROCESS_BATCH_ARTICLES": "5",
}


@pytest.fixture
def make_stack(tmp_path):
    require_servers()
    stacks = []

    def make(env=None, **options):
        data_dir = tmp_path / f"stack{len(stacks)}"
        data_dir.mkdir()
        stack = stack_create(data_dir, env={**FAST_SWEEP, **(env or {})}, **options)
        stacks.append(stack)
        stack.start_web()
        stack.token = stack.create_user("fault-analyst", "fault-password-1")
        return stack

    yield make
    for stack in stacks:
        stack_destroy(stack)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres():
    if not PrivatePostgres.available():
        pytest.skip("a private PostgreSQL cluster needs initdb and runuser")
    server = PrivatePostgres()
    server.start()
    yield server
    server.destroy()


def _upload(stack, texts: list[str]) -> list[int]:
    records = [{"text": t, "published": "2025-10-28"} for t in texts]
    response = requests.post(
        f"{stack.url}/api/v1/articles/",
        files=[("file", ("batch.jsonl", samples.jsonl(records)))],
        headers={"Authorization": f"Token {stack.token}"},
        timeout=60,
    )
    assert response.status_code == 201, response.text[:1000]
    return [a["id"] for a in response.json()["articles"]]


def _counts(stack) -> dict[str, int]:
    return dict(stack.sql("SELECT status, count(*) FROM articles_article GROUP BY 1"))


def _wait(stack, predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(
        f"{what}: not reached; statuses {_counts(stack)}\n{stack.log('worker')[-3000:]}"
    )


def _all_done(stack, total: int) -> bool:
    return _counts(stack).get("done", 0) == total


def _assert_each_done_once_without_duplicate_events(stack, total: int) -> None:
    assert _counts(stack) == {"done": total}
    duplicated = stack.sql(
        "SELECT article_id, event_id, start, count(*) FROM tensions_mention "
        "GROUP BY 1, 2, 3 HAVING count(*) > 1"
    )
    assert duplicated == []
    orphans = stack.sql(
        "SELECT count(*) FROM tensions_event e WHERE NOT EXISTS "
        "(SELECT 1 FROM tensions_mention m WHERE m.event_id = e.id)"
    )
    assert orphans == [(0,)]
    assert stack.sql("SELECT count(*) FROM tensions_mention")[0][0] > total


def test_a_worker_killed_mid_batch_leaves_every_article_done_exactly_once(
    make_stack,
):
    stack = make_stack()
    ids = _upload(stack, samples.article_texts(40, seed=1))
    stack.start_worker()
    _wait(stack, lambda: _counts(stack).get("done", 0) >= 5, "5 articles done")

    stack.stop("worker", kill=True)  # SIGKILL to the worker and its pool
    interrupted = _counts(stack)
    stack.start_worker(beat=True)
    _wait(stack, lambda: _all_done(stack, len(ids)), "all articles done")

    assert interrupted.get("done", 0) < len(ids)
    _assert_each_done_once_without_duplicate_events(stack, len(ids))


def test_a_worker_killed_inside_a_batch_of_the_default_size_loses_nothing(
    make_stack,
):
    """With the default batch (50): the worker is killed while a whole batch is
    claimed and being extracted; the sweeper gives it to the new worker."""
    stack = make_stack(env={"TENSIONS_PROCESS_BATCH_ARTICLES": "50"})
    ids = _upload(stack, samples.article_texts(120, seed=4))
    stack.start_worker()
    _wait(
        stack,
        lambda: _counts(stack).get("processing", 0) > 0,
        "a batch being processed",
    )

    stack.stop("worker", kill=True)
    interrupted = _counts(stack)
    stack.start_worker(beat=True)
    _wait(stack, lambda: _all_done(stack, len(ids)), "all articles done")

    assert interrupted.get("processing", 0) > 0
    assert interrupted.get("done", 0) < len(ids)
    _assert_each_done_once_without_duplicate_events(stack, len(ids))


def test_uploads_during_a_broker_outage_are_kept_and_processed_when_it_is_back(
    private_redis, make_stack
):
    stack = make_stack(broker=private_redis.url)
    stack.start_worker(beat=True)
    private_redis.stop()

    started = time.monotonic()
    ids = _upload(stack, samples.article_texts(10, seed=2))
    assert time.monotonic() - started < 10  # the outage does not stall uploads
    assert _counts(stack) == {"queued": len(ids)}  # saved, waiting

    private_redis.start()
    _wait(stack, lambda: _all_done(stack, len(ids)), "all articles done")
    _assert_each_done_once_without_duplicate_events(stack, len(ids))


def test_a_database_restart_while_the_worker_processes_is_retried_to_the_end(
    private_postgres, make_stack
):
    stack = make_stack(postgres=private_postgres.url)
    ids = _upload(stack, samples.article_texts(40, seed=3))
    stack.start_worker()
    _wait(stack, lambda: _counts(stack).get("done", 0) >= 5, "5 articles done")

    private_postgres.restart()  # every connection of the worker breaks

    _wait(stack, lambda: _all_done(stack, len(ids)), "all articles done")
    _assert_each_done_once_without_duplicate_events(stack, len(ids))
    assert "OperationalError" in stack.log("worker")  # it did meet the outage
