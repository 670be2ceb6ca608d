"""A real Tensions stack for integration and browser tests.

Its own PostgreSQL database, Redis as the broker, gunicorn serving the app with
production settings, and a `celery worker` process: the test talks to them over
HTTP and reads PostgreSQL directly, as an analyst's tools would.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def postgres_url() -> str:
    for name in ("TEST_POSTGRES_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return DEFAULT_POSTGRES


def redis_url() -> str:
    url = os.environ.get("TEST_CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else DEFAULT_REDIS


def require_servers() -> None:
    """Skip (or, under CI=true, fail) when PostgreSQL or Redis is not reachable."""
    problems = []
    try:
        psycopg2.connect(postgres_url(), connect_timeout=3).close()
    except psycopg2.Error as exc:
        problems.append(
            f"PostgreSQL is not reachable at {postgres_url()} ({exc})".strip()
        )
    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis is not reachable at {redis_url()} ({exc})")
    if not problems:
        return
    reason = "; ".join(problems)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a server is missing: {reason}", pytrace=False)
    pytest.skip(f"integration test needs real servers: {reason}")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def assert_passes_on_postgres(test_file: str, *, but: str) -> None:
    """From a suite on SQLite, run a test file's other tests (all but `but`) on
    PostgreSQL and assert they all pass, none skipped. In a suite already on
    PostgreSQL they ran directly: skipped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("this suite runs on PostgreSQL: the tests above ran there")
    run = _pytest_on_postgres(test_file, but=but)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " skipped" not in run.stdout.splitlines()[-1]


def _pytest_on_postgres(test_file: str, *, but: str) -> subprocess.CompletedProcess:
    """Run a test file's tests (all but `but`) on a PostgreSQL database of their
    own, from a suite on SQLite; skips (fails under CI=true) without a server."""
    try:
        psycopg2.connect(postgres_url(), connect_timeout=3).close()
    except psycopg2.Error as exc:
        reason = f"PostgreSQL is not reachable at {postgres_url()} ({exc})".strip()
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and a server is missing: {reason}", pytrace=False)
        pytest.skip(f"these tests need PostgreSQL: {reason}")
    name = f"pg_{uuid.uuid4().hex[:8]}"  # pytest-django makes test_<name>
    env = {**os.environ, "DATABASE_URL": _with_database(postgres_url(), name)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", test_file, "-q", "-p", "no:cacheprovider",
         "-k", f"not {but}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    data_dir: Path
    database_url: str
    broker_url: str
    queue: str
    port: int = field(default_factory=_free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # The server the database was created on (dropped from there at the end).
    admin_url: str = field(default_factory=lambda: postgres_url())
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEST_")}
        env.update(
            DEBUG="false",
            SECRET_KEY="integration-tests-secret",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=self.broker_url,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            TENSIONS_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg2.connect(self.database_url) as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    def vacuum_analyze(self) -> None:
        """The database as production's autovacuum leaves it at rest: planner
        statistics gathered and the visibility map set (index-only scans need
        it). This cluster runs with autovacuum off, so a bench that just wrote
        its rows asks for it."""
        conn = psycopg2.connect(self.database_url)
        try:
            conn.autocommit = True  # VACUUM runs outside a transaction
            with conn.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
        finally:
            conn.close()

    def start(self, name: str, *command: str) -> None:
        log = open(self.data_dir / f"{name}.log", "ab")  # noqa: SIM115 (outlives this call)
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str, *, kill: bool = False) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start_worker(
        self, name: str = "worker", *, concurrency: int = 1, beat: bool = False
    ) -> None:
        """A worker process; with beat=True it also runs the periodic sweeper."""
        extra = ["--beat", "--schedule", str(self.data_dir / f"{name}-beat")]
        self.start(
            name,
            "celery",
            "-A",
            "tensions",
            "worker",
            *(extra if beat else []),
            "--loglevel",
            "info",
            "--concurrency",
            str(concurrency),
            "--queues",
            self.queue,
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        )
        self._wait_for(lambda: "ready." in self.log(name), f"{name} ready", name)

    def start_web(self) -> None:
        self.start(
            "web",
            "gunicorn",
            "tensions.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        )
        self._wait_for(self._web_answers, "web server answering", "web")

    def _web_answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/v1/health/", timeout=10).ok
        except requests.RequestException:  # not listening yet, or still booting
            return False

    def _wait_for(self, ready, what: str, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if self.processes[name].poll() is not None:
                break
            time.sleep(0.25)
        raise RuntimeError(
            f"{what}: not reached. Log of {name}:\n{self.log(name)[-4000:]}"
        )

    def create_user(self, username: str, password: str) -> str:
        """A user who can log in; returns an API token for them."""
        env_password = {"DJANGO_SUPERUSER_PASSWORD": password}
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "createsuperuser",
                "--noinput",
                "--username",
                username,
                "--email",
                f"{username}@example.org",
            ],
            cwd=ROOT,
            env={**self.env, **env_password},
            check=True,
            capture_output=True,
            timeout=120,
        )
        output = self.manage("drf_create_token", username)
        return re.search(r"Generated token (\w+)", output).group(1)

    def wait_for_article(
        self, article_id: int, token: str, timeout: float = 180
    ) -> dict:
        """Poll the API until the article's processing finished; return it."""
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Token {token}"}
        while time.monotonic() < deadline:
            body = requests.get(
                f"{self.url}/api/v1/articles/{article_id}/", headers=headers, timeout=10
            ).json()
            if body["status"] in ("done", "failed", "unsupported"):
                return body
            time.sleep(0.5)
        raise AssertionError(
            f"article {article_id} still {body['status']} after {timeout}s.\n"
            f"worker log:\n{self.log('worker')[-4000:]}"
        )


def stack_create(
    tmp_path: Path,
    *,
    postgres: str | None = None,
    broker: str | None = None,
    env: dict[str, str] | None = None,
    name: str | None = None,
) -> Stack:
    """A fresh database and queue; by default on the shared servers. With
    `name`, that database (created unless it exists, as the benchmarks keep
    theirs to reuse) and a queue of the same name."""
    name = name or f"tensions_it_{uuid.uuid4().hex[:10]}"
    admin_url = postgres or postgres_url()
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    broker = broker or redis_url()
    redis.Redis.from_url(broker).delete(name)
    stack = Stack(
        data_dir=tmp_path,
        database_url=_with_database(admin_url, name),
        broker_url=broker,
        queue=name,
        admin_url=admin_url,
        extra_env=env or {},
    )
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    return stack


def stack_destroy(stack: Stack, *, keep_database: bool = False) -> None:
    """Stop the stack's processes and drop its database (unless kept)."""
    for name in list(stack.processes):
        stack.stop(name)
    if keep_database:
        return
    name = urlsplit(stack.database_url).path.lstrip("/")
    admin = psycopg2.connect(stack.admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


class PrivateRedis:
    """A redis-server of the test's own on a free port: safe to stop and restart."""

    def __init__(self, data_dir: Path):
        self.port = _free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.data_dir)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_until(self._answers, f"redis on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder)."""

    def __init__(self):
        self.port = _free_port()
        # Not under pytest's tmp_path: that is private to root, and the server
        # runs as the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="tensions-pg-"))
        self.data_dir = self.root / "data"
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def available() -> bool:
        return bool(_pg_bin("initdb")) and shutil.which("runuser") is not None

    def start(self) -> None:
        if not self.data_dir.exists():
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust"
            )
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        command = [_pg_bin(tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)


def _pg_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    return found[-1] if found else (shutil.which(tool) or "")


def _wait_until(ready, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what}: not ready after {timeout}s")
