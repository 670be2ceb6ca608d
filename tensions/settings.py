"""Settings for Tensions: every knob from the environment, with embedded defaults
for development (SQLite, a Celery broker on the filesystem) and no default for
production secrets. Every variable is listed in `.env.example`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tensions.env import env_bool, env_float, env_int, env_list, env_str

# The language model's matrix products are small: OpenBLAS's thread pool
# (one thread per core) runs none of them in parallel and only adds its cost
# to each call. With one thread, extraction took 8-14 % less time in five
# alternating runs (bench/README.md, ingestion, session 16); a worker runs a
# process per core anyway. Set here, before the apps load spaCy and numpy,
# unless the environment says otherwise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("TENSIONS_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and broker live here

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tensions",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tensions.urls"
WSGI_APPLICATION = "tensions.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tensions.roles.roles_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tensions.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker and the web server write to the same file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tensions:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Uploads: limits an analyst meets as clear per-file messages.
TENSIONS_MAX_UPLOAD_BYTES = env_int("TENSIONS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
TENSIONS_MAX_ARTICLE_CHARS = env_int("TENSIONS_MAX_ARTICLE_CHARS", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = TENSIONS_MAX_UPLOAD_BYTES + 1024 * 1024
# Processing: the extractor's time budget per article, and when a queued or
# processing article counts as stuck and is enqueued again.
TENSIONS_EXTRACTION_BUDGET_SECONDS = env_float(
    "TENSIONS_EXTRACTION_BUDGET_SECONDS", 120
)
TENSIONS_STUCK_AFTER_SECONDS = env_int("TENSIONS_STUCK_AFTER_SECONDS", 600)
# A worker task takes queued articles in batches of at most this many, and of
# at most this many characters beyond the first (see articles.services).
TENSIONS_PROCESS_BATCH_ARTICLES = env_int("TENSIONS_PROCESS_BATCH_ARTICLES", 50)
TENSIONS_PROCESS_BATCH_CHARACTERS = env_int(
    "TENSIONS_PROCESS_BATCH_CHARACTERS", 100_000
)
# As the queue drains, a claim takes half of what waits, but not fewer than
# this (articles.services._share).
TENSIONS_PROCESS_BATCH_FLOOR = env_int("TENSIONS_PROCESS_BATCH_FLOOR", 10)
# A task goes on claiming batch after batch while more wait, for this long (at
# most half of CELERY_TASK_SOFT_TIME_LIMIT; articles.tasks.process_queue).
TENSIONS_PROCESS_TASK_SECONDS = env_float("TENSIONS_PROCESS_TASK_SECONDS", 30)
TENSIONS_SWEEP_EVERY_SECONDS = env_int("TENSIONS_SWEEP_EVERY_SECONDS", 60)
# Two reports of the same happening are at most this many days apart.
TENSIONS_CORROBORATION_WINDOW_DAYS = env_int("TENSIONS_CORROBORATION_WINDOW_DAYS", 7)

# --- Ingestion (articles/, issue 4) -------------------------------------------
# Each exceeded limit is a clear per-file error, never a 500.
TENSIONS_MAX_FILES_PER_UPLOAD = env_int("TENSIONS_MAX_FILES_PER_UPLOAD", 100)
TENSIONS_MAX_ARTICLES_PER_ARCHIVE = env_int("TENSIONS_MAX_ARTICLES_PER_ARCHIVE", 5000)
TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES = env_int(
    "TENSIONS_MAX_ARCHIVE_UNCOMPRESSED_BYTES", 200 * 1024 * 1024
)
TENSIONS_MAX_COMPRESSION_RATIO = env_int("TENSIONS_MAX_COMPRESSION_RATIO", 100)
# Two texts whose word shingles overlap at least this much are one story.
TENSIONS_NEAR_DUPLICATE_THRESHOLD = env_float("TENSIONS_NEAR_DUPLICATE_THRESHOLD", 0.6)
# Django refuses past this with a bare 400; ours names the limit first.
DATA_UPLOAD_MAX_NUMBER_FILES = TENSIONS_MAX_FILES_PER_UPLOAD * 10
# --- end of ingestion ----------------------------------------------------------

# Cache: Redis when CACHE_URL is redis://..., shared by every process, so that
# the pages cache what they draw under a data version the workers bump
# (tensions/dataversion.py); "dummy://" caches nothing (to measure pages cold);
# empty: this process's memory, and pages not cached.
CACHE_URL = env_str("CACHE_URL", "")
TENSIONS_SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tensions"),
        }
        if TENSIONS_SHARED_CACHE
        else {
            "BACKEND": "django.core.cache.backends."
            + ("dummy.DummyCache" if CACHE_URL == "dummy://" else "locmem.LocMemCache")
        }
    ),
    # API answers (tensions/api_cache.py): this process's memory, bounded, so that
    # a client walking a long list never evicts what the pages keep.
    "api": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api-answers",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}

# Celery: with no broker server, kombu's filesystem transport (a real worker
# process still consumes it); `redis://...` in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    for _folder in ("queue", "control", "processed"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "tensions")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process loads the language model as it starts (tensions/celery.py):
# give it time before it is taken for dead.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_float("CELERY_WORKER_PROC_ALIVE_TIMEOUT", 120)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 2000)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-articles": {
        "task": "articles.tasks.sweep_stuck_articles",
        "schedule": float(TENSIONS_SWEEP_EVERY_SECONDS),
    },
    # Catches up pair rows whose refresh could not be enqueued (broker down).
    "refresh-relations": {
        "task": "tensions.tasks.refresh_relations",
        "schedule": float(TENSIONS_SWEEP_EVERY_SECONDS),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous client is answered 401 with WWW-Authenticate.
        "tensions.api_auth.LeanTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tensions.api_negotiation.PlainNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50),
    # Rates are read from API_THROTTLE_ANON / API_THROTTLE_USER at request time.
    "DEFAULT_THROTTLE_CLASSES": [
        "tensions.throttles.AnonThrottle",
        "tensions.throttles.UserThrottle",
    ],
    # JSON errors also for what Django refuses while parsing (413).
    "EXCEPTION_HANDLER": "tensions.api_errors.exception_handler",
}
# Most rows one API page may hold when a client asks for ?page_size=.
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 1000)
API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "60/min")
API_THROTTLE_USER = env_str("API_THROTTLE_USER", "2000/min")
# Rows fetched per database round trip by the streamed exports.
API_EXPORT_CHUNK = env_int("API_EXPORT_CHUNK", 2000)
# Seconds a list answer is kept per data version (tensions/api_cache.py); 0: off.
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300)
# The events and relations lists answer common questions with SQL written by hand
# (tensions/api_fast.py), the same answers; false: always through django-filter.
API_FAST_PATH = env_bool("API_FAST_PATH", True)
SPECTACULAR_SETTINGS = {
    "TITLE": "Tensions API",
    "DESCRIPTION": "Articles, events and relations between countries, from the news.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations grouped by resource (articles, events, ...) and named without
    # the version ("events_list"), not all under one "v1" tag
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "EventStatusEnum": "tensions.models.Event.Status",
        "ReviewStateEnum": "tensions.models.Event.ReviewState",
        "ReviewDecisionEnum": [("confirmed", "confirmed"), ("rejected", "rejected")],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
