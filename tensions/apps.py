from django.apps import AppConfig


class TensionsConfig(AppConfig):
    name = "tensions"
    verbose_name = "Tensions"

    def ready(self):
        # The Celery app is made here rather than in tensions/__init__.py, so that
        # importing the engine (tensions.extraction) never pulls in Django.
        from tensions import celery, checks  # noqa: F401
