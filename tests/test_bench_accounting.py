"""The ingestion bench's own arithmetic: where the CPU went and the shares it
reports (bench/bench_ingestion.py). Its figures go to bench/README.md, so the
counting behind them is tested here; the bench itself is not run."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from bench.bench_ingestion import (
    cpu_seconds,
    cpu_spent,
    outside_pool,
    overhead_in_worker,
    ratio_ceiling,
    total_seconds,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc"
)


def test_a_process_that_ran_on_is_counted_by_its_difference():
    before = {10: ("web", 1.0), 11: ("PostgreSQL", 2.0)}
    after = {10: ("web", 1.5), 11: ("PostgreSQL", 2.25)}

    assert cpu_spent(before, after) == {"web": 0.5, "PostgreSQL": 0.25}


def test_a_process_that_started_between_the_snapshots_counts_whole():
    assert cpu_spent({}, {20: ("worker pool", 3.0)}) == {"worker pool": 3.0}


def test_a_backend_that_ended_counts_once_through_the_server_that_reaped_it():
    # The backend had used 1.0 s at the first snapshot and 1.5 s when it
    # ended; the server's count of reaped children then rose by 1.5 s.
    before = {1: ("PostgreSQL", 0.5), 2: ("PostgreSQL", 1.0)}
    after = {1: ("PostgreSQL", 0.5 + 1.5)}

    assert cpu_spent(before, after) == {"PostgreSQL": 0.5}


def test_kinds_come_most_first():
    spent = cpu_spent({}, {1: ("web", 1.0), 2: ("worker pool", 9.0), 3: ("Redis", 0.1)})

    assert list(spent) == ["worker pool", "web", "Redis"]


# Burns 0.3 s of CPU, then goes on.
_BURN = (
    "import time\n"
    "end = time.process_time() + 0.3\n"
    "while time.process_time() < end: pass\n"
)


@contextlib.contextmanager
def _stack_process(name: str, code: str):
    """A stack holding one process running `code`, started as the stack starts
    its own (a session of its own); killed with its children at the end."""
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        yield SimpleNamespace(processes={name: process}), process
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # its group: it and its children
        process.wait()


def _polled(look, ready, timeout: float = 20):
    """What `look()` gives once `ready` holds of it, or at the timeout (for the
    test's assertions to say what it was)."""
    deadline = time.monotonic() + timeout
    seen = look()
    while not ready(seen) and time.monotonic() < deadline:
        time.sleep(0.05)
        seen = look()
    return seen


def test_a_stack_process_is_named_by_the_stack_with_the_cpu_it_burned():
    with _stack_process("web", _BURN + "time.sleep(30)") as (stack, process):
        before = cpu_seconds(stack)
        spent = _polled(
            lambda: cpu_spent(before, cpu_seconds(stack)),
            lambda spent: spent.get("web", 0) >= 0.25,
        )

    assert before[process.pid][0] == "web"
    assert 0.25 <= spent["web"] < 2, spent
    assert "bench" in spent  # this process, by its own pid


def test_a_child_that_ended_is_counted_in_the_parent_that_reaped_it():
    """As a PostgreSQL backend's time stays counted after its connection ends:
    a stack process's child burns CPU and ends, and the parent waits for it."""
    parent = (
        "import subprocess, sys, time\n"
        "time.sleep(0.5)\n"
        f"subprocess.run([sys.executable, '-c', {_BURN!r}])\n"
        "time.sleep(30)"
    )
    with _stack_process("web", parent) as (stack, process):

        def alone(after) -> bool:  # the child has ended: the parent is left
            return [p for p, (name, _) in after.items() if name == "web"] == [
                process.pid
            ]

        before = cpu_seconds(stack)
        after = _polled(
            lambda: cpu_seconds(stack),
            lambda after: (
                alone(after) and cpu_spent(before, after).get("web", 0) >= 0.25
            ),
        )

    assert alone(after)
    spent = cpu_spent(before, after)
    assert 0.25 <= spent["web"] < 2, spent


def test_a_worker_process_is_told_apart_from_its_pool():
    worker = (
        "import subprocess, sys, time\n"
        "nap = 'import time; time.sleep(30)'\n"
        "child = subprocess.Popen([sys.executable, '-c', nap])\n"
        "time.sleep(30)"
    )
    with _stack_process("worker", worker) as (stack, _):
        names = _polled(
            lambda: [name for name, _ in cpu_seconds(stack).values()],
            lambda names: "worker pool" in names,
        )

    assert names.count("worker main") == 1
    assert names.count("worker pool") == 1


def test_a_sequential_run_counts_its_upload_and_a_concurrent_one_does_not_twice():
    sequential = {"concurrent": False, "upload_s": 5.0, "process_s": 45.0}
    concurrent = {"concurrent": True, "upload_s": 5.0, "process_s": 45.0}

    assert total_seconds(sequential) == 50.0
    assert total_seconds(concurrent) == 45.0
    assert overhead_in_worker({**sequential, "extraction_in_worker_s": 40.0}) == (
        pytest.approx(20.0)
    )
    assert overhead_in_worker({**concurrent, "extraction_in_worker_s": 40.0}) == (
        pytest.approx(100 * (1 - 40 / 45))
    )


def test_the_ratio_ceiling_spreads_the_two_process_runs_cpu_over_the_cores():
    one = {"process_s": 36.0}
    # 40 s of CPU on 2 cores: the run cannot end before 20 s.
    two = {"cpu": {"worker pool": 34.0, "PostgreSQL": 4.0, "web": 2.0}}

    assert ratio_ceiling(one, two, cores=2) == pytest.approx(36.0 / 20.0)
    assert ratio_ceiling(one, two, cores=4) == pytest.approx(36.0 / 10.0)


def test_the_share_outside_the_pool_counts_every_other_process():
    run = {"cpu": {"worker pool": 34.0, "PostgreSQL": 4.0, "web": 2.0}}

    assert outside_pool(run) == pytest.approx(15.0)
    assert outside_pool({"cpu": {"web": 1.0}}) == pytest.approx(100.0)
