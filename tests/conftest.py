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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Pages cache what they compute; no test sees another's."""
    from django.core.cache import caches

    for each in caches.all():
        each.clear()


@pytest.fixture
def seed_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.fail(f"the founding article is missing: {SEED_ARTICLE}")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users made by fixtures need no slow key stretching (a second each)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user_in(django_user_model, username: str, group: str | None, **flags):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username=username, password="a-long-test-password", **flags
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst(django_user_model):
    """A user in the analyst group: uploads and reviews."""
    return _user_in(django_user_model, "analyst", "analyst")


@pytest.fixture
def viewer(django_user_model):
    """A user in the viewer group: reads only."""
    return _user_in(django_user_model, "viewer", "viewer")


@pytest.fixture
def admin(django_user_model):
    """Staff: manages users and settings (and may do what analysts do)."""
    return _user_in(django_user_model, "admin", None, is_staff=True)


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
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
