from pathlib import Path

import pytest

from tests.stack import require_servers, stack_create, stack_destroy

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEED_ARTICLE = SHARED / "seed" / "000_3faa9aadb56da95d.txt"


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Unit tests render templates without running collectstatic first."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}


@pytest.fixture
def seed_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.fail(f"the founding article is missing: {SEED_ARTICLE}")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user(
        username="analyst", password="a-long-test-password"
    )


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """PostgreSQL + Redis + gunicorn + a celery worker, fresh for each test module."""
    require_servers()
    stack = stack_create(tmp_path_factory.mktemp("stack"))
    try:
        stack.start_web()
        stack.start_worker()
        yield stack
    finally:
        stack_destroy(stack)
