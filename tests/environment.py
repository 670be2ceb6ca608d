"""Loaded by pytest before Django (`-p tests.environment`): the test environment.

Tests never touch the development data in ./var: they get their own data folder,
and an in-memory broker unless an integration test starts a real one.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("TENSIONS_DATA_DIR", tempfile.mkdtemp(prefix="tensions-tests-"))
# Integration tests read the real broker from TEST_CELERY_BROKER_URL; unit tests
# enqueue into memory so that no upload test needs a server.
if "CELERY_BROKER_URL" in os.environ:
    os.environ.setdefault("TEST_CELERY_BROKER_URL", os.environ["CELERY_BROKER_URL"])
os.environ["CELERY_BROKER_URL"] = "memory://"
