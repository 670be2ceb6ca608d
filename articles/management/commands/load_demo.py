from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.demo import demo_articles
from articles.services import article_create, article_process
from tensions.tasks import refresh_relations

DEMO_USER = "demo"
DEMO_PASSWORD = "tensions-demo"


class Command(BaseCommand):
    help = "Load the team's demo articles and a demo user (safe to run again)."

    def handle(self, *args, **options):
        user = self._demo_user()
        for demo in demo_articles(today=timezone.localdate()):
            upload = article_create(
                text=demo.text,
                title=demo.title,
                publisher=demo.publisher,
                published=demo.published,
                uploaded_by=user,
                wake_worker=False,  # processed here, before the worker starts
            )
            article = upload.article
            if upload.created:
                article = article_process(article_id=article.pk, claim="load_demo")
            self.stdout.write(f"  {article.status:<10} {demo.title}")
        # Processing marked the pair rows stale for a worker to refresh later:
        # refreshed here, the first home page already ranks the demo's pairs.
        refresh_relations()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Log in as {DEMO_USER} / {DEMO_PASSWORD}"
            )
        )

    def _demo_user(self):
        users = get_user_model()
        user, created = users.objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user
