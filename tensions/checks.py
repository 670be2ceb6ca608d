"""System checks that validate the configuration at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_configuration(app_configs=None, **kwargs):
    problems = []
    if settings.TENSIONS_MAX_UPLOAD_BYTES <= 0:
        problems.append(
            Error("TENSIONS_MAX_UPLOAD_BYTES must be positive.", id="tensions.E001")
        )
    if settings.TENSIONS_STUCK_AFTER_SECONDS < settings.CELERY_TASK_TIME_LIMIT:
        problems.append(
            Warning(
                "TENSIONS_STUCK_AFTER_SECONDS is shorter than CELERY_TASK_TIME_LIMIT: "
                "articles still being processed would be enqueued again.",
                id="tensions.W001",
            )
        )
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("filesystem://", "redis://", "rediss://", "memory://")):
        problems.append(
            Warning(
                f"CELERY_BROKER_URL {broker!r} is not a tested broker.",
                id="tensions.W002",
            )
        )
    return problems
