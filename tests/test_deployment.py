"""What can be checked of the production stack without a Docker engine."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_defines_the_production_stack():
    services = _compose()["services"]

    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert any("/var/lib/postgresql/data" in v for v in services["db"]["volumes"])
    assert any(v.startswith("media:") for v in services["web"]["volumes"])
    assert services["web"]["env_file"] == ".env"


def _commands(services):
    for name, service in services.items():
        command = service.get("command")
        if isinstance(command, list):
            command = " ".join(command)
        if command and name in ("web", "worker", "beat"):
            yield name, command


def _program(name: str) -> str | None:
    """The program as this virtualenv (where the image installs it) provides it."""
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def _runs(argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "compose-check"}
    return subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_command_the_stack_runs_exists_and_starts():
    for name, command in _commands(_compose()["services"]):
        words = shlex.split(command)
        if words[:2] == ["sh", "-c"]:
            words = shlex.split(words[2])
        for part in " ".join(words).split("&&"):
            program, *args = part.split()
            found = _program(program)
            assert found, f"{name}: {program} is not installed"
            if program == "gunicorn":
                checked = _runs([found, "--check-config", *args])
            elif program == "celery":
                checked = _runs([found, *args[:2], "report"])
            else:  # python manage.py <command>: the command exists
                checked = _runs([found, *args[:2], "--help"])
            assert checked.returncode == 0, f"{name}: {part}\n{checked.stderr}"


def test_env_example_documents_every_variable_the_stack_sets():
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    app = _compose()["x-app"]
    assert set(app["environment"]) <= documented
    settings_source = (ROOT / "tensions" / "settings.py").read_text()
    for variable in documented:
        assert f'"{variable}"' in settings_source, f"{variable} is not read by settings"
    read = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', settings_source))
    assert read - documented == set(), "read by settings, not in .env.example"


def test_dockerfile_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.txt" in dockerfile
    assert "--require-hashes -r requirements-model.txt" in dockerfile


def test_the_models_and_migrations_agree():
    checked = _runs(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"]
    )
    assert checked.returncode == 0, checked.stdout


def test_the_wsgi_module_loads_the_views_as_the_server_starts():
    """A new gunicorn worker's first request must not wait for the imports of
    the URLconf and the views."""
    assert _wsgi_probe(
        "print('tensions.views' in sys.modules, 'articles.api' in sys.modules)"
    ) == ["True", "True"]


def test_the_wsgi_module_loads_the_broker_transport_without_connecting():
    """Nor must a new worker's first upload wait for the broker's transport and
    the task registry, which it needs to wake a worker; loading them opens no
    connection (nothing listens on port 1, and the import still succeeds)."""
    unreachable = "redis://127.0.0.1:1/0"
    printed = _wsgi_probe(
        "from tensions.celery import app; "
        "print('kombu.transport.redis' in sys.modules, app.finalized)",
        CELERY_BROKER_URL=unreachable,
        CACHE_URL=unreachable,
    )
    assert printed == ["True", "True"]


def test_a_worker_loads_the_model_with_openblas_on_one_thread():
    """The extractor's matrix products are too small for OpenBLAS's threads,
    which cost each call more than they gave (tensions/settings.py). A worker
    process that loads the extractor, with nothing in its environment about
    it, runs OpenBLAS on one thread; asked otherwise, it obeys."""
    probe = (
        "import django, tensions.celery as c; django.setup(); "
        "c._extractor_warm(); from threadpoolctl import threadpool_info; "
        "print(*{i['num_threads'] for i in threadpool_info() "
        "if i['internal_api'] == 'openblas'})"
    )
    assert _probe(probe, unset=["OPENBLAS_NUM_THREADS"]) == ["1"]
    more = str(min(2, os.cpu_count() or 1))  # OpenBLAS runs no more than the cores
    assert _probe(probe, OPENBLAS_NUM_THREADS=more) == [more]


def _wsgi_probe(code: str, **env: str) -> list[str]:
    """What `code` prints in a new process once it imported tensions.wsgi."""
    return _probe(f"import sys, tensions.wsgi; {code}", **env)


def _probe(code: str, *, unset: Sequence[str] = (), **env: str) -> list[str]:
    """What `code` prints in a new process, with `env` and without `unset`."""
    inherited = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**inherited, "SECRET_KEY": "deployment-test", "DEBUG": "false", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()
