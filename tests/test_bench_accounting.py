"""The ingestion bench's own arithmetic: where the CPU went and the shares it
reports (bench/bench_ingestion.py). Its figures go to bench/README.md, so the
counting behind them is tested here; the bench itself is not run."""

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
    overhead_in_worker,
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


def test_a_stack_process_is_named_by_the_stack_with_the_cpu_it_burned():
    """A real process, started as the stack starts its own (a session of its
    own), is found under its stack name, with the CPU it burned."""
    burn = (
        "import time\n"
        "end = time.process_time() + 0.3\n"
        "while time.process_time() < end: pass\n"
        "time.sleep(30)"
    )
    process = subprocess.Popen([sys.executable, "-c", burn], start_new_session=True)
    stack = SimpleNamespace(processes={"web": process})
    try:
        before = cpu_seconds(stack)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            spent = cpu_spent(before, cpu_seconds(stack))
            if spent.get("web", 0) >= 0.25:
                break
            time.sleep(0.05)
        assert before[process.pid][0] == "web"
        assert 0.25 <= spent["web"] < 2, spent
        assert "bench" in spent  # this process, by its own pid
    finally:
        process.kill()
        process.wait()


def test_a_child_that_ended_is_counted_in_the_parent_that_reaped_it():
    """As a PostgreSQL backend's time stays counted after its connection ends:
    a stack process's child burns CPU and ends, and the parent waits for it."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "time.sleep(0.5)\n"
            "burn = 'import time\\nend = time.process_time() + 0.3\\n"
            "while time.process_time() < end: pass'\n"
            "subprocess.run([sys.executable, '-c', burn])\n"
            "time.sleep(30)",
        ],
        start_new_session=True,
    )
    stack = SimpleNamespace(processes={"web": parent})
    try:
        before = cpu_seconds(stack)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = cpu_seconds(stack)
            alone = [pid for pid, (name, _) in after.items() if name == "web"]
            spent = cpu_spent(before, after)
            if alone == [parent.pid] and spent.get("web", 0) >= 0.25:
                break
            time.sleep(0.05)
        assert alone == [parent.pid]  # the child has ended
        assert 0.25 <= spent["web"] < 2, spent
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


def test_a_worker_process_is_told_apart_from_its_pool():
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "nap = 'import time; time.sleep(30)'\n"
            "child = subprocess.Popen([sys.executable, '-c', nap])\n"
            "time.sleep(30)",
        ],
        start_new_session=True,
    )
    stack = SimpleNamespace(processes={"worker": worker})
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            names = [name for name, _ in cpu_seconds(stack).values()]
            if "worker pool" in names:
                break
            time.sleep(0.05)
        assert names.count("worker main") == 1
        assert names.count("worker pool") == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # and its child: a group of their own
        worker.wait()


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
